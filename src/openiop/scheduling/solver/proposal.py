"""What the solver answers: a proposal the director reviews. Nothing here is booked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum

from openiop.scheduling.solver.problem import Kind


class Status(StrEnum):
    OPTIMAL = "optimal"  # proven best under the weights
    FEASIBLE = "feasible"  # the best found in the time limit; `gap` says how far from proven
    PINS_CONFLICT = "pins_conflict"  # the director's pins cannot all hold: see `conflicts`
    NO_SOLUTION = "no_solution"  # the time limit ran out before any schedule was found


# What each met preference says in a session's reasons.
PREFERENCE_WORDS = {
    "primary": "with the primary clinician",
    "care_team": "with a care-team clinician",
    "preferred_time": "at a preferred time",
    "continuity": "same time as last week",
    "billable_day": "makes the day a billable program day",
    "lift_weekly": "counts toward a week below the hours minimum",
    "makeup_in_group": "in a group that teaches the missed lesson",
    "kept": "kept from the last proposal",
}


@dataclass(frozen=True)
class PlacedSession:
    request: str
    kind: Kind
    participant: str
    day: int
    start: time
    end: time
    clinician: str | None = None
    room: str | None = None
    group: str | None = None  # a make-up held in this group
    met: tuple[str, ...] = ()  # codes of PREFERENCE_WORDS
    reasons: tuple[str, ...] = ()  # why here, in words
    pinned: bool = False


@dataclass(frozen=True)
class Unplaced:
    request: str
    kind: Kind
    participant: str
    reason: str  # in words: what stands in the way
    relax: tuple[str, ...] = ()  # each: one smallest set of rules whose relaxing would place it
    families: tuple[tuple[str, ...], ...] = ()  # the same sets as rule-family codes
    competitors: tuple[str, ...] = ()  # requests it cannot be placed together with


@dataclass(frozen=True)
class ClinicianLoad:
    clinician: str
    week: int
    sessions: int
    target: int | None
    cap: int | None


@dataclass(frozen=True)
class Progress:
    """One step of the search, for a status page: seconds since the start, the best schedule's
    objective (None before the first) and the proven bound."""

    seconds: float
    objective: float | None
    bound: float | None
    solutions: int


@dataclass(frozen=True)
class Proposal:
    status: Status
    sessions: tuple[PlacedSession, ...] = ()
    unplaced: tuple[Unplaced, ...] = ()
    parts: dict[str, tuple[int, int]] = field(default_factory=dict)  # part -> (count, points)
    objective: int = 0
    bound: float | None = None
    seconds: float = 0.0
    first_solution_seconds: float | None = None
    loads: tuple[ClinicianLoad, ...] = ()
    conflicts: tuple[str, ...] = ()  # why the pins cannot all hold, in words
    timeline: tuple[Progress, ...] = ()
    requests: int = 0  # sessions asked for (the director's removals excluded)
    # Who found the schedule: "cp-sat", or "heuristic" when the time limit ran out before
    # CP-SAT beat the best-fit start (then `bound` still says how far it may be from best).
    source: str = "cp-sat"

    @property
    def gap(self) -> float | None:
        """Relative distance to the proven bound: 0.0 is proven optimal."""
        if self.bound is None or self.status == Status.NO_SOLUTION:
            return None
        return abs(self.bound - self.objective) / max(1.0, abs(self.objective))

    @property
    def preferences_met(self) -> int:
        """Preferences met across the sessions: primary clinician, preferred time, same time as
        last week, billable day, make-up in a group."""
        counted = {"primary", "preferred_time", "continuity", "billable_day", "makeup_in_group"}
        return sum(1 for s in self.sessions for code in s.met if code in counted)

    def where(self) -> dict[str, tuple[int, int, str | None, str | None]]:
        """Each placed request as (day, start minute, clinician, group): the `previous` of a
        re-solve, which then keeps what the director did not touch where it was."""
        return {
            s.request: (s.day, s.start.hour * 60 + s.start.minute, s.clinician, s.group)
            for s in self.sessions
        }
