"""The level-of-care recommendation: pure functions, no database.

Every rule is evaluated and reported (name, the inputs it looked at, what it found, whether it
fired), so the clinician sees why, rule by rule. The most intensive level any fired rule points
to wins. Sources: shared/reference/clinical.md §4 (signals that IOP is not enough; the seeds'
"who is IOP for"; ASAM dimensions rated 0-4) and §3 (IOP 9-19 h/week, PHP >= 20 h/week). The
thresholds are the program's RuleSet; a program's clinical lead signs them off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import time
from decimal import Decimal
from typing import Any

from openiop.intake.models import ASAM_DIMENSIONS, CareLevel, IopSignal

# From least to most intensive; the recommendation is the highest level any rule fired for.
INTENSITY: dict[str, int] = {
    CareLevel.OUTPATIENT: 1,
    CareLevel.IOP: 2,
    CareLevel.PHP: 3,
    CareLevel.RESIDENTIAL: 4,
    CareLevel.WITHDRAWAL: 5,
}

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Thresholds:
    iop_min_hours: Decimal = Decimal("9.0")
    php_min_hours: Decimal = Decimal("20.0")
    refer_up_cssrs_tiers: tuple[str, ...] = ("high",)
    residential_rating: int = 4
    php_rating: int = 3
    php_dimension_count: int = 2
    outpatient_max_rating: int = 1


@dataclass(frozen=True)
class Block:
    """A recurring time the person cannot attend."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class TrackTimes:
    key: str  # the track's public id
    name: str
    weekdays: tuple[int, ...]
    start: time
    end: time


@dataclass(frozen=True)
class Inputs:
    dimensions: tuple[int | None, ...] = (None,) * 6
    cssrs_tier: str = ""
    cssrs_source: str = "entered"  # "measures" when taken from a scored C-SSRS
    withdrawal_needs_medical: bool = False
    hours_needed: Decimal | None = None
    daily_medical_oversight: bool = False
    able_to_take_part: bool = True
    iop_signals: frozenset[str] = frozenset()
    unavailable: tuple[Block, ...] = ()


@dataclass(frozen=True)
class RuleResult:
    name: str
    inputs: str
    result: str
    fired: bool
    level: str = ""  # the level it points to when fired


@dataclass
class Recommendation:
    level: str
    track_key: str | None
    track_name: str | None
    rules: list[RuleResult] = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return str(CareLevel(self.level).label)

    def rules_json(self) -> list[dict[str, Any]]:
        return [asdict(rule) for rule in self.rules]


def _dims_text(dimensions: Sequence[int | None]) -> str:
    return ", ".join(f"D{i}={'—' if r is None else r}" for i, r in enumerate(dimensions, start=1))


def _num(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def _hours(value: Decimal | None) -> str:
    return "not given" if value is None else f"{_num(value)} h/week"


def rule_withdrawal(inputs: Inputs, t: Thresholds) -> RuleResult:
    fired = inputs.withdrawal_needs_medical
    return RuleResult(
        name="Withdrawal needing medical management",
        inputs=f"withdrawal risk needs medical management: {'yes' if fired else 'no'}",
        result="refer to medically managed withdrawal first" if fired else "not indicated",
        fired=fired,
        level=CareLevel.WITHDRAWAL,
    )


def rule_cssrs(inputs: Inputs, t: Thresholds) -> RuleResult:
    tier = inputs.cssrs_tier
    fired = bool(tier) and tier in t.refer_up_cssrs_tiers
    shown = tier or "not recorded"
    return RuleResult(
        name="C-SSRS risk tier",
        inputs=f"tier {shown} ({inputs.cssrs_source}); refer-up tiers: "
        f"{', '.join(t.refer_up_cssrs_tiers) or 'none'}",
        result="risk too high for outpatient care" if fired else "below the refer-up tier",
        fired=fired,
        level=CareLevel.RESIDENTIAL,
    )


def rule_medical_oversight(inputs: Inputs, t: Thresholds) -> RuleResult:
    fired = inputs.daily_medical_oversight
    return RuleResult(
        name="Daily medical oversight",
        inputs=f"needs daily medical oversight: {'yes' if fired else 'no'}",
        result="needs a setting with daily medical care" if fired else "not needed",
        fired=fired,
        level=CareLevel.RESIDENTIAL,
    )


def rule_able_to_take_part(inputs: Inputs, t: Thresholds) -> RuleResult:
    fired = not inputs.able_to_take_part
    return RuleResult(
        name="Able to take part",
        inputs=f"able to take part cognitively and emotionally: {'no' if fired else 'yes'}",
        result="cannot take part in an outpatient program now" if fired else "can take part",
        fired=fired,
        level=CareLevel.RESIDENTIAL,
    )


def rule_severe_dimension(inputs: Inputs, t: Thresholds) -> RuleResult:
    severe = [
        label
        for (_, label), rating in zip(ASAM_DIMENSIONS, inputs.dimensions, strict=True)
        if rating is not None and rating >= t.residential_rating
    ]
    return RuleResult(
        name=f"Any dimension rated {t.residential_rating} or higher",
        inputs=_dims_text(inputs.dimensions),
        result=f"severe: {'; '.join(severe)}" if severe else "none that severe",
        fired=bool(severe),
        level=CareLevel.RESIDENTIAL,
    )


def rule_php_hours(inputs: Inputs, t: Thresholds) -> RuleResult:
    hours = inputs.hours_needed
    fired = hours is not None and hours >= t.php_min_hours
    return RuleResult(
        name=f"Needs {_num(t.php_min_hours)} or more hours a week",
        inputs=f"hours needed: {_hours(hours)}",
        result="more hours than an IOP gives" if fired else "within IOP hours or fewer",
        fired=fired,
        level=CareLevel.PHP,
    )


def rule_php_dimensions(inputs: Inputs, t: Thresholds) -> RuleResult:
    count = sum(1 for r in inputs.dimensions if r is not None and r >= t.php_rating)
    fired = count >= t.php_dimension_count
    return RuleResult(
        name=f"{t.php_dimension_count} or more dimensions rated {t.php_rating} or higher",
        inputs=_dims_text(inputs.dimensions),
        result=f"{count} dimension(s) at {t.php_rating} or higher",
        fired=fired,
        level=CareLevel.PHP,
    )


def _iop_reasons(inputs: Inputs, t: Thresholds) -> list[str]:
    reasons = [str(IopSignal(s).label) for s in IopSignal.values if s in inputs.iop_signals]
    hours = inputs.hours_needed
    if hours is not None and t.iop_min_hours <= hours < t.php_min_hours:
        reasons.append(f"needs {_num(hours)} h/week")
    if any(r is not None and r > t.outpatient_max_rating for r in inputs.dimensions):
        reasons.append(f"a dimension rated above {t.outpatient_max_rating}")
    return reasons


def rule_iop_fit(inputs: Inputs, t: Thresholds) -> RuleResult:
    reasons = _iop_reasons(inputs, t)
    return RuleResult(
        name="Who IOP is for",
        inputs=f"signals: {len(inputs.iop_signals)}; hours needed: {_hours(inputs.hours_needed)}; "
        + _dims_text(inputs.dimensions),
        result="; ".join(reasons) if reasons else "no sign that weekly therapy is not enough",
        fired=bool(reasons),
        level=CareLevel.IOP,
    )


def rule_outpatient(inputs: Inputs, t: Thresholds) -> RuleResult:
    fired = not _iop_reasons(inputs, t)
    return RuleResult(
        name="Weekly outpatient is enough",
        inputs=f"no IOP signal, under {_num(t.iop_min_hours)} h/week, every dimension at or "
        f"below {t.outpatient_max_rating}",
        result="weekly outpatient therapy fits" if fired else "needs more than weekly therapy",
        fired=fired,
        level=CareLevel.OUTPATIENT,
    )


RULES = (
    rule_withdrawal,
    rule_cssrs,
    rule_medical_oversight,
    rule_able_to_take_part,
    rule_severe_dimension,
    rule_php_hours,
    rule_php_dimensions,
    rule_iop_fit,
    rule_outpatient,
)


def _overlaps(block: Block, track: TrackTimes) -> bool:
    return block.weekday in track.weekdays and block.start < track.end and track.start < block.end


def track_conflicts(track: TrackTimes, unavailable: Sequence[Block]) -> list[Block]:
    return [b for b in unavailable if _overlaps(b, track)]


def rule_track(
    inputs: Inputs, tracks: Sequence[TrackTimes]
) -> tuple[RuleResult, TrackTimes | None]:
    """Which IOP track fits the stated availability: the first (by start time) whose days and
    times meet none of the person's unavailable blocks."""
    notes: list[str] = []
    chosen: TrackTimes | None = None
    for track in tracks:
        clashes = track_conflicts(track, inputs.unavailable)
        if clashes:
            days = ", ".join(sorted({_DAYS[b.weekday] for b in clashes}, key=_DAYS.index))
            notes.append(f"{track.name}: conflicts on {days}")
        else:
            notes.append(f"{track.name}: fits")
            chosen = chosen or track
    return (
        RuleResult(
            name="Track that fits availability",
            inputs=f"{len(inputs.unavailable)} unavailable time(s); {len(tracks)} track(s)",
            result="; ".join(notes) if notes else "the program has no active tracks",
            fired=chosen is not None,
            level=CareLevel.IOP,
        ),
        chosen,
    )


def recommend(
    inputs: Inputs, thresholds: Thresholds, tracks: Sequence[TrackTimes] = ()
) -> Recommendation:
    results = [rule(inputs, thresholds) for rule in RULES]
    fired = [r for r in results if r.fired]
    # rule_iop_fit and rule_outpatient are complements, so at least one rule always fires.
    level = max(fired, key=lambda r: INTENSITY[r.level]).level
    track: TrackTimes | None = None
    if level == CareLevel.IOP:
        track_rule, track = rule_track(inputs, tracks)
        results.append(track_rule)
    return Recommendation(
        level=level,
        track_key=track.key if track else None,
        track_name=track.name if track else None,
        rules=results,
    )
