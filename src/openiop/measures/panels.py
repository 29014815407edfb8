"""What measures adds to shared pages (the signatures: participants/panels.py)."""

from __future__ import annotations

from typing import Any

from openiop.lib.http import AuthedRequest
from openiop.measures.selectors import chart_measures
from openiop.measures.services import instrument_codes
from openiop.participants.panels import Chart


def chart_context(request: AuthedRequest, chart: Chart) -> dict[str, Any]:
    """Scores are clinical content: billing (identity access only) never loads them."""
    if not chart.sees_clinical:
        return {}
    return {
        "measures": chart_measures(request.user, chart.participant),
        "measures_library": instrument_codes(),
    }
