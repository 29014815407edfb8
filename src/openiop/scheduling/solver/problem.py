"""What the solver is asked: one program's week (or two), as plain frozen dataclasses.

Nothing here knows about the database. The integration translates clinicians, rooms, tracks,
groups, participants, requests and the director's pins into these, calls `solve`, and turns the
proposal back into bookings through the ordinary write functions.

Time is program-local wall-clock time: a day of the horizon is a number (0 is the Monday
`week_start`, 7 the next Monday) and times of day are `datetime.time`. Recurring things
(working hours, declared unavailable times, preferred times) are given per weekday
(Monday = 0) and hold in every week of the horizon; existing bookings are given per day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class Kind(StrEnum):
    INDIVIDUAL = "individual"
    FAMILY = "family"
    MAKEUP = "makeup"


class Feature(StrEnum):
    """Room features a session can need (the product's `RoomFeature`)."""

    TELEHEALTH = "telehealth"
    PET_FRIENDLY = "pet_friendly"
    WHEELCHAIR = "wheelchair"


@dataclass(frozen=True)
class WeeklyTime:
    """A recurring time on one weekday (Monday = 0), e.g. working hours or a preference."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class Unavailable:
    """A participant's declared recurring unavailable time, with its reason (work, school,
    childcare, other): the reason is what the explanation says."""

    weekday: int
    start: time
    end: time
    reason: str = "other"


@dataclass(frozen=True)
class Booking:
    """An existing booking on one day of the horizon (a group a clinician facilitates, a
    session booked by hand, leave): the person or room is not free then."""

    day: int
    start: time
    end: time
    label: str = "another booking"


@dataclass(frozen=True)
class Clinician:
    key: str
    name: str
    licences: frozenset[str] = frozenset()
    hours: tuple[WeeklyTime, ...] = ()
    busy: tuple[Booking, ...] = ()
    # Individual and family sessions a week the clinician's caseload is planned for; above it
    # the load-balance term costs points. None: no target.
    target_sessions: int | None = None
    # A hard cap on those sessions a week. None: no cap.
    max_sessions: int | None = None


@dataclass(frozen=True)
class Room:
    key: str
    name: str
    # People the room seats besides the clinician: 1 for an individual session, 1 plus the
    # family members for a family session.
    capacity: int
    features: frozenset[str] = frozenset()
    busy: tuple[Booking, ...] = ()

    @property
    def virtual(self) -> bool:
        return Feature.TELEHEALTH in self.features


@dataclass(frozen=True)
class Group:
    """A group session already on the calendar in the horizon. The participants of `track`
    attend it; a group with a `lesson` can take a make-up participant while `seats_left`."""

    key: str
    name: str
    day: int
    start: time
    end: time
    track: str | None = None
    lesson: str | None = None
    seats_left: int = 0
    counts_toward_hours: bool = True


@dataclass(frozen=True)
class LastSlot:
    """Where last week's individual session was: continuity keeps it there."""

    weekday: int
    start: time
    clinician: str | None = None


@dataclass(frozen=True)
class Participant:
    key: str
    name: str
    primary: str | None = None
    care_team: tuple[str, ...] = ()  # other care-team clinicians, in the team's order
    track: str | None = None
    unavailable: tuple[Unavailable, ...] = ()
    busy: tuple[Booking, ...] = ()
    preferred: tuple[WeeklyTime, ...] = ()
    needs: frozenset[str] = frozenset()  # room features every in-person session needs
    telehealth: bool = False  # their individual sessions are by video
    last_slot: LastSlot | None = None
    # Individual sessions: how many a week they are due, every how many weeks, and in which
    # week of the horizon (0-based) the next one falls due. 0 a week: none requested.
    individual_per_week: int = 1
    individual_every_weeks: int = 1
    individual_due_week: int = 0


@dataclass(frozen=True)
class FamilyMember:
    key: str
    name: str
    # When the family member can come; empty means not given (any time).
    available: tuple[WeeklyTime, ...] = ()


@dataclass(frozen=True)
class FamilyRequest:
    key: str
    participant: str
    members: tuple[FamilyMember, ...] = ()
    week: int | None = None  # the horizon week it is wanted in; None: any
    telehealth: bool = False


@dataclass(frozen=True)
class MakeUpRequest:
    """A participant missed a skills lesson: offer the next group that teaches it, or a short
    individual make-up."""

    key: str
    participant: str
    lesson: str
    lesson_title: str = ""
    allow_individual: bool = True


@dataclass(frozen=True)
class SessionRule:
    minutes: int
    licences: frozenset[str] = frozenset()  # any one of these; empty: any clinician
    counts_toward_hours: bool = True


@dataclass(frozen=True)
class Rules:
    """The program's settings the solver needs."""

    individual: SessionRule = SessionRule(minutes=60)
    family: SessionRule = SessionRule(minutes=60)
    makeup: SessionRule = SessionRule(minutes=30)
    granularity_minutes: int = 30
    billable_day_minutes: int = 180
    weekly_minutes_min: int = 540
    # Only the primary clinician and the care team see a participant; when False any clinician
    # holding the licence may, after the care team (the weights say by how much).
    care_team_only: bool = True

    def rule(self, kind: Kind) -> SessionRule:
        return {Kind.INDIVIDUAL: self.individual, Kind.FAMILY: self.family}.get(kind, self.makeup)


@dataclass(frozen=True)
class Weights:
    """Points of the objective (maximized). Placing a session dominates every preference, so
    the solver never leaves someone out to serve another's preference."""

    place_individual: int = 1000
    place_family: int = 700
    place_makeup: int = 500
    # Placing a session of someone whose groups leave them under the weekly-hours minimum:
    # when not everyone fits, they go first.
    lift_weekly: int = 200
    # A make-up in a group that teaches the lesson, over one-to-one (above the primary
    # clinician, so the real lesson wins over a short one-to-one with them).
    makeup_in_group: int = 60
    primary: int = 40
    care_team: int = 15
    preferred_time: int = 30
    continuity: int = 20
    billable_day: int = 25
    same_day: int = 30  # cost of each extra session of one participant on one day
    over_target: int = 35  # cost of each session above a clinician's weekly target
    keep_previous: int = 10  # re-solving: each session left where the last proposal had it


@dataclass(frozen=True)
class Pin:
    """The director fixes a session: this request, this day and time (and clinician, or group
    for a make-up). Pins are hard; when they cannot all hold, the explanation says why."""

    request: str
    day: int
    start: time
    clinician: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class Forbid:
    """The director removes a session or a time: every field left None matches anything, so
    `Forbid(request=k)` drops the request from this run."""

    request: str
    day: int | None = None
    start: time | None = None
    clinician: str | None = None


@dataclass(frozen=True)
class Problem:
    week_start: date  # a Monday
    weeks: int = 1
    rules: Rules = field(default_factory=Rules)
    weights: Weights = field(default_factory=Weights)
    clinicians: tuple[Clinician, ...] = ()
    rooms: tuple[Room, ...] = ()
    groups: tuple[Group, ...] = ()
    participants: tuple[Participant, ...] = ()
    family_requests: tuple[FamilyRequest, ...] = ()
    makeup_requests: tuple[MakeUpRequest, ...] = ()
    pins: tuple[Pin, ...] = ()
    forbids: tuple[Forbid, ...] = ()

    @property
    def days(self) -> int:
        return 7 * self.weeks


class ProblemError(ValueError):
    """The problem is malformed (unknown keys, times out of order...): a programming or data
    error in the caller, reported with every fault found."""

    def __init__(self, faults: list[str]) -> None:
        super().__init__("; ".join(faults))
        self.faults = faults


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def validate(problem: Problem) -> None:
    """Raise ProblemError naming every fault; return quietly when the problem is well formed."""
    faults: list[str] = []
    rules = problem.rules
    if problem.week_start.weekday() != 0:
        faults.append(f"week_start {problem.week_start} is not a Monday")
    if problem.weeks not in (1, 2):
        faults.append("weeks must be 1 or 2")
    g = rules.granularity_minutes
    if g not in (5, 10, 15, 20, 30, 60):
        faults.append("granularity_minutes must divide an hour (5, 10, 15, 20, 30 or 60)")
    for kind in Kind:
        if not 5 <= rules.rule(kind).minutes <= 480:
            faults.append(f"{kind} sessions must last 5 to 480 minutes")

    def span(what: str, start: time, end: time) -> None:
        if _minutes(start) >= _minutes(end):
            faults.append(f"{what}: start {start} is not before end {end}")

    def weekday(what: str, value: int) -> None:
        if not 0 <= value <= 6:
            faults.append(f"{what}: weekday {value} is not 0 (Monday) to 6 (Sunday)")

    def day(what: str, value: int) -> None:
        if not 0 <= value < problem.days:
            faults.append(f"{what}: day {value} is outside the horizon")

    def unique(what: str, keys: list[str]) -> set[str]:
        seen: set[str] = set()
        for key in keys:
            if key in seen:
                faults.append(f"{what} key {key!r} is repeated")
            seen.add(key)
        return seen

    clinicians = unique("clinician", [c.key for c in problem.clinicians])
    unique("room", [r.key for r in problem.rooms])
    groups = unique("group", [gr.key for gr in problem.groups])
    participants = unique("participant", [p.key for p in problem.participants])
    unique(
        "request",
        [r.key for r in problem.family_requests] + [r.key for r in problem.makeup_requests],
    )
    for c in problem.clinicians:
        for h in c.hours:
            weekday(f"clinician {c.key} hours", h.weekday)
            span(f"clinician {c.key} hours", h.start, h.end)
        for b in c.busy:
            day(f"clinician {c.key} booking", b.day)
            span(f"clinician {c.key} booking", b.start, b.end)
    for r in problem.rooms:
        if r.capacity < 1:
            faults.append(f"room {r.key} must seat at least one person")
        for b in r.busy:
            day(f"room {r.key} booking", b.day)
            span(f"room {r.key} booking", b.start, b.end)
    for gr in problem.groups:
        day(f"group {gr.key}", gr.day)
        span(f"group {gr.key}", gr.start, gr.end)
    for p in problem.participants:
        for ref in (p.primary, *p.care_team):
            if ref is not None and ref not in clinicians:
                faults.append(f"participant {p.key}: unknown clinician {ref!r}")
        for u in p.unavailable:
            weekday(f"participant {p.key} unavailable time", u.weekday)
            span(f"participant {p.key} unavailable time", u.start, u.end)
        for w in p.preferred:
            weekday(f"participant {p.key} preferred time", w.weekday)
            span(f"participant {p.key} preferred time", w.start, w.end)
        for b in p.busy:
            day(f"participant {p.key} booking", b.day)
            span(f"participant {p.key} booking", b.start, b.end)
        if p.individual_per_week < 0 or p.individual_every_weeks < 1:
            faults.append(f"participant {p.key}: individual cadence must be positive")
    for fr in problem.family_requests:
        if fr.participant not in participants:
            faults.append(f"family request {fr.key}: unknown participant {fr.participant!r}")
        if fr.week is not None and not 0 <= fr.week < problem.weeks:
            faults.append(f"family request {fr.key}: week {fr.week} is outside the horizon")
        for m in fr.members:
            for w in m.available:
                weekday(f"family member {m.key} availability", w.weekday)
                span(f"family member {m.key} availability", w.start, w.end)
    for mr in problem.makeup_requests:
        if mr.participant not in participants:
            faults.append(f"make-up request {mr.key}: unknown participant {mr.participant!r}")
    for pin in problem.pins:
        day(f"pin for {pin.request}", pin.day)
        if pin.clinician is not None and pin.clinician not in clinicians:
            faults.append(f"pin for {pin.request}: unknown clinician {pin.clinician!r}")
        if pin.group is not None and pin.group not in groups:
            faults.append(f"pin for {pin.request}: unknown group {pin.group!r}")
    pinned = [pin.request for pin in problem.pins]
    if len(set(pinned)) != len(pinned):
        faults.append("a request is pinned twice")
    if faults:
        raise ProblemError(faults)
