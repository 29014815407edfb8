"""From chosen options to a proposal: rooms, reasons in words, loads, the objective's parts."""

from __future__ import annotations

from collections.abc import Sequence

from openiop.scheduling.solver.problem import Kind
from openiop.scheduling.solver.proposal import (
    PREFERENCE_WORDS,
    ClinicianLoad,
    PlacedSession,
    Progress,
    Proposal,
    Status,
    Unplaced,
)
from openiop.scheduling.solver.scoring import clinician_loads, evaluate, total
from openiop.scheduling.solver.space import Option, Space
from openiop.scheduling.solver.words import as_time, day_label


def _hours(m: int) -> str:
    h = m / 60
    return f"{h:g} h"


def assign_rooms(space: Space, chosen: Sequence[int], classes: dict[int, int]) -> dict[int, int]:
    """Concrete rooms for the chosen options, given each one's room class. Rooms of a class are
    interchangeable, so taking sessions by start time and giving each the first free room
    succeeds whenever no more sessions overlap than the class has rooms (interval graphs are
    perfect), which the model guarantees."""
    rooms: dict[int, int] = {}
    by_class: dict[int, list[int]] = {}
    for i in chosen:
        if i in classes:
            by_class.setdefault(classes[i], []).append(i)
    for k, items in by_class.items():
        rc = space.room_classes[k]
        free_at = dict.fromkeys(rc.rooms, -1)
        for i in sorted(items, key=lambda i: _gstart(space.options[i])):
            o = space.options[i]
            room = next((r for r in rc.rooms if free_at[r] <= _gstart(o)), None)
            if room is None:
                raise AssertionError("room class over capacity: the model let two sessions share")
            rooms[i] = room
            free_at[room] = o.day * 1440 + o.end
    return rooms


def _gstart(o: Option) -> int:
    return o.day * 1440 + o.start


def reasons(space: Space, o: Option, pinned: bool) -> tuple[str, ...]:
    problem = space.problem
    req = space.requests[o.request]
    out: list[str] = []
    if pinned:
        out.append("pinned by the director")
    for code in o.met:
        text = PREFERENCE_WORDS[code]
        if code == "primary" and o.clinician is not None:
            text = f"with the primary clinician, {problem.clinicians[o.clinician].name}"
        elif code == "care_team" and o.clinician is not None:
            text = f"with {problem.clinicians[o.clinician].name} of the care team"
        elif code == "billable_day":
            groups = space.group_minutes.get((req.participant, o.day), 0)
            text = (
                f"makes {day_label(problem.week_start, o.day)} a billable day "
                f"({_hours(groups)} of groups + {_hours(o.end - o.start)})"
            )
        elif code == "lift_weekly":
            groups = space.week_minutes.get((req.participant, o.week), 0)
            text = (
                f"counts toward the week's hours: groups give {_hours(groups)}, "
                f"below the {_hours(problem.rules.weekly_minutes_min)} minimum"
            )
        out.append(text)
    if "kept" in o.codes:
        out.append(PREFERENCE_WORDS["kept"])
    if not out:
        out.append("the best place left once the others were placed; no preference met")
    return tuple(out)


def proposal(
    space: Space,
    chosen: Sequence[int],
    *,
    status: Status,
    rooms: dict[int, int],
    unplaced: Sequence[Unplaced] = (),
    source: str = "cp-sat",
    bound: float | None = None,
    seconds: float = 0.0,
    first_solution_seconds: float | None = None,
    timeline: Sequence[Progress] = (),
) -> Proposal:
    problem = space.problem
    sessions = []
    for i in sorted(chosen, key=lambda i: (_gstart(space.options[i]), space.options[i].request)):
        o = space.options[i]
        req = space.requests[o.request]
        pinned = o.request in space.pins
        sessions.append(
            PlacedSession(
                request=req.key,
                kind=req.kind,
                participant=problem.participants[req.participant].key,
                day=o.day,
                start=as_time(o.start),
                end=as_time(o.end),
                clinician=None if o.clinician is None else problem.clinicians[o.clinician].key,
                room=problem.rooms[rooms[i]].key if i in rooms else None,
                group=None if o.group is None else problem.groups[o.group].key,
                met=o.met,
                reasons=reasons(space, o, pinned),
                pinned=pinned,
            )
        )
    parts = evaluate(space, chosen)
    loads_by = clinician_loads(space, chosen)
    loads = tuple(
        ClinicianLoad(
            clinician=c.key,
            week=w,
            sessions=loads_by.get((ci, w), 0),
            target=c.target_sessions,
            cap=c.max_sessions,
        )
        for ci, c in enumerate(problem.clinicians)
        for w in range(problem.weeks)
    )
    return Proposal(
        status=status,
        sessions=tuple(sessions),
        unplaced=tuple(unplaced),
        parts=parts,
        objective=total(parts),
        bound=bound,
        seconds=seconds,
        first_solution_seconds=first_solution_seconds,
        loads=loads,
        timeline=tuple(timeline),
        requests=len(space.requests) - len(space.removed),
        source=source,
    )


def kind_order(kind: Kind) -> int:
    return {Kind.INDIVIDUAL: 0, Kind.FAMILY: 1, Kind.MAKEUP: 2}[kind]
