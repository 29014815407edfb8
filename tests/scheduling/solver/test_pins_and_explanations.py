"""The director's pins and removals, re-solving, and what the proposal says when something does
not fit."""

from __future__ import annotations

from datetime import date

import pytest

from openiop.scheduling.solver import (
    Booking,
    Forbid,
    Pin,
    ProblemError,
    Progress,
    Status,
    Unavailable,
    WeeklyTime,
    individual_key,
    solve,
)
from tests.scheduling.solver.support import (
    FRI,
    MON,
    THU,
    TUE,
    clinician,
    hours,
    person,
    problem,
    run,
    session,
    t,
)

ANA = individual_key("ana", 0)
BO = individual_key("bo", 0)


def test_a_pin_holds_the_session_where_the_director_put_it() -> None:
    p = problem(
        participants=(person("ana", preferred=(WeeklyTime(MON, t(10), t(11)),)),),
        pins=(Pin(ANA, THU, t(15), clinician="ben"),),
    )
    s = session(run(p), "ana")
    assert (s.day, s.start, s.clinician) == (THU, t(15), "ben")
    assert s.pinned
    assert s.reasons[0] == "pinned by the director"


def test_removing_a_time_moves_the_session_on_re_solving() -> None:
    ana = person("ana", preferred=(WeeklyTime(MON, t(10), t(11)),))
    first = run(problem(participants=(ana,)))
    assert (session(first, "ana").day, session(first, "ana").start) == (MON, t(10))
    again = run(
        problem(participants=(ana,), forbids=(Forbid(ANA, day=MON, start=t(10)),)),
        previous=first,
    )
    s = session(again, "ana")
    assert (s.day, s.start) != (MON, t(10))


def test_removing_a_request_drops_it_from_the_run() -> None:
    p = problem(participants=(person("ana"), person("bo")), forbids=(Forbid(ANA),))
    proposal = run(p)
    assert [s.participant for s in proposal.sessions] == ["bo"]
    assert proposal.unplaced == ()
    assert proposal.requests == 1


def test_re_solving_after_a_pin_leaves_the_other_sessions_where_they_were() -> None:
    # Bo and Cy are indifferent between many times; the last proposal's place is kept.
    people = (person("ana"), person("bo"), person("cy"))
    first = run(problem(participants=people))
    before = {s.participant: (s.day, s.start) for s in first.sessions}
    # Pin Ana to an hour nobody had, away from her own.
    day, start = next(
        (d, t(h))
        for d in (FRI, THU, TUE)
        for h in range(9, 16)
        if all(d != d0 or abs(h - s0.hour) > 1 for d0, s0 in before.values())
    )
    pin = Pin(ANA, day, start, clinician="ben")
    again = run(problem(participants=people, pins=(pin,)), previous=first)
    after = {s.participant: (s.day, s.start) for s in again.sessions}
    assert after["ana"] == (day, start)
    assert after["bo"] == before["bo"]
    assert after["cy"] == before["cy"]
    assert all("kept" in s.reasons[-1] for s in again.sessions if s.participant != "ana")


def test_pins_that_cannot_hold_together_are_named_not_solved() -> None:
    p = problem(
        participants=(person("ana", name="Ana Lopez"), person("bo", name="Bo Chen")),
        pins=(Pin(ANA, TUE, t(10), clinician="ben"), Pin(BO, TUE, t(10, 30), clinician="ben")),
    )
    proposal = run(p)
    assert proposal.status == Status.PINS_CONFLICT
    assert proposal.sessions == ()
    (words,) = proposal.conflicts
    assert "Ana Lopez" in words
    assert "Bo Chen" in words
    assert "Ben cannot be in two sessions at once" in words


def test_a_pin_that_breaks_a_rule_says_which() -> None:
    p = problem(
        clinicians=(clinician("ben", hours=hours(9, 17)),),
        participants=(person("ana", name="Ana Lopez"),),
        pins=(Pin(ANA, TUE, t(18), clinician="ben"),),
    )
    proposal = run(p)
    assert proposal.status == Status.PINS_CONFLICT
    assert "working hours of Ben" in proposal.conflicts[0]


def test_a_participant_with_no_time_is_named_with_the_reason_and_what_to_relax() -> None:
    # The example: Ana is free only on Tuesday and Thursday evenings; her care team
    # works days; an evening clinician outside the team is free then.
    work = tuple(Unavailable(d, t(8), t(17), "work") for d in range(5))
    groups_busy = tuple(Unavailable(d, t(17), t(21), "childcare") for d in (MON, 2, FRI))
    p = problem(
        clinicians=(
            clinician("ben", name="Ben Ortiz", hours=hours(8, 17)),
            clinician("cara", name="Cara Diaz", hours=hours(9, 17)),
            clinician("dan", name="Dan Ng", hours=hours(12, 21)),
        ),
        participants=(
            person("ana", name="Ana Lopez", care_team=("cara",), unavailable=work + groups_busy),
            person("bo", name="Bo Chen"),
        ),
    )
    proposal = run(p)
    assert [s.participant for s in proposal.sessions] == ["bo"]
    (why,) = proposal.unplaced
    assert why.participant == "ana"
    assert why.reason == (
        "Ana Lopez has no free hour with any care-team clinician (Ben Ortiz and Cara Diaz) "
        "on Tue 3 Mar or Thu 5 Mar evening."
    )
    assert ("care_team",) in why.families
    assert ("unavailable",) in why.families
    assert any("Dan Ng" in r and "seeing only the care team" in r for r in why.relax)
    assert any("declared unavailable times (work)" in r for r in why.relax)
    assert ("clinician_hours",) in why.families


def test_a_session_that_lost_its_only_hour_names_who_it_competes_with() -> None:
    only = (WeeklyTime(TUE, t(13), t(14)),)
    p = problem(
        clinicians=(clinician("ben", name="Ben Ortiz", hours=only),),
        participants=(person("ana", name="Ana Lopez"), person("bo", name="Bo Chen")),
    )
    proposal = run(p)
    assert len(proposal.sessions) == 1
    (why,) = proposal.unplaced
    other = "Bo Chen" if why.participant == "ana" else "Ana Lopez"
    assert "Ben Ortiz is in other sessions" in why.reason
    assert f"cannot be placed together with the sessions of {other}" in why.reason
    assert why.competitors == (ANA if why.participant == "bo" else BO,)


def test_a_full_day_of_bookings_is_explained_as_the_clinicians_bookings() -> None:
    busy = tuple(Booking(d, t(9), t(17), "leave") for d in range(5))
    p = problem(
        clinicians=(clinician("ben", name="Ben Ortiz", busy=busy),),
        participants=(person("ana", name="Ana Lopez"),),
    )
    (why,) = run(p).unplaced
    assert why.families == (("clinician_busy",),)
    assert "Ben Ortiz: leave" in why.relax[0]


def test_progress_is_reported_with_objective_and_bound() -> None:
    seen: list[Progress] = []
    solve(problem(participants=(person("ana"),)), time_limit=5, on_progress=seen.append)
    assert seen
    assert seen[-1].objective is not None
    assert seen[-1].bound is not None
    assert seen[-1].objective <= seen[-1].bound


def test_malformed_input_is_refused_with_every_fault() -> None:
    p = problem(
        week_start=date(2026, 3, 3),
        participants=(person("ana", primary="nobody"),),
    )
    with pytest.raises(ProblemError) as caught:
        solve(p, time_limit=1)
    assert any("not a Monday" in f for f in caught.value.faults)
    assert any("unknown clinician 'nobody'" in f for f in caught.value.faults)


def test_a_pin_for_an_unknown_request_is_refused() -> None:
    p = problem(participants=(person("ana"),), pins=(Pin("nobody", MON, t(9)),))
    with pytest.raises(ProblemError):
        solve(p, time_limit=1)
