"""Family contacts belong to the program that recorded them (issue 14): the other program's
staff neither read nor change them, releases name only their own program's contacts, and the
migration gave every existing contact a program."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from openiop.accounts.roles import Role
from openiop.audit.models import Event, EventKind
from openiop.participants.models import ConsentInfo, ConsentKind, FamilyContact
from openiop.participants.services import family_contact_add
from tests import factories as f
from tests.participants.consent_support import sign, sud_world


@pytest.fixture
def two(world: SimpleNamespace) -> SimpleNamespace:
    program, episode = sud_world(world)
    world.sud_program, world.sud_episode = program, episode
    world.sud_clinician = f.UserFactory(
        organization=world.org, role=Role.CLINICIAN, programs=[program]
    )
    world.sponsor = family_contact_add(
        actor=world.clinician,
        participant=world.participant,
        program=program,
        name="Sid Sponsor",
        relationship="Sponsor",
    )
    return world


def _edit(world: SimpleNamespace, contact: FamilyContact) -> str:
    args = [world.participant.public_id, contact.public_id]
    return reverse("participants:family_edit", args=args)


def test_the_other_programs_staff_neither_read_nor_change_a_contact(
    two: SimpleNamespace, login: Any
) -> None:
    sud_only = login(two.sud_clinician)
    assert sud_only.get(_edit(two, two.family_contact)).status_code == 404
    assert sud_only.post(_edit(two, two.family_contact), {"name": "X"}).status_code == 404
    dbt_only = login(two.director)
    assert dbt_only.get(_edit(two, two.sponsor)).status_code == 404
    two.family_contact.refresh_from_db()
    assert two.family_contact.name == "Sam Example"


def test_the_chart_lists_only_the_viewers_programs_contacts(
    two: SimpleNamespace, login: Any
) -> None:
    chart = reverse("participants:chart", args=[two.participant.public_id])
    dbt_page = login(two.director).get(chart).content.decode()
    assert "Sam Example" in dbt_page
    assert "Sid Sponsor" not in dbt_page
    sud_page = login(two.sud_clinician).get(chart).content.decode()
    assert "Sid Sponsor" in sud_page
    assert "Sam Example" not in sud_page


def test_adding_a_contact_asks_the_program_when_the_writer_works_in_both(
    two: SimpleNamespace, login: Any
) -> None:
    url = reverse("participants:family_new", args=[two.participant.public_id])
    client = login(two.clinician)
    assert 'name="program"' in client.get(url).content.decode()
    data = {"name": "Ana Aunt", "relationship": "Aunt", "program": str(two.sud_program.public_id)}
    assert client.post(url, data).status_code == 302
    added = FamilyContact.objects.get(name="Ana Aunt")
    assert added.program == two.sud_program
    event = Event.objects.get(kind=EventKind.FAMILY_CONTACT, summary__contains="Ana Aunt")
    assert event.program == two.sud_program
    one_program = login(two.sud_clinician)
    assert 'name="program"' not in one_program.get(url).content.decode()


def test_a_release_names_only_a_contact_of_its_own_program(two: SimpleNamespace) -> None:
    with pytest.raises(ValidationError, match="recorded in"):
        sign(
            two.sud_episode,
            two.clinician,
            ConsentKind.PART2,
            recipient_contact=two.family_contact,
            information=[ConsentInfo.PROGRAM_CONTACT],
        )
    assert sign(
        two.sud_episode,
        two.clinician,
        ConsentKind.PART2,
        recipient_contact=two.sponsor,
        information=[ConsentInfo.PROGRAM_CONTACT],
    )


def test_a_family_session_invites_only_the_programs_own_contacts(
    two: SimpleNamespace, login: Any
) -> None:
    url = reverse("scheduling:book_family", args=[two.participant.public_id])
    page = login(two.sud_clinician).get(url).content.decode()
    assert "Sid Sponsor" in page
    assert "Sam Example" not in page


# --- the migration --------------------------------------------------------------------------
# 0004 read the single-scope family permissions (FamilyConsent), which 0009 dropped. These tests
# put the participants app back to 0008 (the table is there again), run 0004's function with
# the models of that time and migrate forward afterwards, whatever the test did.

BEFORE_DROP = [("participants", "0008_family_permissions_become_releases")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps() -> Iterator[Any]:
    executor = MigrationExecutor(connection)
    latest = [key for key in executor.loader.graph.leaf_nodes() if key[0] == "participants"]
    apps = _migrate(BEFORE_DROP)
    try:
        yield apps
    finally:
        _migrate(latest)


def _migration() -> Any:
    return importlib.import_module(
        "openiop.participants.migrations.0004_program_contacts_and_disclosures"
    )


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_a_contact_the_program_whose_consents_name_it(
    old_apps: Any, two: SimpleNamespace
) -> None:
    release = sign(
        two.sud_episode,
        two.clinician,
        ConsentKind.PART2,
        recipient_contact=two.sponsor,
        information=[ConsentInfo.PROGRAM_CONTACT],
    )
    FamilyContact.objects.filter(pk=two.sponsor.pk).update(program=two.program)
    _migration().assign_programs(old_apps, None)
    two.sponsor.refresh_from_db()
    assert two.sponsor.program == two.sud_program
    release.refresh_from_db()
    assert release.recipient_contact == two.sponsor


@pytest.mark.django_db(transaction=True)
def test_a_contact_two_programs_used_is_split_and_keeps_its_account_in_the_first(
    old_apps: Any, two: SimpleNamespace
) -> None:
    """Before the rule, both programs could name one contact: each program gets its own."""
    FamilyContact.objects.filter(pk=two.family_contact.pk).update(program=two.sud_program)
    two.family_contact.refresh_from_db()
    part2 = sign(
        two.sud_episode,
        two.clinician,
        ConsentKind.PART2,
        recipient_contact=two.family_contact,
        information=[ConsentInfo.PROGRAM_CONTACT],
    )
    FamilyContact.objects.filter(pk=two.family_contact.pk).update(program=two.program)
    two.family_contact.refresh_from_db()
    release = sign(
        two.episode,
        two.clinician,
        recipient_contact=two.family_contact,
        information=[ConsentInfo.ATTENDANCE],
    )
    _migration().assign_programs(old_apps, None)
    # The world's own release (the DBT program's) was signed first: the contact stays there
    # with its account, and the substance-use program gets a copy without one.
    copies = FamilyContact.objects.filter(name="Sam Example").order_by("id")
    assert [c.program for c in copies] == [two.program, two.sud_program]
    assert copies[0].user == two.family_user
    assert copies[1].user is None
    part2.refresh_from_db()
    release.refresh_from_db()
    assert part2.recipient_contact == copies[1]
    assert release.recipient_contact == copies[0]


@pytest.mark.django_db(transaction=True)
def test_the_migration_falls_back_to_the_recorders_program(
    old_apps: Any, two: SimpleNamespace
) -> None:
    """No consent, no session: the staff member who recorded the family permission says
    which program (here a director of the DBT program only)."""
    relative = FamilyContact.objects.create(
        organization=two.org,
        participant=two.participant,
        program=two.sud_program,
        name="Rae Relative",
        relationship="Aunt",
    )
    old_apps.get_model("participants", "FamilyConsent").objects.create(
        public_id=uuid.uuid4(),
        organization_id=two.org.pk,
        participant_id=two.participant.pk,
        contact_id=relative.pk,
        scope=ConsentInfo.PROGRAM_CONTACT,
        recorded_by_id=two.director.pk,
        granted_on=two.episode.admitted_on or two.episode.inquiry_on,
    )
    _migration().assign_programs(old_apps, None)
    relative.refresh_from_db()
    assert relative.program == two.program
