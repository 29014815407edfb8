"""Which track suits a new admission (or someone on the waitlist): every track ranked by fit,
rule by rule, like the level-of-care recommendation shows its rules.

The rules: a seat is free; the track meets on no day and at no time the person declared
unavailable; the start falls at a module boundary of the skills rotation, best at the start of
a mindfulness block, the natural entry point for rolling admission (shared/reference/clinical.md
§2); and the weekly hours the person would reach on the days they can come, with the weekly
individual session, are within the program's range (clinical.md §3: IOP 9-19 h a week).
A track with no seat or with a clash still shows, below the ones that fit, with its reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from openiop.scheduling.solver.problem import WEEKDAYS, Unavailable, WeeklyTime
from openiop.scheduling.solver.words import and_list, clock, minutes


@dataclass(frozen=True)
class Curriculum:
    """The program's skills rotation: blocks in order, repeating from `starts_on`."""

    blocks: tuple[tuple[str, int], ...]  # (module, weeks), e.g. ("mindfulness", 2)
    starts_on: date  # the Monday of the rotation's week 1
    entry_module: str = "mindfulness"

    @property
    def weeks(self) -> int:
        return sum(w for _, w in self.blocks)

    def position(self, on: date, offset_weeks: int = 0) -> tuple[int, int]:
        """(block index, week within the block from 1) of the week holding `on`."""
        week = ((on - self.starts_on).days // 7 + offset_weeks) % self.weeks
        for i, (_, length) in enumerate(self.blocks):
            if week < length:
                return i, week + 1
            week -= length
        raise AssertionError("unreachable: the week is within the rotation")

    def next_entry(self, on: date, offset_weeks: int = 0) -> date:
        """The Monday, from the week of `on`, on which an entry-module block starts."""
        monday = on - timedelta(days=on.weekday())
        for n in range(self.weeks + 1):
            day = monday + timedelta(weeks=n)
            block, week = self.position(day, offset_weeks)
            if week == 1 and self.blocks[block][0] == self.entry_module:
                return day
        return monday


@dataclass(frozen=True)
class TrackOption:
    key: str
    name: str
    weekdays: tuple[int, ...]
    start: time
    end: time
    seats: int
    enrolled: int = 0
    offset_weeks: int = 0  # where the track runs in the rotation relative to the program


@dataclass(frozen=True)
class Candidate:
    key: str
    name: str
    starts_on: date
    unavailable: tuple[Unavailable, ...] = ()
    preferred: tuple[WeeklyTime, ...] = ()


@dataclass(frozen=True)
class FitRule:
    name: str
    result: str  # what was found, in words
    points: int
    passed: bool


@dataclass(frozen=True)
class TrackFit:
    track: str
    name: str
    fits: bool  # a seat, and no clash with the person's unavailable times
    score: int
    weekly_minutes: int
    rules: tuple[FitRule, ...] = field(default_factory=tuple)

    @property
    def summary(self) -> str:
        return "; ".join(r.result for r in self.rules)


# Points of each rule. A clash or a full track rules a track out; the rest order the fits.
POINTS = {
    "entry_point": 30,
    "module_start": 20,
    "entry_second_week": 10,
    "hours_in_range": 25,
    "preferred": 10,
    "seat_margin": 5,
}


def _module(name: str) -> str:
    return name.replace("_", " ")


def _span(start: time, end: time) -> str:
    return f"{clock(minutes(start))} to {clock(minutes(end))}"


def _clashes(track: TrackOption, unavailable: Sequence[Unavailable]) -> list[Unavailable]:
    s, e = minutes(track.start), minutes(track.end)
    return [
        u
        for u in unavailable
        if u.weekday in track.weekdays and minutes(u.start) < e and s < minutes(u.end)
    ]


def _seats_rule(track: TrackOption) -> FitRule:
    left = track.seats - track.enrolled
    if left <= 0:
        return FitRule("Seats", f"full ({track.enrolled} of {track.seats}): waitlist", 0, False)
    margin = POINTS["seat_margin"] if left > 2 else 0
    return FitRule("Seats", f"{left} of {track.seats} seats free", margin, True)


def _availability_rule(track: TrackOption, person: Candidate) -> FitRule:
    clashes = _clashes(track, person.unavailable)
    if not clashes:
        return FitRule("Availability", "meets on no unavailable time", 0, True)
    parts = [
        f"{WEEKDAYS[u.weekday][:3]} ({u.reason} {_span(u.start, u.end)})"
        for u in sorted(clashes, key=lambda u: (u.weekday, u.start))
    ]
    return FitRule("Availability", f"clashes on {and_list(parts)}", 0, False)


def _curriculum_rule(track: TrackOption, person: Candidate, cur: Curriculum | None) -> FitRule:
    if cur is None or not cur.blocks:
        return FitRule("Curriculum", "no skills rotation configured", 0, True)
    block, week = cur.position(person.starts_on, track.offset_weeks)
    module, length = cur.blocks[block]
    if week == 1 and module == cur.entry_module:
        return FitRule(
            "Curriculum",
            f"starts at the beginning of {_module(module)}: the natural entry point",
            POINTS["entry_point"],
            True,
        )
    nxt = cur.next_entry(person.starts_on, track.offset_weeks)
    wait = (nxt - (person.starts_on - timedelta(days=person.starts_on.weekday()))).days // 7
    later = f"; next entry point {nxt.isoformat()} (in {wait} week{'s' * (wait != 1)})"
    if week == 1:
        return FitRule(
            "Curriculum",
            f"starts at the beginning of {_module(module)}{later}",
            POINTS["module_start"],
            True,
        )
    if module == cur.entry_module:
        return FitRule(
            "Curriculum",
            f"joins {_module(module)} in week {week} of {length}{later}",
            POINTS["entry_second_week"],
            True,
        )
    return FitRule(
        "Curriculum", f"joins {_module(module)} in week {week} of {length}{later}", 0, False
    )


def _hours_rule(
    track: TrackOption,
    person: Candidate,
    individual_minutes: int,
    weekly_min: int,
    weekly_max: int,
) -> tuple[FitRule, int]:
    clash_days = {u.weekday for u in _clashes(track, person.unavailable)}
    days = [d for d in track.weekdays if d not in clash_days]
    per_day = minutes(track.end) - minutes(track.start)
    total = per_day * len(days) + individual_minutes
    text = (
        f"{total / 60:g} h a week ({len(days)} group day{'s' * (len(days) != 1)} "
        f"and the individual session)"
    )
    if total < weekly_min:
        return FitRule(
            "Weekly hours", f"{text}: below the {weekly_min / 60:g} h minimum", 0, False
        ), total
    if total > weekly_max:
        return FitRule(
            "Weekly hours", f"{text}: above the {weekly_max / 60:g} h maximum", 0, False
        ), total
    return FitRule("Weekly hours", f"{text}: within range", POINTS["hours_in_range"], True), total


def _preferred_rule(track: TrackOption, person: Candidate) -> FitRule | None:
    if not person.preferred:
        return None
    s, e = minutes(track.start), minutes(track.end)
    matched = [
        d
        for d in track.weekdays
        if any(
            p.weekday == d and minutes(p.start) <= s and e <= minutes(p.end)
            for p in person.preferred
        )
    ]
    if len(matched) == len(track.weekdays):
        return FitRule(
            "Preferred times", "every group day at a preferred time", POINTS["preferred"], True
        )
    return FitRule(
        "Preferred times",
        f"{len(matched)} of {len(track.weekdays)} group days at a preferred time",
        0,
        False,
    )


def fit(
    track: TrackOption,
    person: Candidate,
    curriculum: Curriculum | None = None,
    *,
    individual_minutes: int = 60,
    weekly_minutes_min: int = 540,
    weekly_minutes_max: int = 1140,
) -> TrackFit:
    seats = _seats_rule(track)
    availability = _availability_rule(track, person)
    hours, total = _hours_rule(
        track, person, individual_minutes, weekly_minutes_min, weekly_minutes_max
    )
    rules = [seats, availability, _curriculum_rule(track, person, curriculum), hours]
    preferred = _preferred_rule(track, person)
    if preferred is not None:
        rules.append(preferred)
    return TrackFit(
        track=track.key,
        name=track.name,
        fits=seats.passed and availability.passed,
        score=sum(r.points for r in rules),
        weekly_minutes=total,
        rules=tuple(rules),
    )


def rank_tracks(
    person: Candidate,
    tracks: Sequence[TrackOption],
    curriculum: Curriculum | None = None,
    *,
    individual_minutes: int = 60,
    weekly_minutes_min: int = 540,
    weekly_minutes_max: int = 1140,
) -> list[TrackFit]:
    """Every track, best first: the ones that fit (seat, no clash) by score, then the rest."""
    fits = [
        fit(
            t,
            person,
            curriculum,
            individual_minutes=individual_minutes,
            weekly_minutes_min=weekly_minutes_min,
            weekly_minutes_max=weekly_minutes_max,
        )
        for t in tracks
    ]
    return sorted(fits, key=lambda f: (not f.fits, -f.score, f.name))


@dataclass(frozen=True)
class WaitlistPlacement:
    person: str
    track: str | None  # None: stays on the waitlist
    reason: str
    ranking: tuple[TrackFit, ...] = ()


def place_waitlist(
    people: Sequence[Candidate],
    tracks: Sequence[TrackOption],
    curriculum: Curriculum | None = None,
    *,
    individual_minutes: int = 60,
    weekly_minutes_min: int = 540,
    weekly_minutes_max: int = 1140,
) -> list[WaitlistPlacement]:
    """Seats to the waitlist in its order (first come, first offered): each person gets the
    best-fitting track that still has a seat; seats taken are not offered again."""
    enrolled = {t.key: t.enrolled for t in tracks}
    out: list[WaitlistPlacement] = []
    for person in people:
        current = [
            TrackOption(
                t.key, t.name, t.weekdays, t.start, t.end, t.seats, enrolled[t.key], t.offset_weeks
            )
            for t in tracks
        ]
        ranking = rank_tracks(
            person,
            current,
            curriculum,
            individual_minutes=individual_minutes,
            weekly_minutes_min=weekly_minutes_min,
            weekly_minutes_max=weekly_minutes_max,
        )
        best = next((f for f in ranking if f.fits), None)
        if best is None:
            clash_free = [f for f in ranking if f.rules[1].passed]
            why = (
                f"no seat in a track that fits; best when a seat opens: {clash_free[0].name}"
                if clash_free
                else "every track clashes with the person's unavailable times"
            )
            out.append(WaitlistPlacement(person.key, None, why, tuple(ranking)))
            continue
        enrolled[best.track] += 1
        out.append(WaitlistPlacement(person.key, best.track, best.summary, tuple(ranking)))
    return out
