"""Admission: consent to treatment first; track, clinician, first day and planned length;
placed on the track's group sessions from the first day only; intake battery due at once;
the inquiry moves to admitted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openiop.care.services import FIRST_PLAN_DAYS
from openiop.intake.models import InquiryStatus
from openiop.intake.services import participant_admit
from openiop.lib.timezones import today_in
from openiop.measures.models import Administration, AdministrationStatus, Phase
from openiop.measures.services import INTAKE_BATTERY, administrations_make_due
from openiop.participants.models import ConsentKind, Episode, EpisodeStatus
from openiop.scheduling.models import RosterEntry, Session, Unavailability
from tests import factories as f
from tests.intake.helpers import make_inquiry
from tests.participants.consent_support import sign
from tests.scheduling.attendance_support import local


@pytest.fixture
def assessed(world: Any) -> Episode:
    participant = f.ParticipantFactory(
        organization=world.org, legal_first_name="Jo", legal_last_name="Newcomer"
    )
    return f.EpisodeFactory(
        participant=participant,
        program=world.program,
        status=EpisodeStatus.ASSESSED,
        track=None,
        inquiry_on=timezone.localdate() - dt.timedelta(days=6),
        referred_on=timezone.localdate() - dt.timedelta(days=5),
        assessed_on=timezone.localdate() - dt.timedelta(days=1),
        admitted_on=None,
        started_on=None,
    )


def _today(world: Any) -> dt.date:
    return today_in(world.program.time_zone)


def _group_sessions(world: Any, days: list[dt.date]) -> list[Session]:
    kind = f.SessionTypeFactory(program=world.program, is_group=True)
    return [
        Session.objects.create(
            organization=world.org,
            program=world.program,
            track=world.morning,
            session_type=kind,
            starts_at=local(day, dt.time(9, 0)),
            ends_at=local(day, dt.time(10, 30)),
            created_by=world.director,
        )
        for day in days
    ]


def _admit(world: Any, episode: Episode, **kw: Any) -> Any:
    args: dict[str, Any] = {
        "actor": world.intake,
        "episode": episode,
        "track": world.morning,
        "primary_clinician": world.clinician,
        "start_on": _today(world) + dt.timedelta(days=3),
        "planned_weeks": 10,
    }
    args.update(kw)
    return participant_admit(**args)


def test_admission_needs_consent_to_treatment(world, assessed) -> None:
    with pytest.raises(ValidationError) as error:
        _admit(world, assessed)
    assert "Consent to treatment is not signed" in str(error.value.message_dict["consent"])
    assessed.refresh_from_db()
    assert assessed.status == EpisodeStatus.ASSESSED
    assert assessed.track is None
    assert assessed.admitted_on is None


def test_a_revoked_treatment_consent_does_not_count(world, assessed) -> None:
    from openiop.participants.consents import consent_revoke

    consent = sign(assessed, world.intake, ConsentKind.TREATMENT)
    consent_revoke(actor=world.intake, consent=consent, how="writing")
    with pytest.raises(ValidationError):
        _admit(world, assessed)


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"track": None}, "track"),
        ({"primary_clinician": None}, "primary_clinician"),
        ({"start_on": None}, "start_on"),
        ({"planned_weeks": 3}, "planned_weeks"),
        ({"planned_weeks": 27}, "planned_weeks"),
    ],
)
def test_admission_refuses_missing_or_bad_values(world, assessed, override, field) -> None:
    sign(assessed, world.intake, ConsentKind.TREATMENT)
    with pytest.raises(ValidationError) as error:
        _admit(world, assessed, **override)
    assert field in error.value.message_dict
    assessed.refresh_from_db()
    assert assessed.status == EpisodeStatus.ASSESSED


def test_the_first_day_cannot_be_in_the_past(world, assessed) -> None:
    sign(assessed, world.intake, ConsentKind.TREATMENT)
    with pytest.raises(ValidationError) as error:
        _admit(world, assessed, start_on=_today(world) - dt.timedelta(days=1))
    assert "cannot be in the past" in str(error.value.message_dict["start_on"])


def test_only_an_assessed_episode_is_admitted(world) -> None:
    sign(world.episode, world.clinician, ConsentKind.TREATMENT)
    with pytest.raises(ValidationError, match="Only an assessed episode"):
        _admit(world, world.episode)


def test_staff_of_other_programs_cannot_admit(world, assessed) -> None:
    sign(assessed, world.intake, ConsentKind.TREATMENT)
    with pytest.raises(ValidationError, match="assigned to"):
        _admit(world, assessed, actor=world.outsider_clinician)


def test_admission_sets_the_episode(world, assessed) -> None:
    sign(assessed, world.intake, ConsentKind.TREATMENT)
    start = _today(world) + dt.timedelta(days=3)
    admission = _admit(world, assessed, planned_weeks=8)
    assessed.refresh_from_db()
    assert assessed.status == EpisodeStatus.ADMITTED
    assert assessed.admitted_on == _today(world)
    assert assessed.started_on == start
    assert assessed.track == world.morning
    assert assessed.primary_clinician == world.clinician
    assert assessed.planned_weeks == 8
    assert assessed.planned_end_on == start + dt.timedelta(weeks=8)
    assert admission.first_plan_due_on == _today(world) + dt.timedelta(days=FIRST_PLAN_DAYS)


def test_planned_length_defaults_to_the_programs(world, assessed) -> None:
    sign(assessed, world.intake, ConsentKind.TREATMENT)
    _admit(world, assessed, planned_weeks=None)
    assessed.refresh_from_db()
    assert assessed.planned_weeks == world.program.planned_weeks


def test_admission_places_on_group_sessions_from_the_first_day_only(world, assessed) -> None:
    sign(assessed, world.intake, ConsentKind.TREATMENT)
    today = _today(world)
    start = today + dt.timedelta(days=3)
    before, on_start, after = _group_sessions(
        world, [today + dt.timedelta(days=1), start, start + dt.timedelta(days=2)]
    )
    _admit(world, assessed, start_on=start)
    rostered = set(
        RosterEntry.objects.filter(participant=assessed.participant).values_list(
            "session_id", flat=True
        )
    )
    assert rostered == {on_start.pk, after.pk}
    assert before.pk not in rostered


def test_admission_makes_the_intake_battery_due_at_once(world, assessed) -> None:
    sign(assessed, world.intake, ConsentKind.TREATMENT)
    admission = _admit(world, assessed)
    due = Administration.objects.filter(episode=assessed, phase=Phase.INTAKE)
    assert sorted(due.values_list("instrument_code", flat=True)) == sorted(INTAKE_BATTERY)
    assert all(a.status == AdministrationStatus.DUE for a in due)
    assert all(a.due_at <= timezone.now() for a in due)
    assert len(admission.battery_due) == len(INTAKE_BATTERY)
    # The worker later finds the same slots and adds nothing.
    administrations_make_due(now=timezone.now() + dt.timedelta(days=3, hours=12))
    assert Administration.objects.filter(episode=assessed, phase=Phase.INTAKE).count() == len(
        INTAKE_BATTERY
    )


def test_admission_moves_the_inquiry_to_admitted(world, assessed) -> None:
    inquiry = make_inquiry(
        world.program,
        status=InquiryStatus.ASSESSED,
        participant=assessed.participant,
        episode=assessed,
    )
    sign(assessed, world.intake, ConsentKind.TREATMENT)
    _admit(world, assessed)
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ADMITTED


def test_admission_copies_the_assessments_unavailable_times(world, assessed) -> None:
    from openiop.intake.services import BlockInput, assessment_availability_set, assessment_start

    Episode.objects.filter(pk=assessed.pk).update(status=EpisodeStatus.REFERRED)
    assessment = assessment_start(actor=world.intake, episode=assessed)
    assessment_availability_set(
        actor=world.intake,
        assessment=assessment,
        blocks=[BlockInput(0, dt.time(8), dt.time(13), "work", "")],
    )
    Episode.objects.filter(pk=assessed.pk).update(status=EpisodeStatus.ASSESSED)
    sign(assessed, world.intake, ConsentKind.TREATMENT)
    admission = _admit(world, assessed)
    assert admission.unavailability_added == 1
    block = Unavailability.objects.get(participant=assessed.participant)
    assert (block.weekday, block.start_time, block.reason) == (0, dt.time(8), "work")


def test_admission_is_on_the_timeline(world, assessed) -> None:
    from openiop.audit.models import Event

    sign(assessed, world.intake, ConsentKind.TREATMENT)
    _admit(world, assessed)
    summaries = list(
        Event.objects.filter(participant=assessed.participant).values_list("summary", flat=True)
    )
    assert any("Assessed → Admitted" in s for s in summaries)
    assert any("admitted to the Morning track" in s for s in summaries)
