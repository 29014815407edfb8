"""The billing room's pages: the worklist, payers and their rules, and one episode's coverage,
diagnoses, authorizations and billable days.

Billing pages need `billing.view` (directors, clinicians, billing staff) and changes
`billing.manage` (directors, billing staff); diagnoses are recorded by clinical staff. Every
page that shows a participant writes the access log (participant_for for one, a `list` row
per participant on the worklist), and every change an `update` row. Figures are computed live
from attendance and notes (selectors.py); nothing here shows a note's text.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
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
from openiop.billing.claims import Candidate, claim_candidates
from openiop.billing.forms import (
    AuthorizationForm,
    ClaimPeriodForm,
    CoverageForm,
    DiagnosisForm,
    PayerForm,
    PayerRuleForm,
    RemittanceForm,
    ReviewForm,
)
from openiop.billing.models import Claim, ClaimBatch, Coverage, RemittanceImport
from openiop.billing.selectors import (
    billing_for_episodes,
    episode_billing,
    payers_for,
    recent,
    worklist_episodes,
)
from openiop.lib.forms import form_errors, form_page, message_errors
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


# --- claims ---------------------------------------------------------------------------------


def _period_form(request: AuthedRequest, data: Any) -> ClaimPeriodForm:
    return ClaimPeriodForm(
        data,
        organization_id=org_id(request),
        program_ids=program_ids_for(request.user),
    )


def _last_week(request: AuthedRequest) -> dict[str, Any]:
    ids = program_ids_for(request.user)
    program = Program.objects.filter(pk__in=ids).order_by("name").first()
    today = today_in(program.time_zone) if program else timezone.localdate()
    monday = today - timedelta(days=today.weekday() + 7)
    return {
        "program": program.public_id if program else None,
        "start": monday,
        "end": monday + timedelta(days=6),
    }


@staff(Perm.BILLING_MANAGE)
@require_http_methods(["GET"])
def claims(request: AuthedRequest) -> HttpResponse:
    """The claims worklist for one program, payer and period: the days waiting to be
    claimed (and what stops a claim), the batches sent and the remittances imported."""
    form = _period_form(request, request.GET if "payer" in request.GET else None)
    if not form.is_bound:
        form = _period_form(request, None)
        form.initial = _last_week(request)
    candidates: list[Candidate] = []
    if form.is_valid():
        d = form.cleaned_data
        candidates = claim_candidates(d["program"], d["payer"], d["start"], d["end"])
    ids = program_ids_for(request.user)
    batches = list(
        ClaimBatch.objects.filter(program_id__in=ids)
        .select_related("payer", "program")
        .prefetch_related("claims")[:20]
    )
    access_record_many(
        request=request,
        action=AccessAction.LIST,
        object_type="billing.claims",
        participants=[c.episode.participant for c in candidates],
    )
    return render(
        request,
        "billing/claims.html",
        {
            "form": form,
            "candidates": candidates,
            "blocked": any(c.problems for c in candidates),
            "total": sum((c.charge for c in candidates), Decimal("0")),
            "batches": batches,
            "imports": list(
                RemittanceImport.objects.filter(organization_id=org_id(request)).select_related(
                    "payer"
                )[:10]
            ),
            "query": request.GET.urlencode() if form.is_bound else "",
        },
    )


@staff(Perm.BILLING_MANAGE)
@require_http_methods(["POST"])
def batch_create(request: AuthedRequest) -> HttpResponse:
    form = _period_form(request, request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a program, a payer and a period.")
        return redirect("billing:claims")
    d = form.cleaned_data
    with message_errors(request):
        batch = services.claim_batch_create(
            actor=request.user,
            program=d["program"],
            payer=d["payer"],
            start=d["start"],
            end=d["end"],
        )
        access_record_many(
            request=request,
            action=AccessAction.CREATE,
            object_type="billing.claim",
            participants=[
                c.episode.participant for c in batch.claims.select_related("episode__participant")
            ],
        )
        messages.success(request, f"Batch {batch.interchange_number} created: download its 837I.")
        return redirect("billing:batch", batch.public_id)
    query = urlencode({k: request.POST.get(k, "") for k in ("program", "payer", "start", "end")})
    return redirect(f"{reverse('billing:claims')}?{query}")


def _batch(request: AuthedRequest, batch_id: UUID) -> ClaimBatch:
    batch = (
        ClaimBatch.objects.select_related("payer", "program")
        .filter(public_id=batch_id, program_id__in=program_ids_for(request.user))
        .first()
    )
    if batch is None:
        raise Http404("No such batch in your programs.")
    return batch


@staff(Perm.BILLING_MANAGE)
@require_http_methods(["GET"])
def batch(request: AuthedRequest, batch_id: UUID) -> HttpResponse:
    b = _batch(request, batch_id)
    rows = list(b.claims.select_related("episode__participant").order_by("control_number"))
    access_record_many(
        request=request,
        action=AccessAction.LIST,
        object_type="billing.claim",
        participants=[c.episode.participant for c in rows],
    )
    return render(request, "billing/batch.html", {"batch": b, "claims": rows})


@staff(Perm.BILLING_MANAGE)
@require_http_methods(["GET"])
def batch_837i(request: AuthedRequest, batch_id: UUID) -> HttpResponse:
    """The batch's ANSI X12 837I file; its name carries the batch's UUID, never a name."""
    b = _batch(request, batch_id)
    participants = [c.episode.participant for c in b.claims.select_related("episode__participant")]
    access_record_many(
        request=request,
        action=AccessAction.EXPORT,
        object_type="billing.837i",
        participants=participants,
        object_ids=[str(b.public_id)] * len(participants),
    )
    response = HttpResponse(b.x12, content_type="application/edi-x12")
    response["Content-Disposition"] = f'attachment; filename="837i-{b.public_id}.x12"'
    return response


@staff(Perm.BILLING_MANAGE)
@require_http_methods(["GET", "POST"])
def remittance_new(request: AuthedRequest) -> HttpResponse:
    form = RemittanceForm(
        request.POST or None, request.FILES or None, organization_id=org_id(request)
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 5_000_000:
            form.add_error("file", "An 835 file of more than 5 MB is not accepted here.")
        else:
            text = upload.read().decode("ascii", errors="replace")
            with form_errors(form):
                imported = services.remittance_import(
                    actor=request.user, payer=form.cleaned_data["payer"], text=text
                )
                messages.success(
                    request,
                    f"835 imported: {imported.claims_matched} claim"
                    f"{'s' if imported.claims_matched != 1 else ''} reconciled"
                    + (
                        f", {imported.claims_unmatched} not ours"
                        if imported.claims_unmatched
                        else ""
                    )
                    + ".",
                )
                return redirect("billing:claims")
    return form_page(
        request,
        "billing/form.html",
        form,
        status=400 if form.is_bound and form.errors else 200,
        title="Import an 835 remittance",
        submit="Import and reconcile",
        intro="The file is checked by pyx12 and refused whole if it is invalid or its "
        "amounts do not add up. Each claim it names is marked paid, adjusted or denied.",
        cancel=reverse("billing:claims"),
        multipart=True,
    )


@staff(Perm.BILLING_MANAGE)
@require_http_methods(["GET"])
def export_csv(request: AuthedRequest) -> HttpResponse:
    """Billable days (each participant-day with its decision and reasons) and the claims of
    the period, for clinics that bill elsewhere. Codes, dates and amounts: no note text."""
    form = _period_form(request, request.GET)
    if not form.is_valid():
        return redirect("billing:claims")
    d = form.cleaned_data
    program, start, end = d["program"], d["start"], d["end"]
    episodes = list(worklist_episodes([program.pk]).exclude(admitted_on__isnull=True))
    rows = [
        r
        for r in billing_for_episodes(episodes)
        if r.coverage is not None and r.coverage.payer_id == d["payer"].pk
    ]
    claimed: dict[tuple[int, str], Claim] = {}
    for c in Claim.objects.filter(episode__in=[r.episode for r in rows]):
        for line in c.lines:
            claimed[(c.episode_id, line["day"])] = c
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "record_number",
            "last_name",
            "first_name",
            "member_id",
            "payer",
            "day",
            "billable",
            "units",
            "revenue_code",
            "hcpcs",
            "charge",
            "authorization",
            "reasons",
            "claim",
            "claim_outcome",
            "claim_paid",
            "claim_balance",
        ]
    )
    shown = []
    for r in rows:
        rule, coverage = r.rule, r.coverage
        assert coverage is not None
        days = [x for x in r.days if start <= x.day <= end]
        if days:
            shown.append(r.episode.participant)
        for x in days:
            claim = claimed.get((r.episode.pk, x.day.isoformat()))
            writer.writerow(
                [
                    r.episode.participant.record_number,
                    r.episode.participant.legal_last_name,
                    r.episode.participant.legal_first_name,
                    coverage.member_id,
                    coverage.payer.name,
                    x.day.isoformat(),
                    "yes" if x.billable else "no",
                    x.units,
                    x.code.revenue_code,
                    x.code.hcpcs,
                    str(rule.charge_per_unit * x.units) if rule and x.billable else "0",
                    x.authorization or "",
                    "; ".join(x.reasons),
                    claim.control_number if claim else "",
                    claim.get_outcome_display() if claim else "",
                    str(claim.paid) if claim else "",
                    str(claim.balance) if claim else "",
                ]
            )
    access_record_many(
        request=request,
        action=AccessAction.EXPORT,
        object_type="billing.csv",
        participants=shown,
    )
    response = HttpResponse(out.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="billable-days-{program.public_id}-{start}-{end}.csv"'
    )
    return response
