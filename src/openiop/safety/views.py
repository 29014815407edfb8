"""Alerts for the care team, and the director's rules, escalation times and on-call rota."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from openiop.accounts.models import User
from openiop.accounts.policy import passive, staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record_many
from openiop.lib.forms import form_errors, message_errors
from openiop.lib.http import NO_SUCH_ID, AuthedRequest, uuid_or_none
from openiop.participants.access import (
    Access,
    participant_for,
    program_ids_for,
)
from openiop.programs.access import program_for
from openiop.programs.models import Program
from openiop.safety import hooks
from openiop.safety.forms import EscalationForm, ResolveForm, RuleForm, ShiftForm
from openiop.safety.models import UNRESOLVED, Alert, AlertStatus, OnCallShift
from openiop.safety.panels import home_context as alerts_home_context
from openiop.safety.selectors import (
    SEVERITY_RANK,
    answers_alerts,
    escalation_chain,
    indicator_for,
    mine_q,
    visible_alerts,
)
from openiop.safety.services import (
    _eligible_staff,
    alert_acknowledge,
    alert_resolve,
    on_call_shift_add,
    on_call_shift_remove,
    risk_rule_update,
    rules_for,
    safety_settings_for,
    safety_settings_update,
)


@staff(Perm.PARTICIPANT_CLINICAL)
def alert_list(request: AuthedRequest) -> HttpResponse:
    show = "all" if request.GET.get("show") == "all" else "mine"
    alerts = visible_alerts(request.user).filter(status__in=UNRESOLVED)
    if show == "mine":
        # Sent to me, or taken by me: an acknowledged alert stays with its holder.
        alerts = alerts.filter(pk__in=visible_alerts(request.user).filter(mine_q(request.user)))
    rows = list(
        alerts.select_related("participant", "program", "acknowledged_by")
        .annotate(rank=SEVERITY_RANK)
        .order_by("rank", "created_at")[:200]
    )
    resolved = list(
        visible_alerts(request.user)
        .filter(status=AlertStatus.RESOLVED)
        .select_related("participant", "resolved_by")
        .order_by("-resolved_at")[:20]
    )
    access_record_many(
        request=request,
        action=AccessAction.LIST,
        object_type="safety.alerts",
        participants=list({a.participant_id: a.participant for a in rows + resolved}.values()),
    )
    configurable = (
        Program.objects.filter(pk__in=program_ids_for(request.user)).order_by("name")
        if request.user.can(Perm.PROGRAM_CONFIGURE)
        else []
    )
    context = {"alerts": rows, "resolved": resolved, "show": show, "configurable": configurable}
    return render(request, "safety/alerts.html", context)


def _alert_for(request: AuthedRequest, public_id: UUID, *, write: bool = False) -> Alert:
    alert = (
        visible_alerts(request.user)
        .select_related(
            "participant", "program", "episode", "rule", "acknowledged_by", "resolved_by"
        )
        .filter(public_id=public_id)
        .first()
    )
    if alert is None:
        raise Http404("No such alert.")
    # Logs the access, and 403s roles without clinical access.
    participant_for(
        request,
        alert.participant.public_id,
        access=Access.CLINICAL,
        write=write,
        object_type="safety.alert",
    )
    return alert


def _source_url(alert: Alert) -> str:
    if alert.source_type == "diary_card":
        week = alert.day.isoformat()
        return reverse("diary:review", args=[alert.participant.public_id]) + f"?week={week}"
    if alert.source_type == "measure_response" and alert.source_id:
        return reverse("measures:response", args=[alert.participant.public_id, alert.source_id])
    return reverse("participants:chart", args=[alert.participant.public_id])


@staff(Perm.PARTICIPANT_CLINICAL)
def alert_detail(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    alert = _alert_for(request, public_id)
    return _detail(request, alert, ResolveForm())


def _detail(request: AuthedRequest, alert: Alert, form: ResolveForm) -> HttpResponse:
    context = {
        "alert": alert,
        "form": form,
        "steps": alert.steps.select_related("actor"),
        "recipients": alert.recipients.select_related("user"),
        "chain": escalation_chain(alert),
        "source_url": _source_url(alert),
        "can_write": request.user.can(Perm.PARTICIPANT_WRITE),
        **hooks.alert_page.context(request, alert),
    }
    return render(request, "safety/alert.html", context)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def alert_ack(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    alert = _alert_for(request, public_id, write=True)
    with message_errors(request):
        alert_acknowledge(alert=alert, actor=request.user)
        messages.success(request, "Acknowledged: the alert is yours.")
    return redirect("safety:alert", public_id=alert.public_id)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def alert_res(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    alert = _alert_for(request, public_id, write=True)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            alert_resolve(
                alert=alert,
                actor=request.user,
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Alert resolved.")
            return redirect("safety:alert", public_id=alert.public_id)
    return _detail(request, alert, form)


# --- the staff header's live indicator and the home panel -------------------------------------


@passive
@staff(Perm.PARTICIPANT_CLINICAL)
def alert_indicator(request: AuthedRequest) -> HttpResponse:
    """Polled by every staff page of a clinician or director: counts only, no names, so a poll
    writes no access-log row and does not count as activity for the idle timeout. When the set
    of open alerts changed since the page last saw it, the response fires
    `openiop:alerts-changed`, and the home's panel reloads itself (that reload is logged)."""
    if not answers_alerts(request.user):
        raise PermissionDenied("The alert indicator is for clinicians and directors.")
    indicator = indicator_for(request.user)
    seen = request.GET.get("seen", "")[:32]
    try:
        newest_seen = int(request.GET.get("newest", "0"))
    except ValueError:
        newest_seen = 0
    changed = bool(seen) and seen != indicator.signature
    is_new = bool(seen) and indicator.newest > newest_seen
    context = {
        "indicator": indicator,
        "is_new": is_new,
        "poll_seconds": settings.OPENIOP_ALERT_POLL_SECONDS,
    }
    response = render(request, "safety/_indicator.html", context)
    if changed:
        response["HX-Trigger"] = "openiop:alerts-changed"
    return response


@staff(Perm.PARTICIPANT_CLINICAL)
def alerts_panel(request: AuthedRequest) -> HttpResponse:
    """The home's open-alerts panel on its own, for its reload when the indicator sees a
    change. It names participants: logged like the home page."""
    if not answers_alerts(request.user):
        raise PermissionDenied("The alerts panel is for clinicians and directors.")
    return render(request, "safety/_home_alerts.html", alerts_home_context(request))


# --- director configuration ---------------------------------------------------------------------


@staff(Perm.PROGRAM_CONFIGURE)
@require_http_methods(["GET", "POST"])
def rules(request: AuthedRequest, program_id: UUID) -> HttpResponse:
    program = program_for(request.user, program_id)
    catalogue = sorted(rules_for(program).values(), key=lambda r: (r.source, r.kind))
    current = safety_settings_for(program)
    posted_rule = request.POST.get("rule") if request.method == "POST" else None
    forms = []
    for rule in catalogue:
        bound = str(rule.public_id) == posted_rule
        forms.append(
            RuleForm(
                request.POST if bound else None,
                rule=rule,
                initial={
                    "severity": rule.severity,
                    "threshold": rule.threshold,
                    "is_active": rule.is_active,
                },
            )
        )
    escalation = EscalationForm(
        request.POST if "escalation" in request.POST else None,
        initial={
            "urgent_escalate_minutes": current.urgent_escalate_minutes,
            "high_escalate_minutes": current.high_escalate_minutes,
            "low_escalate_minutes": current.low_escalate_minutes,
        },
    )
    if request.method == "POST":
        target = next((f for f in forms if f.is_bound), None) or (
            escalation if escalation.is_bound else None
        )
        if target is not None and target.is_valid():
            with form_errors(target):
                if isinstance(target, RuleForm):
                    risk_rule_update(
                        rule=target.rule,
                        actor=request.user,
                        severity=target.cleaned_data["severity"],
                        is_active=target.cleaned_data["is_active"],
                        threshold=target.cleaned_data.get("threshold"),
                    )
                else:
                    safety_settings_update(
                        program=program, actor=request.user, **target.cleaned_data
                    )
                messages.success(request, "Saved.")
                return redirect(request.path)
    context = {
        "program": program,
        "rule_forms": forms,
        "escalation": escalation,
        "current": current,
        "on_call_url": reverse("safety:on_call", args=[program.public_id]),
    }
    return render(request, "safety/rules.html", context)


@staff(Perm.PROGRAM_CONFIGURE)
@require_http_methods(["GET", "POST"])
def on_call(request: AuthedRequest, program_id: UUID) -> HttpResponse:
    program = program_for(request.user, program_id)
    people = list(
        User.objects.filter(_eligible_staff(program), organization_id=program.organization_id)
        .distinct()
        .order_by("full_name")
    )
    form = ShiftForm(request.POST or None, people=people)
    if request.method == "POST" and "remove" in request.POST:
        shift = OnCallShift.objects.filter(
            program=program, public_id=uuid_or_none(request.POST.get("remove")) or NO_SUCH_ID
        ).first()
        if shift is None:
            raise Http404("No such shift.")
        on_call_shift_remove(shift=shift, actor=request.user)
        messages.success(request, "Shift removed.")
        return redirect(request.path)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            on_call_shift_add(program=program, actor=request.user, **form.cleaned_data)
            messages.success(request, "Shift added to the rota.")
            return redirect(request.path)
    shifts = OnCallShift.objects.filter(program=program).select_related("user", "backup")
    return render(
        request,
        "safety/on_call.html",
        {
            "program": program,
            "form": form,
            "shifts": shifts.order_by("-starts_on", "start_hour")[:60],
        },
    )
