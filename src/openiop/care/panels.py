"""What this app adds to shared pages: the participant chart, the staff home and the portal
home. Each function returns a template context (empty when there is nothing to show)."""

from __future__ import annotations

from datetime import date
from typing import Any

from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record_many
from openiop.care import services
from openiop.care.models import PlanReview, PlanStatus, ProposalStatus, RelapsePlanProposal
from openiop.care.selectors import (
    current_plan,
    draft_plan,
    home_lists,
    plan_state,
    relapse_plan_current,
    relapse_plan_draft,
)
from openiop.care.views_portal import portal_episode
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.participants.access import Access, may_access
from openiop.participants.models import Participant
from openiop.participants.panels import Chart, SummaryItem, SummaryLine


def chart_summary(request: AuthedRequest, chart: Chart) -> list[SummaryItem]:
    """The treatment plan's state for the open episode: review due or overdue, expired, or
    the first plan and when it is due (clinical; absent for billing)."""
    current = chart.current
    user = request.user
    if current is None or not current.is_open or not may_access(user, Access.CLINICAL):
        return []
    if current.program.treats_sud and not may_access(user, Access.SUD):
        return []
    plan = current_plan(current)
    day = today_in(current.program.time_zone)
    if plan is None:
        due = services.first_plan_due_on(current)
        if due is None:
            return []
        late = due < day
        line = SummaryLine(
            text="No plan yet" + (" · overdue" if late else ""),
            detail=f"first plan due {_day(due)}",
            tone="alert" if late else "warn" if draft_plan(current) is None else "",
        )
    else:
        reviewed = PlanReview.objects.filter(plan=plan).exists()
        state = plan_state(plan, day, reviewed=reviewed)
        due_text = _day(plan.review_due_on) if plan.review_due_on else ""
        line = {
            "expired": SummaryLine(
                text="Plan expired",
                detail=f"on {_day(plan.expires_on)}" if plan.expires_on else "",
                tone="alert",
            ),
            "reviewed": SummaryLine(text="Reviewed", detail="new version waiting for signatures"),
            "overdue": SummaryLine(text="Review overdue", detail=f"due {due_text}", tone="alert"),
            "due": SummaryLine(text="Review due", detail=due_text, tone="warn"),
        }.get(state, SummaryLine(text="Current", detail=f"review {due_text}" if due_text else ""))
    return [
        SummaryItem(
            key="plan", label="Treatment plan", panel="plans", lines=(line,), tone=line.tone
        )
    ]


def _day(day: date) -> str:
    return f"{day:%b} {day.day}"


def chart_context(request: AuthedRequest, chart: Chart) -> dict[str, Any]:
    """The chart's plan panel, for viewers with clinical access (and SUD access for a
    substance-use program). The chart view has already recorded the view of the record."""
    current = chart.current
    user = request.user
    if current is None or not may_access(user, Access.CLINICAL):
        return {}
    if current.program.treats_sud and not may_access(user, Access.SUD):
        return {}
    plan = current_plan(current)
    day = today_in(current.program.time_zone)
    reviews = list(
        PlanReview.objects.filter(plan__episode=current)
        .select_related("plan", "reviewed_by")
        .order_by("-reviewed_on", "-id")[:3]
    )
    reviewed = plan is not None and any(r.plan_id == plan.pk for r in reviews)
    return {
        "care_panel": {
            "plan": plan,
            "state": plan_state(plan, day, reviewed=reviewed),
            "draft": draft_plan(current),
            "reviews": reviews,
            "first_due": services.first_plan_due_on(current) if plan is None else None,
            "relapse": relapse_plan_current(current),
            "relapse_draft": relapse_plan_draft(current),
            "pending_proposals": RelapsePlanProposal.objects.filter(
                plan__episode=current, status=ProposalStatus.PENDING
            ).count(),
        }
    }


def home_context(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    if not user.can(Perm.PARTICIPANT_CLINICAL):
        return {}
    lists = home_lists(user)
    shown = {row.episode.participant for rows in lists.values() for row in rows}
    if not shown:
        return {}
    access_record_many(
        request=request,
        action=AccessAction.LIST,
        object_type="care.plan",
        participants=sorted(shown, key=lambda p: p.pk),
    )
    return {"care_home": lists}


def portal_context(request: AuthedRequest, participant: Participant) -> dict[str, Any]:
    episode = portal_episode(participant)
    if episode is None:
        return {}
    draft = draft_plan(episode)
    waiting = (
        draft is not None and draft.participant_signed_at is None and not services.plan_gaps(draft)
    )
    current = current_plan(episode)
    relapse = relapse_plan_current(episode)
    return {
        "care_portal": {
            "to_sign": draft if waiting else None,
            "plan": current,
            "relapse": relapse,
            "has_any": bool(waiting or current or relapse),
            "status_current": PlanStatus.CURRENT,
        }
    }
