"""One scoring engine for every instrument definition: pure functions, no database.

``score(instrument, answers)`` takes the answers in item order (``None`` for unanswered) and
returns a ScoreResult, or raises ScoringError saying what is wrong with the input. Everything
the engine decides on its own (a skipped question read as 0, a proration, a cutoff it could not
apply) is written into ``notes`` so that a clinician reading the result knows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from openiop.measures.definitions import SEXES, Band, Instrument, Item


class ScoringError(ValueError):
    """The answers cannot be scored; the message says why."""


@dataclass(frozen=True)
class SubscaleScore:
    score: int | float | None
    severity: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "severity": self.severity}


@dataclass(frozen=True)
class ScoreResult:
    instrument: str
    version: str
    total: int | float | None
    severity: str | None
    # Always holds critical_items, critical and positive_screen; risk_tier for a triage; and
    # each definition's own named flags (provisional_ptsd, dsm5_rule_met, ...).
    flags: Mapping[str, Any]
    subscales: Mapping[str, SubscaleScore]
    prorated: bool
    missing: tuple[str, ...]
    notes: tuple[str, ...]
    # The item sum before the multiplier or averaging (WHO-5 0-25, DASS-21 0-63, BSL-23 0-92).
    raw_total: int | float | None = None

    @property
    def critical(self) -> bool:
        return bool(self.flags.get("critical"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "version": self.version,
            "total": self.total,
            "raw_total": self.raw_total,
            "severity": self.severity,
            "flags": {
                key: list(value) if isinstance(value, tuple | list) else value
                for key, value in self.flags.items()
            },
            "subscales": {name: sub.as_dict() for name, sub in self.subscales.items()},
            "prorated": self.prorated,
            "missing": list(self.missing),
            "notes": list(self.notes),
        }


def _label(item: Item) -> str:
    return f"item {item.number} ({item.key})"


def _validate_answers(instrument: Instrument, answers: Sequence[int | None]) -> list[int | None]:
    if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
        raise ScoringError("Answers must be a list of whole numbers in item order.")
    expected = len(instrument.items)
    if len(answers) != expected:
        raise ScoringError(
            f"{instrument.code} has {expected} items; got {len(answers)} answer"
            f"{'' if len(answers) == 1 else 's'}."
        )
    checked: list[int | None] = []
    for item, value in zip(instrument.items, answers, strict=True):
        if value is None:
            checked.append(None)
            continue
        # bool is an int in Python; True is no answer to "how often".
        if type(value) is not int:
            raise ScoringError(f"{_label(item)}: {value!r} is not a whole number.")
        if value not in item.values:
            allowed = ", ".join(str(v) for v in sorted(item.values))
            raise ScoringError(f"{_label(item)}: {value} is out of range (allowed: {allowed}).")
        checked.append(value)
    return checked


def _apply_skips(
    instrument: Instrument, values: list[int | None], notes: list[str]
) -> list[int | None]:
    for rule in instrument.skips:
        applies = all(
            values[instrument.positions[key]] == want for key, want in rule.condition.items()
        )
        if not applies:
            continue
        for key in rule.skip:
            position = instrument.positions[key]
            if values[position] not in (None, 0):
                item = instrument.items[position]
                raise ScoringError(
                    f"{_label(item)} is not asked when "
                    + " and ".join(
                        f"item {instrument.item(k).number} is {v}"
                        for k, v in rule.condition.items()
                    )
                    + f" ({rule.note}); give it as 0."
                )
            values[position] = 0
        notes.append(f"not asked: {', '.join(rule.skip)} ({rule.note}); read as 0")
    return values


def _round_half_up(value: Fraction, decimals: int = 0) -> Fraction:
    scale = 10**decimals
    return Fraction(math.floor(value * scale + Fraction(1, 2)), scale)


def _as_number(value: Fraction, *, decimal: bool, decimals: int) -> int | float:
    if decimal:
        return float(_round_half_up(value, decimals))
    return int(_round_half_up(value))


def _band_for(bands: Sequence[Band], score: float, *, decimal: bool) -> str | None:
    if not bands:
        return None
    if decimal:
        # Lower bound inclusive: a score equal to a cut point belongs to the higher band.
        label = bands[0].label
        for band in bands:
            if score >= band.min:
                label = band.label
        return label
    for band in bands:
        if band.min <= score <= band.max:
            return band.label
    raise AssertionError(f"score {score} outside validated bands")  # pragma: no cover


def _group_sum(
    items: Sequence[Item], values: Sequence[int | None], *, prorate: bool
) -> tuple[Fraction, bool]:
    """Sum with reversed items turned round; prorated to the full item count if asked."""
    scored = [
        (item.min_value + item.max_value - v) if item.reverse else v
        for item, v in zip(items, values, strict=True)
        if v is not None
    ]
    total = Fraction(sum(scored))
    if prorate and len(scored) < len(items):
        return total * len(items) / len(scored), True
    return total, False


def score(
    instrument: Instrument, answers: Sequence[int | None], *, sex: str | None = None
) -> ScoreResult:
    """Score one response. Answers in item order; None for an unanswered item."""
    if sex is not None and sex not in SEXES:
        raise ScoringError(f"sex must be one of {', '.join(SEXES)} (or not given); got {sex!r}.")
    notes: list[str] = []
    values = _apply_skips(instrument, _validate_answers(instrument, answers), notes)
    if sex is not None and not instrument.uses_sex:
        notes.append(f"sex is not used by {instrument.code}; ignored")

    missing = [item for item, v in zip(instrument.items, values, strict=True) if v is None]
    prorate = False
    if missing:
        keys = ", ".join(item.key for item in missing)
        critical_missing = [item for item in missing if item.critical is not None]
        if critical_missing:
            raise ScoringError(
                f"{_label(critical_missing[0])} is a critical item and must be answered."
            )
        rule = instrument.missing_rule
        if rule.rule == "refuse":
            raise ScoringError(
                f"{instrument.code} is not scored with unanswered items ({keys}): "
                "its definition does not allow proration."
            )
        if len(missing) > rule.max_missing:
            raise ScoringError(
                f"{instrument.code} can be prorated with at most {rule.max_missing} unanswered "
                f"item{'' if rule.max_missing == 1 else 's'}; "
                f"{len(missing)} are unanswered ({keys})."
            )
        prorate = True
        answered = len(instrument.items) - len(missing)
        notes.append(f"prorated {answered} of {len(instrument.items)} answers (missing: {keys})")

    flags: dict[str, Any] = {
        "critical_items": [
            item.key
            for item, v in zip(instrument.items, values, strict=True)
            if item.critical is not None and v is not None and v >= item.critical.at_least
        ],
        "positive_screen": None,
    }
    for key in flags["critical_items"]:
        critical = instrument.item(key).critical
        assert critical is not None  # critical_items holds only items with a critical rule
        notes.append(f"critical item: {critical.reason}")

    total: int | float | None = None
    raw_total: int | float | None = None
    severity: str | None = None
    if instrument.method == "triage":
        tier = _triage_tier(instrument, values, notes)
        flags["risk_tier"] = tier
        critical_tiers = instrument.triage.critical_tiers if instrument.triage else ()
        flags["critical"] = bool(flags["critical_items"]) or tier in critical_tiers
    else:
        raw, _ = _group_sum(instrument.items, values, prorate=prorate)
        if instrument.method == "mean":
            answered = len(instrument.items) - len(missing)
            raw_total = int(sum(v for v in values if v is not None))
            total = _as_number(
                Fraction(raw_total, answered), decimal=True, decimals=instrument.decimals
            )
            notes.append(f"mean of {answered} answered items")
        else:
            raw_total = _as_number(raw, decimal=False, decimals=0)
            total = raw_total * instrument.multiplier
            if instrument.multiplier != 1:
                notes.append(f"raw sum {raw_total} x {instrument.multiplier}")
        severity = _band_for(instrument.bands, total, decimal=instrument.is_decimal)
        flags["critical"] = bool(flags["critical_items"])
        _screen_flags(instrument, total, raw_total, sex, flags, notes)
    if any(item.reverse for item in instrument.items):
        reversed_keys = ", ".join(item.key for item in instrument.items if item.reverse)
        notes.append(f"reverse-scored: {reversed_keys}")

    subscales = {
        sub.name: _subscale_score(instrument, sub.name, values, prorate=prorate)
        for sub in instrument.subscales
    }
    for cluster_rule in instrument.cluster_rules:
        short = []
        for name, needed in cluster_rule.min_items.items():
            sub = next(s for s in instrument.subscales if s.name == name)
            count = sum(
                1
                for key in sub.items
                if (v := values[instrument.positions[key]]) is not None
                and v >= cluster_rule.item_at_least
            )
            if count < needed:
                short.append(f"{name} has {count} of {needed} needed")
        flags[cluster_rule.flag] = not short
        if short:
            notes.append(f"{cluster_rule.flag}: not met ({'; '.join(short)})")
        else:
            notes.append(f"{cluster_rule.flag}: met")

    return ScoreResult(
        instrument=instrument.code,
        version=instrument.version,
        total=total,
        raw_total=raw_total,
        severity=severity,
        flags=flags,
        subscales=subscales,
        prorated=prorate,
        missing=tuple(item.key for item in missing),
        notes=tuple(notes),
    )


def _subscale_score(
    instrument: Instrument, name: str, values: Sequence[int | None], *, prorate: bool
) -> SubscaleScore:
    sub = next(s for s in instrument.subscales if s.name == name)
    positions = [instrument.positions[key] for key in sub.items]
    items = [instrument.items[p] for p in positions]
    raw, _ = _group_sum(items, [values[p] for p in positions], prorate=prorate)
    value = _as_number(raw, decimal=False, decimals=0) * sub.multiplier
    return SubscaleScore(score=value, severity=_band_for(sub.bands, value, decimal=False))


def _screen_flags(
    instrument: Instrument,
    total: int | float,
    raw_total: int | float,
    sex: str | None,
    flags: dict[str, Any],
    notes: list[str],
) -> None:
    for screen in instrument.screens:
        basis = raw_total if screen.basis == "raw" else total
        result: bool | None
        if screen.at_least is not None:
            result = basis >= screen.at_least
        elif screen.below is not None:
            result = basis < screen.below
        elif sex is not None:
            result = basis >= screen.at_least_by_sex[sex]
        else:
            # Without sex only the scores between the two cutoffs are undecided.
            lowest, highest = (
                min(screen.at_least_by_sex.values()),
                max(screen.at_least_by_sex.values()),
            )
            if basis >= highest:
                result = True
            elif basis < lowest:
                result = False
            else:
                result = None
                cutoffs = ", ".join(f"{s} {v}" for s, v in sorted(screen.at_least_by_sex.items()))
                notes.append(
                    f"{screen.flag} undecided: the cutoff depends on sex ({cutoffs}) and none "
                    "was given"
                )
        flags[screen.flag] = result
        if result is not None and screen.note:
            notes.append(f"{screen.flag}: {'yes' if result else 'no'}. {screen.note}")


def _triage_tier(instrument: Instrument, values: Sequence[int | None], notes: list[str]) -> str:
    assert instrument.triage is not None
    for tier in instrument.triage.tiers:
        for condition in tier.any_of:
            if all(values[instrument.positions[key]] == want for key, want in condition.items()):
                if not tier.verified:
                    notes.append(f"risk tier {tier.tier!r} follows a configurable, unverified rule")
                return tier.tier
    return instrument.triage.default
