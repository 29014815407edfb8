"""A synthetic IOP week for the scheduler's benchmark: deterministic for a seed, no real data.

The shape follows the seeds' typical program (shared/reference/clinical.md §3: three group days
a week, morning or evening, 9-15 h a week): five tracks in cohorts of up to 12, three group
days each (morning, midday, two evening tracks and a virtual one), in eight rooms (four group
rooms, a family room, two offices, a video room). Twelve clinicians on day, middle and evening
shifts facilitate the groups, sit in the Wednesday consultation team and carry the caseloads.
Participants declare work, school and childcare times that fit their track, prefer times near
their groups, and most had an individual session last week (continuity). Some ask for a family
session (family members free evenings and Saturdays); some missed a skills lesson that another
cohort, a week behind in the rotation, teaches this week.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, time

from openiop.scheduling.solver import (
    Booking,
    Clinician,
    FamilyMember,
    FamilyRequest,
    Feature,
    Group,
    LastSlot,
    MakeUpRequest,
    Participant,
    Problem,
    Room,
    Rules,
    SessionRule,
    Unavailable,
    WeeklyTime,
)

WEEK = date(2026, 3, 2)  # a Monday
THERAPY = frozenset({"LCSW", "LPC", "LMFT", "PsyD"})
FAMILY = frozenset({"LCSW", "LMFT", "PsyD"})
# Counselors (CADC) see participants one to one and teach make-ups; family sessions need a
# therapist with a family-therapy scope.
COUNSELING = THERAPY | {"CADC"}

FIRST = [
    "Ana",
    "Bo",
    "Cy",
    "Dee",
    "Eli",
    "Fay",
    "Gus",
    "Hal",
    "Ida",
    "Jo",
    "Kai",
    "Lu",
    "Mo",
    "Ned",
    "Oli",
    "Pia",
    "Quin",
    "Ray",
    "Sol",
    "Tia",
    "Uma",
    "Val",
    "Wes",
    "Xan",
    "Yara",
    "Zed",
    "Abe",
    "Bea",
    "Cal",
    "Dora",
    "Emil",
    "Flo",
    "Gil",
    "Hana",
    "Ivo",
    "Jen",
    "Kit",
    "Lev",
    "Mia",
    "Noa",
    "Otto",
    "Pau",
    "Ren",
    "Sam",
    "Tom",
    "Una",
]
LAST = [
    "Lopez",
    "Chen",
    "Diaz",
    "Evans",
    "Fox",
    "Gray",
    "Hill",
    "Ivers",
    "Jones",
    "Khan",
    "Lind",
    "Moss",
    "Nash",
    "Ortiz",
    "Park",
    "Quade",
    "Ruiz",
    "Sato",
    "Tran",
    "Uhl",
    "Vance",
    "Wolfe",
    "Young",
    "Zane",
    "Abbot",
    "Brook",
    "Cruz",
    "Dunn",
    "Egan",
    "Flint",
]


@dataclass(frozen=True)
class Track:
    key: str
    name: str
    days: tuple[int, ...]
    start: time
    end: time
    rooms: tuple[str, ...]  # one cohort per room
    offset: int  # weeks behind the morning track in the skills rotation
    sat: tuple[time, time] | None = None  # Saturday times, when the track meets then


TRACKS = (
    Track("morning", "Morning", (0, 2, 4), time(9), time(12), ("g1", "g2", "g3", "g4"), 0),
    Track("midday", "Midday", (1, 3, 4), time(12, 30), time(15, 30), ("g1", "g2", "g3", "g4"), 1),
    Track("evening", "Evening", (0, 2, 3), time(18), time(20, 30), ("g1", "g2", "g3"), 2),
    Track(
        "late",
        "Evening and Saturday",
        (1, 4, 5),
        time(18),
        time(20, 30),
        ("g1", "g2", "g3"),
        3,
        sat=(time(9, 30), time(12, 30)),
    ),
    Track("virtual", "Virtual morning", (1, 2, 3), time(9), time(12), ("video",), 1),
)


def _hours(days: tuple[int, ...], start: time, end: time) -> tuple[WeeklyTime, ...]:
    return tuple(WeeklyTime(d, start, end) for d in days)


@dataclass
class _Staff:
    key: str
    name: str
    licences: frozenset[str]
    hours: tuple[WeeklyTime, ...]
    target: int
    cap: int
    busy: list[Booking] = field(default_factory=list)

    def works(self, day: int, start: time, end: time) -> bool:
        return any(h.weekday == day % 7 and h.start <= start and end <= h.end for h in self.hours)

    def free(self, day: int, start: time, end: time) -> bool:
        return self.works(day, start, end) and not any(
            b.day == day and b.start < end and start < b.end for b in self.busy
        )

    @property
    def group_minutes(self) -> int:
        return sum(
            (b.end.hour * 60 + b.end.minute) - (b.start.hour * 60 + b.start.minute)
            for b in self.busy
            if b.label == "group"
        )


def _staff() -> list[_Staff]:
    week, four = (0, 1, 2, 3, 4), (0, 1, 2, 3)
    day, mid, late = (time(8), time(16, 30)), (time(11), time(19, 30)), (time(12, 30), time(21))
    sat = _hours((5,), time(9), time(13))
    psyd, lcsw, lpc, lmft = (frozenset({x}) for x in ("PsyD", "LCSW", "LPC", "LMFT"))
    return [
        _Staff("c01", "Dr. Avery Stone", psyd, _hours(week, *day), 20, 25),
        _Staff("c02", "Blair Quinn", lcsw, _hours(week, *day), 22, 26),
        _Staff("c03", "Casey Rhodes", lpc, _hours(four, time(9, 30), time(18)), 20, 24),
        _Staff("c04", "Devon Marsh", lmft, _hours(week, *mid), 22, 26),
        _Staff("c05", "Emery Blake", lcsw, _hours(week, *mid), 22, 26),
        _Staff("c06", "Finley Shaw", lpc, _hours(week, *late), 22, 26),
        _Staff("c07", "Harper Cole", lmft, _hours(week, *late), 22, 26),
        _Staff("c08", "Jordan Vale", lcsw, _hours((1, 2, 3, 4), *late) + sat, 20, 24),
        _Staff("c09", "Kendall Reyes", lpc, _hours(four, *late) + sat, 20, 24),
        _Staff("c10", "Logan Price", frozenset({"CADC"}), _hours(week, *day), 14, 18),
        _Staff("c11", "Morgan Ellis", frozenset({"CADC"}), _hours(week, *late), 14, 18),
        _Staff("c12", "Dr. Rowan Kim", frozenset({"MD"}), _hours(week, time(9), time(17)), 0, 0),
    ]


def _unavailable(rng: random.Random, track: Track) -> tuple[Unavailable, ...]:
    """Declared times that leave the participant's own track free."""
    u: list[Unavailable] = []
    days = range(5)
    roll = rng.random()
    if track.key in ("evening", "late"):
        if roll < 0.35:
            u += [Unavailable(d, time(8, 30), time(17), "work") for d in days]
        elif roll < 0.55:
            # Office work with a free lunch hour (a video session at lunch).
            u += [Unavailable(d, time(8, 30), time(12), "work") for d in days]
            u += [Unavailable(d, time(13), time(17), "work") for d in days]
        elif roll < 0.75:
            u += [Unavailable(d, time(7), time(15, 30), "work") for d in days]
        elif roll < 0.9:
            u += [Unavailable(d, time(8), time(15), "school") for d in days]
        else:
            u += [Unavailable(d, time(8), time(12, 30), "work") for d in days]
        if rng.random() < 0.25:
            u += [
                Unavailable(d, time(20, 30), time(23), "childcare")
                for d in days
                if d not in track.days
            ]
    elif track.key == "midday":
        if roll < 0.5:
            u += [Unavailable(d, time(16, 30), time(23), "work") for d in days]
        elif roll < 0.8:
            u += [Unavailable(d, time(8), time(12), "work") for d in days if d in track.days]
        if rng.random() < 0.3:
            u += [Unavailable(d, time(7, 30), time(9), "childcare") for d in days]
    else:
        if roll < 0.45:
            u += [Unavailable(d, time(15), time(23), "work") for d in days]
        elif roll < 0.7:
            u += [Unavailable(d, time(14, 30), time(17, 30), "childcare") for d in days]
        elif roll < 0.85:
            u += [Unavailable(d, time(13), time(17), "school") for d in days if d not in track.days]
    return tuple(u)


def _free_hours(unavailable: tuple[Unavailable, ...], track: Track) -> list[tuple[int, int]]:
    """(weekday, hour) on weekdays, 8:00 to 21:00, when the participant is neither declared
    unavailable nor in their own group."""
    out = []
    for d in range(5):
        for h in range(8, 21):
            start, end = time(h), time(h + 1) if h < 23 else time(23, 59)
            if any(u.weekday == d and u.start < end and start < u.end for u in unavailable):
                continue
            if d in track.days and track.start < end and start < track.end:
                continue
            out.append((d, h))
    return out


def _preferred(
    rng: random.Random, track: Track, free: list[tuple[int, int]]
) -> tuple[WeeklyTime, ...]:
    """Most people prefer a time: near their group on a group day, or a free day's evening,
    lunch or morning. A preference is a wish, not always one the program can meet."""
    if rng.random() < 0.2 or not free:
        return ()
    near = [(d, h) for d, h in free if d in track.days]
    pool = near if near and rng.random() < 0.5 else free
    d, h = rng.choice(pool)
    return (WeeklyTime(d, time(h), time(min(h + 2, 21))),)


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if name not in used:
            used.add(name)
            return name


def synthetic_program(participants: int = 200, seed: int = 20260302, weeks: int = 1) -> Problem:
    rng = random.Random(seed)
    clinicians = _staff()
    therapists = [c for c in clinicians if c.licences & THERAPY]
    counselors = [c for c in clinicians if "CADC" in c.licences]
    rooms = {
        "g1": Room("g1", "Group room 1", 14, frozenset({Feature.WHEELCHAIR})),
        "g2": Room("g2", "Group room 2", 14),
        "g3": Room("g3", "Group room 3", 14),
        "g4": Room("g4", "Group room 4", 12, frozenset({Feature.PET_FRIENDLY})),
        "family": Room("family", "Family room", 6, frozenset({Feature.WHEELCHAIR})),
        "a": Room("a", "Office A", 3, frozenset({Feature.PET_FRIENDLY})),
        "b": Room("b", "Office B", 3),
        "video": Room("video", "Video room", 14, frozenset({Feature.TELEHEALTH})),
    }
    room_busy: dict[str, list[Booking]] = {k: [] for k in rooms}

    # The Wednesday consultation team for every therapist working then.
    for week in range(weeks):
        for c in therapists:
            day = 7 * week + 2
            if c.works(day, time(13), time(14, 30)):
                c.busy.append(Booking(day, time(13), time(14, 30), "consultation team"))

    # Cohorts and their groups, each with a facilitator free then (counselors first).
    cohorts: list[tuple[Track, str, str]] = []
    groups: list[Group] = []
    for track in TRACKS:
        for n, room in enumerate(track.rooms, start=1):
            cohorts.append((track, f"{track.key}-{n}", room))
    for week in range(weeks):
        for track, cohort, room in cohorts:
            for lesson_n, wd in enumerate(track.days, start=1):
                day = 7 * week + wd
                start, end = track.sat if wd == 5 and track.sat else (track.start, track.end)
                rot = week - track.offset + 10
                lesson = f"rotation week {rot}, lesson {lesson_n}"
                # The least-loaded free clinician leads; counselors lead groups first.
                staff = sorted(
                    counselors + therapists,
                    key=lambda c: (c.group_minutes - (600 if c in counselors else 0), rng.random()),
                )
                lead = next((c for c in staff if c.free(day, start, end)), None)
                if lead is not None:
                    lead.busy.append(Booking(day, start, end, "group"))
                room_busy[room].append(Booking(day, start, end, "group"))
                groups.append(
                    Group(
                        key=f"{cohort}-d{day}",
                        name=f"{track.name} group {cohort[-1]}",
                        day=day,
                        start=start,
                        end=end,
                        track=cohort,
                        lesson=lesson,
                        seats_left=rng.choice((0, 1, 2, 2, 3)),
                    )
                )

    # A few sessions already booked by hand.
    for c in therapists:
        for _ in range(rng.randint(1, 4)):
            day = rng.randrange(5)
            h = rng.randrange(9, 19)
            start, end = time(h), time(h + 1)
            if c.free(day, start, end):
                c.busy.append(Booking(day, start, end, "session booked by hand"))

    people: list[Participant] = []
    names: set[str] = set()
    caseload = {c.key: 0 for c in therapists}
    team_load = {c.key: 0 for c in therapists}
    for i in range(participants):
        track, cohort, _ = cohorts[i % len(cohorts)]
        unavailable = _unavailable(rng, track)
        free = _free_hours(unavailable, track)

        def overlap(c: _Staff, free: list[tuple[int, int]] = free) -> int:
            return sum(1 for d, h in free if c.works(d, time(h), time(h + 1)))

        # Intake gives the least-loaded clinician among those who work when the person is
        # free (mostly: one in seven gets whoever has room, as happens).
        best = max(overlap(c) for c in therapists)
        fitting = [c for c in therapists if overlap(c) >= 0.6 * best] or therapists
        if rng.random() < 0.15:
            fitting = therapists
        ranked = sorted(fitting, key=lambda c: (caseload[c.key], rng.random()))
        primary = ranked[0]
        caseload[primary.key] += 1
        second = min(
            (c for c in therapists if c is not primary and overlap(c) >= 0.5 * best),
            key=lambda c: (team_load[c.key], rng.random()),
            default=rng.choice([c for c in therapists if c is not primary]),
        )
        team_load[second.key] += 1
        last = None
        seen = [(d, h) for d, h in free if primary.works(d, time(h), time(h + 1))]
        if seen and rng.random() < 0.6:
            d, h = rng.choice(seen)
            last = LastSlot(d, time(h), primary.key)
        needs: frozenset[str] = frozenset()
        roll = rng.random()
        if roll < 0.03:
            needs = frozenset({Feature.PET_FRIENDLY})
        elif roll < 0.06:
            needs = frozenset({Feature.WHEELCHAIR})
        people.append(
            Participant(
                key=f"p{i + 1:03d}",
                name=_name(rng, names),
                primary=primary.key,
                care_team=(second.key, rng.choice(counselors).key, "c12"),
                track=cohort,
                unavailable=unavailable,
                preferred=_preferred(rng, track, free),
                needs=needs,
                telehealth=rng.random() < 0.12,
                last_slot=last,
                individual_per_week=2 if rng.random() < 0.04 else 1,
            )
        )

    family: list[FamilyRequest] = []
    for p in rng.sample(people, k=max(1, participants * 3 // 20)):
        members = tuple(
            FamilyMember(
                key=f"{p.key}-f{n}",
                name=f"{p.name.split()[0]}'s {rel}",
                available=(
                    ()
                    if rng.random() < 0.5
                    else _hours((0, 1, 2, 3, 4), time(17), time(21))
                    + _hours((5,), time(9), time(13))
                ),
            )
            for n, rel in enumerate(
                rng.sample(("mother", "father", "partner", "sister"), k=rng.randint(1, 2))
            )
        )
        family.append(
            FamilyRequest(f"{p.key}-family", p.key, members, telehealth=rng.random() < 0.2)
        )

    makeups: list[MakeUpRequest] = []
    for p in rng.sample(people, k=max(1, participants // 10)):
        track = next(t for t, k, _ in cohorts if k == p.track)
        lesson_n = rng.randint(1, 3)
        rot = -1 - track.offset + 10
        makeups.append(
            MakeUpRequest(
                key=f"{p.key}-makeup",
                participant=p.key,
                lesson=f"rotation week {rot}, lesson {lesson_n}",
                lesson_title=f"skills lesson {lesson_n} of rotation week {rot}",
            )
        )

    return Problem(
        week_start=WEEK,
        weeks=weeks,
        rules=Rules(
            individual=SessionRule(60, COUNSELING),
            family=SessionRule(60, FAMILY),
            makeup=SessionRule(30, COUNSELING),
        ),
        clinicians=tuple(
            Clinician(
                key=c.key,
                name=c.name,
                licences=c.licences,
                hours=c.hours,
                busy=tuple(c.busy),
                target_sessions=c.target,
                max_sessions=c.cap,
            )
            for c in clinicians
        ),
        rooms=tuple(
            Room(r.key, r.name, r.capacity, r.features, tuple(room_busy[k]))
            for k, r in rooms.items()
        ),
        groups=tuple(groups),
        participants=tuple(people),
        family_requests=tuple(family),
        makeup_requests=tuple(makeups),
    )
