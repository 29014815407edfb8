"""Small helpers that keep the package's sentences alike: dates, counts, lists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_day(day: date) -> str:
    """`5 Jan 2026`, the same whatever the server's locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def format_moment(moment: datetime, zone: tzinfo) -> str:
    """`5 Jan 2026 09:30` in the program's time zone."""
    local = moment.astimezone(zone)
    return f"{format_day(local.date())} {local:%H:%M}"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {many or word + 's'}"


def join_words(words: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if not words:
        return ""
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} and {words[-1]}"


def require_aware(moment: datetime, what: str) -> datetime:
    """Aware datetimes only (DESIGN.md: aware datetimes in UTC)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} needs a time zone (an aware datetime).")
    return moment
