"""Invariants of the day-rule engine over generated attendance, notes, holds and
authorizations."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from openiop.billing.dayrules import (
    Hold,
    NoteRequirement,
    ParticipantFacts,
    decide_days,
)
from tests.billing.builders import auth, day, rule, session, signed

attendance = st.lists(
    st.tuples(
        st.integers(0, 34),  # day offset
        st.integers(0, 300),  # minutes
        st.sampled_from(["process_group", "skills_group", "other"]),
        st.booleans(),  # has a signed note
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(
    attended=attendance,
    units=st.integers(0, 12),
    units_per_day=st.integers(1, 3),
    min_days=st.one_of(st.none(), st.integers(1, 5)),
    note_requirement=st.sampled_from(list(NoteRequirement)),
    hold=st.one_of(st.none(), st.tuples(st.integers(0, 34), st.integers(0, 10))),
)
def test_decisions_keep_their_invariants(
    attended: list[tuple[int, int, str, bool]],
    units: int,
    units_per_day: int,
    min_days: int | None,
    note_requirement: NoteRequirement,
    hold: tuple[int, int] | None,
) -> None:
    sessions = [session(day(d), m, category=c) for d, m, c, _ in attended]
    notes = [signed(s) for s, (_, _, _, noted) in zip(sessions, attended, strict=True) if noted]
    holds = (Hold(day(hold[0]), day(hold[0] + hold[1])),) if hold else ()
    r = rule(
        units_per_day=units_per_day,
        min_days_per_week=min_days,
        note_requirement=note_requirement,
        requires_authorization=True,
    )
    a = auth("A1", day(0), day(27), units)
    facts = ParticipantFacts(
        enrolled_from=day(0),
        enrolled_until=None,
        sessions=tuple(sessions),
        notes=tuple(notes),
        holds=holds,
        authorizations=(a,),
    )
    decisions = decide_days(r, facts, start=day(0), end=day(34))

    assert [d.day for d in decisions] == sorted({s.day for s in sessions})
    for d in decisions:
        assert d.billable == (not d.reasons)
        assert d.units == (units_per_day if d.billable else 0)
        if d.billable:
            assert d.counted_minutes >= 180
            assert d.authorization == "A1"
            assert not any(h.covers(d.day) for h in holds)
            assert d.day <= day(27)
    billed = sum(d.units for d in decisions)
    assert billed <= units
    if min_days is not None:
        # A week short of the minimum bills nothing, unless the authorization is what cut
        # it short, or the week was partial (a hold) and so exempt.
        weeks = Counter(r.week_start(d.day) for d in decisions if d.billable)
        for week, count in weeks.items():
            days = [d for d in decisions if r.week_start(d.day) == week]
            cut = any("authorization" in reason for d in days for reason in d.reasons)
            partial = any(h.overlaps(week, week + (day(6) - day(0))) for h in holds)
            assert count >= min_days or cut or partial
    assert Decimal(billed) / units_per_day == sum(1 for d in decisions if d.billable)
