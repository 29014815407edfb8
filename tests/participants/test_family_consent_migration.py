"""Migration 0008: the single-scope family permissions (FamilyConsent) become signed releases,
and 0009 drops their table. Each test rolls the participants app back to 0007, writes old
rows with the model of that time, migrates forward and reads the releases with today's code.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from openiop.accounts.roles import Role
from openiop.lib.timezones import today_in
from openiop.participants.consents import consent_verified, covered_contacts, family_grants
from openiop.participants.models import (
    STAFF_RECORDED_SIGNATURE,
    Consent,
    ConsentExpiry,
    ConsentInfo,
    ConsentKind,
    ConsentRevokedHow,
    EpisodeStatus,
)
from tests import factories as f

BEFORE = [("participants", "0007_signed_document_base")]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return [key for key in executor.loader.graph.leaf_nodes() if key[0] == "participants"]


@pytest.fixture
def old_state() -> Iterator[Any]:
    """The database as it was before 0008, put back to the newest state afterwards whatever
    the test did."""
    latest = _latest()
    apps = _migrate(BEFORE)
    try:
        yield apps
    finally:
        _migrate(latest)


@pytest.fixture
def family() -> SimpleNamespace:
    """A participant in treatment, a family member with a portal account recorded by the
    program, and the staff member who recorded the permissions."""
    w = SimpleNamespace()
    w.program = f.ProgramFactory(time_zone="America/Chicago")
    w.org = w.program.organization
    w.clinician = f.UserFactory(organization=w.org, role=Role.CLINICIAN)
    w.participant = f.ParticipantFactory(organization=w.org, legal_first_name="Pat")
    w.episode = f.EpisodeFactory(
        participant=w.participant, program=w.program, status=EpisodeStatus.ACTIVE
    )
    w.user = f.UserFactory(organization=w.org, role=Role.FAMILY)
    w.contact = f.FamilyContactFactory(
        participant=w.participant, program=w.program, user=w.user, name="Sam Example"
    )
    w.today = today_in(w.program.time_zone)
    return w


def _old_row(apps: Any, w: SimpleNamespace, scope: str, **dates: Any) -> Any:
    family_consent = apps.get_model("participants", "FamilyConsent")
    return family_consent.objects.create(
        public_id=uuid.uuid4(),
        organization_id=w.org.pk,
        participant_id=w.participant.pk,
        contact_id=w.contact.pk,
        scope=scope,
        recorded_by_id=w.clinician.pk,
        **dates,
    )


def _start_of(day: dt.date, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=ZoneInfo(zone))


def test_permissions_until_revoked_become_one_release_ending_on_discharge(
    old_state: Any, family: SimpleNamespace
) -> None:
    w = family
    granted = w.today - dt.timedelta(days=10)
    first = _old_row(old_state, w, ConsentInfo.PROGRAM_CONTACT, granted_on=granted)
    _old_row(old_state, w, ConsentInfo.FAMILY_SCHEDULE, granted_on=granted)

    apps = _migrate(_latest())

    models = {m._meta.model_name for m in apps.get_app_config("participants").get_models()}
    assert "familyconsent" not in models
    assert "participants_familyconsent" not in connection.introspection.table_names()
    release = Consent.objects.get()
    assert release.public_id == first.public_id
    assert release.kind == ConsentKind.RELEASE
    assert release.program == w.program
    assert release.episode == w.episode
    assert release.recipient_contact == w.contact
    # Both scopes, in the checklist's order.
    assert release.information == [ConsentInfo.FAMILY_SCHEDULE, ConsentInfo.PROGRAM_CONTACT]
    assert release.expiry == ConsentExpiry.DISCHARGE
    assert release.expires_on is None
    assert (
        release.typed_name == STAFF_RECORDED_SIGNATURE == "recorded by staff before signed releases"
    )
    assert STAFF_RECORDED_SIGNATURE in release.statement
    assert release.recorded_before_signing
    assert release.signed_on == granted
    assert release.signed_at == _start_of(granted, "America/Chicago")
    assert release.recorded_by == w.clinician
    assert not release.is_revoked
    assert consent_verified(release)
    # The family member keeps what they saw, and their portal account keeps working ...
    assert {g.scope for g in family_grants(w.user)} == {
        ConsentInfo.FAMILY_SCHEDULE,
        ConsentInfo.PROGRAM_CONTACT,
    }
    assert covered_contacts(w.participant) == {w.contact.pk}
    # ... until the episode ends: "until revoked" became "on discharge".
    type(w.episode).objects.filter(pk=w.episode.pk).update(
        status=EpisodeStatus.DISCHARGED, discharged_on=w.today
    )
    assert not family_grants(w.user)


def test_a_dated_and_revoked_permission_keeps_its_dates(
    old_state: Any, family: SimpleNamespace
) -> None:
    w = family
    granted = w.today - dt.timedelta(days=20)
    ends = w.today + dt.timedelta(days=30)
    revoked = w.today - dt.timedelta(days=3)
    _old_row(
        old_state,
        w,
        ConsentInfo.ATTENDANCE,
        granted_on=granted,
        expires_on=ends,
        revoked_on=revoked,
    )
    still = _old_row(old_state, w, ConsentInfo.PROGRAM_CONTACT, granted_on=granted, expires_on=ends)

    _migrate(_latest())

    revoked_release = Consent.objects.get(information=[ConsentInfo.ATTENDANCE])
    assert revoked_release.expiry == ConsentExpiry.DATE
    assert revoked_release.expires_on == ends
    assert revoked_release.revoked_on == revoked
    assert revoked_release.revoked_at == _start_of(revoked, "America/Chicago")
    assert revoked_release.revoked_how == ConsentRevokedHow.STAFF
    assert revoked_release.revoked_by is None
    assert revoked_release.status_label(w.today) == "Revoked"
    assert consent_verified(revoked_release)
    # Rows revoked on different days stay separate releases.
    active = Consent.objects.get(public_id=still.public_id)
    assert active.information == [ConsentInfo.PROGRAM_CONTACT]
    assert active.status_label(w.today) == "Active"
    assert [g.scope for g in family_grants(w.user)] == [ConsentInfo.PROGRAM_CONTACT]


def test_a_substance_use_programs_permission_becomes_a_part2_consent(
    old_state: Any, family: SimpleNamespace
) -> None:
    """The accounting of disclosures lets a substance-use program's records leave it only
    under a Part 2 consent: as a general release the family page could not be recorded."""
    w = family
    type(w.program).objects.filter(pk=w.program.pk).update(treats_sud=True)
    _old_row(old_state, w, ConsentInfo.ATTENDANCE, granted_on=w.today - dt.timedelta(days=4))

    _migrate(_latest())

    release = Consent.objects.get()
    assert release.kind == ConsentKind.PART2
    assert "42 CFR part 2" in release.statement
    assert consent_verified(release)
    assert [g.consent for g in family_grants(w.user)] == [release]
