"""The instrument library: versioned definitions loaded from JSON files and validated on load.

Each file in ``instruments/`` holds one version of one instrument and is named
``<code in lower case>_v<version>.json``. A file that breaks a rule (duplicate item keys, bands
with gaps, a subscale naming an item that does not exist, ...) stops the load with a
DefinitionError naming the file and the problem, so a bad definition can never score a response.
See docs/instruments.md for the fields.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal, cast

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"

ScoringMethod = Literal["sum", "mean", "triage"]
SEXES = ("female", "male")


class DefinitionError(ValueError):
    """An instrument definition file is malformed; the message names the file and the problem."""


class UnknownInstrument(LookupError):
    """No definition with that code (or version); the message lists what is known."""


@dataclass(frozen=True)
class Option:
    value: int
    label: str


@dataclass(frozen=True)
class CriticalRule:
    """An answer at or above ``at_least`` on this item is critical whatever the total."""

    at_least: int
    reason: str


@dataclass(frozen=True)
class Item:
    key: str
    number: int
    text: str
    options: tuple[Option, ...]
    loinc: str | None = None
    critical: CriticalRule | None = None
    reverse: bool = False

    # cached_property writes to the instance dict directly, so it works on frozen dataclasses;
    # scoring asks for these on every answer.
    @cached_property
    def values(self) -> frozenset[int]:
        return frozenset(option.value for option in self.options)

    @property
    def min_value(self) -> int:
        return min(self.values)

    @property
    def max_value(self) -> int:
        return max(self.values)

    @property
    def is_yes_no(self) -> bool:
        return sorted(self.values) == [0, 1]

    def label_for(self, value: int) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        raise KeyError(value)


@dataclass(frozen=True)
class Band:
    """A severity band. On whole-number scales min and max are both inclusive; on decimal
    scales (means) a band runs from min up to the next band's min, and the last includes max."""

    label: str
    min: float
    max: float


@dataclass(frozen=True)
class Subscale:
    name: str
    label: str
    items: tuple[str, ...]
    multiplier: int
    bands: tuple[Band, ...]
    score_range: tuple[int, int]


@dataclass(frozen=True)
class Screen:
    """A yes/no flag from a cutoff on the total (or on the raw sum before the multiplier)."""

    flag: str
    basis: Literal["total", "raw"]
    at_least: int | None
    below: int | None
    at_least_by_sex: Mapping[str, int]
    note: str
    verified: bool


@dataclass(frozen=True)
class ClusterRule:
    """Met when each named subscale has ``min_items`` items answered ``item_at_least`` or more."""

    flag: str
    item_at_least: int
    min_items: Mapping[str, int]
    source: str


@dataclass(frozen=True)
class SkipRule:
    """When every item in ``condition`` has the given answer, the ``skip`` items are not asked."""

    condition: Mapping[str, int]
    skip: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class TriageTier:
    tier: str
    # Any one of these conditions (all its item answers matching) puts the response in the tier.
    any_of: tuple[Mapping[str, int], ...]
    verified: bool
    source: str


@dataclass(frozen=True)
class Triage:
    tiers: tuple[TriageTier, ...]
    default: str
    critical_tiers: tuple[str, ...]


@dataclass(frozen=True)
class MissingRule:
    rule: Literal["refuse", "prorate"]
    max_missing: int
    note: str


@dataclass(frozen=True)
class Instrument:
    code: str
    version: str
    title: str
    source: str
    license: str
    items: tuple[Item, ...]
    method: ScoringMethod
    multiplier: int
    decimals: int
    missing_rule: MissingRule
    score_range: tuple[float, float] | None
    bands: tuple[Band, ...]
    subscales: tuple[Subscale, ...]
    screens: tuple[Screen, ...]
    cluster_rules: tuple[ClusterRule, ...]
    skips: tuple[SkipRule, ...]
    triage: Triage | None
    text_shipped: bool
    text_note: str
    instructions: str
    loinc_panel: str | None
    loinc_total: str | None
    higher_is_better: bool
    scoring_note: str = ""
    bands_source: str = ""
    # Reliable change (Jacobson & Truax): reliability and SD, each with where it came from.
    rci_reliability: float | None = None
    rci_reliability_source: str = ""
    rci_sd: float | None = None
    rci_sd_source: str = ""
    rci_verified: bool = False
    reliable_improvement_points: float | None = None
    recovery_cutoff: float | None = None
    thresholds_source: str = ""
    # In plain words, where no published reliable-change value exists (and what is used instead).
    rc_note: str = ""
    path: str = field(default="", compare=False)

    @cached_property
    def item_keys(self) -> tuple[str, ...]:
        return tuple(item.key for item in self.items)

    @cached_property
    def positions(self) -> dict[str, int]:
        """Item key -> index in the answers."""
        return {item.key: index for index, item in enumerate(self.items)}

    @property
    def band_labels(self) -> tuple[str, ...]:
        return tuple(band.label for band in self.bands)

    @property
    def is_decimal(self) -> bool:
        return self.method == "mean"

    @property
    def uses_sex(self) -> bool:
        return any(screen.at_least_by_sex for screen in self.screens)

    def item(self, key: str) -> Item:
        return self.items[self.positions[key]]

    def reliable_change_points(self) -> float | None:
        """The smallest change that is reliable: the published point threshold where the
        reference gives one, else 1.96 * sqrt(2) * SD * sqrt(1 - r) from the configured reliability
        and SD, else None (not configured)."""
        if self.reliable_improvement_points is not None:
            return self.reliable_improvement_points
        if self.rci_reliability is not None and self.rci_sd is not None:
            return 1.96 * math.sqrt(2) * self.rci_sd * math.sqrt(1 - self.rci_reliability)
        return None


# --- loading -------------------------------------------------------------------------------

_TOP_KEYS = {
    "code",
    "version",
    "title",
    "source",
    "license",
    "text_shipped",
    "text_note",
    "instructions",
    "loinc_panel",
    "loinc_total",
    "options",
    "items",
    "scoring",
    "bands",
    "bands_source",
    "subscales",
    "screens",
    "cluster_rules",
    "skips",
    "triage",
    "higher_is_better",
    "reliable_change",
}
_REQUIRED_KEYS = {"code", "version", "title", "source", "license", "text_shipped", "items"}
_ITEM_KEYS = {"key", "number", "text", "options", "loinc", "critical", "reverse"}
_SCORING_KEYS = {"method", "multiplier", "decimals", "missing", "note"}
_RC_KEYS = {
    "reliability",
    "reliability_source",
    "sd",
    "sd_source",
    "verified",
    "reliable_improvement_points",
    "recovery_cutoff",
    "thresholds_source",
    "note",
}


class _Problem(Exception):
    """Raised inside the parser; turned into a DefinitionError naming the file."""


def _check(condition: object, message: str) -> None:
    if not condition:
        raise _Problem(message)


def _no_unknown_keys(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    _check(not unknown, f"{where}: unknown field(s) {', '.join(unknown)}")


def _text(data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if value is None and not required:
        return ""
    _check(isinstance(value, str), f"{where}: {key!r} must be text")
    _check(not required or bool(value.strip()), f"{where}: {key!r} is required")
    return cast(str, value)


def _optional_code(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    _check(value is None or (isinstance(value, str) and value.strip() != ""), f"{where}: {key!r}")
    return cast("str | None", value)


def _whole(value: Any, where: str) -> int:
    _check(type(value) is int, f"{where} must be a whole number, got {value!r}")
    return cast(int, value)


def _number(value: Any, where: str) -> float:
    _check(
        type(value) in (int, float) and math.isfinite(value),
        f"{where} must be a number ({value!r})",
    )
    return cast(float, value)


def _options(raw: Any, where: str) -> tuple[Option, ...]:
    _check(isinstance(raw, list) and len(raw) >= 2, f"{where}: options need at least two choices")
    options = []
    for position, entry in enumerate(raw, 1):
        _check(isinstance(entry, dict), f"{where}: option {position} must be an object")
        _no_unknown_keys(entry, {"value", "label"}, f"{where}: option {position}")
        value = _whole(entry.get("value"), f"{where}: option {position} value")
        _check(value >= 0, f"{where}: option {position} value must not be negative")
        options.append(
            Option(value=value, label=_text(entry, "label", f"{where}: option {position}"))
        )
    values = [option.value for option in options]
    _check(len(set(values)) == len(values), f"{where}: option values repeat ({values})")
    # Sum scoring and reversal assume a run of whole numbers without gaps.
    _check(
        sorted(values) == list(range(min(values), max(values) + 1)),
        f"{where}: option values must run without gaps ({sorted(values)})",
    )
    return tuple(options)


def _items(data: Mapping[str, Any], text_shipped: bool) -> tuple[Item, ...]:
    raw_items = data["items"]
    _check(isinstance(raw_items, list) and raw_items, "'items' must be a non-empty list")
    default = data.get("options")
    default_options = _options(default, "'options'") if default is not None else None
    items: list[Item] = []
    for position, raw in enumerate(raw_items, 1):
        where = f"item {position}"
        _check(isinstance(raw, dict), f"{where} must be an object")
        key = _text(raw, "key", where)
        where = f"item {position} ({key})"
        _no_unknown_keys(raw, _ITEM_KEYS, where)
        number = _whole(raw.get("number"), f"{where}: number")
        _check(number == position, f"{where}: number is {number}, expected {position}")
        text = _text(raw, "text", where, required=False)
        if text_shipped:
            _check(bool(text.strip()), f"{where}: text is empty but text_shipped is true")
        else:
            _check(text == "", f"{where}: has text but text_shipped is false")
        if "options" in raw:
            options = _options(raw["options"], where)
        else:
            _check(default_options is not None, f"{where}: no options and no default 'options'")
            options = cast(tuple[Option, ...], default_options)
        critical = None
        if raw.get("critical") is not None:
            rule = raw["critical"]
            _check(isinstance(rule, dict), f"{where}: critical must be an object")
            _no_unknown_keys(rule, {"at_least", "reason"}, f"{where}: critical")
            at_least = _whole(rule.get("at_least"), f"{where}: critical at_least")
            values = [option.value for option in options]
            _check(
                min(values) < at_least <= max(values),
                f"{where}: critical at_least {at_least} is outside the options {values}",
            )
            critical = CriticalRule(at_least=at_least, reason=_text(rule, "reason", where))
        reverse = raw.get("reverse", False)
        _check(isinstance(reverse, bool), f"{where}: reverse must be true or false")
        items.append(
            Item(
                key=key,
                number=number,
                text=text,
                options=options,
                loinc=_optional_code(raw, "loinc", where),
                critical=critical,
                reverse=reverse,
            )
        )
    keys = [item.key for item in items]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    _check(not duplicates, f"item keys repeat: {', '.join(duplicates)}")
    return tuple(items)


def _bands(
    raw: Any, score_range: tuple[float, float], *, decimal: bool, where: str
) -> tuple[Band, ...]:
    _check(isinstance(raw, list), f"{where}: bands must be a list")
    if not raw:
        return ()
    bands = []
    for position, entry in enumerate(raw, 1):
        _check(isinstance(entry, dict), f"{where}: band {position} must be an object")
        _no_unknown_keys(entry, {"min", "max", "label"}, f"{where}: band {position}")
        parse = _number if decimal else _whole
        low = parse(entry.get("min"), f"{where}: band {position} min")
        high = parse(entry.get("max"), f"{where}: band {position} max")
        label = _text(entry, "label", f"{where}: band {position}")
        _check(low <= high, f"{where}: band {label!r} runs backwards ({low} to {high})")
        bands.append(Band(label=label, min=low, max=high))
    labels = [band.label for band in bands]
    _check(len(set(labels)) == len(labels), f"{where}: band labels repeat")
    _check(
        bands[0].min == score_range[0],
        f"{where}: first band starts at {bands[0].min}, the score range at {score_range[0]}",
    )
    _check(
        bands[-1].max == score_range[1],
        f"{where}: last band ends at {bands[-1].max}, the score range at {score_range[1]}",
    )
    for before, after in itertools.pairwise(bands):
        expected = before.max if decimal else before.max + 1
        _check(
            after.min == expected,
            f"{where}: bands {before.label!r} and {after.label!r} are not contiguous "
            f"({before.min} to {before.max}, then {after.min} to {after.max})",
        )
    return tuple(bands)


def _range_of(items: tuple[Item, ...], method: str, multiplier: int) -> tuple[float, float] | None:
    if method == "triage":
        return None
    if method == "mean":
        return (min(i.min_value for i in items), max(i.max_value for i in items))
    return (
        sum(i.min_value for i in items) * multiplier,
        sum(i.max_value for i in items) * multiplier,
    )


def _item_map(raw: Any, keys: tuple[str, ...], where: str) -> dict[str, int]:
    _check(isinstance(raw, dict) and raw, f"{where} must name at least one item")
    for key, value in raw.items():
        _check(key in keys, f"{where}: no item {key!r}")
        _whole(value, f"{where}: {key}")
    return dict(raw)


def _parse(data: Any) -> Instrument:
    _check(isinstance(data, dict), "the file must hold one JSON object")
    _no_unknown_keys(data, _TOP_KEYS, "definition")
    missing = sorted(_REQUIRED_KEYS - set(data))
    _check(not missing, f"missing field(s) {', '.join(missing)}")
    code = _text(data, "code", "definition")
    version = _text(data, "version", "definition")
    _check(
        all(part.isdigit() for part in version.split(".")),
        f"version {version!r} must be numbers separated by dots, e.g. 1.0",
    )
    text_shipped = data["text_shipped"]
    _check(isinstance(text_shipped, bool), "text_shipped must be true or false")
    text_note = _text(data, "text_note", "definition", required=False)
    _check(text_shipped or bool(text_note), "text_note must say why item text is not shipped")
    items = _items(data, text_shipped)

    scoring = data.get("scoring", {})
    _check(isinstance(scoring, dict), "'scoring' must be an object")
    _no_unknown_keys(scoring, _SCORING_KEYS, "scoring")
    method = scoring.get("method", "sum")
    _check(
        method in ("sum", "mean", "triage"), f"scoring method {method!r} is not sum, mean or triage"
    )
    multiplier = _whole(scoring.get("multiplier", 1), "scoring multiplier")
    _check(multiplier >= 1, "scoring multiplier must be 1 or more")
    decimals = _whole(scoring.get("decimals", 2), "scoring decimals")
    _check(0 <= decimals <= 4, "scoring decimals must be 0 to 4")
    missing_raw = scoring.get("missing", {"rule": "refuse"})
    _check(isinstance(missing_raw, dict), "scoring missing must be an object")
    _no_unknown_keys(missing_raw, {"rule", "max_missing", "note"}, "scoring missing")
    rule = missing_raw.get("rule")
    _check(rule in ("refuse", "prorate"), f"missing rule {rule!r} is not refuse or prorate")
    max_missing = _whole(missing_raw.get("max_missing", 0), "missing max_missing")
    if rule == "prorate":
        _check(method != "triage", "a triage cannot be prorated")
        _check(
            1 <= max_missing < len(items),
            f"prorate needs max_missing between 1 and {len(items) - 1}",
        )
    else:
        _check(max_missing == 0, "max_missing only applies to the prorate rule")
    missing_rule = MissingRule(
        rule=cast(Literal["refuse", "prorate"], rule),
        max_missing=max_missing,
        note=_text(missing_raw, "note", "scoring missing", required=False),
    )
    score_range = _range_of(items, method, multiplier)
    decimal = method == "mean"

    bands: tuple[Band, ...] = ()
    if data.get("bands"):
        _check(score_range is not None, "a triage has tiers, not bands")
        bands = _bands(
            data["bands"], cast(tuple[float, float], score_range), decimal=decimal, where="bands"
        )

    subscales = _subscales(data.get("subscales", []), items)
    screens = _screens(data.get("screens", []), score_range)
    cluster_rules = _cluster_rules(data.get("cluster_rules", []), subscales)
    skips = _skips(data.get("skips", []), items)
    triage = _triage(data.get("triage"), items)
    _check((method == "triage") == (triage is not None), "method triage and a 'triage' go together")
    reverse_items = [item for item in items if item.reverse]
    _check(method != "triage" or not reverse_items, "a triage has no reversed items")

    higher_is_better = data.get("higher_is_better", False)
    _check(isinstance(higher_is_better, bool), "higher_is_better must be true or false")
    rc = _reliable_change(data.get("reliable_change"))
    return Instrument(
        code=code,
        version=version,
        title=_text(data, "title", "definition"),
        source=_text(data, "source", "definition"),
        license=_text(data, "license", "definition"),
        items=items,
        method=cast(ScoringMethod, method),
        multiplier=multiplier,
        decimals=decimals,
        missing_rule=missing_rule,
        score_range=score_range,
        bands=bands,
        subscales=subscales,
        screens=screens,
        cluster_rules=cluster_rules,
        skips=skips,
        triage=triage,
        text_shipped=text_shipped,
        text_note=text_note,
        instructions=_text(data, "instructions", "definition", required=False),
        loinc_panel=_optional_code(data, "loinc_panel", "definition"),
        loinc_total=_optional_code(data, "loinc_total", "definition"),
        higher_is_better=higher_is_better,
        scoring_note=_text(scoring, "note", "scoring", required=False),
        bands_source=_text(data, "bands_source", "definition", required=False),
        **rc,
    )


def _subscales(raw: Any, items: tuple[Item, ...]) -> tuple[Subscale, ...]:
    _check(isinstance(raw, list), "'subscales' must be a list")
    keys = tuple(item.key for item in items)
    subscales = []
    for position, entry in enumerate(raw, 1):
        where = f"subscale {position}"
        _check(isinstance(entry, dict), f"{where} must be an object")
        _no_unknown_keys(entry, {"name", "label", "items", "multiplier", "bands"}, where)
        name = _text(entry, "name", where)
        where = f"subscale {name!r}"
        members = entry.get("items")
        _check(isinstance(members, list) and members, f"{where}: items must be a non-empty list")
        for key in members:
            _check(key in keys, f"{where}: no item {key!r}")
        _check(len(set(members)) == len(members), f"{where}: items repeat")
        multiplier = _whole(entry.get("multiplier", 1), f"{where}: multiplier")
        _check(multiplier >= 1, f"{where}: multiplier must be 1 or more")
        member_items = tuple(item for item in items if item.key in members)
        low = sum(i.min_value for i in member_items) * multiplier
        high = sum(i.max_value for i in member_items) * multiplier
        bands = _bands(entry.get("bands", []), (low, high), decimal=False, where=where)
        subscales.append(
            Subscale(
                name=name,
                label=_text(entry, "label", where, required=False) or name,
                items=tuple(members),
                multiplier=multiplier,
                bands=bands,
                score_range=(low, high),
            )
        )
    names = [s.name for s in subscales]
    _check(len(set(names)) == len(names), "subscale names repeat")
    return tuple(subscales)


def _screens(raw: Any, score_range: tuple[float, float] | None) -> tuple[Screen, ...]:
    _check(isinstance(raw, list), "'screens' must be a list")
    screens = []
    for position, entry in enumerate(raw, 1):
        where = f"screen {position}"
        _check(score_range is not None, f"{where}: a triage has no cutoff screens")
        _check(isinstance(entry, dict), f"{where} must be an object")
        _no_unknown_keys(
            entry,
            {"flag", "basis", "at_least", "below", "at_least_by_sex", "note", "verified"},
            where,
        )
        flag = _text(entry, "flag", where)
        basis = entry.get("basis", "total")
        _check(basis in ("total", "raw"), f"{where}: basis must be total or raw")
        at_least = entry.get("at_least")
        below = entry.get("below")
        by_sex = entry.get("at_least_by_sex") or {}
        _check(
            sum(x is not None and x != {} for x in (at_least, below, by_sex)) == 1,
            f"{where}: give exactly one of at_least, below, at_least_by_sex",
        )
        if at_least is not None:
            _whole(at_least, f"{where}: at_least")
        if below is not None:
            _whole(below, f"{where}: below")
        if by_sex:
            _check(
                isinstance(by_sex, dict) and sorted(by_sex) == sorted(SEXES),
                f"{where}: at_least_by_sex needs exactly {', '.join(SEXES)}",
            )
            for value in by_sex.values():
                _whole(value, f"{where}: at_least_by_sex")
        verified = entry.get("verified", False)
        _check(isinstance(verified, bool), f"{where}: verified must be true or false")
        screens.append(
            Screen(
                flag=flag,
                basis=basis,
                at_least=at_least,
                below=below,
                at_least_by_sex=dict(by_sex),
                note=_text(entry, "note", where, required=False),
                verified=verified,
            )
        )
    flags = [s.flag for s in screens]
    _check(len(set(flags)) == len(flags), "screen flags repeat")
    return tuple(screens)


def _cluster_rules(raw: Any, subscales: tuple[Subscale, ...]) -> tuple[ClusterRule, ...]:
    _check(isinstance(raw, list), "'cluster_rules' must be a list")
    by_name = {s.name: s for s in subscales}
    rules = []
    for position, entry in enumerate(raw, 1):
        where = f"cluster rule {position}"
        _check(isinstance(entry, dict), f"{where} must be an object")
        _no_unknown_keys(entry, {"flag", "item_at_least", "min_items", "source"}, where)
        min_items = entry.get("min_items")
        _check(isinstance(min_items, dict) and min_items, f"{where}: min_items must name subscales")
        for name, count in min_items.items():
            _check(name in by_name, f"{where}: no subscale {name!r}")
            _whole(count, f"{where}: min_items {name}")
            _check(
                1 <= count <= len(by_name[name].items),
                f"{where}: subscale {name!r} has {len(by_name[name].items)} items, needs {count}",
            )
        rules.append(
            ClusterRule(
                flag=_text(entry, "flag", where),
                item_at_least=_whole(entry.get("item_at_least"), f"{where}: item_at_least"),
                min_items=dict(min_items),
                source=_text(entry, "source", where, required=False),
            )
        )
    return tuple(rules)


def _skips(raw: Any, items: tuple[Item, ...]) -> tuple[SkipRule, ...]:
    _check(isinstance(raw, list), "'skips' must be a list")
    keys = tuple(item.key for item in items)
    rules = []
    for position, entry in enumerate(raw, 1):
        where = f"skip {position}"
        _check(isinstance(entry, dict), f"{where} must be an object")
        _no_unknown_keys(entry, {"if", "skip", "note"}, where)
        condition = _item_map(entry.get("if"), keys, f"{where}: if")
        skipped = entry.get("skip")
        _check(isinstance(skipped, list) and skipped, f"{where}: skip must list items")
        for key in skipped:
            _check(key in keys, f"{where}: no item {key!r}")
            _check(key not in condition, f"{where}: {key!r} cannot skip itself")
            _check(0 in items[keys.index(key)].values, f"{where}: {key!r} has no 0 answer")
        rules.append(
            SkipRule(
                condition=condition,
                skip=tuple(skipped),
                note=_text(entry, "note", where, required=False),
            )
        )
    return tuple(rules)


def _triage(raw: Any, items: tuple[Item, ...]) -> Triage | None:
    if raw is None:
        return None
    _check(isinstance(raw, dict), "'triage' must be an object")
    _no_unknown_keys(raw, {"tiers", "default", "critical_tiers"}, "triage")
    keys = tuple(item.key for item in items)
    tiers = []
    for position, entry in enumerate(raw.get("tiers") or [], 1):
        where = f"triage tier {position}"
        _check(isinstance(entry, dict), f"{where} must be an object")
        _no_unknown_keys(entry, {"tier", "any_of", "verified", "source"}, where)
        any_of = entry.get("any_of")
        _check(isinstance(any_of, list) and any_of, f"{where}: any_of must list conditions")
        conditions = tuple(_item_map(c, keys, f"{where}: condition") for c in any_of)
        for condition in conditions:
            for key, value in condition.items():
                _check(
                    value in items[keys.index(key)].values, f"{where}: {key}={value} is no option"
                )
        verified = entry.get("verified", False)
        _check(isinstance(verified, bool), f"{where}: verified must be true or false")
        tiers.append(
            TriageTier(
                tier=_text(entry, "tier", where),
                any_of=conditions,
                verified=verified,
                source=_text(entry, "source", where),
            )
        )
    _check(bool(tiers), "triage needs at least one tier")
    default = _text(raw, "default", "triage")
    names = [t.tier for t in tiers] + [default]
    _check(len(set(names)) == len(names), "triage tier names repeat")
    critical = raw.get("critical_tiers", [])
    _check(isinstance(critical, list), "triage critical_tiers must be a list")
    for name in critical:
        _check(name in names, f"triage critical tier {name!r} is not a tier")
    return Triage(tiers=tuple(tiers), default=default, critical_tiers=tuple(critical))


def _reliable_change(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    _check(isinstance(raw, dict), "'reliable_change' must be an object")
    _no_unknown_keys(raw, _RC_KEYS, "reliable_change")
    where = "reliable_change"
    reliability = raw.get("reliability")
    if reliability is not None:
        reliability = _number(reliability, f"{where}: reliability")
        _check(0 < reliability < 1, f"{where}: reliability must be between 0 and 1")
        _check(bool(raw.get("reliability_source")), f"{where}: reliability needs its source")
    sd = raw.get("sd")
    if sd is not None:
        sd = _number(sd, f"{where}: sd")
        _check(sd > 0, f"{where}: sd must be positive")
        _check(bool(raw.get("sd_source")), f"{where}: sd needs its source")
    points = raw.get("reliable_improvement_points")
    cutoff = raw.get("recovery_cutoff")
    if points is not None:
        _check(_number(points, f"{where}: reliable_improvement_points") > 0, f"{where}: points > 0")
    if cutoff is not None:
        _number(cutoff, f"{where}: recovery_cutoff")
    if points is not None or cutoff is not None:
        _check(bool(raw.get("thresholds_source")), f"{where}: thresholds need their source")
    verified = raw.get("verified", False)
    _check(isinstance(verified, bool), f"{where}: verified must be true or false")
    return {
        "rci_reliability": reliability,
        "rci_reliability_source": _text(raw, "reliability_source", where, required=False),
        "rci_sd": sd,
        "rci_sd_source": _text(raw, "sd_source", where, required=False),
        "rci_verified": verified,
        "reliable_improvement_points": points,
        "recovery_cutoff": cutoff,
        "thresholds_source": _text(raw, "thresholds_source", where, required=False),
        "rc_note": _text(raw, "note", where, required=False),
    }


def file_name_for(code: str, version: str) -> str:
    return f"{code.lower()}_v{version}.json"


def load_file(path: Path) -> Instrument:
    """Parse and validate one definition file; any problem raises DefinitionError naming it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"{path.name}: cannot be read ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise DefinitionError(f"{path.name}: not valid JSON ({exc})") from exc
    try:
        instrument = _parse(data)
        expected = file_name_for(instrument.code, instrument.version)
        _check(path.name == expected, f"file name should be {expected}")
    except _Problem as exc:
        raise DefinitionError(f"{path.name}: {exc}") from None
    return _with_path(instrument, str(path))


def _with_path(instrument: Instrument, path: str) -> Instrument:
    return replace(instrument, path=path)


def load_directory(directory: Path) -> dict[tuple[str, str], Instrument]:
    """Every version of every instrument in ``directory``, keyed by (code, version)."""
    found: dict[tuple[str, str], Instrument] = {}
    for path in sorted(directory.glob("*.json")):
        instrument = load_file(path)
        found[(instrument.code, instrument.version)] = instrument
    if not found:
        raise DefinitionError(f"{directory}: no instrument definitions found")
    return found


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def latest_versions(all_versions: Mapping[tuple[str, str], Instrument]) -> dict[str, Instrument]:
    latest: dict[str, Instrument] = {}
    for (code, version), instrument in all_versions.items():
        current = latest.get(code)
        if current is None or _version_key(version) > _version_key(current.version):
            latest[code] = instrument
    return dict(sorted(latest.items()))


@cache
def load_all_versions() -> dict[tuple[str, str], Instrument]:
    return load_directory(INSTRUMENTS_DIR)


@cache
def load_instruments() -> dict[str, Instrument]:
    """The newest version of each shipped instrument, keyed by code."""
    return latest_versions(load_all_versions())


def get_instrument(code: str, version: str | None = None) -> Instrument:
    """Look up by code (case-insensitive) and, for a response pinned to it, by version."""
    by_code = {known.lower(): known for known in load_instruments()}
    known_code = by_code.get(code.strip().lower())
    if known_code is None:
        raise UnknownInstrument(
            f"Unknown instrument {code!r}; known: {', '.join(load_instruments())}."
        )
    if version is None:
        return load_instruments()[known_code]
    instrument = load_all_versions().get((known_code, version))
    if instrument is None:
        versions = sorted(
            (v for (c, v) in load_all_versions() if c == known_code), key=_version_key
        )
        raise UnknownInstrument(
            f"{known_code} has no version {version!r}; known versions: {', '.join(versions)}."
        )
    return instrument
