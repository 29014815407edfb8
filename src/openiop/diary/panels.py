"""What the diary adds to shared pages (the signatures: participants/panels.py)."""

from __future__ import annotations

from typing import Any

from openiop.diary.selectors import diary_chart_panel
from openiop.lib.http import AuthedRequest
from openiop.participants.panels import Chart


def chart_context(request: AuthedRequest, chart: Chart) -> dict[str, Any]:
    """Cards filed lately (clinical content). The panel's open alerts come from safety."""
    if not chart.sees_clinical:
        return {}
    return {"diary_panel": diary_chart_panel(request.user, chart.participant, chart.today)}
