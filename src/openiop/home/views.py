"""The staff home and the participant chart: the participants room's record, with what every
other room has to show (home/panels.py)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.policy import authenticated, staff
from openiop.accounts.roles import Perm, Role
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record_many
from openiop.home import panels
from openiop.lib.http import AuthedRequest
from openiop.participants.access import Access, may_access, participant_for, program_ids_for
from openiop.participants.panels import Chart
from openiop.participants.selectors import caseload_for


@authenticated
def home(request: AuthedRequest) -> HttpResponse:
    """Everyone lands here after sign-in; participants and family go to their portal."""
    user = request.user
    if user.role == Role.PARTICIPANT:
        return redirect("portal:home")
    if user.role == Role.FAMILY:
        return redirect("portal:family_home")
    return staff_home(request)


@staff(Perm.PARTICIPANT_EXISTS)
def _staff_home_with_participants(request: AuthedRequest) -> HttpResponse:
    # Paged so the page (and its audit rows) stay bounded for very large caseloads.
    page = Paginator(caseload_for(request.user), 50).get_page(request.GET.get("page"))
    episodes = list(page.object_list)
    access_record_many(
        request=request,
        action=AccessAction.LIST,
        object_type="caseload",
        participants=[e.participant for e in episodes],
    )
    today = timezone.localdate()
    rows = [(e, e.week_number(today)) for e in episodes]
    context = {"rows": rows, "page": page, **panels.home_context(request)}
    return render(request, "participants/home.html", context)


def staff_home(request: AuthedRequest) -> HttpResponse:
    # The administrator has no participant access: their home is the user and audit tools.
    if not request.user.can(Perm.PARTICIPANT_EXISTS):
        return render(request, "participants/home_admin.html")
    return _staff_home_with_participants(request)


def _chart_for(
    request: AuthedRequest, public_id: str, section: panels.ChartSection | None = None
) -> tuple[Chart, dict[str, Any]]:
    """The participant as this viewer may see them, and the context every part of the chart
    shares. Looking the participant up records the access ("participant.chart"; a panel
    loaded on its own names its panel) and refuses a clinical panel to a viewer without
    clinical access (403, recorded as denied)."""
    participant = participant_for(
        request,
        public_id,
        access=Access.CLINICAL if section is not None and section.clinical else Access.IDENTITY,
        object_type="participant.chart",
        object_id=section.slug if section is not None else "",
    )
    my_programs = program_ids_for(request.user)
    # Only episodes of the viewer's own programs: that someone is enrolled in another program
    # (a substance-use program above all) is not this viewer's to know.
    episodes = list(
        participant.episodes.filter(program_id__in=my_programs)
        .select_related("program", "track", "primary_clinician")
        .prefetch_related("care_team__user")
        .order_by("-inquiry_on", "-id")
    )
    current = next((e for e in episodes if e.is_open), episodes[0] if episodes else None)
    today = timezone.localdate()
    chart = Chart(
        participant=participant,
        episodes=episodes,
        current=current,
        today=today,
        program_ids=my_programs,
        sees_clinical=may_access(request.user, Access.CLINICAL),
    )
    page = reverse("participants:chart", args=[participant.public_id])
    sections = panels.chart_sections(chart.sees_clinical)
    nav = [
        {
            "section": s,
            "href": f"{page}?panel={s.slug}",
            "fragment": reverse(f"participants:chart_{s.slug}", args=[participant.public_id]),
        }
        for s in sections
    ]
    context = {
        "participant": participant,
        "episodes": episodes,
        "current": current,
        "week": current.week_number(today) if current else None,
        "age": participant.age_on(today),
        "sees_clinical": chart.sees_clinical,
        "can_write": request.user.can(Perm.PARTICIPANT_WRITE),
        "may_review_audit": request.user.can(Perm.AUDIT_REVIEW),
        "my_program_ids": my_programs,
        "chart_nav": nav,
        "chart_url": page,
    }
    return chart, context


def _panel_context(
    request: AuthedRequest, chart: Chart, context: dict[str, Any], section: panels.ChartSection
) -> dict[str, Any]:
    page = context["chart_url"]
    return {
        **context,
        "section": section,
        # Where a form on the panel sends the viewer back to: this panel of the chart.
        "here": f"{page}?panel={section.slug}",
        # Each room decides what this viewer may see of its records (billing gets note
        # metadata, never bodies) and records its own access.
        **panels.chart_context(request, chart, section),
    }


@staff(Perm.PARTICIPANT_EXISTS)
def participant_chart(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The summary band and one panel: the default one, or the one `?panel=` names (a link
    or a reload lands on it); the others load on demand (participant_chart_panel)."""
    chart, context = _chart_for(request, public_id)
    nav = context["chart_nav"]
    wanted = request.GET.get("panel", "")
    section = next((n["section"] for n in nav if n["section"].slug == wanted), nav[0]["section"])
    links = {n["section"].slug: n for n in nav}
    summary = [(item, links.get(item.panel)) for item in panels.chart_summary(request, chart)]
    context = _panel_context(request, chart, context, section)
    return render(request, "participants/chart.html", {**context, "summary": summary})


@staff(Perm.PARTICIPANT_EXISTS)
def participant_chart_panel(request: AuthedRequest, public_id: str, panel: str) -> HttpResponse:
    """One panel of the chart, for htmx (or opened on its own): the same lookup, access
    checks and audit row as the chart."""
    section = panels.chart_section(panel)
    if section is None:
        raise Http404("No such panel.")
    chart, context = _chart_for(request, public_id, section)
    context = _panel_context(request, chart, context, section)
    return render(request, "home/chart/panel.html", context)
