"""The worker makes check-ins due on the participant's schedule, in the program's time zone,
once per period however often it runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from openiop.measures.models import Administration, AdministrationStatus, Battery, Phase
from openiop.measures.services import (
    DEFAULT_BATTERIES,
    administrations_make_due,
    batteries_for,
    battery_set,
)
from openiop.ops.periodic import registered_periodic
from openiop.participants.models import EpisodeStatus
from tests import factories as f

STARTED = date(2026, 3, 2)  # a Monday; America/Chicago moves to daylight time on March 8


@pytest.fixture
def episode(world):
    return f.EpisodeFactory(
        participant=f.ParticipantFactory(organization=world.org),
        program=world.program,
        status=EpisodeStatus.ACTIVE,
        inquiry_on=date(2026, 2, 1),
        admitted_on=date(2026, 2, 25),
        started_on=STARTED,
    )


def _codes(episode, phase: str) -> list[str]:
    return sorted(
        Administration.objects.filter(episode=episode, phase=phase).values_list(
            "instrument_code", flat=True
        )
    )


def test_the_intake_battery_is_due_in_the_first_week(world, episode) -> None:
    administrations_make_due(now=datetime(2026, 3, 3, 15, 0, tzinfo=UTC))
    assert _codes(episode, Phase.INTAKE) == sorted(DEFAULT_BATTERIES[Phase.INTAKE])
    assert _codes(episode, Phase.WEEKLY) == []
    intake = Administration.objects.filter(episode=episode).first()
    assert intake is not None
    # Due from the program's midnight on the first day (CST, UTC-6), not UTC's.
    assert intake.due_at == datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def test_weekly_check_ins_follow_the_program_week_across_the_boundary_idempotently(
    world, episode
) -> None:
    # 23:30 on Sunday March 8 in Chicago (CDT, UTC-5): still week 1.
    before = datetime(2026, 3, 9, 4, 30, tzinfo=UTC)
    administrations_make_due(now=before)
    administrations_make_due(now=before)
    assert _codes(episode, Phase.WEEKLY) == []
    intake_count = Administration.objects.filter(episode=episode).count()

    # 00:30 on Monday March 9 in Chicago: week 2 has begun, though in UTC it is the same day.
    after = datetime(2026, 3, 9, 5, 30, tzinfo=UTC)
    summary = administrations_make_due(now=after)
    assert summary.created == 2
    assert _codes(episode, Phase.WEEKLY) == ["GAD-7", "PHQ-9"]
    weekly = Administration.objects.filter(episode=episode, phase=Phase.WEEKLY).first()
    assert weekly is not None
    assert weekly.period_start == date(2026, 3, 9)

    # Running again in the same week, hours later, adds nothing.
    administrations_make_due(now=after + timedelta(hours=20))
    assert Administration.objects.filter(episode=episode).count() == intake_count + 2

    # The next week adds exactly the next pair.
    administrations_make_due(now=datetime(2026, 3, 16, 6, 0, tzinfo=UTC))
    assert Administration.objects.filter(episode=episode, phase=Phase.WEEKLY).count() == 4


def test_check_ins_left_open_a_week_are_marked_missed(world, episode) -> None:
    administrations_make_due(now=datetime(2026, 3, 9, 12, 0, tzinfo=UTC))
    weekly = Administration.objects.filter(episode=episode, phase=Phase.WEEKLY)
    assert set(weekly.values_list("status", flat=True)) == {AdministrationStatus.DUE}
    summary = administrations_make_due(now=datetime(2026, 3, 16, 12, 0, tzinfo=UTC))
    assert summary.missed >= 2
    first_week = weekly.filter(period_start=date(2026, 3, 9))
    assert set(first_week.values_list("status", flat=True)) == {AdministrationStatus.MISSED}


def test_nothing_is_back_filled_for_past_weeks(world, episode) -> None:
    administrations_make_due(now=datetime(2026, 4, 1, 12, 0, tzinfo=UTC))
    assert _codes(episode, Phase.INTAKE) == []
    assert set(
        Administration.objects.filter(episode=episode).values_list("period_start", flat=True)
    ) == {date(2026, 3, 30)}


def test_episodes_on_hold_get_no_weekly_check_ins(world, episode) -> None:
    episode.status = EpisodeStatus.ON_HOLD
    episode.hold_since = date(2026, 3, 5)
    episode.save()
    administrations_make_due(now=datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    assert not Administration.objects.filter(episode=episode).exists()


def test_discharge_battery_is_due_on_discharge(world, episode) -> None:
    episode.status = EpisodeStatus.DISCHARGED
    episode.discharged_on = date(2026, 4, 20)
    episode.save()
    administrations_make_due(now=datetime(2026, 4, 21, 12, 0, tzinfo=UTC))
    assert _codes(episode, Phase.DISCHARGE) == sorted(DEFAULT_BATTERIES[Phase.DISCHARGE])


def test_a_configured_battery_replaces_the_default(world, episode) -> None:
    battery_set(
        program=world.program,
        phase=Phase.WEEKLY,
        instruments=["PHQ-9", "WHO-5"],
        actor=world.director,
    )
    assert batteries_for(world.program)[Phase.INTAKE] == DEFAULT_BATTERIES[Phase.INTAKE]
    administrations_make_due(now=datetime(2026, 3, 9, 12, 0, tzinfo=UTC))
    assert _codes(episode, Phase.WEEKLY) == ["PHQ-9", "WHO-5"]


def test_an_empty_battery_turns_a_phase_off(world, episode) -> None:
    battery_set(program=world.program, phase=Phase.WEEKLY, instruments=[], actor=world.director)
    administrations_make_due(now=datetime(2026, 3, 9, 12, 0, tzinfo=UTC))
    assert _codes(episode, Phase.WEEKLY) == []


def test_a_battery_refuses_unknown_or_repeated_instruments(world) -> None:
    with pytest.raises(ValidationError, match="Unknown instrument: NOPE"):
        battery_set(program=world.program, phase=Phase.WEEKLY, instruments=["NOPE"], actor=None)
    with pytest.raises(ValidationError, match="only once"):
        battery_set(
            program=world.program, phase=Phase.WEEKLY, instruments=["PHQ-9", "PHQ-9"], actor=None
        )
    assert Battery.objects.count() == 0


def test_the_worker_runs_make_due_as_a_periodic_job(world, episode) -> None:
    job = registered_periodic()["measures.make_due"]
    assert job.every == timedelta(minutes=15)
    job.job(datetime(2026, 3, 9, 12, 0, tzinfo=UTC))
    assert _codes(episode, Phase.WEEKLY) == ["GAD-7", "PHQ-9"]
