"""Treatment plan pages for staff: the plan and its versions, the draft editor, signatures,
reviews and print. Participants are reached only through participant_for (404 for outsiders,
403 without clinical access); a plan in a substance-use program also needs SUD access."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record
from openiop.care import services
from openiop.care.forms import (
    GoalForm,
    InterventionForm,
    ObjectiveForm,
    PlanDetailsForm,
    ProblemForm,
    ReviewForm,
)
from openiop.care.models import (
    ObjectiveProgress,
    PlanGoal,
    PlanIntervention,
    PlanObjective,
    PlanProblem,
    PlanReview,
    PlanStatus,
    TreatmentPlan,
)
from openiop.care.review_selectors import review_figures
from openiop.care.selectors import (
    current_plan,
    draft_plan,
    objective_changes,
    plan_reviews,
    plan_state,
    plan_tree,
    plan_versions,
    relapse_plan_current,
    relapse_plan_draft,
)
from openiop.lib.forms import form_errors, message_errors
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.participants.access import (
    Access,
    chosen_episode,
    participant_for,
    participant_programs,
    program_ids_for,
)
from openiop.participants.models import Episode, Participant

OBJECT_TYPE = "care.plan"


# --- lookups -----------------------------------------------------------------------------------


def _participant(request: AuthedRequest, public_id: UUID, *, write: bool = False) -> Participant:
    return participant_for(
        request, public_id, access=Access.CLINICAL, write=write, object_type=OBJECT_TYPE
    )


def _check_sud(request: AuthedRequest, participant: Participant, episode: Episode) -> None:
    """Plans of a substance-use program are 42 CFR Part 2 records."""
    if episode.program.treats_sud and not request.user.can(Perm.PARTICIPANT_SUD):
        access_record(
            request=request,
            action=AccessAction.DENIED,
            object_type=OBJECT_TYPE,
            participant=participant,
        )
        raise PermissionDenied("Substance-use treatment records need SUD access.")


def episode_for(request: AuthedRequest, participant: Participant) -> Episode:
    """The participant's episode whose plans the page shows: in the program chosen with
    ?program= among those the viewer may read (a person in two programs has a plan in each),
    else their open one (then the latest)."""
    episode, _ = chosen_episode(
        request, participant, access=Access.CLINICAL, object_type=OBJECT_TYPE
    )
    return episode


def program_choices(request: AuthedRequest, participant: Participant) -> list[Any]:
    """The participant's programs whose plans the viewer reads: the page offers to switch."""
    return participant_programs(request.user, participant, access=Access.CLINICAL)


def _plan_of(request: AuthedRequest, participant: Participant, plan_id: UUID) -> TreatmentPlan:
    plan = (
        TreatmentPlan.objects.filter(
            participant=participant,
            public_id=plan_id,
            episode__program_id__in=program_ids_for(request.user),
        )
        .select_related("episode__program")
        .first()
    )
    if plan is None:
        raise Http404("No such plan version.")
    _check_sud(request, participant, plan.episode)
    return plan


def _can_write(request: AuthedRequest) -> bool:
    return request.user.can(Perm.PARTICIPANT_WRITE) and request.user.role in services.SIGNING_ROLES


def _version_url(participant: Participant, plan: TreatmentPlan) -> str:
    return reverse("care:plan_version", args=[participant.public_id, plan.public_id])


def _edit_url(participant: Participant, plan: TreatmentPlan, anchor: str = "") -> str:
    url = reverse("care:plan_edit", args=[participant.public_id, plan.public_id])
    return f"{url}#{anchor}" if anchor else url


# --- reading -----------------------------------------------------------------------------------


@staff(Perm.PARTICIPANT_CLINICAL)
def plan_overview(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id)
    episode = episode_for(request, participant)
    today = today_in(episode.program.time_zone)
    current = current_plan(episode)
    reviews = plan_reviews(episode)
    reviewed = current is not None and any(r.plan_id == current.pk for r in reviews)
    context = {
        "participant": participant,
        "episode": episode,
        "current": plan_tree(current) if current else None,
        "state": plan_state(current, today, reviewed=reviewed),
        "reviewed": reviewed,
        "draft": draft_plan(episode),
        "versions": plan_versions(episode),
        "reviews": reviews,
        "relapse": relapse_plan_current(episode),
        "relapse_draft": relapse_plan_draft(episode),
        "first_due": services.first_plan_due_on(episode),
        "can_write": _can_write(request),
        "programs": program_choices(request, participant),
    }
    return render(request, "care/plan.html", context)


@staff(Perm.PARTICIPANT_CLINICAL)
def plan_version(request: AuthedRequest, public_id: UUID, plan_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id)
    plan = plan_tree(_plan_of(request, participant, plan_id))
    previous = plan_tree(plan.previous) if plan.previous is not None else None
    today = today_in(plan.episode.program.time_zone)
    changes = objective_changes(plan, previous) if previous else None
    if changes is not None:
        for problem in plan.problems.all():
            for goal in problem.goals.all():
                for objective in goal.objectives.all():
                    # A template-only attribute on the model instance (mypy knows only its fields).
                    objective.change_state = changes["state"].get(objective.lineage, "")  # type: ignore[attr-defined]
    context = {
        "participant": participant,
        "plan": plan,
        "state": plan_state(plan, today, reviewed=PlanReview.objects.filter(plan=plan).exists()),
        "intact": services.plan_hash_intact(plan),
        "changes": changes,
        "previous": previous,
        "gaps": services.plan_gaps(plan) if plan.status == PlanStatus.DRAFT else [],
        "cosign_required": services.cosign_required(plan),
        "may_cosign": plan.status == PlanStatus.DRAFT
        and services.cosign_required(plan)
        and services.may_cosign(request.user, plan),
        "can_write": _can_write(request),
        "from_review": PlanReview.objects.filter(new_plan=plan).first(),
    }
    return render(request, "care/plan_version.html", context)


@staff(Perm.PARTICIPANT_CLINICAL)
def plan_print(request: AuthedRequest, public_id: UUID, plan_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id)
    plan = plan_tree(_plan_of(request, participant, plan_id))
    access_record(
        request=request,
        action=AccessAction.PRINT,
        object_type=OBJECT_TYPE,
        participant=participant,
        object_id=str(plan.public_id),
    )
    context = {"participant": participant, "plan": plan, "intact": services.plan_hash_intact(plan)}
    return render(request, "care/plan_print.html", context)


# --- writing -----------------------------------------------------------------------------------


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def plan_start(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id, write=True)
    episode = episode_for(request, participant)
    with message_errors(request):
        plan = services.plan_draft_start(actor=request.user, episode=episode)
        messages.success(request, f"Draft version {plan.version} started.")
        return redirect(_edit_url(participant, plan))
    return redirect("care:plan", public_id=participant.public_id)


def _draft_of(
    request: AuthedRequest, public_id: UUID, plan_id: UUID
) -> tuple[Participant, TreatmentPlan]:
    participant = _participant(request, public_id, write=True)
    plan = _plan_of(request, participant, plan_id)
    if plan.status != PlanStatus.DRAFT:
        raise Http404("Only a draft is edited.")
    return participant, plan


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def plan_edit(request: AuthedRequest, public_id: UUID, plan_id: UUID) -> HttpResponse:
    participant, plan = _draft_of(request, public_id, plan_id)
    initial = {
        "diagnosis": plan.diagnosis,
        "participant_goals": plan.participant_goals,
        "strengths": plan.strengths,
        "services_summary": plan.services_summary,
    }
    form = PlanDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.plan_details_update(actor=request.user, plan=plan, **form.cleaned_data)
            messages.success(request, "Saved. Signatures on this draft, if any, were cleared.")
            return redirect(_edit_url(participant, plan))
    tree = plan_tree(plan)
    context = {
        "participant": participant,
        "plan": tree,
        "form": form,
        "gaps": services.plan_gaps(tree),
    }
    return render(request, "care/plan_edit.html", context)


KINDS = ("problem", "goal", "objective", "intervention")
PARENT_KIND = {"goal": "problem", "objective": "goal", "intervention": "objective"}
TITLES = {
    "problem": "Problem",
    "goal": "Goal",
    "objective": "Objective",
    "intervention": "Intervention",
}


def _item(plan: TreatmentPlan, kind: str, item_id: UUID | str) -> Any:
    lookups: dict[str, tuple[Any, str]] = {
        "problem": (PlanProblem, "plan"),
        "goal": (PlanGoal, "problem__plan"),
        "objective": (PlanObjective, "goal__problem__plan"),
        "intervention": (PlanIntervention, "objective__goal__problem__plan"),
    }
    model, path = lookups[kind]
    try:
        return model.objects.get(**{path: plan, "public_id": item_id})
    except (model.DoesNotExist, ValidationError, ValueError):
        raise Http404("No such item in this draft.") from None


def _form_for(kind: str, plan: TreatmentPlan, data: Any, item: Any) -> Any:
    episode = plan.episode
    if kind == "problem":
        return ProblemForm(data, initial={"description": item.description} if item else None)
    if kind == "goal":
        initial = {"description": item.description, "status": item.status} if item else None
        return GoalForm(data, initial=initial)
    if kind == "objective":
        return ObjectiveForm(
            data, episode=episode, initial=ObjectiveForm.initial_for(item) if item else None
        )
    initial = None
    if item is not None:
        initial = {
            "modality": item.modality,
            "description": item.description,
            "frequency": item.frequency,
            "responsible": item.responsible.public_id,
        }
    elif plan.episode.primary_clinician is not None:
        initial = {"responsible": plan.episode.primary_clinician.public_id}
    return InterventionForm(data, episode=episode, initial=initial)


def _save_item(
    actor: Any, kind: str, plan: TreatmentPlan, parent: Any, item: Any, data: dict[str, Any]
) -> Any:
    if kind == "problem":
        if item:
            return services.plan_problem_update(
                actor=actor, problem=item, description=data["description"]
            )
        return services.plan_problem_add(actor=actor, plan=plan, description=data["description"])
    if kind == "goal":
        if item:
            return services.plan_goal_update(actor=actor, goal=item, **data)
        return services.plan_goal_add(actor=actor, problem=parent, description=data["description"])
    if kind == "objective":
        fields = services.ObjectiveFields(**data)
        if item:
            return services.plan_objective_update(actor=actor, objective=item, fields=fields)
        return services.plan_objective_add(actor=actor, goal=parent, fields=fields)
    if item:
        return services.plan_intervention_update(actor=actor, intervention=item, **data)
    return services.plan_intervention_add(actor=actor, objective=parent, **data)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def plan_item(
    request: AuthedRequest, public_id: UUID, plan_id: UUID, kind: str, item_id: UUID | None = None
) -> HttpResponse:
    """Add (with ?parent=<id> for goals, objectives and interventions) or edit one item of
    the draft's tree."""
    if kind not in KINDS:
        raise Http404("No such kind of item.")
    participant, plan = _draft_of(request, public_id, plan_id)
    item = _item(plan, kind, item_id) if item_id else None
    parent = None
    if item is None and kind in PARENT_KIND:
        parent_id = request.GET.get("parent") or request.POST.get("parent") or ""
        parent = _item(plan, PARENT_KIND[kind], parent_id)
    form = _form_for(kind, plan, request.POST or None, item)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            saved = _save_item(request.user, kind, plan, parent, item, form.cleaned_data)
            messages.success(request, f"{TITLES[kind]} saved.")
            return redirect(_edit_url(participant, plan, f"{kind}-{saved.public_id}"))
    context = {
        "participant": participant,
        "plan": plan,
        "form": form,
        "kind": kind,
        "title": TITLES[kind],
        "item": item,
        "parent": parent,
    }
    return render(request, "care/plan_item.html", context)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def plan_item_remove(
    request: AuthedRequest, public_id: UUID, plan_id: UUID, kind: str, item_id: UUID
) -> HttpResponse:
    if kind not in KINDS:
        raise Http404("No such kind of item.")
    participant, plan = _draft_of(request, public_id, plan_id)
    item = _item(plan, kind, item_id)
    remove = {
        "problem": lambda: services.plan_problem_remove(actor=request.user, problem=item),
        "goal": lambda: services.plan_goal_remove(actor=request.user, goal=item),
        "objective": lambda: services.plan_objective_remove(actor=request.user, objective=item),
        "intervention": lambda: services.plan_intervention_remove(
            actor=request.user, intervention=item
        ),
    }[kind]
    with message_errors(request):
        remove()
        messages.success(request, f"{TITLES[kind]} removed from the draft.")
    return redirect(_edit_url(participant, plan))


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def plan_sign(request: AuthedRequest, public_id: UUID, plan_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id, write=True)
    plan = _plan_of(request, participant, plan_id)
    with message_errors(request):
        signed = services.plan_sign_clinician(actor=request.user, plan=plan)
        if signed.status == PlanStatus.CURRENT:
            messages.success(request, f"Version {signed.version} is signed and in effect.")
        else:
            messages.success(
                request, "Signed. The plan takes effect when every signature is on it."
            )
    return redirect(_version_url(participant, plan))


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def plan_cosign(request: AuthedRequest, public_id: UUID, plan_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id, write=True)
    plan = _plan_of(request, participant, plan_id)
    with message_errors(request):
        signed = services.plan_cosign_supervisor(actor=request.user, plan=plan)
        if signed.status == PlanStatus.CURRENT:
            messages.success(request, f"Co-signed. Version {signed.version} is in effect.")
        else:
            messages.success(request, "Co-signed. The participant's signature is still to come.")
    return redirect(_version_url(participant, plan))


# --- reviews -----------------------------------------------------------------------------------


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def plan_review(request: AuthedRequest, public_id: UUID, plan_id: UUID) -> HttpResponse:
    """The review form shows the figures pulled from the record before anything is saved."""
    participant = _participant(request, public_id, write=True)
    plan = _plan_of(request, participant, plan_id)
    if plan.status != PlanStatus.CURRENT:
        raise Http404("Only the plan in effect is reviewed.")
    tree = plan_tree(plan)
    objectives = services.plan_objectives(plan)
    today = today_in(plan.episode.program.time_zone)
    reason = "recertification" if plan.expires_on and plan.expires_on <= today else "scheduled"
    form = ReviewForm(
        request.POST or None,
        objectives=objectives,
        initial={"reviewed_on": today, "reason": reason},
    )
    on = today
    if form.is_bound and form.is_valid():
        on = form.cleaned_data["reviewed_on"]
        items = {
            str(o.public_id): services.ReviewItemInput(
                progress=form.cleaned_data[f"progress_{o.public_id}"],
                comment=form.cleaned_data[f"comment_{o.public_id}"],
            )
            for o in objectives
        }
        with form_errors(form):
            review = services.plan_review_complete(
                actor=request.user,
                plan=plan,
                reviewed_on=on,
                reason=form.cleaned_data["reason"],
                items=items,
                changes=form.cleaned_data["changes"],
            )
            assert review.new_plan is not None
            messages.success(
                request,
                f"Review saved. Version {review.new_plan.version} is open as a draft: make the "
                "changes, then sign it with the participant.",
            )
            return redirect(_edit_url(participant, review.new_plan))
    figures = review_figures(plan, objectives, on=min(on, today))
    context = {
        "participant": participant,
        "plan": tree,
        "form": form,
        "rows": [
            (o, progress, comment, figures["objectives"].get(str(o.public_id), {}))
            for o, progress, comment in form.objective_fields()
        ],
        "overall": figures["overall"],
        "progress_choices": ObjectiveProgress.choices,
    }
    return render(request, "care/plan_review.html", context)


@staff(Perm.PARTICIPANT_CLINICAL)
def review_detail(request: AuthedRequest, public_id: UUID, review_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id)
    review = (
        PlanReview.objects.filter(
            public_id=review_id,
            plan__participant=participant,
            plan__episode__program_id__in=program_ids_for(request.user),
        )
        .select_related("plan__episode__program", "new_plan", "reviewed_by")
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    _check_sud(request, participant, review.plan.episode)
    items = list(review.items.select_related("objective").order_by("id"))
    context = {
        "participant": participant,
        "review": review,
        "items": items,
        "overall": review.pulled,
    }
    return render(request, "care/review.html", context)
