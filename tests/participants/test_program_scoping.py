"""A participant enrolled in two programs: each program's staff see only their own program's
episodes and events. Enrolment in a substance-use program is itself 42 CFR Part 2 information."""

from __future__ import annotations

import pytest

from openiop.accounts.roles import Role
from openiop.audit.models import EventKind
from openiop.audit.services import event_record
from openiop.participants.models import EpisodeStatus
from tests import factories as f


@pytest.fixture
def sud(world):
    program = f.ProgramFactory(site=world.site, name="Recovery Path SUD IOP", treats_sud=True)
    clinician = f.UserFactory(organization=world.org, role=Role.CLINICIAN, programs=[program])
    episode = f.EpisodeFactory(
        participant=world.participant,
        program=program,
        status=EpisodeStatus.REFERRED,
        admitted_on=None,
        started_on=None,
        primary_clinician=clinician,
    )
    event_record(
        participant=world.participant,
        kind=EventKind.EPISODE_OPENED,
        summary="Referral to the recovery program received",
        actor=clinician,
        program=program,
    )
    event_record(
        participant=world.participant,
        kind=EventKind.EPISODE_OPENED,
        summary="Morning track welcome call",
        actor=world.clinician,
        program=world.program,
    )
    return type("Sud", (), {"program": program, "clinician": clinician, "episode": episode})


def _chart_and_timeline(client, world) -> bytes:
    """The chart's first screen and its timeline (the Audit panel)."""
    url = f"/participants/{world.participant.public_id}/"
    return client.get(url).content + client.get(f"{url}?panel=audit").content


def test_the_chart_hides_another_programs_episode_and_events(world, login, sud) -> None:
    text = _chart_and_timeline(login(world.clinician), world)
    assert b"Recovery Path" not in text
    assert b"Referral to the recovery program" not in text
    assert b"Morning track welcome call" in text


def test_the_other_programs_staff_see_only_their_own_episode(world, login, sud) -> None:
    text = _chart_and_timeline(login(sud.clinician), world)
    assert b"Recovery Path" in text
    assert b"Referral to the recovery program" in text
    assert world.program.name.encode() not in text
    assert b"Morning track welcome call" not in text


def test_record_level_events_are_seen_by_every_program(world, login, sud) -> None:
    event_record(
        participant=world.participant,
        kind=EventKind.PARTICIPANT_UPDATED,
        summary="Details updated: phone",
        actor=world.intake,
    )
    for user in (world.clinician, sud.clinician):
        text = _chart_and_timeline(login(user), world)
        assert b"Details updated: phone" in text


def test_the_list_shows_the_viewers_program_not_the_newest_anywhere(world, login, sud) -> None:
    text = login(world.clinician).get("/participants/").content
    assert b"Recovery Path" not in text
    assert world.program.name.encode() in text


def test_the_status_filter_does_not_match_another_programs_episode(world, login, sud) -> None:
    client = login(world.clinician)
    referred = client.get("/participants/?status=referred").content
    active = client.get("/participants/?status=active").content
    assert world.participant.legal_last_name.encode() not in referred
    assert world.participant.legal_last_name.encode() in active


def test_the_caseload_lists_only_the_viewers_programs(world, login, sud) -> None:
    f.CareTeamMemberFactory(episode=sud.episode, user=world.clinician)
    text = login(world.clinician).get("/").content
    assert b"Recovery Path" not in text
