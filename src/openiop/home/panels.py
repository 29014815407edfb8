"""Which rooms draw on the shared pages, in the order their panels are drawn: the one place
that knows them all. A room adds its part by writing the function in its own `panels.py`
(the signatures: participants/panels.py) and listing it here.

The chart is a summary band (SUMMARY: every room's `chart_summary`, drawn on every load) over
panels (SECTIONS), one open at a time and loaded on demand: each section names the rooms'
`chart_context` functions it draws and its template. A room that adds to the chart lists its
`chart_context` in a section (a new section gets its own URL, which then needs an entry in the
access matrix, tests/matrix/routes.py) and, for the band, its `chart_summary` in SUMMARY."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
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
from openiop.participants.panels import Chart, SummaryItem
from openiop.safety import panels as safety
from openiop.scheduling import panels as scheduling
from openiop.substance_use import panels as substance_use

ChartPanel = Callable[[AuthedRequest, Chart], dict[str, Any]]
SummaryPanel = Callable[[AuthedRequest, Chart], list[SummaryItem]]
HomePanel = Callable[[AuthedRequest], dict[str, Any]]
PortalPanel = Callable[[AuthedRequest, Participant], dict[str, Any]]


@dataclass(frozen=True)
class ChartSection:
    """One panel of the chart: its slug (in `?panel=` and its fragment's URL), its label in
    the in-page navigation, the rooms that draw it and its template. A clinical section is
    not offered to a viewer without clinical access, and its URL refuses them (403)."""

    slug: str
    label: str
    panels: Sequence[ChartPanel]
    template: str
    clinical: bool = False


# The participant chart (staff): the panels, in navigation order; the first is the default.
SECTIONS: Sequence[ChartSection] = (
    ChartSection("overview", "Overview", (participants.chart_context,), "home/chart/overview.html"),
    ChartSection(
        "schedule", "Schedule and hours", (scheduling.chart_context,), "home/chart/schedule.html"
    ),
    ChartSection(
        "measures",
        "Measures",
        (measures.chart_context,),
        "home/chart/measures.html",
        clinical=True,
    ),
    ChartSection(
        "diary",
        "Diary",
        (diary.chart_context, safety.chart_context, homework.chart_context),
        "home/chart/diary.html",
        clinical=True,
    ),
    ChartSection(
        "plans",
        "Plans and notes",
        (care.chart_context, notes.chart_context, discharge.chart_context),
        "home/chart/plans.html",
    ),
    ChartSection(
        "safety", "Safety", (safety.chart_context,), "home/chart/safety.html", clinical=True
    ),
    # Medications (every program) and drug and alcohol testing (substance-use programs): the
    # room decides what each role reads (billing sees counts only), so the section is offered
    # to every chart viewer.
    ChartSection(
        "medications",
        "Medications and testing",
        (substance_use.chart_context,),
        "home/chart/substance_use.html",
    ),
    ChartSection(
        "consents",
        "Consents and disclosures",
        (participants.chart_context,),
        "home/chart/consents.html",
    ),
    ChartSection("billing", "Billing", (billing.chart_context,), "home/chart/billing.html"),
    ChartSection("audit", "Audit", (participants.chart_context,), "home/chart/audit.html"),
)

# The summary band at the top of the chart, in drawing order (each room's items).
SUMMARY: Sequence[SummaryPanel] = (
    safety.chart_summary,
    care.chart_summary,
    scheduling.chart_summary,
    measures.chart_summary,
    diary.chart_summary,
    notes.chart_summary,
    participants.chart_summary,
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


def chart_sections(sees_clinical: bool) -> list[ChartSection]:
    """The panels this viewer is offered."""
    return [s for s in SECTIONS if sees_clinical or not s.clinical]


def chart_section(slug: str) -> ChartSection | None:
    return next((s for s in SECTIONS if s.slug == slug), None)


def chart_context(request: AuthedRequest, chart: Chart, section: ChartSection) -> dict[str, Any]:
    return _merged(panel(request, chart) for panel in section.panels)


def chart_summary(request: AuthedRequest, chart: Chart) -> list[SummaryItem]:
    return [item for panel in SUMMARY for item in panel(request, chart)]


def home_context(request: AuthedRequest) -> dict[str, Any]:
    return _merged(panel(request) for panel in HOME)


def portal_context(request: AuthedRequest, participant: Participant) -> dict[str, Any]:
    return _merged(panel(request, participant) for panel in PORTAL)


def _merged(parts: Iterable[dict[str, Any]]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for part in parts:
        context.update(part)
    return context
