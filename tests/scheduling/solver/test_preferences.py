"""The soft terms, each on a tiny case where its weight decides."""

from __future__ import annotations

from openiop.scheduling.solver import (
    Group,
    LastSlot,
    Rules,
    WeeklyTime,
    Weights,
)
from tests.scheduling.solver.support import (
    MON,
    TUE,
    WED,
    clinician,
    person,
    problem,
    run,
    session,
    t,
)


def test_it_prefers_the_primary_clinician_then_the_care_team() -> None:
    p = problem(
        clinicians=(clinician("ben"), clinician("cara")),
        participants=(person("ana", care_team=("cara",)),),
    )
    s = session(run(p), "ana")
    assert s.clinician == "ben"
    assert "primary" in s.met
    assert any("primary clinician, Ben" in r for r in s.reasons)


def test_it_turns_to_the_care_team_when_the_primary_is_booked() -> None:
    p = problem(
        clinicians=(clinician("ben", max_sessions=0), clinician("cara")),
        participants=(person("ana", care_team=("cara",)),),
    )
    s = session(run(p), "ana")
    assert s.clinician == "cara"
    assert s.met[0] == "care_team"


def test_a_preferred_time_wins_over_continuity_under_the_default_weights() -> None:
    ana = person(
        "ana",
        preferred=(WeeklyTime(MON, t(10), t(11)),),
        last_slot=LastSlot(TUE, t(9), "ben"),
    )
    s = session(run(problem(participants=(ana,))), "ana")
    assert (s.day, s.start) == (MON, t(10))
    assert "preferred_time" in s.met


def test_continuity_wins_when_weighted_above_the_preferred_time() -> None:
    ana = person(
        "ana",
        preferred=(WeeklyTime(MON, t(10), t(11)),),
        last_slot=LastSlot(TUE, t(9), "ben"),
    )
    p = problem(participants=(ana,), weights=Weights(continuity=50))
    s = session(run(p), "ana")
    assert (s.day, s.start) == (TUE, t(9))
    assert "continuity" in s.met


def test_load_balance_moves_a_session_to_the_care_team_above_the_target() -> None:
    clinicians = (clinician("ben", target_sessions=1), clinician("cara"))
    people = (person("ana", care_team=("cara",)), person("bo", care_team=("cara",)))
    balanced = run(problem(clinicians=clinicians, participants=people))
    assert sorted(s.clinician or "" for s in balanced.sessions) == ["ben", "cara"]
    assert balanced.parts["over_target"] == (0, 0)
    # Without the load term both go to their primary clinician, one above the target.
    unweighted = run(
        problem(clinicians=clinicians, participants=people, weights=Weights(over_target=0))
    )
    assert [s.clinician for s in unweighted.sessions] == ["ben", "ben"]
    assert unweighted.parts["over_target"][0] == 1
    assert {load.clinician: load.sessions for load in unweighted.loads}["ben"] == 2


def test_two_sessions_of_one_week_go_on_different_days() -> None:
    ana = person(
        "ana",
        individual_per_week=2,
        preferred=(WeeklyTime(MON, t(9), t(17)),),
    )
    proposal = run(problem(clinicians=(clinician("ben"), clinician("cara")), participants=(ana,)))
    first, second = session(proposal, "ana", n=0), session(proposal, "ana", n=1)
    assert first.day != second.day
    assert proposal.parts["same_day"] == (0, 0)


def test_they_share_a_day_when_spreading_is_not_weighted_and_the_day_is_preferred() -> None:
    ana = person("ana", individual_per_week=2, preferred=(WeeklyTime(MON, t(9), t(17)),))
    proposal = run(problem(participants=(ana,), weights=Weights(same_day=0)))
    assert session(proposal, "ana", n=0).day == session(proposal, "ana", n=1).day == MON


def test_it_prefers_the_day_the_session_makes_billable() -> None:
    groups = (
        Group("m", "Group", MON, t(9), t(11), track="day"),
        Group("w", "Group", WED, t(9), t(10), track="day"),
    )
    p = problem(
        rules=Rules(billable_day_minutes=180),
        groups=groups,
        participants=(person("ana", track="day"),),
    )
    s = session(run(p), "ana")
    assert s.day == MON  # 2 h of group + 1 h makes Monday a 3-hour billable day
    assert "billable_day" in s.met
    assert any("billable day" in r for r in s.reasons)


def test_someone_below_the_weekly_minimum_goes_first() -> None:
    # One hour left with Ben; Bo's groups already make the weekly minimum, Ana's do not.
    groups = tuple(Group(f"g{d}", "Group", d, t(9), t(12), track="full") for d in range(3))
    p = problem(
        rules=Rules(weekly_minutes_min=540),
        clinicians=(clinician("ben", hours=(WeeklyTime(TUE, t(13), t(14)),)),),
        groups=groups,
        participants=(person("bo", track="full"), person("ana")),
    )
    proposal = run(p)
    assert [s.participant for s in proposal.sessions] == ["ana"]
    assert "lift_weekly" in proposal.sessions[0].met


def test_the_solver_meets_more_preferences_than_first_fit() -> None:
    from openiop.scheduling.solver import greedy_schedule

    people = (
        person("ana", preferred=(WeeklyTime(TUE, t(14), t(15)),)),
        person("bo", preferred=(WeeklyTime(WED, t(10), t(11)),)),
    )
    p = problem(participants=people)
    assert run(p).preferences_met == 4  # each: primary clinician and preferred time
    assert greedy_schedule(p).preferences_met == 2  # first fit: Monday 9:00 and 10:00
