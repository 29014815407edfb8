"""Rolling rosters: track members follow their track's future group sessions."""

from __future__ import annotations

import threading
from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from openiop.participants import services as participant_services
from openiop.participants.models import EpisodeStatus
from openiop.scheduling.models import RosterEntry, RosterShortfall, Session
from openiop.scheduling.rosters import roster_add
from tests import factories as f
from tests.scheduling.sessions_support import (
    add_schedule_setup,
    local,
    morning_series,
    program_today,
)


@pytest.fixture
def w(world):
    return add_schedule_setup(world)


def _assessed(w):
    participant = f.ParticipantFactory(organization=w.org)
    today = program_today()
    return f.EpisodeFactory(
        participant=participant,
        program=w.program,
        status=EpisodeStatus.ASSESSED,
        inquiry_on=today - timedelta(days=10),
        admitted_on=None,
        started_on=None,
    )


def _sessions_with(participant, series):
    return set(series.sessions.filter(roster__participant=participant).values_list("pk", flat=True))


def test_a_participant_admitted_mid_cycle_is_on_every_future_session_and_none_before(w):
    series = morning_series(w)
    episode = _assessed(w)
    participant_services.episode_transition(
        actor=w.director,
        episode=episode,
        to_status=EpisodeStatus.ADMITTED,
        on=program_today(),
        track=w.morning,
        primary_clinician=w.clinician,
    )
    now = timezone.now()
    future = set(series.sessions.filter(starts_at__gte=now).values_list("pk", flat=True))
    assert future
    assert _sessions_with(episode.participant, series) == future


def test_discharge_removes_future_sessions_and_keeps_the_past(w):
    series = morning_series(w)
    now = timezone.now()
    past_before = series.sessions.filter(starts_at__lt=now, roster__participant=w.participant)
    past_ids = set(past_before.values_list("pk", flat=True))
    assert past_ids  # started 16 days ago: on the backdated series from then
    participant_services.episode_transition(
        actor=w.director,
        episode=w.episode,
        to_status=EpisodeStatus.DISCHARGED,
        on=program_today(),
        discharge_reason="Completed the program",
    )
    assert _sessions_with(w.participant, series) == past_ids


def test_a_hold_takes_them_off_and_coming_back_puts_them_on(w):
    series = morning_series(w)
    now = timezone.now()
    participant_services.episode_transition(
        actor=w.director, episode=w.episode, to_status=EpisodeStatus.ON_HOLD, on=program_today()
    )
    assert not series.sessions.filter(starts_at__gte=now, roster__participant=w.participant)
    participant_services.episode_transition(
        actor=w.director, episode=w.episode, to_status=EpisodeStatus.ACTIVE, on=program_today()
    )
    future = set(series.sessions.filter(starts_at__gte=now).values_list("pk", flat=True))
    assert _sessions_with(w.participant, series) >= future


def test_a_track_change_moves_them_to_the_other_tracks_future_sessions(w):
    morning = morning_series(w)
    evening = morning_series(
        w, track=w.evening, weekdays=[1, 3], start_time=time(17, 0), end_time=time(18, 30)
    )
    now = timezone.now()
    participant_services.episode_update(actor=w.director, episode=w.episode, track=w.evening)
    assert not morning.sessions.filter(starts_at__gte=now, roster__participant=w.participant)
    assert morning.sessions.filter(starts_at__lt=now, roster__participant=w.participant)
    future_evening = set(evening.sessions.filter(starts_at__gte=now).values_list("pk", flat=True))
    assert _sessions_with(w.participant, evening) == future_evening


def test_a_full_session_records_a_shortfall_instead_of_overbooking(w):
    series = morning_series(w, capacity=1)
    episode = _assessed(w)
    participant_services.episode_transition(
        actor=w.director,
        episode=episode,
        to_status=EpisodeStatus.ADMITTED,
        on=program_today(),
        track=w.morning,
        primary_clinician=w.clinician,
    )
    future = series.sessions.filter(starts_at__gte=timezone.now())
    assert all(s.roster.count() == 1 for s in future)
    assert RosterShortfall.objects.filter(participant=episode.participant).count() == future.count()


def test_adding_to_a_full_session_says_it_is_full(w):
    series = morning_series(w, capacity=1)
    session = series.sessions.filter(starts_at__gte=timezone.now()).first()
    other = _assessed(w)
    with pytest.raises(ValidationError, match=r"This session is full \(1 of 1\)\."):
        roster_add(actor=w.director, session=session, participant=other.participant, episode=other)
    assert session.roster.count() == 1


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite has one writer at a time; row locks are tested on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_two_staff_adding_the_last_seat_at_once_one_wins(world):
    w = add_schedule_setup(world)
    day = program_today() + timedelta(days=2)
    session = Session.objects.create(
        organization=w.org,
        program=w.program,
        session_type=w.process,
        starts_at=local(day, time(9, 0)),
        ends_at=local(day, time(10, 0)),
        room=w.willow,
        capacity=2,
        created_by=w.director,
    )
    roster_add(actor=w.director, session=session, participant=w.participant, episode=w.episode)
    contenders = [_assessed(w) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def add(episode) -> None:
        try:
            barrier.wait()
            roster_add(
                actor=w.director, session=session, participant=episode.participant, episode=episode
            )
            outcomes.append("added")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(e,)) for e in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["This session is full (2 of 2).", "added"]
    assert RosterEntry.objects.filter(session=session).count() == 2
