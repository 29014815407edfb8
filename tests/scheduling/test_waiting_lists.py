"""Full groups, waiting lists and refills: a freed seat goes to the first member waiting in the
transaction that frees it; automatic placement runs a booking's conflict checks; capacity
edits name their bound; two frees and two claims at once never overbook (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import time, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from openiop.discharge.services import episode_discharge, episode_hold
from openiop.participants import services as participant_services
from openiop.participants.models import EpisodeStatus
from openiop.scheduling import services
from openiop.scheduling.models import (
    RosterEntry,
    RosterShortfall,
    Session,
    ShortfallReason,
    UnavailabilityReason,
)
from openiop.scheduling.rosters import (
    placement_report,
    roster_add,
    roster_sync_for_episode,
    waiting_positions,
)
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


def _member(w, name: str, *, track=None, started_days_ago: int = 16):
    participant = f.ParticipantFactory(
        organization=w.org, legal_first_name=name, legal_last_name="Member"
    )
    episode = f.EpisodeFactory(
        participant=participant,
        program=w.program,
        track=track or w.morning,
        primary_clinician=w.clinician,
        status=EpisodeStatus.ACTIVE,
        started_on=program_today() - timedelta(days=started_days_ago),
    )
    roster_sync_for_episode(episode)
    return episode


def _next(series) -> Session:
    return series.sessions.filter(starts_at__gte=timezone.now()).order_by("starts_at").first()


def _on(session: Session) -> set[str]:
    return set(session.roster.values_list("participant__legal_first_name", flat=True))


def _waiting(session: Session) -> list[str]:
    return list(
        session.shortfalls.filter(reason=ShortfallReason.FULL)
        .order_by("detected_at", "id")
        .values_list("participant__legal_first_name", flat=True)
    )


@pytest.fixture
def full(w):
    """A morning group for two: Patricia (the world's participant) and Ana on it; Ben then
    Cleo waiting, in that order."""
    w.series = morning_series(w, capacity=2)
    w.ana = _member(w, "Ana")
    w.ben = _member(w, "Ben")
    w.cleo = _member(w, "Cleo")
    w.session = _next(w.series)
    assert _on(w.session) == {"Patricia", "Ana"}
    assert _waiting(w.session) == ["Ben", "Cleo"]
    return w


# --- refills ----------------------------------------------------------------------------------


def test_a_hold_frees_a_seat_for_the_first_member_waiting_at_once(full) -> None:
    w = full
    episode_hold(actor=w.director, episode=w.ana, on=program_today(), reason="Illness")
    for session in w.series.sessions.filter(starts_at__gte=timezone.now()):
        assert _on(session) == {"Patricia", "Ben"}
        assert _waiting(session) == ["Cleo"]


def test_a_discharge_frees_a_seat_too(full) -> None:
    w = full
    episode_discharge(
        actor=w.director,
        episode=w.ana,
        on=program_today(),
        reason="Completed the program",
        kind="completed",
    )
    assert _on(w.session) == {"Patricia", "Ben"}


def test_moving_to_another_track_frees_the_seat(full) -> None:
    w = full
    participant_services.episode_update(actor=w.director, episode=w.ana, track=w.evening)
    assert _on(w.session) == {"Patricia", "Ben"}
    assert _waiting(w.session) == ["Cleo"]


def test_raising_the_capacity_places_the_waiting_in_order(full, login) -> None:
    w = full
    session = w.session
    response = login(w.director).post(
        reverse("scheduling:session_edit", args=[session.public_id]),
        {
            "starts_at_0": "",
            **_session_form(session, w, capacity=3),
        },
        follow=True,
    )
    body = response.content.decode()
    assert "Capacity 3 (Willow Room holds 12): 3 places taken; 1 still waiting." in body
    assert _on(session) == {"Patricia", "Ana", "Ben"}
    assert _waiting(session) == ["Cleo"]


def _session_form(session: Session, w, **changes):
    from openiop.scheduling.forms import session_initial

    data = {k: v for k, v in session_initial(session).items() if v is not None}
    data["facilitators"] = [str(u.public_id) for u in session.facilitators.all()]
    data["room"] = str(w.willow.public_id)
    data.update(changes)
    for key, value in list(data.items()):
        if hasattr(value, "isoformat") and not isinstance(value, str):
            data[key] = value.isoformat() if not hasattr(value, "hour") else value.strftime("%H:%M")
    return data


def test_a_raised_series_capacity_refills_every_session_and_says_so(full, login) -> None:
    w = full
    services.series_update_rest(
        actor=w.director,
        series=w.series,
        from_on=program_today(),
        weekdays=[0, 2, 4],
        start_time=time(9, 0),
        end_time=time(10, 30),
        ends_on=w.series.ends_on,
        facilitators=[w.clinician],
        room=w.willow,
        capacity=4,
    )
    for session in w.series.sessions.filter(starts_at__gte=timezone.now()):
        assert _on(session) == {"Patricia", "Ana", "Ben", "Cleo"}
    assert not RosterShortfall.objects.exists()


def test_a_series_capacity_above_its_room_is_refused_over_http(w, login) -> None:
    series = morning_series(w)
    url = reverse("scheduling:series_edit", args=[series.public_id])
    response = login(w.director).post(
        url,
        {
            "from_on": program_today().isoformat(),
            "weekdays": ["0", "2", "4"],
            "start_time": "09:00",
            "end_time": "10:30",
            "ends_on": series.ends_on.isoformat(),
            "room": str(w.willow.public_id),
            "capacity": "20",
            "facilitators": [str(w.clinician.public_id)],
            "topic": "",
        },
    )
    assert response.status_code == 200
    assert "Willow Room holds 12 people, so a group there can take at most 12." in (
        response.content.decode()
    )
    series.refresh_from_db()
    assert series.capacity == 12


def test_the_queue_is_first_waiting_first(full) -> None:
    w = full
    dan = _member(w, "Dan")
    assert _waiting(w.session) == ["Ben", "Cleo", "Dan"]
    rows = list(w.session.shortfalls.filter(reason=ShortfallReason.FULL))
    positions = waiting_positions(rows)
    assert sorted(positions.values()) == [(1, 3), (2, 3), (3, 3)]
    episode_hold(actor=w.director, episode=w.ana, on=program_today(), reason="Away")
    episode_hold(actor=w.director, episode=w.episode, on=program_today(), reason="Away")
    assert _on(w.session) == {"Ben", "Cleo"}
    assert _waiting(w.session) == ["Dan"]
    assert dan.pk


# --- conflicts in automatic placement ----------------------------------------------------------


def test_placement_skips_a_member_on_their_own_individual_session(w) -> None:
    from openiop.accounts.roles import Role

    series = morning_series(w)
    session = _next(series)
    day = session.starts_at.astimezone(local(program_today(), time(0)).tzinfo).date()
    therapist: Any = f.UserFactory(organization=w.org, role=Role.CLINICIAN, programs=[w.program])
    episode = _member(w, "Eve", started_days_ago=0)
    # Eve's individual session overlaps the group: booked first, then Eve is re-synced.
    RosterEntry.objects.filter(participant=episode.participant, session=session).delete()
    individual = services.session_book_individual(
        actor=therapist,
        participant=episode.participant,
        program=w.program,
        session_type=w.individual,
        starts_at=local(day, time(9, 30)),
        ends_at=local(day, time(10, 20)),
        facilitators=[therapist],
        room=w.office,
    )
    roster_sync_for_episode(episode)
    assert "Eve" not in _on(session)
    skipped = RosterShortfall.objects.get(session=session, participant=episode.participant)
    assert skipped.reason == ShortfallReason.CONFLICT
    assert skipped.detail.startswith("Eve Member is on Individual therapy at ")
    report = placement_report(episode)
    assert [s.session for s in report.skipped] == [session]
    # The individual session moves away: Eve is placed on the group at once.
    services.session_update(
        actor=therapist,
        session=individual,
        starts_at=local(day, time(13, 0)),
        ends_at=local(day, time(13, 50)),
        facilitators=[therapist],
        room=w.office,
    )
    assert "Eve" in _on(session)
    assert not RosterShortfall.objects.filter(participant=episode.participant).exists()


def test_placement_respects_declared_unavailable_times(w) -> None:
    series = morning_series(w)
    participant = f.ParticipantFactory(
        organization=w.org, legal_first_name="Fay", legal_last_name="Member"
    )
    services.unavailability_add(
        actor=w.clinician,
        participant=participant,
        weekday=2,
        start_time=time(8, 0),
        end_time=time(12, 0),
        reason=UnavailabilityReason.WORK,
    )
    episode = f.EpisodeFactory(
        participant=participant,
        program=w.program,
        track=w.morning,
        status=EpisodeStatus.ACTIVE,
        started_on=program_today(),
    )
    result = roster_sync_for_episode(episode)
    wednesdays = [
        s
        for s in series.sessions.filter(starts_at__gte=timezone.now())
        if s.starts_at.astimezone(local(program_today(), time(0)).tzinfo).weekday() == 2
    ]
    assert wednesdays
    assert {s.session.pk for s in result.skipped} == {s.pk for s in wednesdays}
    assert all("unavailable 08:00 to 12:00 (work)" in s.conflict.detail for s in result.skipped)
    assert not RosterEntry.objects.filter(session__in=wednesdays, participant=participant)
    # Removing the unavailable time places her.
    services.unavailability_remove(
        actor=w.clinician, unavailability=participant.unavailability.get()
    )
    assert RosterEntry.objects.filter(session__in=wednesdays, participant=participant).count() == (
        len(wednesdays)
    )


def test_the_session_page_shows_the_waiting_list_and_the_skipped(full, login) -> None:
    w = full
    body = (
        login(w.director)
        .get(reverse("scheduling:session_detail", args=[w.session.public_id]))
        .content.decode()
    )
    assert "Waiting list" in body
    assert body.index("Ben Member") < body.index("Cleo Member")
    assert "Willow Room holds 12" in body


def test_the_series_list_counts_waiting_and_skipped(full, login) -> None:
    body = login(full.director).get(reverse("scheduling:series_list")).content.decode()
    assert "on waiting lists" in body


# --- admission shows the real picture ------------------------------------------------------------


def test_admission_reports_placed_waiting_and_expected_hours(full) -> None:
    w = full
    report = placement_report(w.cleo)
    assert report.placed == []
    first = next(x for x in report.waiting if x.session == w.session)
    assert (first.position, first.of) == (2, 2)
    assert report.below  # nothing placed: 0 h against the 9 h minimum
    patricia = placement_report(w.episode)
    assert w.session in patricia.placed
    assert patricia.waiting == []


def test_the_admission_page_says_what_admission_did(full, login) -> None:
    import datetime as dt

    from openiop.participants.models import ConsentKind
    from tests.participants.consent_support import sign

    w = full
    participant = f.ParticipantFactory(
        organization=w.org, legal_first_name="Gil", legal_last_name="Newcomer"
    )
    episode = f.EpisodeFactory(
        participant=participant,
        program=w.program,
        status=EpisodeStatus.ASSESSED,
        track=None,
        inquiry_on=timezone.localdate() - dt.timedelta(days=6),
        assessed_on=timezone.localdate() - dt.timedelta(days=1),
        admitted_on=None,
        started_on=None,
    )
    sign(episode, w.intake, ConsentKind.TREATMENT)
    url = f"/intake/participants/{participant.public_id}/episodes/{episode.public_id}/admit/"
    response = login(w.intake).post(
        url,
        {
            "track": str(w.morning.public_id),
            "primary_clinician": str(w.clinician.public_id),
            "start_on": program_today().isoformat(),
            "planned_weeks": "10",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "Not every group had a place" in body
    assert "number 3 of 3 waiting" in body
    assert "Expected weekly hours" in body
    assert "below the program minimum" in body
    assert "the track has none scheduled" not in body


# --- concurrency (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite has one writer at a time; row locks are tested on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_two_frees_and_two_claims_at_once_never_overbook(world) -> None:
    """Two members go on hold (each frees a seat the waiting list refills) while two staff
    book drop-ins onto the same session, all at once on separate connections."""
    w = add_schedule_setup(world)
    day = program_today() + timedelta(days=3)
    session = Session.objects.create(
        organization=w.org,
        program=w.program,
        track=w.morning,
        session_type=w.skills,
        starts_at=local(day, time(9, 0)),
        ends_at=local(day, time(10, 30)),
        room=w.willow,
        capacity=3,
        created_by=w.director,
    )
    session.facilitators.set([w.clinician])
    members = [_member(w, name) for name in ("Ana", "Ben", "Cal")]
    RosterEntry.objects.filter(session=session, participant=w.participant).delete()
    for episode in members:
        roster_sync_for_episode(episode)
    for name in ("Wes", "Xia"):
        _member(w, name)
    roster_sync_for_episode(w.episode)  # Patricia waits too, third
    assert _on(session) == {"Ana", "Ben", "Cal"}
    assert _waiting(session) == ["Wes", "Xia", "Patricia"]
    drop_ins = []
    for name in ("Yul", "Zed"):
        participant = f.ParticipantFactory(
            organization=w.org, legal_first_name=name, legal_last_name="Dropin"
        )
        drop_ins.append(
            f.EpisodeFactory(participant=participant, program=w.program, track=w.evening)
        )
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run(action) -> None:
        try:
            barrier.wait()
            action()
            outcomes.append("done")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def hold(episode):
        return lambda: episode_hold(
            actor=w.director, episode=episode, on=program_today(), reason="Away"
        )

    def claim(episode):
        return lambda: roster_add(
            actor=w.director, session=session, participant=episode.participant, episode=episode
        )

    actions = [hold(members[0]), hold(members[1]), claim(drop_ins[0]), claim(drop_ins[1])]
    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    on = _on(session)
    assert len(on) == RosterEntry.objects.filter(session=session).count() <= 3
    assert "Ana" not in on
    assert "Ben" not in on
    assert "Cal" in on
    # Every seat freed went to someone: the waiting list first, in order, or a drop-in that
    # got there first; nobody waits while a seat stands empty.
    assert len(on) == 3
    placed_from_list = [n for n in ("Wes", "Xia", "Patricia") if n in on]
    assert placed_from_list == ["Wes", "Xia", "Patricia"][: len(placed_from_list)]
    claims = outcomes.count("done") - 2
    assert claims + len(placed_from_list) == 2
    assert outcomes.count("This session is full (3 of 3).") == 2 - claims


def _interleave(first, second) -> tuple[list[str], list[BaseException]]:
    """Run `first` in a transaction that stays open for half a second after it is done, and
    `second` as soon as `first` is done but before it commits: without row locks `second`
    would act on the state from before `first`."""
    from django.db import transaction

    done = threading.Event()
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run_first() -> None:
        try:
            with transaction.atomic():
                first()
                done.set()
                threading.Event().wait(0.5)
            outcomes.append("first done")
        except BaseException as error:
            errors.append(error)
            done.set()
        finally:
            connection.close()

    def run_second() -> None:
        try:
            done.wait(10)
            second()
            outcomes.append("second done")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, errors


def _small_group(w, *, capacity: int):
    day = program_today() + timedelta(days=3)
    session = Session.objects.create(
        organization=w.org,
        program=w.program,
        track=w.morning,
        session_type=w.skills,
        starts_at=local(day, time(9, 0)),
        ends_at=local(day, time(10, 30)),
        room=w.willow,
        capacity=capacity,
        created_by=w.director,
    )
    session.facilitators.set([w.clinician])
    w.episode.track = w.evening
    w.episode.save(update_fields=["track"])
    roster_sync_for_episode(w.episode)
    return session, day


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite has one writer at a time; row locks are tested on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_a_refill_and_a_claim_for_the_same_seat_take_turns(world) -> None:
    """A free seat; Wes, skipped for a clash with his individual session, becomes placeable
    when that session is cancelled, while a clinician books a drop-in into the same seat."""
    from openiop.accounts.roles import Role

    w = add_schedule_setup(world)
    session, day = _small_group(w, capacity=3)
    for name in ("Ana", "Ben"):
        _member(w, name)
    therapist: Any = f.UserFactory(organization=w.org, role=Role.CLINICIAN, programs=[w.program])
    wes = _member(w, "Wes")
    RosterEntry.objects.filter(session=session, participant=wes.participant).delete()
    individual = services.session_book_individual(
        actor=therapist,
        participant=wes.participant,
        program=w.program,
        session_type=w.individual,
        starts_at=local(day, time(9, 0)),
        ends_at=local(day, time(9, 50)),
        facilitators=[therapist],
        room=w.office,
    )
    roster_sync_for_episode(wes)
    assert _on(session) == {"Ana", "Ben"}
    drop_in = f.EpisodeFactory(
        participant=f.ParticipantFactory(organization=w.org, legal_first_name="Dot"),
        program=w.program,
        track=w.evening,
    )

    outcomes, errors = _interleave(
        lambda: services.session_cancel(actor=therapist, session=individual, reason="Moved"),
        lambda: roster_add(
            actor=w.director, session=session, participant=drop_in.participant, episode=drop_in
        ),
    )
    assert errors == []
    assert sorted(outcomes) == ["This session is full (3 of 3).", "first done"]
    assert _on(session) == {"Ana", "Ben", "Wes"}


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SQLite has one writer at a time; row locks are tested on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_two_frees_at_once_place_each_waiting_member_once(world) -> None:
    w = add_schedule_setup(world)
    session, _ = _small_group(w, capacity=2)
    ana, ben = _member(w, "Ana"), _member(w, "Ben")
    _member(w, "Wes")
    assert _on(session) == {"Ana", "Ben"}
    assert _waiting(session) == ["Wes"]

    outcomes, errors = _interleave(
        lambda: episode_hold(actor=w.director, episode=ana, on=program_today(), reason="Away"),
        lambda: episode_hold(actor=w.director, episode=ben, on=program_today(), reason="Away"),
    )
    assert errors == []
    assert sorted(outcomes) == ["first done", "second done"]
    assert _on(session) == {"Wes"}
    assert _waiting(session) == []
