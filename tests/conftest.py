"""Shared personas, built once per test: one organization with a program the staff work in,
a second program (same organization) nobody here is assigned to, and a second organization.

`login(user)` returns a test client signed in as that user, with MFA completed for staff, as a
real staff session would be after the two-step sign-in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import SimpleNamespace

import pytest
from django.db.backends.sqlite3.base import DatabaseOperations as SQLiteOperations
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.lib import append_only
from openiop.participants.models import CareTeamRole, EpisodeStatus
from tests import factories as f


@pytest.fixture(scope="session", autouse=True)
def _flush_around_append_only_triggers() -> Iterator[None]:
    """Transactional tests end with Django's flush, which empties every table with DELETE on
    SQLite: the append-only triggers (lib/append_only.py) would refuse it. The test harness,
    and nothing else, drops them around that flush and puts them back."""
    original = SQLiteOperations.execute_sql_flush

    def flush(self: SQLiteOperations, sql_list: list[str]) -> None:
        append_only.drop_sqlite(self.connection)
        try:
            original(self, sql_list)
        finally:
            append_only.install(self.connection)

    SQLiteOperations.execute_sql_flush = flush  # type: ignore[method-assign, assignment]
    yield
    SQLiteOperations.execute_sql_flush = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _plain_static(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_task_queue(request):
    """On the RQ run, every test starts with an empty Redis database (this run's own number)."""
    from tests.taskrun import on_rq, redis_flush

    if on_rq():
        redis_flush()


@pytest.fixture
def run_tasks():
    """Call it to run every ready task, as a worker would (database backend or RQ)."""
    from tests.taskrun import run_tasks as run

    return run


@pytest.fixture
def world(db) -> SimpleNamespace:
    org = f.OrganizationFactory(name="Lakeside Behavioral Health")
    site = f.SiteFactory(organization=org, name="Main Street")
    program = f.ProgramFactory(site=site, name="Adult DBT IOP")
    morning = f.TrackFactory(program=program, name="Morning")
    evening = f.TrackFactory(
        program=program,
        name="Evening",
        days="1,3,5",
    )
    other_program = f.ProgramFactory(site=site, name="Adolescent IOP")
    other_org_program = f.ProgramFactory(name="Elsewhere IOP")
    other_org = other_org_program.organization

    def staff(role: str, programs: list | None = None, organization=org, **kw) -> User:
        return f.UserFactory(organization=organization, role=role, programs=programs or [], **kw)

    w = SimpleNamespace(
        org=org,
        site=site,
        program=program,
        morning=morning,
        evening=evening,
        other_program=other_program,
        other_org=other_org,
        other_org_program=other_org_program,
    )
    w.director = staff(Role.DIRECTOR, [program], full_name="Dana Director")
    w.clinician = staff(Role.CLINICIAN, [program], full_name="Casey Clinician", credentials="LCSW")
    w.intake = staff(Role.INTAKE, [program], full_name="Ira Intake")
    w.billing = staff(Role.BILLING, [program], full_name="Bo Billing")
    w.admin = staff(Role.ADMINISTRATOR, [], full_name="Ada Admin")
    w.outsider_clinician = staff(Role.CLINICIAN, [other_program], full_name="Olly Outsider")
    w.other_org_clinician = staff(
        Role.CLINICIAN, [other_org_program], organization=other_org, full_name="Fran Faraway"
    )

    w.participant_user = f.UserFactory(organization=org, role=Role.PARTICIPANT, full_name="Pat")
    w.participant = f.ParticipantFactory(
        organization=org,
        user=w.participant_user,
        legal_first_name="Patricia",
        preferred_name="Pat",
        legal_last_name="Example",
        pronouns="she/her",
    )
    w.episode = f.EpisodeFactory(
        participant=w.participant,
        program=program,
        track=morning,
        primary_clinician=w.clinician,
        status=EpisodeStatus.ACTIVE,
    )
    f.CareTeamMemberFactory(episode=w.episode, user=w.clinician, role=CareTeamRole.PRIMARY)

    w.family_user = f.UserFactory(organization=org, role=Role.FAMILY, full_name="Sam Family")
    w.family_contact = f.FamilyContactFactory(
        participant=w.participant, user=w.family_user, name="Sam Example", relationship="Partner"
    )
    w.consent = f.FamilyReleaseFactory(recipient_contact=w.family_contact, recorded_by=w.clinician)

    w.other_participant_user = f.UserFactory(organization=org, role=Role.PARTICIPANT)
    w.other_participant = f.ParticipantFactory(
        organization=org,
        user=w.other_participant_user,
        legal_last_name="Elsewhere",
    )
    w.other_episode = f.EpisodeFactory(
        participant=w.other_participant,
        program=other_program,
        primary_clinician=w.outsider_clinician,
    )
    return w


def verified_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    if user.is_staff_member:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def login(db) -> Callable[[User], Client]:
    return verified_client
