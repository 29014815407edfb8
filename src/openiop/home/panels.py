"""Which rooms draw on the shared pages, in the order their panels are drawn: the one place
that knows them all. A room adds its part by writing the function in its own `panels.py`
(the signatures: participants/panels.py) and listing it here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from openiop.billing import panels as billing
from openiop.care import panels as care
from openiop.diary import panels as diary
from openiop.discharge import panels as discharge
from openiop.homework import panels as homework
from openiop.lib.http import AuthedRequest
from openiop.measures import panels as measures
from openiop.notes import panels as notes
from openiop.participants import panels as participants
from openiop.participants.models import Participant
from openiop.participants.panels import Chart
from openiop.safety import panels as safety
from openiop.scheduling import panels as scheduling
from openiop.substance_use import panels as substance_use

ChartPanel = Callable[[AuthedRequest, Chart], dict[str, Any]]
HomePanel = Callable[[AuthedRequest], dict[str, Any]]
PortalPanel = Callable[[AuthedRequest, Participant], dict[str, Any]]

# The participant chart (staff).
CHART: Sequence[ChartPanel] = (
    participants.chart_context,
    scheduling.chart_context,
    measures.chart_context,
    diary.chart_context,
    homework.chart_context,
    safety.chart_context,
    care.chart_context,
    substance_use.chart_context,
    notes.chart_context,
    discharge.chart_context,
    billing.chart_context,
)

# The staff home, below the caseload.
HOME: Sequence[HomePanel] = (
    scheduling.home_context,
    safety.home_context,
    care.home_context,
    substance_use.home_context,
    notes.home_context,
    discharge.home_context,
    billing.home_context,
)

# The participant's portal home.
PORTAL: Sequence[PortalPanel] = (
    scheduling.portal_context,
    homework.portal_context,
    care.portal_context,
    discharge.portal_context,
)


def chart_context(request: AuthedRequest, chart: Chart) -> dict[str, Any]:
    return _merged(panel(request, chart) for panel in CHART)


def home_context(request: AuthedRequest) -> dict[str, Any]:
    return _merged(panel(request) for panel in HOME)


def portal_context(request: AuthedRequest, participant: Participant) -> dict[str, Any]:
    return _merged(panel(request, participant) for panel in PORTAL)


def _merged(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for part in parts:
        context.update(part)
    return context
