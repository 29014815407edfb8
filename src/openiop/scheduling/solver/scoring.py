"""The objective, term by term, computed the same way for the model and for any schedule.

An option's own points (placing it, the clinician, the time) are fixed when the space is
built. Two terms depend on the whole schedule: a participant's second session on one day, and a
clinician's sessions above their weekly target. `evaluate` adds everything up for a finished
schedule, so the greedy baseline and the solver are compared on the very same terms, and the
solver's decoded schedule is checked against the objective it reported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from openiop.scheduling.solver.problem import Kind, Problem, Weights
from openiop.scheduling.solver.words import minutes

if TYPE_CHECKING:
    from openiop.scheduling.solver.space import Builder, Option, Req, Space

# The parts of the objective as the proposal reports them, in order.
PARTS = (
    "placed",
    "lift_weekly",
    "primary",
    "care_team",
    "preferred_time",
    "continuity",
    "billable_day",
    "makeup_in_group",
    "kept",
    "same_day",
    "over_target",
)

# Preferences a placed session can meet (the `met` codes); "placed" and the costs are not.
PREFERENCES = (
    "primary",
    "care_team",
    "preferred_time",
    "continuity",
    "billable_day",
    "lift_weekly",
    "makeup_in_group",
)


def place_weight(kind: Kind, w: Weights) -> int:
    return {Kind.INDIVIDUAL: w.place_individual, Kind.FAMILY: w.place_family}.get(
        kind, w.place_makeup
    )


def code_points(code: str, kind: Kind, w: Weights) -> int:
    if code == "placed":
        return place_weight(kind, w)
    if code == "kept":
        return w.keep_previous
    return int(getattr(w, code))


PreviousMap = dict[str, tuple[int, int, str | None, str | None]]


def option_codes(b: Builder, req: Req, o: Option, previous: PreviousMap) -> tuple[str, ...]:
    """The parts of the objective an option earns on its own."""
    problem = b.problem
    p = problem.participants[req.participant]
    codes = ["placed"]
    counts = problem.rules.rule(req.kind).counts_toward_hours
    length = o.end - o.start
    if o.group is not None:
        codes.append("makeup_in_group")
        counts = problem.groups[o.group].counts_toward_hours
    elif o.clinician is not None:
        team = b.team(req)
        if team and o.clinician == team[0] and p.primary is not None:
            codes.append("primary")
        elif o.clinician in team:
            codes.append("care_team")
    weekday = o.day % 7
    if any(
        pr.weekday == weekday and minutes(pr.start) <= o.start and o.end <= minutes(pr.end)
        for pr in p.preferred
    ):
        codes.append("preferred_time")
    last = p.last_slot
    if (
        req.kind == Kind.INDIVIDUAL
        and last is not None
        and last.weekday == weekday
        and minutes(last.start) == o.start
    ):
        codes.append("continuity")
    if counts:
        rules = problem.rules
        day_minutes = b.group_minutes.get((req.participant, o.day), 0)
        if day_minutes < rules.billable_day_minutes <= day_minutes + length:
            codes.append("billable_day")
        if b.week_minutes.get((req.participant, o.week), 0) < rules.weekly_minutes_min:
            codes.append("lift_weekly")
    before = previous.get(req.key)
    if before is not None and before == where(problem, o):
        codes.append("kept")
    return tuple(codes)


def where(problem: Problem, o: Option) -> tuple[int, int, str | None, str | None]:
    """An option as (day, start, clinician key, group key): how a previous proposal is kept."""
    return (
        o.day,
        o.start,
        None if o.clinician is None else problem.clinicians[o.clinician].key,
        None if o.group is None else problem.groups[o.group].key,
    )


def clinician_loads(space: Space, chosen: Iterable[int]) -> Counter[tuple[int, int]]:
    """Sessions per (clinician, week) among the chosen options."""
    loads: Counter[tuple[int, int]] = Counter()
    for i in chosen:
        o = space.options[i]
        if o.clinician is not None:
            loads[(o.clinician, o.week)] += 1
    return loads


def evaluate(space: Space, chosen: Iterable[int]) -> dict[str, tuple[int, int]]:
    """The objective's parts for a schedule: part -> (count, points). Costs are negative."""
    chosen = list(chosen)
    w = space.problem.weights
    tally: dict[str, list[int]] = {k: [0, 0] for k in PARTS}
    per_day: Counter[tuple[int, int]] = Counter()
    for i in chosen:
        o = space.options[i]
        req = space.requests[o.request]
        for code in o.codes:
            tally[code][0] += 1
            tally[code][1] += code_points(code, req.kind, w)
        per_day[(req.participant, o.day)] += 1
    extra = sum(n - 1 for n in per_day.values() if n > 1)
    tally["same_day"] = [extra, -extra * w.same_day]
    over = 0
    for (c, _week), n in clinician_loads(space, chosen).items():
        target = space.problem.clinicians[c].target_sessions
        if target is not None and n > target:
            over += n - target
    tally["over_target"] = [over, -over * w.over_target]
    return {k: (v[0], v[1]) for k, v in tally.items()}


def total(parts: dict[str, tuple[int, int]]) -> int:
    return sum(points for _, points in parts.values())
