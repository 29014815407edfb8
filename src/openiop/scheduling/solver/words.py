"""Small helpers that turn minutes and days into the words a director reads."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time, timedelta

from openiop.scheduling.solver.problem import WEEKDAYS

# Parts of the day as people say them; a free span belongs to each part it overlaps.
PARTS = (("morning", 0, 12 * 60), ("afternoon", 12 * 60, 17 * 60), ("evening", 17 * 60, 24 * 60))


def minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def clock(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def as_time(m: int) -> time:
    return time(m // 60, m % 60)


def day_label(week_start: date, day: int) -> str:
    """'Tue 3 Mar' for a day of the horizon."""
    d = week_start + timedelta(days=day)
    return f"{WEEKDAYS[d.weekday()][:3]} {d.day} {d.strftime('%b')}"


def or_list(items: Iterable[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    seq = list(dict.fromkeys(items))
    if len(seq) <= 1:
        return "".join(seq)
    return ", ".join(seq[:-1]) + " or " + seq[-1]


def and_list(items: Iterable[str]) -> str:
    seq = list(dict.fromkeys(items))
    if len(seq) <= 1:
        return "".join(seq)
    return ", ".join(seq[:-1]) + " and " + seq[-1]


def parts_of_day(start: int, end: int, at_least: int) -> list[str]:
    """The parts of the day in which [start, end) leaves at least `at_least` minutes."""
    return [
        name for name, lo, hi in PARTS if min(end, hi) - max(start, lo) >= min(at_least, hi - lo)
    ]


def describe_free(week_start: date, free: dict[int, list[tuple[int, int]]], need: int) -> str:
    """'Tue 3 Mar or Thu 5 Mar evening' from free spans per day: where a session of `need`
    minutes could go, by day and part of day; 'no time' when there is none."""
    by_parts: dict[tuple[str, ...], list[str]] = {}
    for day in sorted(free):
        found: set[str] = set()
        for start, end in free[day]:
            if end - start >= need:
                found |= set(parts_of_day(start, end, need))
        parts = [name for name, _, _ in PARTS if name in found]
        if parts:
            by_parts.setdefault(tuple(parts), []).append(day_label(week_start, day))
    if not by_parts:
        return "no time"
    return or_list(f"{or_list(days)} {and_list(parts)}" for parts, days in by_parts.items())
