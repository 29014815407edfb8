"""What measures adds to shared pages (the signatures: participants/panels.py)."""

from __future__ import annotations

from typing import Any

from openiop.lib.http import AuthedRequest
from openiop.measures.selectors import chart_measures, summary_series
from openiop.measures.services import instrument_codes
from openiop.participants.panels import Chart, SummaryItem, SummaryLine


def chart_summary(request: AuthedRequest, chart: Chart) -> list[SummaryItem]:
    """The latest score of each instrument with its band, its change class and a sparkline
    (clinical: absent for billing)."""
    if not chart.sees_clinical:
        return []
    series = summary_series(request.user, chart.participant)
    if not series:
        return []
    lines = []
    for s in series:
        latest = s.latest
        klass = s.outcome.label if s.outcome else ("baseline only" if len(s.points) < 2 else "")
        tone = {"deteriorated": "alert", "recovered": "ok", "improved": "ok"}.get(
            s.outcome.value if s.outcome else "", ""
        )
        lines.append(
            SummaryLine(
                text=f"{s.code} {latest.total:g}"
                + (f" · {latest.severity}" if latest.severity else ""),
                detail=klass,
                tone=tone,
                svg=s.spark,
            )
        )
    return [SummaryItem(key="measures", label="Measures", panel="measures", lines=tuple(lines))]


def chart_context(request: AuthedRequest, chart: Chart) -> dict[str, Any]:
    """Scores are clinical content: billing (identity access only) never loads them."""
    if not chart.sees_clinical:
        return {}
    return {
        "measures": chart_measures(request.user, chart.participant),
        "measures_library": instrument_codes(),
    }
