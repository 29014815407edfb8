"""Continued-stay ratings: the six ASAM dimensions re-rated at each plan review.

The dimensions are rated 0-4 at intake (clinical.md §4: 1 intoxication/withdrawal, 2
biomedical, 3 emotional/behavioural/cognitive, 4 readiness to change, 5 relapse/continued use
potential, 6 recovery environment). At each plan review the clinician rates them again with the
previous ratings beside them; `continued_stay` gives each dimension's trend and says where the
ratings point to a step up or a step down, with every rule reported (what it looked at, what it
found, whether it fired) in the shape of intake's level-of-care rules.

The rules are intake's, with the same thresholds and defaults (`Thresholds` mirrors
`intake.levels.Thresholds` field for field, so a program's RuleSet feeds both), and two that
matter only once someone is in the program:

- dimension 1 rated at or above `withdrawal_rating` (3): assess for withdrawal management;
- every dimension at or below `outpatient_max_rating` (1) at the last `step_down_reviews` (2)
  ratings, and nothing pointing up: consider stepping down to weekly outpatient care.

The pure dimension rules (`severe_dimensions`, `count_at_or_above`, `all_within`) are written
once here so that intake can call them after the architecture refactor instead of keeping a
second copy. Ratings are the clinician's judgement; these rules flag a review, they decide
nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from openiop.substance_use.core.wording import format_day

# The same keys and labels as intake.models.ASAM_DIMENSIONS.
DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("asam_1", "1. Intoxication and withdrawal potential"),
    ("asam_2", "2. Biomedical conditions"),
    ("asam_3", "3. Emotional, behavioural or cognitive conditions"),
    ("asam_4", "4. Readiness to change"),
    ("asam_5", "5. Relapse or continued use potential"),
    ("asam_6", "6. Recovery environment"),
)


class CareLevel(StrEnum):
    """The same values as intake.models.CareLevel."""

    OUTPATIENT = "outpatient"
    IOP = "iop"
    PHP = "php"
    RESIDENTIAL = "residential"
    WITHDRAWAL = "withdrawal"


LEVEL_LABELS: dict[CareLevel, str] = {
    CareLevel.OUTPATIENT: "weekly outpatient care",
    CareLevel.IOP: "intensive outpatient care (IOP)",
    CareLevel.PHP: "partial hospitalization (PHP)",
    CareLevel.RESIDENTIAL: "residential or inpatient care",
    CareLevel.WITHDRAWAL: "medically managed withdrawal",
}

INTENSITY: dict[CareLevel, int] = {
    CareLevel.OUTPATIENT: 1,
    CareLevel.IOP: 2,
    CareLevel.PHP: 3,
    CareLevel.RESIDENTIAL: 4,
    CareLevel.WITHDRAWAL: 5,
}


class LevelsError(ValueError):
    """Ratings that cannot be read; the message says why."""


@dataclass(frozen=True)
class Thresholds:
    # intake.levels.Thresholds, same names and defaults:
    iop_min_hours: Decimal = Decimal("9.0")
    php_min_hours: Decimal = Decimal("20.0")
    refer_up_cssrs_tiers: tuple[str, ...] = ("high",)
    residential_rating: int = 4
    php_rating: int = 3
    php_dimension_count: int = 2
    outpatient_max_rating: int = 1
    # continued stay only:
    withdrawal_rating: int = 3
    step_down_reviews: int = 2
    worsened_by: int = 2  # a dimension this much higher than last time is named for review

    def __post_init__(self) -> None:
        for name in ("residential_rating", "php_rating", "outpatient_max_rating"):
            if not 0 <= getattr(self, name) <= 4:
                raise LevelsError(f"{name.replace('_', ' ')} is a rating from 0 to 4.")
        if not 1 <= self.withdrawal_rating <= 4:
            raise LevelsError("The withdrawal rating is from 1 to 4.")
        if self.php_rating > self.residential_rating:
            raise LevelsError("The PHP rating cannot be above the residential rating.")
        if self.step_down_reviews < 1 or self.worsened_by < 1 or self.php_dimension_count < 1:
            raise LevelsError("Counts of reviews, points and dimensions are at least 1.")


@dataclass(frozen=True)
class Ratings:
    """One rating of the six dimensions (None: not rated this time)."""

    on: date
    dimensions: tuple[int | None, ...]

    def __post_init__(self) -> None:
        if len(self.dimensions) != len(DIMENSIONS):
            raise LevelsError(f"Rate the {len(DIMENSIONS)} dimensions (None for one not rated).")
        for (_, label), rating in zip(DIMENSIONS, self.dimensions, strict=True):
            if rating is not None and not (isinstance(rating, int) and 0 <= rating <= 4):
                raise LevelsError(f"{label}: a rating is a whole number from 0 to 4.")


@dataclass(frozen=True)
class Signals:
    """What else the review knows, as intake's Inputs carries it."""

    cssrs_tier: str = ""
    cssrs_source: str = "entered"
    withdrawal_needs_medical: bool = False
    daily_medical_oversight: bool = False
    able_to_take_part: bool = True
    hours_needed: Decimal | None = None


# --- the dimension rules intake and continued stay share ---------------------------------------


def severe_dimensions(dimensions: Sequence[int | None], at_least: int) -> list[str]:
    """Labels of the dimensions rated `at_least` or higher."""
    return [
        label
        for (_, label), rating in zip(DIMENSIONS, dimensions, strict=True)
        if rating is not None and rating >= at_least
    ]


def count_at_or_above(dimensions: Sequence[int | None], rating: int) -> int:
    return sum(1 for r in dimensions if r is not None and r >= rating)


def all_within(dimensions: Sequence[int | None], max_rating: int) -> bool:
    """Every dimension rated, and each at or below `max_rating`."""
    return all(r is not None and r <= max_rating for r in dimensions)


def dims_text(dimensions: Sequence[int | None]) -> str:
    return ", ".join(f"D{i}={'—' if r is None else r}" for i, r in enumerate(dimensions, start=1))


# --- trends --------------------------------------------------------------------------------


class Trend(StrEnum):
    IMPROVED = "improved"  # rated lower: less severe
    WORSE = "worse"  # rated higher: more severe
    UNCHANGED = "unchanged"
    FIRST = "first"  # no earlier rating
    NOT_RATED = "not_rated"


@dataclass(frozen=True)
class DimensionTrend:
    key: str
    label: str
    ratings: tuple[int | None, ...]  # oldest first, the current last
    previous: int | None
    current: int | None
    trend: Trend

    @property
    def change(self) -> int | None:
        if self.previous is None or self.current is None:
            return None
        return self.current - self.previous

    @property
    def words(self) -> str:
        if self.trend == Trend.NOT_RATED:
            return f"{self.label}: not rated this time"
        if self.trend == Trend.FIRST:
            return f"{self.label}: {self.current} (first rating)"
        shown = f"{self.label}: {self.previous} → {self.current}"
        return shown if self.trend == Trend.UNCHANGED else f"{shown}, {self.trend.value}"


def trends(history: Sequence[Ratings]) -> tuple[DimensionTrend, ...]:
    found = []
    for index, (key, label) in enumerate(DIMENSIONS):
        ratings = tuple(r.dimensions[index] for r in history)
        current = ratings[-1]
        earlier = [r for r in ratings[:-1] if r is not None]
        previous = earlier[-1] if earlier else None
        if current is None:
            trend = Trend.NOT_RATED
        elif previous is None:
            trend = Trend.FIRST
        elif current < previous:
            trend = Trend.IMPROVED
        elif current > previous:
            trend = Trend.WORSE
        else:
            trend = Trend.UNCHANGED
        found.append(DimensionTrend(key, label, ratings, previous, current, trend))
    return tuple(found)


# --- continued-stay review ---------------------------------------------------------------------


class Direction(StrEnum):
    UP = "up"
    DOWN = "down"
    REVIEW = "review"  # worth discussing, points to no level


@dataclass(frozen=True)
class Check:
    name: str
    inputs: str
    result: str
    fired: bool
    direction: Direction
    level: CareLevel | None = None


class Flag(StrEnum):
    STEP_UP = "step_up"
    STEP_DOWN = "step_down"
    NONE = "none"


@dataclass(frozen=True)
class ContinuedStayReview:
    on: date
    trends: tuple[DimensionTrend, ...]
    checks: tuple[Check, ...]
    flag: Flag
    points_to: CareLevel
    reasons: tuple[str, ...]  # the fired checks' findings for the flag
    to_discuss: tuple[str, ...]  # fired REVIEW checks

    @property
    def summary(self) -> str:
        if self.flag == Flag.STEP_UP:
            head = f"The ratings point to a step up, to {LEVEL_LABELS[self.points_to]}"
        elif self.flag == Flag.STEP_DOWN:
            head = f"The ratings point to a step down, to {LEVEL_LABELS[self.points_to]}"
        else:
            head = "The ratings support continued stay at the current level"
        parts = [head + (": " + "; ".join(self.reasons) if self.reasons else "") + "."]
        if self.to_discuss:
            parts.append("To discuss: " + "; ".join(self.to_discuss) + ".")
        return " ".join(parts)


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _up_checks(current: Ratings, signals: Signals, t: Thresholds) -> list[Check]:
    dims = current.dimensions
    d1 = dims[0]
    severe = severe_dimensions(dims, t.residential_rating)
    php_count = count_at_or_above(dims, t.php_rating)
    tier = signals.cssrs_tier
    cssrs_fired = bool(tier) and tier in t.refer_up_cssrs_tiers
    hours = signals.hours_needed
    return [
        Check(
            "Withdrawal needing medical management",
            f"withdrawal risk needs medical management: {_yes(signals.withdrawal_needs_medical)}",
            "refer to medically managed withdrawal"
            if signals.withdrawal_needs_medical
            else "not indicated",
            signals.withdrawal_needs_medical,
            Direction.UP,
            CareLevel.WITHDRAWAL,
        ),
        Check(
            f"Dimension 1 rated {t.withdrawal_rating} or higher",
            f"D1={'—' if d1 is None else d1}",
            f"dimension 1 (intoxication and withdrawal) rated {d1}: assess for withdrawal "
            "management"
            if d1 is not None and d1 >= t.withdrawal_rating
            else "below the withdrawal rating",
            d1 is not None and d1 >= t.withdrawal_rating,
            Direction.UP,
            CareLevel.WITHDRAWAL,
        ),
        Check(
            "C-SSRS risk tier",
            f"tier {tier or 'not recorded'} ({signals.cssrs_source}); refer-up tiers: "
            f"{', '.join(t.refer_up_cssrs_tiers) or 'none'}",
            f"C-SSRS {tier} risk: more support than outpatient care gives"
            if cssrs_fired
            else "below the refer-up tier",
            cssrs_fired,
            Direction.UP,
            CareLevel.RESIDENTIAL,
        ),
        Check(
            "Daily medical oversight",
            f"needs daily medical oversight: {_yes(signals.daily_medical_oversight)}",
            "needs a setting with daily medical care"
            if signals.daily_medical_oversight
            else "not needed",
            signals.daily_medical_oversight,
            Direction.UP,
            CareLevel.RESIDENTIAL,
        ),
        Check(
            "Able to take part",
            f"able to take part cognitively and emotionally: {_yes(signals.able_to_take_part)}",
            "cannot take part in an outpatient program now"
            if not signals.able_to_take_part
            else "can take part",
            not signals.able_to_take_part,
            Direction.UP,
            CareLevel.RESIDENTIAL,
        ),
        Check(
            f"Any dimension rated {t.residential_rating} or higher",
            dims_text(dims),
            f"rated {t.residential_rating} or higher: {'; '.join(severe)}"
            if severe
            else "none that severe",
            bool(severe),
            Direction.UP,
            CareLevel.RESIDENTIAL,
        ),
        Check(
            f"Needs {t.php_min_hours.normalize():f} or more hours a week",
            f"hours needed: {'not given' if hours is None else f'{hours.normalize():f} h/week'}",
            "more hours than an IOP gives"
            if hours is not None and hours >= t.php_min_hours
            else "within IOP hours or fewer",
            hours is not None and hours >= t.php_min_hours,
            Direction.UP,
            CareLevel.PHP,
        ),
        Check(
            f"{t.php_dimension_count} or more dimensions rated {t.php_rating} or higher",
            dims_text(dims),
            f"{php_count} dimensions rated {t.php_rating} or higher",
            php_count >= t.php_dimension_count,
            Direction.UP,
            CareLevel.PHP,
        ),
    ]


def continued_stay(
    history: Sequence[Ratings],
    *,
    signals: Signals = Signals(),
    thresholds: Thresholds = Thresholds(),
    current_level: CareLevel = CareLevel.IOP,
) -> ContinuedStayReview:
    """Review the ratings: `history` oldest first (intake, then each plan review), the last
    being today's re-rating."""
    if not history:
        raise LevelsError("Give at least the current ratings.")
    days = [r.on for r in history]
    if days != sorted(days) or len(set(days)) != len(days):
        raise LevelsError("Give the ratings oldest first, one per day.")
    t = thresholds
    current = history[-1]
    checks = _up_checks(current, signals, t)

    recent = history[-t.step_down_reviews :]
    enough = len(recent) == t.step_down_reviews
    within = enough and all(all_within(r.dimensions, t.outpatient_max_rating) for r in recent)
    up_fired = any(c.fired for c in checks)
    dates = ", ".join(format_day(r.on) for r in recent)
    if not enough:
        down_result = f"needs {t.step_down_reviews} ratings; {len(history)} so far"
    elif within and up_fired:
        down_result = "every dimension is low, but another rule points up"
    elif within:
        down_result = (
            f"every dimension at {t.outpatient_max_rating} or below at the last "
            f"{t.step_down_reviews} ratings ({dates}): consider stepping down"
        )
    else:
        down_result = f"not every dimension at {t.outpatient_max_rating} or below at {dates}"
    checks.append(
        Check(
            f"Every dimension at {t.outpatient_max_rating} or below, "
            f"{t.step_down_reviews} ratings running",
            "; ".join(f"{format_day(r.on)}: {dims_text(r.dimensions)}" for r in recent),
            down_result,
            within and not up_fired and current_level != CareLevel.OUTPATIENT,
            Direction.DOWN,
            CareLevel.OUTPATIENT,
        )
    )

    found_trends = trends(history)
    worse = [
        f"{tr.label} rose {tr.previous} → {tr.current}"
        for tr in found_trends
        if tr.change is not None and tr.change >= t.worsened_by
    ]
    checks.append(
        Check(
            f"A dimension {t.worsened_by} or more points higher than last time",
            "; ".join(tr.words for tr in found_trends),
            "; ".join(worse) if worse else "no such rise",
            bool(worse),
            Direction.REVIEW,
        )
    )

    up = [c for c in checks if c.fired and c.direction == Direction.UP and c.level is not None]
    level_up = max((c.level for c in up if c.level), key=INTENSITY.__getitem__, default=None)
    down = [c for c in checks if c.fired and c.direction == Direction.DOWN]
    if level_up is not None and INTENSITY[level_up] > INTENSITY[current_level]:
        flag, points_to, reasons = Flag.STEP_UP, level_up, [c.result for c in up]
    elif down:
        flag, points_to, reasons = Flag.STEP_DOWN, CareLevel.OUTPATIENT, [c.result for c in down]
    else:
        flag, points_to, reasons = Flag.NONE, current_level, []
    return ContinuedStayReview(
        on=current.on,
        trends=found_trends,
        checks=tuple(checks),
        flag=flag,
        points_to=points_to,
        reasons=tuple(reasons),
        to_discuss=tuple(c.result for c in checks if c.fired and c.direction == Direction.REVIEW),
    )
