"""Reliable change and clinically significant change (Jacobson & Truax 1991) and the geometry
of the chart's score trajectories. Pure functions: no database, no request.

RCI = (post - pre) / S_diff, S_diff = √2 · SE, SE = SD · √(1 - r); |RCI| > 1.96 is reliable.
Where the reference gives published point thresholds (PHQ-9: a change of 6, recovery from ≥ 10
to < 10; GAD-7: 4 and ≥ 8 → < 8; WHO-5: 10 points) those are used instead of the RCI.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

RCI_CRITICAL = 1.96


class Outcome(StrEnum):
    RECOVERED = "recovered"
    IMPROVED = "improved"
    NO_RELIABLE_CHANGE = "no_reliable_change"
    DETERIORATED = "deteriorated"

    @property
    def label(self) -> str:
        return {
            Outcome.RECOVERED: "Recovered",
            Outcome.IMPROVED: "Reliably improved",
            Outcome.NO_RELIABLE_CHANGE: "No reliable change",
            Outcome.DETERIORATED: "Reliably deteriorated",
        }[self]


@dataclass(frozen=True)
class ChangeRule:
    """How an instrument's change is judged. `points` (a published threshold) wins over the
    RCI; `cutoff` is the caseness line for recovery (a case is at or above it, or below it when
    higher is better)."""

    points: float | None = None
    reliability: float | None = None
    sd: float | None = None
    cutoff: float | None = None
    higher_is_better: bool = False

    @property
    def configured(self) -> bool:
        return self.points is not None or (self.reliability is not None and self.sd is not None)


def rule_from_definition(instrument: Any) -> ChangeRule:
    """Read the change rule from an instrument definition (the engine's Instrument)."""
    return ChangeRule(
        points=_num(getattr(instrument, "reliable_improvement_points", None)),
        reliability=_num(getattr(instrument, "rci_reliability", None)),
        sd=_num(getattr(instrument, "rci_sd", None)),
        cutoff=_num(getattr(instrument, "recovery_cutoff", None)),
        higher_is_better=bool(getattr(instrument, "higher_is_better", False)),
    )


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def standard_error_of_difference(*, sd: float, reliability: float) -> float:
    if sd <= 0 or not 0 <= reliability < 1:
        raise ValueError("The RCI needs SD > 0 and reliability in [0, 1).")
    return math.sqrt(2) * sd * math.sqrt(1 - reliability)


def rci(pre: float, post: float, *, sd: float, reliability: float) -> float:
    return (post - pre) / standard_error_of_difference(sd=sd, reliability=reliability)


def _is_case(score: float, rule: ChangeRule) -> bool:
    assert rule.cutoff is not None
    return score < rule.cutoff if rule.higher_is_better else score >= rule.cutoff


def outcome(pre: float, post: float, rule: ChangeRule) -> Outcome | None:
    """The Jacobson-Truax class of the change from `pre` to `post`, or None when the
    instrument has no rule configured."""
    if not rule.configured:
        return None
    change = post - pre
    if rule.points is not None:
        reliable = abs(change) >= rule.points
    else:
        assert rule.sd is not None
        assert rule.reliability is not None
        reliable = abs(rci(pre, post, sd=rule.sd, reliability=rule.reliability)) > RCI_CRITICAL
    if not reliable:
        return Outcome.NO_RELIABLE_CHANGE
    better = change > 0 if rule.higher_is_better else change < 0
    if not better:
        return Outcome.DETERIORATED
    if rule.cutoff is not None and _is_case(pre, rule) and not _is_case(post, rule):
        return Outcome.RECOVERED
    return Outcome.IMPROVED


# --- chart geometry ---------------------------------------------------------------------------

WIDTH = 640
HEIGHT = 220
PAD_LEFT = 40
PAD_RIGHT = 16
PAD_TOP = 12
PAD_BOTTOM = 28

# Band fills from calm to warm, in order of severity; the SVG uses them as presentation
# attributes (the CSP forbids style="").
BAND_FILLS = ("#e8f4ec", "#f3f6dc", "#fdf1d8", "#fbe3cf", "#f8d6d6", "#f3c9c9")


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    label: str


@dataclass(frozen=True)
class Point:
    at: datetime
    value: float
    label: str = ""
    public_id: str = ""


@dataclass
class ChartGeometry:
    width: int
    height: int
    bands: list[dict[str, Any]] = field(default_factory=list)
    points: list[dict[str, Any]] = field(default_factory=list)
    polyline: str = ""
    y_ticks: list[dict[str, Any]] = field(default_factory=list)
    x_labels: list[dict[str, Any]] = field(default_factory=list)
    baseline_y: float | None = None


def chart_geometry(
    points: Sequence[Point],
    *,
    bands: Sequence[Band],
    low: float,
    high: float,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> ChartGeometry:
    """Coordinates for an SVG line chart of `points` (oldest first) over shaded `bands` on a
    y axis from `low` to `high`. Points are spaced by time; a single point sits in the middle."""
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = height - PAD_TOP - PAD_BOTTOM
    span = (high - low) or 1.0

    def y_of(value: float) -> float:
        clamped = min(max(value, low), high)
        return round(PAD_TOP + plot_h * (1 - (clamped - low) / span), 1)

    geometry = ChartGeometry(width=width, height=height)
    for index, band in enumerate(bands):
        top = y_of(min(band.high + _band_gap(bands, index), high))
        bottom = y_of(max(band.low, low))
        geometry.bands.append(
            {
                "x": PAD_LEFT,
                "y": top,
                "width": plot_w,
                "height": round(bottom - top, 1),
                "fill": BAND_FILLS[min(index, len(BAND_FILLS) - 1)],
                "label": band.label,
                "label_y": round(top + 12, 1),
            }
        )
    if points:
        first, last = points[0].at, points[-1].at
        seconds = (last - first).total_seconds()
        for point in points:
            if seconds > 0:
                x = PAD_LEFT + plot_w * (point.at - first).total_seconds() / seconds
            else:
                x = PAD_LEFT + plot_w / 2
            geometry.points.append(
                {
                    "x": round(x, 1),
                    "y": y_of(point.value),
                    "value": point.value,
                    "label": point.label,
                    "at": point.at,
                    "public_id": point.public_id,
                }
            )
        geometry.polyline = " ".join(f"{p['x']},{p['y']}" for p in geometry.points)
        geometry.baseline_y = geometry.points[0]["y"]
        geometry.x_labels = [
            {"x": geometry.points[0]["x"], "at": first, "anchor": "start"},
        ]
        if len(points) > 1:
            geometry.x_labels.append({"x": geometry.points[-1]["x"], "at": last, "anchor": "end"})
    for value in _ticks(low, high):
        geometry.y_ticks.append({"y": y_of(value), "value": _fmt(value)})
    return geometry


def _band_gap(bands: Sequence[Band], index: int) -> float:
    # Integer bands (0-4, 5-9) leave a gap of one between them; close it so the shading is
    # continuous: a band reaches up to where the next one starts.
    if index + 1 < len(bands):
        return bands[index + 1].low - bands[index].high
    return 0.0


def _ticks(low: float, high: float) -> list[float]:
    span = high - low
    step = next((s for s in (1, 2, 5, 10, 20, 25, 50) if span / s <= 6), 100)
    first = math.ceil(low / step) * step
    values = []
    value = float(first)
    while value <= high + 1e-9:
        values.append(value)
        value += step
    return values


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
