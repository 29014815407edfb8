"""What the diary adds to shared pages (the signatures: participants/panels.py)."""

from __future__ import annotations

from typing import Any

from openiop.diary.selectors import diary_chart_panel, urge_trend
from openiop.lib.http import AuthedRequest
from openiop.lib.sparkline import sparkline_svg
from openiop.participants.panels import Chart, SummaryItem, SummaryLine


def chart_summary(request: AuthedRequest, chart: Chart) -> list[SummaryItem]:
    """The urges trend of the last two weeks of diary cards (clinical: absent for billing)."""
    if not chart.sees_clinical:
        return []
    trend = urge_trend(request.user, chart.participant, chart.today)
    if trend is None:
        return []
    this, last = trend.this_week, trend.last_week
    text = f"Highest urge this week {this}/5" if this is not None else "No card this week"
    detail = f"last week {last}/5" if last is not None else ""
    rising = this is not None and last is not None and this > last
    values = [float(u) for _, u in trend.days]
    words = ", ".join(f"{u:g}" for u in values)
    return [
        SummaryItem(
            key="urges",
            label="Diary urges",
            panel="diary",
            tone="warn" if rising or (this or 0) >= URGE_FLAG else "",
            lines=(
                SummaryLine(
                    text=text,
                    detail=detail + (" · rising" if rising else ""),
                    svg=sparkline_svg(
                        values, low=0, high=5, label=f"Daily highest urge, 0 to 5: {words}"
                    ),
                ),
            ),
        )
    ]


# An urge this high (0-5) in the week catches the eye in the summary band.
URGE_FLAG = 4


def chart_context(request: AuthedRequest, chart: Chart) -> dict[str, Any]:
    """Cards filed lately (clinical content). The panel's open alerts come from safety."""
    if not chart.sees_clinical:
        return {}
    return {"diary_panel": diary_chart_panel(request.user, chart.participant, chart.today)}
