"""Holds, resumes, extensions and steps up or down: each recorded with its reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from openiop.audit.models import Event
from openiop.discharge.models import ChangeKind, EpisodeChange
from openiop.discharge.services import (
    episode_extend,
    episode_hold,
    episode_resume,
    episode_step_down,
    episode_step_up,
)
from openiop.lib.timezones import today_in
from openiop.participants.models import DischargeKind, EpisodeStatus
from tests.discharge.conftest import rostered


def _today(world):
    return today_in(world.program.time_zone)


def test_hold_records_the_reason_and_takes_future_sessions_off(world, sessions):
    change = episode_hold(
        actor=world.clinician, episode=world.episode, on=_today(world), reason="Hospital stay"
    )
    world.episode.refresh_from_db()
    assert world.episode.status == EpisodeStatus.ON_HOLD
    assert change.kind == ChangeKind.HOLD
    assert change.reason == "Hospital stay"
    assert not rostered(sessions.future, world)
    assert rostered(sessions.past, world)


def test_hold_needs_a_reason_and_changes_nothing_without_one(world):
    with pytest.raises(ValidationError) as error:
        episode_hold(actor=world.clinician, episode=world.episode, on=_today(world), reason=" ")
    assert "reason" in error.value.message_dict
    world.episode.refresh_from_db()
    assert world.episode.status == EpisodeStatus.ACTIVE
    assert not EpisodeChange.objects.exists()


def test_resume_after_a_hold(world):
    episode_hold(actor=world.clinician, episode=world.episode, on=_today(world), reason="Flu")
    change = episode_resume(
        actor=world.clinician, episode=world.episode, on=_today(world), reason="Recovered"
    )
    world.episode.refresh_from_db()
    assert world.episode.status == EpisodeStatus.ACTIVE
    assert change.kind == ChangeKind.RESUME


def test_resume_refuses_an_episode_that_is_not_on_hold(world):
    with pytest.raises(ValidationError):
        episode_resume(actor=world.clinician, episode=world.episode, on=_today(world), reason="x")
    assert not EpisodeChange.objects.exists()


def test_an_outsider_cannot_hold(world):
    with pytest.raises(ValidationError):
        episode_hold(
            actor=world.outsider_clinician, episode=world.episode, on=_today(world), reason="x"
        )


def test_extension_moves_the_planned_end_with_the_reason(world):
    world.episode.planned_end_on = _today(world) + timedelta(days=5)
    world.episode.save()
    new_end = _today(world) + timedelta(weeks=3)
    change = episode_extend(
        actor=world.clinician,
        episode=world.episode,
        new_end=new_end,
        reason="Still working on distress tolerance; payer approved two more weeks",
    )
    world.episode.refresh_from_db()
    assert world.episode.planned_end_on == new_end
    assert change.from_planned_end == _today(world) + timedelta(days=5)
    assert change.to_planned_end == new_end
    assert "payer approved" in change.reason
    event = Event.objects.filter(participant=world.participant, kind="discharge").get()
    assert "payer" not in event.summary  # the reason stays off the timeline


def test_extension_must_move_the_end_later_and_give_a_reason(world):
    world.episode.planned_end_on = _today(world) + timedelta(days=10)
    world.episode.save()
    with pytest.raises(ValidationError) as error:
        episode_extend(
            actor=world.clinician,
            episode=world.episode,
            new_end=_today(world) + timedelta(days=3),
            reason="Shorter",
        )
    assert "new_end" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        episode_extend(
            actor=world.clinician,
            episode=world.episode,
            new_end=_today(world) + timedelta(days=30),
            reason="",
        )
    assert "reason" in error.value.message_dict
    world.episode.refresh_from_db()
    assert world.episode.planned_end_on == _today(world) + timedelta(days=10)


def test_extension_without_a_planned_end_counts_from_the_planned_weeks(world):
    # Started 16 days ago, 12 planned weeks (the program's default): ends in about 9 weeks.
    with pytest.raises(ValidationError):
        episode_extend(
            actor=world.clinician,
            episode=world.episode,
            new_end=_today(world) + timedelta(weeks=2),
            reason="x",
        )
    episode_extend(
        actor=world.clinician,
        episode=world.episode,
        new_end=_today(world) + timedelta(weeks=12),
        reason="More time",
    )


def test_step_up_discharges_with_the_destination(world, sessions):
    summary = episode_step_up(
        actor=world.clinician,
        episode=world.episode,
        on=_today(world),
        destination="php",
        reason="Needs daily structure after a crisis",
    )
    world.episode.refresh_from_db()
    assert world.episode.status == EpisodeStatus.DISCHARGED
    assert world.episode.discharge_kind == DischargeKind.STEPPED_UP
    change = EpisodeChange.objects.get()
    assert change.kind == ChangeKind.STEP_UP
    assert change.destination == "php"
    assert summary is not None
    assert "Partial hospitalization" in summary.referrals
    assert not rostered(sessions.future, world)


def test_step_up_refuses_an_outpatient_destination(world):
    with pytest.raises(ValidationError) as error:
        episode_step_up(
            actor=world.clinician,
            episode=world.episode,
            on=_today(world),
            destination="outpatient",
            reason="x",
        )
    assert "destination" in error.value.message_dict
    world.episode.refresh_from_db()
    assert world.episode.status == EpisodeStatus.ACTIVE


def test_step_down_needs_the_provider(world):
    with pytest.raises(ValidationError) as error:
        episode_step_down(
            actor=world.clinician,
            episode=world.episode,
            on=_today(world),
            destination="outpatient",
            provider="",
            reason="Ready for weekly therapy",
        )
    assert "provider" in error.value.message_dict
    summary = episode_step_down(
        actor=world.clinician,
        episode=world.episode,
        on=_today(world),
        destination="outpatient",
        provider="Dr. Rowan, Lakeview Clinic",
        reason="Ready for weekly therapy",
    )
    world.episode.refresh_from_db()
    assert world.episode.discharge_kind == DischargeKind.STEPPED_DOWN
    assert summary is not None
    assert "Lakeview Clinic" in summary.referrals
