"""The search space: every request of the horizon and every place it may go.

A request is one session to decide (an individual session of one week, a family session, a
make-up). An option is one way to hold it that breaks no hard rule on its own: a clinician in
their working hours and free of bookings, at a time the participant (and the family members)
can come, with a room that fits free then, or a seat in a group that teaches the missed
lesson. What options cannot see on their own (two sessions wanting the same clinician, room or
person, a clinician's weekly cap, group seats) is left to the model.

The same checks, run over every clinician and every time of the program's day, say why a
request has no option: `blockers` names each rule that stands in the way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openiop.scheduling.solver.problem import (
    Booking,
    FamilyMember,
    Kind,
    Participant,
    Pin,
    Problem,
    ProblemError,
    Room,
    validate,
)
from openiop.scheduling.solver.scoring import PREFERENCES, code_points, option_codes
from openiop.scheduling.solver.words import minutes

Span = tuple[int, int]  # minutes of one day, [start, end)


def individual_key(participant: str, week: int, n: int = 0) -> str:
    """The key of a participant's n-th individual session of a horizon week."""
    return f"{participant}:individual:w{week}:{n}"


@dataclass(frozen=True, slots=True)
class Req:
    index: int
    key: str
    kind: Kind
    participant: int
    weeks: tuple[int, ...]
    minutes: int
    telehealth: bool
    members: tuple[FamilyMember, ...] = ()
    lesson: str | None = None
    lesson_title: str = ""
    allow_individual: bool = True
    order: int = 0  # n-th individual session of its week (symmetry breaking)

    @property
    def people(self) -> int:
        return 1 + len(self.members)

    @property
    def label(self) -> str:
        if self.kind == Kind.FAMILY:
            return "family session"
        if self.kind == Kind.MAKEUP:
            return f"make-up of {self.lesson_title or self.lesson}"
        return "individual session"


@dataclass(frozen=True, slots=True)
class Option:
    request: int
    day: int
    start: int
    end: int
    clinician: int | None = None
    group: int | None = None
    codes: tuple[str, ...] = ()  # the parts of the objective it earns on its own
    points: int = 0

    @property
    def met(self) -> tuple[str, ...]:
        return tuple(c for c in self.codes if c in PREFERENCES)

    @property
    def week(self) -> int:
        return self.day // 7


@dataclass(frozen=True, slots=True)
class RoomClass:
    """Rooms that are interchangeable for every request of this problem: the same features
    that matter, seats enough for the same requests, the same bookings."""

    rooms: tuple[int, ...]
    virtual: bool
    features: frozenset[str]
    capacity: int
    busy: tuple[tuple[int, int, int], ...]  # (day, start, end)

    def free(self, day: int, start: int, end: int) -> bool:
        return not any(d == day and s < end and start < e for d, s, e in self.busy)


@dataclass(frozen=True, slots=True)
class Blocker:
    """One hard rule that stands in the way, by family (what a director would relax)."""

    family: str
    text: str


# The families a director can relax, in the order explanations name them.
FAMILIES = {
    "forbidden": "the director removed this time",
    "unavailable": "the participant's declared unavailable times",
    "groups": "the participant's track groups",
    "participant_busy": "the participant's other bookings",
    "family": "the family members' availability",
    "clinician_hours": "the clinicians' working hours",
    "clinician_busy": "the clinicians' existing bookings",
    "care_team": "seeing only the care team",
    "licence": "the licence the session needs",
    "rooms": "the rooms",
    "group_full": "the group's seats",
}


@dataclass
class Space:
    problem: Problem
    requests: list[Req]
    options: list[Option]
    by_request: list[list[int]]
    room_classes: list[RoomClass]
    req_classes: list[tuple[int, ...]]
    group_minutes: dict[tuple[int, int], int]  # (participant, day) -> attended group minutes
    week_minutes: dict[tuple[int, int], int]  # (participant, week) -> attended group minutes
    pins: dict[int, Pin] = field(default_factory=dict)
    pin_options: dict[int, list[int]] = field(default_factory=dict)
    removed: set[int] = field(default_factory=set)
    previous: dict[str, tuple[int, int, str | None, str | None]] = field(default_factory=dict)

    @property
    def rooms_modeled(self) -> bool:
        return bool(self.problem.rooms)


def _overlaps(spans: list[tuple[int, int, str, str]], start: int, end: int) -> list[str]:
    return [text for s, e, _, text in spans if s < end and start < e]


class _Calendar:
    """Per-day lookups built once: who is busy when, and why."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        days = problem.days
        self.clinician_hours: list[list[list[Span]]] = []
        self.clinician_busy: list[list[list[tuple[int, int, str, str]]]] = []
        for c in problem.clinicians:
            hours: list[list[Span]] = [[] for _ in range(days)]
            busy: list[list[tuple[int, int, str, str]]] = [[] for _ in range(days)]
            for d in range(days):
                hours[d] = sorted(
                    (minutes(h.start), minutes(h.end)) for h in c.hours if h.weekday == d % 7
                )
            for b in c.busy:
                busy[b.day].append(_booking(b, "clinician_busy"))
            self.clinician_hours.append(hours)
            self.clinician_busy.append(busy)
        self.groups_by_track: dict[str, list[int]] = {}
        for i, g in enumerate(problem.groups):
            if g.track is not None:
                self.groups_by_track.setdefault(g.track, []).append(i)
        self.participant_blocks: list[list[list[tuple[int, int, str, str]]]] = [
            self._blocks(p) for p in problem.participants
        ]

    def _blocks(self, p: Participant) -> list[list[tuple[int, int, str, str]]]:
        days = self.problem.days
        blocks: list[list[tuple[int, int, str, str]]] = [[] for _ in range(days)]
        for d in range(days):
            for u in p.unavailable:
                if u.weekday == d % 7:
                    blocks[d].append((minutes(u.start), minutes(u.end), "unavailable", u.reason))
        for gi in self.groups_by_track.get(p.track or "", []):
            g = self.problem.groups[gi]
            blocks[g.day].append((minutes(g.start), minutes(g.end), "groups", g.name))
        for b in p.busy:
            blocks[b.day].append(_booking(b, "participant_busy"))
        return blocks


def _booking(b: Booking, family: str) -> tuple[int, int, str, str]:
    return (minutes(b.start), minutes(b.end), family, b.label)


def _member_free(member: FamilyMember, day: int, start: int, end: int) -> bool:
    if not member.available:
        return True
    return any(
        w.weekday == day % 7 and minutes(w.start) <= start and end <= minutes(w.end)
        for w in member.available
    )


def _expand(problem: Problem) -> list[Req]:
    reqs: list[Req] = []
    rules = problem.rules
    pindex = {p.key: i for i, p in enumerate(problem.participants)}
    for i, p in enumerate(problem.participants):
        if p.individual_per_week <= 0:
            continue
        for w in range(problem.weeks):
            if w < p.individual_due_week or (w - p.individual_due_week) % p.individual_every_weeks:
                continue
            for n in range(p.individual_per_week):
                reqs.append(
                    Req(
                        index=len(reqs),
                        key=individual_key(p.key, w, n),
                        kind=Kind.INDIVIDUAL,
                        participant=i,
                        weeks=(w,),
                        minutes=rules.individual.minutes,
                        telehealth=p.telehealth,
                        order=n,
                    )
                )
    every_week = tuple(range(problem.weeks))
    for fr in problem.family_requests:
        reqs.append(
            Req(
                index=len(reqs),
                key=fr.key,
                kind=Kind.FAMILY,
                participant=pindex[fr.participant],
                weeks=every_week if fr.week is None else (fr.week,),
                minutes=rules.family.minutes,
                telehealth=fr.telehealth,
                members=fr.members,
            )
        )
    for mr in problem.makeup_requests:
        reqs.append(
            Req(
                index=len(reqs),
                key=mr.key,
                kind=Kind.MAKEUP,
                participant=pindex[mr.participant],
                weeks=every_week,
                minutes=rules.makeup.minutes,
                telehealth=problem.participants[pindex[mr.participant]].telehealth,
                lesson=mr.lesson,
                lesson_title=mr.lesson_title,
                allow_individual=mr.allow_individual,
            )
        )
    return reqs


def _room_classes(problem: Problem, reqs: list[Req]) -> list[RoomClass]:
    """Merge rooms no request can tell apart: features nobody needs and seats beyond the
    largest party are ignored, so five plain offices become one class of five."""
    participants = problem.participants
    needed: set[str] = set()
    for r in reqs:
        needed |= participants[r.participant].needs
    seats = sorted({r.people for r in reqs})

    def seat_level(room: Room) -> int:
        # The largest party size the room seats: rooms at the same level serve the same requests.
        fits = [n for n in seats if n <= room.capacity]
        return fits[-1] if fits else 0

    classes: dict[RoomClass, list[int]] = {}
    for i, room in enumerate(problem.rooms):
        busy = tuple(sorted((b.day, minutes(b.start), minutes(b.end)) for b in room.busy))
        key = RoomClass((), room.virtual, room.features & needed, seat_level(room), busy)
        classes.setdefault(key, []).append(i)
    return [
        RoomClass(tuple(rooms), k.virtual, k.features, k.capacity, k.busy)
        for k, rooms in classes.items()
    ]


def _compatible(req: Req, rc: RoomClass, participant: Participant) -> bool:
    if req.telehealth:
        return rc.virtual
    if rc.virtual:
        return False
    return rc.capacity >= req.people and participant.needs <= rc.features


class Builder:
    """Builds the space; also answers `blockers` for the explanations."""

    def __init__(self, problem: Problem) -> None:
        validate(problem)
        self.problem = problem
        self.cal = _Calendar(problem)
        self.reqs = _expand(problem)
        self.classes = _room_classes(problem, self.reqs)
        self.cindex = {c.key: i for i, c in enumerate(problem.clinicians)}
        g = problem.rules.granularity_minutes
        self.g = g
        starts = [minutes(h.start) for c in problem.clinicians for h in c.hours]
        ends = [minutes(h.end) for c in problem.clinicians for h in c.hours]
        # The program's day: from the first clinician's start to the last one's end, on the
        # weekdays anyone works.
        self.open = (min(starts) // g * g, max(ends)) if starts else (8 * 60, 20 * 60)
        self.weekdays = {h.weekday for c in problem.clinicians for h in c.hours}
        self.group_minutes: dict[tuple[int, int], int] = {}
        self.week_minutes: dict[tuple[int, int], int] = {}
        for pi, p in enumerate(problem.participants):
            for gi in self.cal.groups_by_track.get(p.track or "", []):
                gr = problem.groups[gi]
                if gr.counts_toward_hours:
                    length = minutes(gr.end) - minutes(gr.start)
                    k = (pi, gr.day)
                    self.group_minutes[k] = self.group_minutes.get(k, 0) + length
                    w = (pi, gr.day // 7)
                    self.week_minutes[w] = self.week_minutes.get(w, 0) + length
        self.req_classes = [
            tuple(
                k
                for k, rc in enumerate(self.classes)
                if _compatible(r, rc, problem.participants[r.participant])
            )
            for r in self.reqs
        ]

    # -- which clinicians may hold a request --------------------------------------------------

    def licensed(self, req: Req, c: int) -> bool:
        need = self.problem.rules.rule(req.kind).licences
        return not need or bool(need & self.problem.clinicians[c].licences)

    def team(self, req: Req) -> list[int]:
        """The care team in order, primary first."""
        p = self.problem.participants[req.participant]
        keys = [k for k in (p.primary, *p.care_team) if k is not None]
        return [self.cindex[k] for k in dict.fromkeys(keys)]

    def candidates(self, req: Req) -> list[int]:
        team = [c for c in self.team(req) if self.licensed(req, c)]
        if self.problem.rules.care_team_only:
            return team
        others = [
            c
            for c in range(len(self.problem.clinicians))
            if c not in team and self.licensed(req, c)
        ]
        return team + others

    # -- one place: which rules stand in the way -------------------------------------------

    def blockers(
        self,
        req: Req,
        day: int,
        start: int,
        clinician: int | None = None,
        group: int | None = None,
        first_only: bool = False,
    ) -> list[Blocker]:
        """Every hard rule that forbids holding `req` on `day` at `start` (with `clinician`, or
        in `group`); an empty list means it is an option. `first_only` stops at the first."""
        out: list[Blocker] = []
        problem = self.problem
        end = start + req.minutes
        if group is not None:
            gr = problem.groups[group]
            end = minutes(gr.end)

        def add(family: str, text: str) -> bool:
            out.append(Blocker(family, text))
            return first_only

        if self._forbidden(req, day, start, clinician) and add("forbidden", "removed"):
            return out
        for s, e, family, text in self.cal.participant_blocks[req.participant][day]:
            if s < end and start < e and add(family, text):
                return out
        for m in req.members:
            if not _member_free(m, day, start, end) and add("family", m.name):
                return out
        if group is not None:
            if problem.groups[group].seats_left <= 0:
                add("group_full", problem.groups[group].name)
            return out
        assert clinician is not None
        c = problem.clinicians[clinician]
        off_team = problem.rules.care_team_only and clinician not in self.team(req)
        if off_team and add("care_team", c.name):
            return out
        if not self.licensed(req, clinician) and add("licence", c.name):
            return out
        hours = self.cal.clinician_hours[clinician][day]
        if not any(s <= start and end <= e for s, e in hours) and add("clinician_hours", c.name):
            return out
        for text in _overlaps(self.cal.clinician_busy[clinician][day], start, end):
            if add("clinician_busy", f"{c.name}: {text}"):
                return out
        if self.problem.rooms:
            free = [k for k in self.req_classes[req.index] if self.classes[k].free(day, start, end)]
            if not free:
                add("rooms", self.room_need(req))
        return out

    def room_need(self, req: Req) -> str:
        if req.telehealth:
            return "a telehealth room"
        needs = sorted(self.problem.participants[req.participant].needs)
        what = " and ".join(n.replace("_", "-") for n in needs)
        seats = f"a room for {req.people}" if req.people > 1 else "a room"
        return f"{seats} that is {what}" if what else seats

    def _forbidden(self, req: Req, day: int, start: int, clinician: int | None) -> bool:
        ckey = None if clinician is None else self.problem.clinicians[clinician].key
        for f in self.problem.forbids:
            whole = f.day is None and f.start is None and f.clinician is None
            if f.request != req.key or whole:
                continue
            if (
                (f.day is None or f.day == day)
                and (f.start is None or minutes(f.start) == start)
                and (f.clinician is None or f.clinician == ckey)
            ):
                return True
        return False

    def days_of(self, req: Req) -> list[int]:
        return [d for w in req.weeks for d in range(7 * w, 7 * w + 7) if d % 7 in self.weekdays]

    def grid(self, lo: int, hi: int, length: int) -> range:
        first = -(-lo // self.g) * self.g
        return range(first, hi - length + 1, self.g)

    def lesson_groups(self, req: Req) -> list[int]:
        if req.lesson is None:
            return []
        own = self.problem.participants[req.participant].track
        return [
            i
            for i, g in enumerate(self.problem.groups)
            if g.lesson == req.lesson
            and g.day // 7 in req.weeks
            and (own is None or g.track != own)
        ]

    # -- the space ---------------------------------------------------------------------------

    def build(self, previous: dict[str, tuple[int, int, str | None, str | None]]) -> Space:
        problem = self.problem
        options: list[Option] = []
        by_request: list[list[int]] = []
        keys = {r.key: r.index for r in self.reqs}
        removed = {
            keys[f.request]
            for f in problem.forbids
            if f.request in keys and f.day is None and f.start is None and f.clinician is None
        }
        unknown = [
            f"{what} names unknown request {k!r}"
            for what, k in [("pin", p.request) for p in problem.pins]
            + [("forbid", f.request) for f in problem.forbids]
            if k not in keys
        ]
        if unknown:
            raise ProblemError(unknown)
        for req in self.reqs:
            mine: list[int] = []
            if req.index not in removed:
                for o in self._options(req):
                    codes = option_codes(self, req, o, previous)
                    pts = sum(code_points(c, req.kind, problem.weights) for c in codes)
                    mine.append(len(options))
                    options.append(
                        Option(o.request, o.day, o.start, o.end, o.clinician, o.group, codes, pts)
                    )
            by_request.append(mine)
        pins = {keys[p.request]: p for p in problem.pins}
        pin_options: dict[int, list[int]] = {}
        for r, pin in pins.items():
            pin_options[r] = [i for i in by_request[r] if self._matches(options[i], pin)]
        return Space(
            problem=problem,
            requests=self.reqs,
            options=options,
            by_request=by_request,
            room_classes=self.classes,
            req_classes=self.req_classes,
            group_minutes=self.group_minutes,
            week_minutes=self.week_minutes,
            pins=pins,
            pin_options=pin_options,
            removed=removed,
            previous=previous,
        )

    def _matches(self, o: Option, pin: Pin) -> bool:
        problem = self.problem
        if o.day != pin.day or o.start != minutes(pin.start):
            return False
        if pin.group is not None:
            return o.group is not None and problem.groups[o.group].key == pin.group
        if pin.clinician is not None:
            return o.clinician is not None and problem.clinicians[o.clinician].key == pin.clinician
        return True

    def _options(self, req: Req) -> list[Option]:
        out: list[Option] = []
        if req.kind == Kind.MAKEUP:
            for gi in self.lesson_groups(req):
                gr = self.problem.groups[gi]
                start = minutes(gr.start)
                if not self.blockers(req, gr.day, start, group=gi, first_only=True):
                    out.append(Option(req.index, gr.day, start, minutes(gr.end), group=gi))
            if not req.allow_individual:
                return out
        if self.problem.rooms and not self.req_classes[req.index]:
            return out
        for c in self.candidates(req):
            for day in self.days_of(req):
                for lo, hi in self.cal.clinician_hours[c][day]:
                    for start in self.grid(lo, hi, req.minutes):
                        if not self.blockers(req, day, start, clinician=c, first_only=True):
                            out.append(
                                Option(req.index, day, start, start + req.minutes, clinician=c)
                            )
        return out

    def open_on(self, day: int) -> Span:
        """The program's hours on `day`: from the first clinician's start to the last end."""
        hours = [
            (minutes(h.start), minutes(h.end))
            for c in self.problem.clinicians
            for h in c.hours
            if h.weekday == day % 7
        ]
        if not hours:
            return self.open
        return min(s for s, _ in hours), max(e for _, e in hours)

    def free_spans(self, req: Req, day: int) -> list[Span]:
        """The participant's free time on `day` within the program's hours that day, and
        within the family members' stated availability."""
        lo, hi = self.open_on(day)
        spans: list[Span] = []
        cursor = lo
        for s, e, _, _ in sorted(self.cal.participant_blocks[req.participant][day]):
            if s > cursor:
                spans.append((cursor, min(s, hi)))
            cursor = max(cursor, e)
        if cursor < hi:
            spans.append((cursor, hi))
        for m in req.members:
            if m.available:
                windows = [
                    (minutes(w.start), minutes(w.end)) for w in m.available if w.weekday == day % 7
                ]
                spans = [
                    (max(s, ws), min(e, we))
                    for s, e in spans
                    for ws, we in windows
                    if ws < e and s < we
                ]
        return [(s, e) for s, e in spans if e - s >= req.minutes]


def merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def covered_slots(o: Option, granularity: int) -> range:
    base = o.day * (24 * 60 // granularity)
    return range(base + o.start // granularity, base + -(-o.end // granularity))
