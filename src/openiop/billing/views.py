"""The billing room's pages: the worklist, payers and their rules, and one episode's coverage,
diagnoses, authorizations and billable days.

Billing pages need `billing.view` (directors, clinicians, billing staff) and changes
`billing.manage` (directors, billing staff); diagnoses are recorded by clinical staff. Every
page that shows a participant writes the access log (participant_for for one, a `list` row
per participant on the worklist), and every change an `update` row. Figures are computed live
from attendance and notes (selectors.py); nothing here shows a note's text.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record, access_record_many
from openiop.billing import icd10, services
from openiop.billing.access import (
    authorization_for,
    billing_episode,
    diagnosis_for,
    org_id,
    payer_for,
    rule_for,
)
from openiop.billing.authorizations import Severity
from openiop.billing.forms import (
    AuthorizationForm,
    CoverageForm,
    DiagnosisForm,
    PayerForm,
    PayerRuleForm,
    ReviewForm,
)
from openiop.billing.models import Coverage
from openiop.billing.selectors import (
    billing_for_episodes,
    episode_billing,
    payers_for,
    recent,
    worklist_episodes,
)
from openiop.lib.forms import form_errors, form_page
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.participants.access import Access, program_ids_for
from openiop.participants.models import Episode, Participant
from openiop.programs.models import Program


def _episode_url(participant: Participant, episode: Episode) -> str:
    return reverse("billing:episode", args=[participant.public_id, episode.public_id])


def _record_update(request: AuthedRequest, participant: Participant, object_type: str) -> None:
    access_record(
        request=request,
        action=AccessAction.UPDATE,
        object_type=object_type,
        participant=participant,
    )


# --- the worklist ---------------------------------------------------------------------------


@staff(Perm.BILLING_VIEW)
@require_http_methods(["GET"])
def worklist(request: AuthedRequest) -> HttpResponse:
    """Every episode of the viewer's programs that billing follows, those needing action
    first: authorizations running out, reviews due, expired, services without cover."""
    ids = program_ids_for(request.user)
    programs = list(Program.objects.filter(pk__in=ids).order_by("name"))
    chosen = request.GET.get("program", "")
    shown = [p for p in programs if str(p.public_id) == chosen] or programs
    episodes = list(worklist_episodes(p.pk for p in shown))
    today = today_in(shown[0].time_zone) if shown else None
    rows = billing_for_episodes(recent(episodes, today) if today else [])
    rows.sort(
        key=lambda r: (
            not any(w.severity == Severity.NOW for w in r.warnings),
            not (r.warnings or r.problem),
            r.episode.participant.legal_last_name,
        )
    )
    access_record_many(
        request=request,
        action=AccessAction.LIST,
        object_type="billing.worklist",
        participants=[r.episode.participant for r in rows],
    )
    return render(
        request,
        "billing/worklist.html",
        {
            "rows": rows,
            "programs": programs,
            "chosen": chosen if len(shown) == 1 and len(programs) > 1 else "",
            "needing_action": sum(1 for r in rows if r.warnings or r.problem),
            "can_manage": request.user.can(Perm.BILLING_MANAGE),
        },
    )


# --- payers ---------------------------------------------------------------------------------


@staff(Perm.BILLING_MANAGE)
@require_http_methods(["GET"])
def payers(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "billing/payers.html",
        {"payers": list(payers_for(org_id(request)))},
    )


def _payer_page(request: AuthedRequest, form: Any, *, title: str, cancel: str) -> HttpResponse:
    return form_page(
        request,
        "billing/form.html",
        form,
        status=400 if form.is_bound and form.errors else 200,
        title=title,
        submit="Save",
        cancel=cancel,
    )


@staff(Perm.BILLING_MANAGE)
@require_http_methods(["GET", "POST"])
def payer_new(request: AuthedRequest) -> HttpResponse:
    form = PayerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            payer = services.payer_save(actor=request.user, **form.cleaned_data)
            messages.success(request, f"{payer.name} added. Now give it a day rule.")
            return redirect("billing:payers")
    return _payer_page(request, form, title="Add a payer", cancel=reverse("billing:payers"))


@staff(Perm.BILLING_MANAGE)
@require_http_methods(["GET", "POST"])
def payer_edit(request: AuthedRequest, payer_id: UUID) -> HttpResponse:
    payer = payer_for(request, payer_id)
    form = PayerForm(request.POST or None, instance=payer)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.payer_save(actor=request.user, payer=payer, **form.cleaned_data)
            messages.success(request, "Payer saved.")
            return redirect("billing:payers")
    return _payer_page(request, form, title=f"Edit {payer.name}", cancel=reverse("billing:payers"))


@staff(Perm.BILLING_MANAGE)
@require_http_methods(["GET", "POST"])
def rule_new(request: AuthedRequest, payer_id: UUID) -> HttpResponse:
    payer = payer_for(request, payer_id)
    form = PayerRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.payer_rule_save(actor=request.user, payer=payer, **form.cleaned_data)
            messages.success(request, "Day rule saved.")
            return redirect("billing:payers")
    return _payer_page(
        request, form, title=f"Day rule for {payer.name}", cancel=reverse("billing:payers")
    )


@staff(Perm.BILLING_MANAGE)
@require_http_methods(["GET", "POST"])
def rule_edit(request: AuthedRequest, rule_id: UUID) -> HttpResponse:
    rule = rule_for(request, rule_id)
    form = PayerRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.payer_rule_save(
                actor=request.user, payer=rule.payer, rule=rule, **form.cleaned_data
            )
            messages.success(request, "Day rule saved.")
            return redirect("billing:payers")
    return _payer_page(
        request, form, title=f"Day rule for {rule.payer.name}", cancel=reverse("billing:payers")
    )


# --- one episode ----------------------------------------------------------------------------


@staff(Perm.BILLING_VIEW)
@require_http_methods(["GET"])
def episode(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant, ep = billing_episode(request, public_id, episode_id)
    billing = episode_billing(ep)
    coverages = list(Coverage.objects.filter(participant=participant).select_related("payer"))
    return render(
        request,
        "billing/episode.html",
        {
            "participant": participant,
            "episode": ep,
            "b": billing,
            "coverages": coverages,
            "days": list(reversed(billing.days)),
            "can_manage": request.user.can(Perm.BILLING_MANAGE),
            "can_diagnose": request.user.can(Perm.PARTICIPANT_WRITE)
            and request.user.can(Perm.PARTICIPANT_CLINICAL)
            and (not ep.program.treats_sud or request.user.can(Perm.PARTICIPANT_SUD)),
            "release": icd10.release(),
        },
    )


def _episode_form(
    request: AuthedRequest,
    form: Any,
    *,
    participant: Participant,
    episode: Episode,
    title: str,
    submit: str,
    intro: str = "",
    template: str = "billing/form.html",
    **extra: Any,
) -> HttpResponse:
    return form_page(
        request,
        template,
        form,
        status=400 if form.is_bound and form.errors else 200,
        participant=participant,
        episode=episode,
        title=title,
        submit=submit,
        intro=intro,
        cancel=_episode_url(participant, episode),
        **extra,
    )


@staff(Perm.BILLING_MANAGE)
@require_http_methods(["GET", "POST"])
def coverage_new(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant, ep = billing_episode(
        request, public_id, episode_id, object_type="billing.coverage"
    )
    form = CoverageForm(
        request.POST or None,
        organization_id=org_id(request),
        initial={"effective_from": ep.admitted_on or today_in(ep.program.time_zone)},
    )
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.coverage_record(
                actor=request.user, participant=participant, **form.cleaned_data
            )
            _record_update(request, participant, "billing.coverage")
            messages.success(request, "Coverage recorded.")
            return redirect(_episode_url(participant, ep))
    return _episode_form(
        request,
        form,
        participant=participant,
        episode=ep,
        title="Record coverage",
        submit="Record coverage",
        intro="From the insurance card. Coverage belongs to the person: every program they "
        "attend bills it.",
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def diagnosis_new(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant, ep = billing_episode(
        request,
        public_id,
        episode_id,
        access=Access.CLINICAL,
        write=True,
        object_type="billing.diagnosis",
    )
    # Searching and choosing post too: a code next to a participant's id never goes into a
    # URL (and so into a server's logs).
    query = request.POST.get("q", "").strip()[:80] if request.method == "POST" else ""
    results = icd10.search(query, limit=15) if query else []
    picked = request.POST.get("pick", "")
    if request.method == "POST" and "save" in request.POST:
        form = DiagnosisForm(request.POST)
        if form.is_valid():
            with form_errors(form):
                services.diagnosis_record(actor=request.user, episode=ep, **form.cleaned_data)
                messages.success(request, "Diagnosis recorded.")
                return redirect(_episode_url(participant, ep))
    else:
        initial: dict[str, object] = {k: request.POST.get(k, "") for k in ("code", "onset_on")}
        initial["is_primary"] = bool(request.POST.get("is_primary"))
        if picked:
            initial["code"] = picked[:12]
        form = DiagnosisForm(initial=initial)
    return _episode_form(
        request,
        form,
        participant=participant,
        episode=ep,
        title="Record a diagnosis",
        submit="Record diagnosis",
        template="billing/diagnosis_form.html",
        query=query,
        results=results,
        release=icd10.release(),
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def diagnosis_remove(
    request: AuthedRequest, public_id: UUID, episode_id: UUID, diagnosis_id: UUID
) -> HttpResponse:
    participant, ep = billing_episode(
        request,
        public_id,
        episode_id,
        access=Access.CLINICAL,
        write=True,
        object_type="billing.diagnosis",
    )
    diagnosis = diagnosis_for(ep, diagnosis_id)
    services.diagnosis_remove(actor=request.user, diagnosis=diagnosis)
    messages.success(request, f"{diagnosis.code} removed from the episode.")
    return redirect(_episode_url(participant, ep))


@staff(Perm.BILLING_MANAGE)
@require_http_methods(["GET", "POST"])
def authorization_new(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant, ep = billing_episode(
        request, public_id, episode_id, object_type="billing.authorization"
    )
    form = AuthorizationForm(
        request.POST or None,
        organization_id=org_id(request),
        initial={"start_on": ep.admitted_on},
    )
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.authorization_record(actor=request.user, episode=ep, **form.cleaned_data)
            _record_update(request, participant, "billing.authorization")
            messages.success(request, "Authorization recorded.")
            return redirect(_episode_url(participant, ep))
    return _episode_form(
        request,
        form,
        participant=participant,
        episode=ep,
        title="Record an authorization",
        submit="Record authorization",
        intro="Days used and left are counted from billable days; you never type them.",
    )


@staff(Perm.BILLING_MANAGE)
@require_http_methods(["GET", "POST"])
def review_new(
    request: AuthedRequest, public_id: UUID, episode_id: UUID, auth_id: UUID
) -> HttpResponse:
    participant, ep = billing_episode(
        request, public_id, episode_id, object_type="billing.authorization"
    )
    auth = authorization_for(ep, auth_id)
    form = ReviewForm(
        request.POST or None,
        initial={"reviewed_on": today_in(ep.program.time_zone), "reviewer": auth.reviewer},
    )
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.review_record(actor=request.user, authorization=auth, **form.cleaned_data)
            _record_update(request, participant, "billing.authorization")
            messages.success(request, "Review outcome recorded.")
            return redirect(_episode_url(participant, ep))
    return _episode_form(
        request,
        form,
        participant=participant,
        episode=ep,
        title=f"Review of authorization {auth.number}",
        submit="Record the outcome",
        intro="An approval adds days (and may move the end date) to this authorization.",
    )
