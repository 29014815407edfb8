"""What the safety room adds to shared pages: the open-alerts panel of the staff home (every
clinician and director of the program sees every open alert, not only the ones sent to them).
The panel names participants, so showing it writes one access-log row for each; the header's
live indicator (views.alert_indicator) shows counts only and is not logged per poll."""

from __future__ import annotations

from collections import Counter
from datetime import date
from textwrap import shorten
from typing import Any

from django.conf import settings
from django.urls import reverse

from openiop.audit.models import AccessAction
from openiop.audit.services import access_record_many
from openiop.diary.models import DiaryCard, Hierarchy
from openiop.diary.selectors import AgendaItem
from openiop.lib.http import AuthedRequest
from openiop.participants.access import Access, level_for, may_access
from openiop.participants.models import Participant
from openiop.participants.panels import Chart, SummaryItem, SummaryLine
from openiop.safety.models import SEVERITY_ORDER, UNRESOLVED, Alert, Severity
from openiop.safety.plans import participant_plans, plan_chart_status
from openiop.safety.selectors import answers_alerts, chart_open_alerts, home_panel

HOME_OBJECT_TYPE = "safety.home_alerts"


def safety_plan_flagged(*, first_day: date | None, today: date, due_days: int) -> bool:
    """No signed safety plan is a flag once `due_days` (the program's setting) have passed
    since the first day (admission, else the first day in program)."""
    return first_day is not None and (today - first_day).days >= due_days


def chart_summary(request: AuthedRequest, chart: Chart) -> list[SummaryItem]:
    """Open alerts by severity (each linked to its page) and the safety plan of the current
    episode's program: clinical items, absent for a viewer without clinical access."""
    if not chart.sees_clinical:
        return []
    user = request.user
    items = []
    alerts = chart_open_alerts(user, chart.participant)
    if alerts:
        counts = Counter(alert.severity for alert in alerts)
        labels = dict(Severity.choices)
        worst = alerts[0].severity
        items.append(
            SummaryItem(
                key="alerts",
                label="Open alerts",
                panel="safety",
                tone="alert" if worst in (Severity.URGENT, Severity.HIGH) else "warn",
                lines=(
                    SummaryLine(
                        text=", ".join(
                            f"{counts[sev]} {str(labels[sev]).split(' ')[0].lower()}"
                            for sev in SEVERITY_ORDER
                            if counts[sev]
                        )
                    ),
                    *(
                        SummaryLine(
                            text=shorten(alert.evidence, 70, placeholder="…"),
                            detail=alert.get_severity_display(),
                            tone="alert" if alert.severity != Severity.LOW else "warn",
                            href=reverse("safety:alert", args=[alert.public_id]),
                        )
                        for alert in alerts[:3]
                    ),
                ),
            )
        )
    current = chart.current
    if current is not None and may_access(user, level_for(Access.CLINICAL, current.program)):
        status = plan_chart_status(chart.participant, [current.program])[0]
        first_day = current.admitted_on or current.started_on
        if status["signed"] is not None:
            line = SummaryLine(
                text="Current",
                detail=f"signed {status['signed'].signed_at:%b} {status['signed'].signed_at.day}",
                tone="ok",
            )
        elif not current.is_open:
            line = SummaryLine(text="None signed")
        else:
            flagged = safety_plan_flagged(
                first_day=first_day,
                today=chart.today,
                due_days=current.program.safety_plan_due_days,
            )
            days = (chart.today - first_day).days if first_day else None
            line = SummaryLine(
                text="Waiting for signature" if status["draft"] is not None else "None",
                detail=f"{days} days since admission" if days is not None and days >= 0 else "",
                tone="alert" if flagged else "",
            )
        items.append(
            SummaryItem(
                key="safety-plan",
                label="Safety plan",
                panel="safety",
                lines=(line,),
                tone=line.tone,
            )
        )
    return items


def chart_context(request: AuthedRequest, chart: Chart) -> dict[str, Any]:
    """Open alerts and the safety plans of the programs whose plans this viewer reads (from
    the episodes the chart already loaded): clinical content."""
    if not chart.sees_clinical:
        return {}
    user = request.user
    readable = {
        e.program_id: e.program
        for e in chart.episodes
        if may_access(user, level_for(Access.CLINICAL, e.program))
    }
    return {
        "open_alerts": chart_open_alerts(user, chart.participant),
        "safety_plan_panel": plan_chart_status(
            chart.participant, sorted(readable.values(), key=lambda p: (p.name, p.pk))
        ),
    }


def home_context(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    if not answers_alerts(user):
        return {}
    panel = home_panel(user)
    shown = {row.alert.participant_id: row.alert.participant for row in panel.rows}
    if shown:
        access_record_many(
            request=request,
            action=AccessAction.LIST,
            object_type=HOME_OBJECT_TYPE,
            participants=shown.values(),
        )
    return {"alert_panel": panel, "alert_poll_seconds": settings.OPENIOP_ALERT_POLL_SECONDS}


# --- what safety adds to the diary's pages (diary/hooks.py, connected in safety/apps.py) ----


def diary_week_alerts(
    participant: Participant, episode_ids: list[int], first: date, last: date
) -> list[AgendaItem]:
    """The week's alerts on the weekly review's agenda: life-threatening unless low."""
    alerts = Alert.objects.filter(
        participant=participant, episode_id__in=episode_ids, day__gte=first, day__lte=last
    ).select_related("rule")
    items = []
    for alert in alerts:
        state = "still open" if alert.status in UNRESOLVED else alert.get_status_display().lower()
        items.append(
            AgendaItem(
                Hierarchy.LIFE_THREATENING
                if alert.severity != "low"
                else Hierarchy.THERAPY_INTERFERING,
                f"Alert: {alert.evidence} ({state}).",
                f"alert:{alert.public_id}",
            )
        )
    return items


def diary_support_context(participant: Participant, card: DiaryCard) -> dict[str, Any]:
    """After a card that reached the team: whether it was told, and the safety plan in force,
    the card's own program's first."""
    told = Alert.objects.filter(
        participant=participant,
        source_type="diary_card",
        source_id=card.public_id,
        severity__in=[Severity.URGENT, Severity.HIGH],
    ).exists()
    program_id = card.episode.program_id
    signed = [p["signed"] for p in participant_plans(participant) if p["signed"]]
    signed.sort(key=lambda plan: plan.program_id != program_id)
    return {"team_told": told, "safety_plan": signed[0] if signed else None}
