"""The participant's own treatment plan and relapse prevention plan, phone-first. The portal
reaches only the signed-in participant's record (portal_participant); there is no way to name
someone else's plan."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openiop.accounts.policy import portal
from openiop.care import services
from openiop.care.forms import ProposalForm, SignForm
from openiop.care.models import RELAPSE_SECTION_KEYS, PlanStatus
from openiop.care.selectors import (
    current_plan,
    draft_plan,
    plan_tree,
    relapse_plan_current,
    relapse_proposals,
)
from openiop.care.views_relapse import sections_of
from openiop.lib.forms import form_errors
from openiop.lib.http import AuthedRequest
from openiop.participants.access import portal_participant
from openiop.participants.models import OPEN_STATUSES, Episode, Participant


def portal_episode(participant: Participant) -> Episode | None:
    return (
        participant.episodes.filter(status__in=OPEN_STATUSES)
        .select_related("program")
        .order_by("-inquiry_on", "-id")
        .first()
    )


@portal
@require_http_methods(["GET", "POST"])
def my_plan(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, object_type="care.plan")
    episode = portal_episode(participant)
    current = draft = None
    if episode is not None:
        found = current_plan(episode)
        current = plan_tree(found) if found else None
        waiting = draft_plan(episode)
        draft = plan_tree(waiting) if waiting else None
    # A draft is shown for signing once it is complete; the participant may sign first or
    # after the clinician.
    to_sign = (
        draft
        if draft is not None
        and draft.participant_signed_at is None
        and not services.plan_gaps(draft)
        else None
    )
    form = SignForm(request.POST or None, participant=participant) if to_sign is not None else None
    if request.method == "POST":
        if to_sign is None or form is None:
            messages.info(request, "There is nothing waiting for your signature.")
            return redirect("care:my_plan")
        if form.is_valid():
            with form_errors(form):
                signed = services.plan_sign_participant(
                    plan=to_sign,
                    participant=participant,
                    typed_name=form.cleaned_data["typed_name"],
                )
                if signed.status == PlanStatus.CURRENT:
                    messages.success(request, "Thank you. Your plan is signed and in effect.")
                else:
                    messages.success(
                        request, "Thank you for signing. Your care team adds their signatures next."
                    )
                return redirect("care:my_plan")
    context = {
        "participant": participant,
        "plan": current,
        "to_sign": to_sign,
        "signed_draft": draft if draft is not None and draft.participant_signed_at else None,
        "form": form,
    }
    return render(request, "care/portal_plan.html", context)


@portal
def my_relapse_plan(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, object_type="care.relapse_plan")
    episode = portal_episode(participant)
    plan = relapse_plan_current(episode) if episode else None
    context = {
        "participant": participant,
        "plan": plan,
        "sections": sections_of(plan),
        "proposals": relapse_proposals(episode) if episode else [],
    }
    return render(request, "care/portal_relapse.html", context)


@portal
@require_http_methods(["GET", "POST"])
def my_relapse_propose(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, object_type="care.relapse_plan")
    episode = portal_episode(participant)
    plan = relapse_plan_current(episode) if episode else None
    if plan is None:
        messages.info(request, "Your relapse prevention plan is not ready yet.")
        return redirect("care:my_relapse_plan")
    section = request.GET.get("section", "")
    initial = {}
    if section in RELAPSE_SECTION_KEYS:
        initial = {"section": section, "text": plan.sections.get(section, "")}
    form = ProposalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.relapse_proposal_create(
                participant=participant,
                plan=plan,
                section=form.cleaned_data["section"],
                text=form.cleaned_data["text"],
            )
            messages.success(request, "Sent to your care team. They will go through it with you.")
            return redirect("care:my_relapse_plan")
    return render(request, "care/portal_relapse_propose.html", {"form": form, "plan": plan})
