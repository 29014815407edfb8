"""What scheduling adds to shared pages (the signatures: participants/panels.py)."""

from __future__ import annotations

from typing import Any

from openiop.lib.http import AuthedRequest
from openiop.participants.panels import Chart
from openiop.scheduling.attendance import staff_home_context
from openiop.scheduling.curriculum import curriculum_record
from openiop.scheduling.hours import hours_panel_for


def chart_context(request: AuthedRequest, chart: Chart) -> dict[str, Any]:
    """Declared unavailable times, the curriculum record and the weekly hours of the current
    episode: identity-level content, shown to every role that sees the participant."""
    current = chart.current
    return {
        "schedule": {
            "unavailability": list(
                chart.participant.unavailability.order_by("weekday", "start_time")
            )
        },
        "curriculum": curriculum_record(current),
        "hours": hours_panel_for(
            participant=chart.participant,
            program=current.program if current else None,
            first_day=(current.started_on or current.admitted_on) if current else None,
        ),
    }


def home_context(request: AuthedRequest) -> dict[str, Any]:
    """Today's sessions and the follow-ups (each one shown is logged)."""
    return staff_home_context(request)
