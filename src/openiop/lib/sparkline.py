"""Server-side SVG sparklines: a small line for a short series, drawn without JavaScript so the
chart's summary band and small multiples cost nothing in the browser and print as they show."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString

WIDTH, HEIGHT, PAD = 96, 24, 3


def sparkline_points(
    values: Sequence[float], *, low: float, high: float, width: int = WIDTH, height: int = HEIGHT
) -> list[tuple[float, float]]:
    """Where each value falls in a width x height box (y grows downwards, the low end at the
    bottom); a flat range draws a level line through the middle."""
    if not values:
        return []
    span = high - low
    step = (width - 2 * PAD) / (len(values) - 1) if len(values) > 1 else 0.0
    points = []
    for index, value in enumerate(values):
        share = 0.5 if span <= 0 else (min(max(value, low), high) - low) / span
        points.append(
            (round(PAD + index * step, 1), round(height - PAD - share * (height - 2 * PAD), 1))
        )
    return points


def sparkline_svg(
    values: Sequence[float], *, low: float, high: float, label: str, css_class: str = ""
) -> SafeString:
    """An <svg> with one polyline and a dot on the latest value; `label` is what a screen
    reader hears (the values in words). Empty when there are fewer than two values: one value
    is shown as a number, not as a line."""
    if len(values) < 2:
        return SafeString("")
    points = sparkline_points(values, low=low, high=high)
    path = " ".join(f"{x:g},{y:g}" for x, y in points)
    last_x, last_y = points[-1]
    return format_html(
        '<svg class="sparkline {}" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}" focusable="false"><polyline points="{}" fill="none" '
        'stroke="currentColor" stroke-width="1.5"></polyline>'
        '<circle cx="{}" cy="{}" r="2.5" fill="currentColor"></circle></svg>',
        css_class,
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        label,
        path,
        f"{last_x:g}",
        f"{last_y:g}",
    )
