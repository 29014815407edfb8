"""Make-up lessons, two-week horizons and cadences, and the synthetic benchmark week."""

from __future__ import annotations

from openiop.scheduling.solver import Group, MakeUpRequest, greedy_schedule, individual_key
from tests.scheduling.solver.support import TUE, WED, person, problem, run, session, t

LESSON = "check the facts"


def _groups(seats: int) -> tuple[Group, ...]:
    return (
        Group("own", "Morning group", TUE, t(9), t(11), track="morning", lesson=LESSON),
        Group(
            "eve",
            "Evening group",
            WED,
            t(18),
            t(20),
            track="evening",
            lesson=LESSON,
            seats_left=seats,
        ),
    )


def test_a_missed_lesson_is_made_up_in_another_group_that_teaches_it() -> None:
    p = problem(
        groups=_groups(seats=2),
        participants=(person("ana", track="morning", individual_per_week=0),),
        makeup_requests=(MakeUpRequest("mu", "ana", LESSON, "Check the facts"),),
    )
    (s,) = run(p).sessions
    assert s.group == "eve"  # never the participant's own group
    assert s.clinician is None
    assert "makeup_in_group" in s.met


def test_without_a_seat_it_becomes_a_short_individual_make_up() -> None:
    p = problem(
        groups=_groups(seats=0),
        participants=(person("ana", track="morning", individual_per_week=0),),
        makeup_requests=(MakeUpRequest("mu", "ana", LESSON),),
    )
    (s,) = run(p).sessions
    assert s.group is None
    assert s.clinician == "ben"
    assert (s.end.hour * 60 + s.end.minute) - (s.start.hour * 60 + s.start.minute) == 30


def test_a_fortnightly_cadence_asks_for_one_session_in_its_due_week() -> None:
    p = problem(
        weeks=2,
        participants=(person("ana", individual_every_weeks=2, individual_due_week=1),),
    )
    proposal = run(p)
    assert [s.request for s in proposal.sessions] == [individual_key("ana", 1)]
    assert session(proposal, "ana", week=1).day >= 7


def test_weekly_sessions_over_two_weeks_keep_each_in_its_week() -> None:
    p = problem(weeks=2, participants=(person("ana"),))
    proposal = run(p)
    assert session(proposal, "ana", week=0).day < 7 <= session(proposal, "ana", week=1).day


def test_on_a_small_synthetic_program_the_solver_beats_first_fit() -> None:
    from benchmarks.solver_program import synthetic_program

    p = synthetic_program(participants=30, seed=7)
    assert synthetic_program(participants=30, seed=7) == p  # deterministic for a seed
    baseline = greedy_schedule(p)
    proposal = run(p, time_limit=8)
    assert proposal.objective >= baseline.objective
    assert len(proposal.sessions) >= len(baseline.sessions)
    assert proposal.preferences_met > baseline.preferences_met
    # Every participant's sessions are apart, and each room holds one session at a time.
    by_room: dict[str, list] = {}
    for s in proposal.sessions:
        if s.room:
            by_room.setdefault(s.room, []).append(s)
    for sessions in by_room.values():
        for i, a in enumerate(sessions):
            for b in sessions[i + 1 :]:
                assert not (a.day == b.day and a.start < b.end and b.start < a.end)
    # Whatever is not placed is explained.
    assert all(u.reason for u in proposal.unplaced)
    assert len(proposal.sessions) + len(proposal.unplaced) == proposal.requests
