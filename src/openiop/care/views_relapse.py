"""Relapse prevention plan pages for staff: the draft in the participant's words, agreeing it,
versions, the participant's proposals (accept or decline), and the review before discharge."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.care import services
from openiop.care.forms import DecisionForm, RelapsePlanForm
from openiop.care.models import (
    RELAPSE_SECTIONS,
    RelapsePlanProposal,
    RelapsePreventionPlan,
)
from openiop.care.selectors import (
    relapse_plan_current,
    relapse_plan_draft,
    relapse_proposals,
    relapse_versions,
)
from openiop.care.views import _check_sud, _participant, episode_for, program_choices
from openiop.lib.forms import form_errors, message_errors
from openiop.lib.http import AuthedRequest
from openiop.participants.access import program_ids_for
from openiop.participants.models import Participant


def sections_of(plan: RelapsePreventionPlan | None) -> list[dict[str, str]]:
    if plan is None:
        return []
    return [
        {"key": key, "heading": heading, "prompt": prompt, "text": plan.sections.get(key, "")}
        for key, heading, prompt in RELAPSE_SECTIONS
    ]


def _version_of(
    request: AuthedRequest, participant: Participant, version_id: UUID
) -> RelapsePreventionPlan:
    plan = (
        RelapsePreventionPlan.objects.filter(
            participant=participant,
            public_id=version_id,
            episode__program_id__in=program_ids_for(request.user),
        )
        .select_related("episode__program", "agreed_by", "discharge_reviewed_by")
        .first()
    )
    if plan is None:
        raise Http404("No such version.")
    _check_sud(request, participant, plan.episode)
    return plan


@staff(Perm.PARTICIPANT_CLINICAL)
def relapse_overview(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id)
    episode = episode_for(request, participant)
    current = relapse_plan_current(episode)
    context = {
        "participant": participant,
        "episode": episode,
        "current": current,
        "sections": sections_of(current),
        "draft": relapse_plan_draft(episode),
        "versions": relapse_versions(episode),
        "proposals": relapse_proposals(episode),
        "can_write": request.user.can(Perm.PARTICIPANT_WRITE)
        and request.user.role in services.SIGNING_ROLES,
        "programs": program_choices(request, participant),
    }
    return render(request, "care/relapse.html", context)


@staff(Perm.PARTICIPANT_CLINICAL)
def relapse_version(request: AuthedRequest, public_id: UUID, version_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id)
    plan = _version_of(request, participant, version_id)
    context = {
        "participant": participant,
        "plan": plan,
        "sections": sections_of(plan),
        "intact": services.relapse_hash_intact(plan),
        "can_write": request.user.can(Perm.PARTICIPANT_WRITE)
        and request.user.role in services.SIGNING_ROLES,
    }
    return render(request, "care/relapse_version.html", context)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def relapse_edit(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id, write=True)
    episode = episode_for(request, participant)
    draft = relapse_plan_draft(episode)
    base = draft or relapse_plan_current(episode)
    initial: dict[str, object] = {}
    if base is not None:
        initial = {**base.sections, "review_on": base.review_on}
    form = RelapsePlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        review_on = data.pop("review_on")
        with form_errors(form):
            saved = services.relapse_plan_draft_save(
                actor=request.user, episode=episode, sections=data, review_on=review_on
            )
            messages.success(request, f"Draft version {saved.version} saved.")
            return redirect(
                "care:relapse_version", public_id=participant.public_id, version_id=saved.public_id
            )
    context = {
        "participant": participant,
        "episode": episode,
        "form": form,
        "draft": draft,
        "base": base,
    }
    return render(request, "care/relapse_edit.html", context)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def relapse_agree(request: AuthedRequest, public_id: UUID, version_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id, write=True)
    plan = _version_of(request, participant, version_id)
    with message_errors(request):
        agreed = services.relapse_plan_agree(actor=request.user, plan=plan)
        messages.success(request, f"Version {agreed.version} is agreed and in the portal.")
    return redirect("care:relapse_version", public_id=participant.public_id, version_id=version_id)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def relapse_discharge_review(
    request: AuthedRequest, public_id: UUID, version_id: UUID
) -> HttpResponse:
    participant = _participant(request, public_id, write=True)
    plan = _version_of(request, participant, version_id)
    with message_errors(request):
        services.relapse_plan_discharge_review(actor=request.user, plan=plan)
        messages.success(request, "Marked as gone through with the participant before discharge.")
    return redirect("care:relapse_version", public_id=participant.public_id, version_id=version_id)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def relapse_proposal_decide(
    request: AuthedRequest, public_id: UUID, proposal_id: UUID
) -> HttpResponse:
    participant = _participant(request, public_id, write=True)
    proposal = (
        RelapsePlanProposal.objects.filter(
            public_id=proposal_id,
            plan__participant=participant,
            plan__episode__program_id__in=program_ids_for(request.user),
        )
        .select_related("plan__episode__program")
        .first()
    )
    if proposal is None:
        raise Http404("No such proposal.")
    _check_sud(request, participant, proposal.plan.episode)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose accept or decline.")
        return redirect("care:relapse", public_id=participant.public_id)
    with message_errors(request):
        if form.cleaned_data["decision"] == "accept":
            plan = services.relapse_proposal_accept(actor=request.user, proposal=proposal)
            messages.success(request, f"Accepted. Version {plan.version} is in the portal.")
        else:
            services.relapse_proposal_decline(
                actor=request.user, proposal=proposal, note=form.cleaned_data["note"]
            )
            messages.success(request, "Declined. The participant sees your note.")
    return redirect("care:relapse", public_id=participant.public_id)
