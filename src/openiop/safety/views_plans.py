"""Safety plan pages: the clinician writes the draft with the participant and signs it; the
participant reads, signs and keeps the plan in the portal, one tap from the crisis banner.
Staff reach a participant only through participant_for, and a plan only in a program they work
in (participant_programs, program_check); the portal only through portal_participant, so there
is no way to name someone else's plan."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openiop.accounts.policy import portal, staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record
from openiop.lib.forms import Form, form_errors, message_errors, text_area
from openiop.lib.http import AuthedRequest
from openiop.participants.access import (
    Access,
    participant_for,
    participant_program,
    participant_programs,
    portal_participant,
    program_check,
    program_ids_for,
)
from openiop.participants.forms import ParticipantSignForm
from openiop.participants.models import OPEN_STATUSES, Participant
from openiop.programs.models import Program
from openiop.safety.models import PLAN_SECTIONS, PlanStatus, SafetyPlanVersion
from openiop.safety.plans import (
    current_plan,
    draft_plan,
    open_episode,
    participant_plans,
    plan_versions,
    prefilled_professionals,
    safety_plan_draft_save,
    safety_plan_sign_clinician,
    safety_plan_sign_participant,
)

OBJECT_TYPE = "safety.plan"


class PlanForm(Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, heading, prompt in PLAN_SECTIONS:
            self.fields[name] = text_area(
                heading,
                rows=4,
                max_length=4000,
                required=False,
                help_text=f"{prompt} One per line, in the participant's own words.",
            )


class SignForm(ParticipantSignForm):
    signing_says = "Signing says you have read this plan and it is in your words."


def _version_of(
    request: AuthedRequest, participant: Participant, version_id: UUID
) -> SafetyPlanVersion:
    """A version of the participant's plan kept in a program the viewer works in (404
    otherwise: another program's plan is not theirs to know of), readable at the viewer's level
    (403 for a substance-use program's plan without SUD access)."""
    version = (
        SafetyPlanVersion.objects.filter(
            participant=participant,
            public_id=version_id,
            program_id__in=program_ids_for(request.user),
        )
        .select_related("clinician_signed_by", "episode__program", "program")
        .first()
    )
    if version is None:
        raise Http404("No such plan version.")
    program_check(
        request, participant, version.program, access=Access.CLINICAL, object_type=OBJECT_TYPE
    )
    return version


def _programs(request: AuthedRequest, participant: Participant) -> list[Program]:
    """The programs whose plans the viewer reads; 403 when they work only in programs whose
    plans their role may not read (a substance-use program without SUD access)."""
    programs = participant_programs(request.user, participant, access=Access.CLINICAL)
    if not programs:
        for program in participant_programs(request.user, participant):
            program_check(
                request, participant, program, access=Access.CLINICAL, object_type=OBJECT_TYPE
            )
    return programs


# --- staff ----------------------------------------------------------------------------------


@staff(Perm.PARTICIPANT_CLINICAL)
def plan_overview(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, object_type=OBJECT_TYPE
    )
    can_write = request.user.can(Perm.PARTICIPANT_WRITE)
    plans = [
        {
            "program": program,
            "current": current_plan(participant, program),
            "draft": draft_plan(participant, program),
            "versions": plan_versions(participant, program),
            "writable": can_write and open_episode(participant, program) is not None,
        }
        for program in _programs(request, participant)
    ]
    context = {"participant": participant, "plans": plans, "can_write": can_write}
    return render(request, "safety/plan.html", context)


def _edit_program(request: AuthedRequest, participant: Participant) -> Program | None:
    """The program whose plan is edited: named in ?program=, or the only one the participant
    is in treatment in among the viewer's."""
    wanted = request.GET.get("program")
    if wanted:
        return participant_program(
            request, participant, wanted, access=Access.CLINICAL, object_type=OBJECT_TYPE
        )
    programs = _programs(request, participant)
    in_treatment = [p for p in programs if open_episode(participant, p) is not None]
    if len(in_treatment) == 1:
        return in_treatment[0]
    if not in_treatment and len(programs) == 1:
        return programs[0]  # the form says why a plan cannot be written there
    return None


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def plan_edit(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, write=True, object_type=OBJECT_TYPE
    )
    program = _edit_program(request, participant)
    if program is None:
        messages.info(request, "Choose the program whose safety plan you are writing.")
        return redirect("safety:plan", public_id=participant.public_id)
    draft = draft_plan(participant, program)
    base = draft or current_plan(participant, program)
    if base is not None:
        initial = {name: getattr(base, name) for name, _, _ in PLAN_SECTIONS}
    else:
        episode = open_episode(participant, program)
        initial = {"professionals": prefilled_professionals(episode)}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            saved = safety_plan_draft_save(
                participant=participant,
                program=program,
                actor=request.user,
                sections=form.cleaned_data,
            )
            messages.success(request, f"Draft version {saved.version} saved.")
            return redirect(
                "safety:plan_version", public_id=participant.public_id, version_id=saved.public_id
            )
    context = {
        "participant": participant,
        "program": program,
        "form": form,
        "draft": draft,
        "base": base,
    }
    return render(request, "safety/plan_edit.html", context)


@staff(Perm.PARTICIPANT_CLINICAL)
def plan_version(request: AuthedRequest, public_id: UUID, version_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, object_type=OBJECT_TYPE
    )
    version = _version_of(request, participant, version_id)
    context = {
        "participant": participant,
        "plan": version,
        "can_write": request.user.can(Perm.PARTICIPANT_WRITE),
    }
    return render(request, "safety/plan_version.html", context)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def plan_sign(request: AuthedRequest, public_id: UUID, version_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, write=True, object_type=OBJECT_TYPE
    )
    version = _version_of(request, participant, version_id)
    with message_errors(request):
        signed = safety_plan_sign_clinician(version=version, actor=request.user)
        if signed.status == PlanStatus.SIGNED:
            messages.success(request, f"Version {signed.version} is signed by both and in force.")
        else:
            messages.success(request, "Signed. The participant signs it in their portal.")
    return redirect("safety:plan_version", public_id=participant.public_id, version_id=version_id)


@staff(Perm.PARTICIPANT_CLINICAL)
def plan_print(request: AuthedRequest, public_id: UUID, version_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, object_type=OBJECT_TYPE
    )
    version = _version_of(request, participant, version_id)
    access_record(
        request=request,
        action=AccessAction.PRINT,
        object_type=OBJECT_TYPE,
        participant=participant,
        object_id=str(version.public_id),
    )
    return render(
        request, "safety/plan_print.html", {"participant": participant, "plans": [version]}
    )


# --- portal ---------------------------------------------------------------------------------


@portal
@require_http_methods(["GET", "POST"])
def portal_plan(request: AuthedRequest) -> HttpResponse:
    """The participant's plans, one per program that wrote one with them; a draft waiting for
    their signature is read and signed here (they may sign first or second). An alumnus keeps
    reading and printing the signed plans (the plan matters most after step-down) but signs
    nothing new: a draft belongs to care that has ended."""
    participant = portal_participant(request, object_type=OBJECT_TYPE, alumni=True)
    alumnus = bool(getattr(request, "openiop_alumni", False))
    plans = participant_plans(participant)
    if alumnus:
        for entry in plans:
            entry["draft"] = None
    waiting = [p["draft"] for p in plans if p["draft"] and p["draft"].participant_signed_at is None]
    chosen = request.POST.get("version", "") if request.method == "POST" else ""
    to_sign = next((d for d in waiting if str(d.public_id) == chosen), None)
    if to_sign is None and not chosen and len(waiting) == 1:
        to_sign = waiting[0]
    forms_by_draft = {
        d.pk: SignForm(auto_id=f"sign-{d.public_id}-%s", participant=participant) for d in waiting
    }
    if request.method == "POST":
        if to_sign is None:
            messages.info(request, "There is nothing waiting for your signature.")
            return redirect("portal:safety_plan")
        form = SignForm(
            request.POST, auto_id=f"sign-{to_sign.public_id}-%s", participant=participant
        )
        forms_by_draft[to_sign.pk] = form
        if form.is_valid():
            with form_errors(form):
                signed = safety_plan_sign_participant(
                    version=to_sign,
                    participant=participant,
                    typed_name=form.cleaned_data["typed_name"],
                )
                if signed.status == PlanStatus.SIGNED:
                    messages.success(
                        request, "Thank you. Your plan is signed and here whenever you need it."
                    )
                else:
                    messages.success(
                        request, "Thank you for signing. Your clinician signs it next."
                    )
                return redirect("portal:safety_plan")
    for entry in plans:
        draft = entry["draft"]
        entry["form"] = forms_by_draft.get(draft.pk) if draft is not None else None
    context = {
        "participant": participant,
        "plans": plans,
        "signed": [p["signed"] for p in plans if p["signed"]],
        "waiting": waiting,
        "programs": [p["program"] for p in plans] or _portal_programs(participant),
    }
    return render(request, "portal/safety_plan.html", context)


def _portal_programs(participant: Participant) -> list[Program]:
    """The programs to call when there is no plan yet: those of the open episodes."""
    episodes = participant.episodes.filter(status__in=OPEN_STATUSES).select_related("program")
    return list({e.program_id: e.program for e in episodes}.values())


@portal
def portal_plan_print(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, object_type=OBJECT_TYPE, alumni=True)
    signed = [p["signed"] for p in participant_plans(participant) if p["signed"]]
    if not signed:
        raise Http404("No signed plan yet.")
    for plan in signed:
        access_record(
            request=request,
            action=AccessAction.PRINT,
            object_type=OBJECT_TYPE,
            participant=participant,
            object_id=str(plan.public_id),
        )
    return render(request, "safety/plan_print.html", {"participant": participant, "plans": signed})
