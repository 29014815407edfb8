"""A program's testing policy and the weekly random draw.

**Policy.** Which specimen types the program collects (urine, oral fluid, breath), on which
weekdays it tests, and what share of the eligible participants a week's random draw selects.
Eligible: an active episode that is not on hold.

**The draw** selects participants with the operating system's cryptographic source
(`secrets.SystemRandom`). Nothing about it can be worked out in advance: there is no seed, the
draw takes no random source as an argument (a test or a caller cannot inject one), and nothing
is derived from the week, the schedule or the participants. Each person's chance is exactly the
policy's rate every week, whatever happened the week before (being tested last week does not
make this week safe), and each selection names a day drawn at random among the week's remaining
testing days, so knowing the schedule does not tell anyone when.

The number selected is the rate times the pool, rounded at random: with a 30% rate and 7 people
(2.1), 2 are selected with probability 0.9 and 3 with probability 0.1. Rounding that way keeps
every person's chance at exactly the rate, where always rounding down or to the nearest would
not (with 3 people and a 25% rate, rounding to the nearest selects one person, a 33% chance).

**The record** (`Draw`) says who drew, when, the rate, the pool's ids, who was left out and why,
who was selected for which day, and a SHA-256 digest over all of it and a 256-bit random nonce.
The digest can be shown when the draw is made (to staff, or posted) while the selections are
revealed day by day: anyone can later check that the revealed selections are the ones committed
to, and the nonce keeps the digest from giving the selection away (a pool of 20 has only 15,504
ways to choose 5, which could otherwise be tried one by one). `Draw.verify()` recomputes the
digest, so a stored draw whose selections were edited afterwards no longer verifies.

**No silent re-draw.** `draw()` refuses a week that already has a draw. A re-draw is a separate
act, `redraw()`, that needs a reason in words and makes a new record naming the digest of the
draw it replaces; both stay. The substance-use room will store them as:

    TestingDraw(organization, program, week_start, drawn_by, drawn_at, rate, pool, excluded,
                selected, nonce, digest, supersedes (FK to TestingDraw, null), reason)
    UniqueConstraint(program, week_start, condition=Q(supersedes__isnull=True))  # one draw a week
    UniqueConstraint(supersedes)                       # each draw is replaced at most once
    CheckConstraint(Q(supersedes__isnull=True) | ~Q(reason=""))  # a re-draw says why

written only by `testing_draw` (any clinician or director of the program) and `testing_redraw`
(the program director, who sees the earlier draw and its digest), each with an audit row and a
timeline event; rows are never updated or deleted (a PostgreSQL trigger refuses both, as for the
access log), so replacing a draw cannot go unseen. Participants are never shown the draw; staff
see the selections for today.
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import IntEnum, StrEnum
from fractions import Fraction

from openiop.substance_use.core.wording import format_day, require_aware

# The one source of randomness for draws. A module constant, not a parameter: nothing outside
# can seed it or replace it through the draw's arguments. SystemRandom reads os.urandom and
# ignores seed().
_SOURCE = secrets.SystemRandom()

RECORD_VERSION = 1
MIN_REASON_LENGTH = 10
# A week may be drawn from this many days before it starts until its last testing day.
DRAW_AHEAD_DAYS = 7


class SpecimenType(StrEnum):
    URINE = "urine"
    ORAL_FLUID = "oral_fluid"
    BREATH = "breath"


class Weekday(IntEnum):
    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


class DrawError(ValueError):
    """A policy or a draw that cannot be made; the message says why."""


class DrawExists(DrawError):
    """The week already has a draw; only an explicit, reasoned re-draw replaces it."""


def _rate(value: Fraction | Decimal | int | str) -> Fraction:
    text = str(value).strip()
    try:
        if text.endswith("%"):
            return Fraction(text[:-1].strip()) / 100
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise DrawError(f"{value!r} is not a rate (give 0.3, 3/10 or 30%).") from None


@dataclass(frozen=True)
class TestingPolicy:
    specimen_types: frozenset[SpecimenType]
    testing_days: frozenset[Weekday]
    # The share of eligible participants selected each week: 0.3, "3/10", "30%".
    weekly_rate: Fraction
    week_starts_on: Weekday = Weekday.MONDAY

    __test__ = False  # not a pytest class, whatever its name says

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekly_rate", _rate(self.weekly_rate))
        object.__setattr__(self, "specimen_types", frozenset(self.specimen_types))
        object.__setattr__(self, "testing_days", frozenset(self.testing_days))
        if not self.specimen_types:
            raise DrawError("Choose at least one specimen type.")
        if not self.testing_days:
            raise DrawError("Choose at least one testing day.")
        if not 0 < self.weekly_rate <= 1:
            raise DrawError("The weekly rate is more than 0% and at most 100%.")

    @property
    def rate_words(self) -> str:
        percent = self.weekly_rate * 100
        shown = str(percent.numerator) if percent.denominator == 1 else f"{float(percent):.1f}"
        return f"{shown}% of eligible participants a week"

    def week_of(self, day: date) -> date:
        """The first day of the policy's week that holds `day`."""
        return day - timedelta(days=(day.weekday() - self.week_starts_on) % 7)

    def testing_dates(self, week_start: date) -> tuple[date, ...]:
        days = (week_start + timedelta(days=i) for i in range(7))
        return tuple(d for d in days if d.weekday() in self.testing_days)


@dataclass(frozen=True)
class Candidate:
    """A participant of the program, as the draw needs to know them."""

    key: str  # the participant's public id
    episode_active: bool
    on_hold: bool = False


@dataclass(frozen=True)
class Exclusion:
    participant: str
    reason: str  # "on hold", "episode not active"


@dataclass(frozen=True)
class Selection:
    participant: str
    day: date


def eligible(candidates: Iterable[Candidate]) -> tuple[tuple[str, ...], tuple[Exclusion, ...]]:
    """The pool (sorted ids) and who was left out, with why."""
    pool: list[str] = []
    excluded: list[Exclusion] = []
    seen: set[str] = set()
    for candidate in candidates:
        if not candidate.key or candidate.key in seen:
            raise DrawError("Each candidate appears once, with its id.")
        seen.add(candidate.key)
        if not candidate.episode_active:
            excluded.append(Exclusion(candidate.key, "episode not active"))
        elif candidate.on_hold:
            excluded.append(Exclusion(candidate.key, "on hold"))
        else:
            pool.append(candidate.key)
    return tuple(sorted(pool)), tuple(sorted(excluded, key=lambda e: e.participant))


@dataclass(frozen=True)
class Draw:
    program: str
    week_start: date
    drawn_by: str
    drawn_at: datetime  # UTC
    rate: Fraction
    specimen_types: tuple[SpecimenType, ...]
    testing_dates: tuple[date, ...]  # the days selections were drawn among
    pool: tuple[str, ...]
    excluded: tuple[Exclusion, ...]
    selected: tuple[Selection, ...]
    nonce: str
    supersedes: str | None = None  # digest of the draw this one replaces
    reason: str = ""  # why it was drawn again
    digest: str = field(default="")

    def __post_init__(self) -> None:
        if not self.digest:
            object.__setattr__(self, "digest", self.compute_digest())

    def content(self) -> dict[str, object]:
        """Everything the digest covers, as plain JSON values."""
        return {
            "version": RECORD_VERSION,
            "program": self.program,
            "week_start": self.week_start.isoformat(),
            "drawn_by": self.drawn_by,
            "drawn_at": self.drawn_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "rate": f"{self.rate.numerator}/{self.rate.denominator}",
            "specimen_types": sorted(t.value for t in self.specimen_types),
            "testing_dates": [d.isoformat() for d in self.testing_dates],
            "pool": list(self.pool),
            "excluded": [[e.participant, e.reason] for e in self.excluded],
            "selected": [[s.participant, s.day.isoformat()] for s in self.selected],
            "nonce": self.nonce,
            "supersedes": self.supersedes,
            "reason": self.reason,
        }

    def compute_digest(self) -> str:
        canonical = json.dumps(self.content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def verify(self) -> bool:
        """Whether the record is the one that was drawn (its digest still matches)."""
        return secrets.compare_digest(self.digest, self.compute_digest())

    def selected_on(self, day: date) -> tuple[str, ...]:
        return tuple(s.participant for s in self.selected if s.day == day)

    @property
    def summary(self) -> str:
        words = f"Week of {format_day(self.week_start)}: {len(self.selected)} of {len(self.pool)}"
        words += " eligible participants selected"
        if self.supersedes:
            words += f"; re-drawn ({self.reason})"
        return words


def _count(rate: Fraction, pool_size: int) -> int:
    """rate x pool, rounded up with probability equal to the fraction left over."""
    exact = rate * pool_size
    whole = math.floor(exact)
    left = exact - whole
    if left and _SOURCE.randrange(left.denominator) < left.numerator:
        whole += 1
    return whole


def _make(
    *,
    policy: TestingPolicy,
    program: str,
    week_start: date,
    candidates: Iterable[Candidate],
    drawn_by: str,
    drawn_at: datetime,
    today: date,
    supersedes: str | None,
    reason: str,
) -> Draw:
    require_aware(drawn_at, "The draw's time")
    if not program or not drawn_by:
        raise DrawError("A draw names its program and who drew it.")
    if week_start != policy.week_of(week_start):
        raise DrawError(f"{format_day(week_start)} is not the first day of a testing week.")
    if today < week_start - timedelta(days=DRAW_AHEAD_DAYS):
        raise DrawError(
            f"The week of {format_day(week_start)} can be drawn from "
            f"{format_day(week_start - timedelta(days=DRAW_AHEAD_DAYS))}."
        )
    days = tuple(d for d in policy.testing_dates(week_start) if d >= today)
    if not days:
        raise DrawError(f"No testing day is left in the week of {format_day(week_start)}.")
    pool, excluded = eligible(candidates)
    chosen = _SOURCE.sample(pool, _count(policy.weekly_rate, len(pool)))
    selected = tuple(
        sorted(
            (Selection(participant, _SOURCE.choice(days)) for participant in chosen),
            key=lambda s: (s.day, s.participant),
        )
    )
    return Draw(
        program=program,
        week_start=week_start,
        drawn_by=drawn_by,
        drawn_at=drawn_at.astimezone(UTC),
        rate=policy.weekly_rate,
        specimen_types=tuple(sorted(policy.specimen_types)),
        testing_dates=days,
        pool=pool,
        excluded=excluded,
        selected=selected,
        nonce=secrets.token_hex(32),
        supersedes=supersedes,
        reason=reason,
    )


def draw(
    *,
    policy: TestingPolicy,
    program: str,
    week_start: date,
    candidates: Iterable[Candidate],
    drawn_by: str,
    drawn_at: datetime,
    today: date,
    existing: Collection[Draw],
) -> Draw:
    """The week's random draw. `today` is the program's local date (selections fall on the
    week's testing days from today on); `existing` holds the program's draws for that week,
    and any one of them makes this refuse: a week is drawn once, re-drawn only by `redraw`."""
    for earlier in existing:
        if earlier.program == program and earlier.week_start == week_start:
            raise DrawExists(
                f"The week of {format_day(week_start)} was already drawn "
                f"({earlier.drawn_at:%Y-%m-%d %H:%M} UTC). Drawing it again is a re-draw, "
                "made by the program director with a reason, and both draws are kept."
            )
    return _make(
        policy=policy,
        program=program,
        week_start=week_start,
        candidates=candidates,
        drawn_by=drawn_by,
        drawn_at=drawn_at,
        today=today,
        supersedes=None,
        reason="",
    )


def redraw(
    current: Draw,
    *,
    policy: TestingPolicy,
    candidates: Iterable[Candidate],
    drawn_by: str,
    drawn_at: datetime,
    today: date,
    reason: str,
    existing: Collection[Draw],
) -> Draw:
    """Draw `current`'s week again, for a reason given in words. The new record names the
    draw it replaces; `existing` (the week's draws) must not already hold a replacement."""
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON_LENGTH:
        raise DrawError(
            f"Say why the week is drawn again (at least {MIN_REASON_LENGTH} characters); "
            "the reason is kept with both draws."
        )
    if not current.verify():
        raise DrawError("The draw to replace does not verify against its digest.")
    if any(d.supersedes == current.digest for d in existing):
        raise DrawExists("That draw was already replaced; re-draw the latest one.")
    return _make(
        policy=policy,
        program=current.program,
        week_start=current.week_start,
        candidates=candidates,
        drawn_by=drawn_by,
        drawn_at=drawn_at,
        today=today,
        supersedes=current.digest,
        reason=reason,
    )


def current_draw(draws: Sequence[Draw]) -> Draw | None:
    """The week's draw in force: the last of the chain original → re-draw → re-draw. Raises
    DrawError if the records do not form one verified chain (an edited or missing record)."""
    if not draws:
        return None
    weeks = {(d.program, d.week_start) for d in draws}
    if len(weeks) != 1:
        raise DrawError("These draws are not of one program and week.")
    bad = [d for d in draws if not d.verify()]
    if bad:
        raise DrawError(f"{len(bad)} draw record(s) no longer match their digest.")
    originals = [d for d in draws if d.supersedes is None]
    if len(originals) != 1:
        raise DrawError("A week has exactly one original draw.")
    by_replaced = {d.supersedes: d for d in draws if d.supersedes is not None}
    if len(by_replaced) != len(draws) - 1:
        raise DrawError("A draw was replaced more than once.")
    latest = originals[0]
    seen = 1
    while latest.digest in by_replaced:
        latest = by_replaced[latest.digest]
        seen += 1
    if seen != len(draws):
        raise DrawError("A re-draw names a draw that is not in this week's records.")
    return latest
