"""Safety plan pages: the clinician writes the draft with the participant and signs it; the
participant reads, signs and keeps the plan in the portal, one tap from the crisis banner.
Staff reach a participant only through participant_for; the portal only through
portal_participant, so there is no way to name someone else's plan."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openiop.accounts.policy import portal, staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record
from openiop.lib.http import AuthedRequest
from openiop.participants.access import Access, participant_for, portal_participant
from openiop.participants.models import Participant
from openiop.safety.models import PLAN_SECTIONS, PlanStatus, SafetyPlanVersion
from openiop.safety.plans import (
    _open_episode,
    current_plan,
    draft_plan,
    plan_versions,
    prefilled_professionals,
    safety_plan_draft_save,
    safety_plan_sign_clinician,
    safety_plan_sign_participant,
)


class PlanForm(forms.Form):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, heading, prompt in PLAN_SECTIONS:
            self.fields[name] = forms.CharField(
                label=heading,
                required=False,
                max_length=4000,
                help_text=f"{prompt} One per line, in the participant's own words.",
                widget=forms.Textarea(attrs={"rows": 4}),
            )


class SignForm(forms.Form):
    typed_name = forms.CharField(
        label="Type your full legal name to sign",
        max_length=200,
        help_text="Signing says you have read this plan and it is in your words.",
    )

    def __init__(self, *args: Any, participant: Participant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "typed_name"
        ].help_text = (
            f"As on your record: {participant.legal_name}. {self.fields['typed_name'].help_text}"
        )


def _apply(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            for e in errors:
                form.add_error(name if name in form.fields else None, e)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _version_of(participant: Participant, version_id: UUID) -> SafetyPlanVersion:
    version = (
        SafetyPlanVersion.objects.filter(participant=participant, public_id=version_id)
        .select_related("clinician_signed_by", "episode__program")
        .first()
    )
    if version is None:
        raise Http404("No such plan version.")
    return version


# --- staff ----------------------------------------------------------------------------------


@staff(Perm.PARTICIPANT_CLINICAL)
def plan_overview(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, object_type="safety.plan"
    )
    context = {
        "participant": participant,
        "current": current_plan(participant),
        "draft": draft_plan(participant),
        "versions": plan_versions(participant),
        "can_write": request.user.can(Perm.PARTICIPANT_WRITE),
    }
    return render(request, "safety/plan.html", context)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def plan_edit(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, write=True, object_type="safety.plan"
    )
    draft = draft_plan(participant)
    base = draft or current_plan(participant)
    if base is not None:
        initial = {name: getattr(base, name) for name, _, _ in PLAN_SECTIONS}
    else:
        initial = {
            "professionals": prefilled_professionals(_open_episode(participant, request.user))
        }
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = safety_plan_draft_save(
                participant=participant, actor=request.user, sections=form.cleaned_data
            )
        except ValidationError as error:
            _apply(form, error)
        else:
            messages.success(request, f"Draft version {saved.version} saved.")
            return redirect(
                "safety:plan_version", public_id=participant.public_id, version_id=saved.public_id
            )
    context = {"participant": participant, "form": form, "draft": draft, "base": base}
    return render(request, "safety/plan_edit.html", context)


@staff(Perm.PARTICIPANT_CLINICAL)
def plan_version(request: AuthedRequest, public_id: UUID, version_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, object_type="safety.plan"
    )
    version = _version_of(participant, version_id)
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
        request, public_id, access=Access.CLINICAL, write=True, object_type="safety.plan"
    )
    version = _version_of(participant, version_id)
    try:
        signed = safety_plan_sign_clinician(version=version, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if signed.status == PlanStatus.SIGNED:
            messages.success(request, f"Version {signed.version} is signed by both and in force.")
        else:
            messages.success(request, "Signed. The participant signs it in their portal.")
    return redirect("safety:plan_version", public_id=participant.public_id, version_id=version_id)


@staff(Perm.PARTICIPANT_CLINICAL)
def plan_print(request: AuthedRequest, public_id: UUID, version_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, object_type="safety.plan"
    )
    version = _version_of(participant, version_id)
    access_record(
        request=request,
        action=AccessAction.PRINT,
        object_type="safety.plan",
        participant=participant,
        object_id=str(version.public_id),
    )
    return render(request, "safety/plan_print.html", {"participant": participant, "plan": version})


# --- portal ---------------------------------------------------------------------------------


@portal
@require_http_methods(["GET", "POST"])
def portal_plan(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, object_type="safety.plan")
    plan = current_plan(participant)
    draft = draft_plan(participant)
    # A draft waits for the participant's signature only once the clinician has written it
    # with them; they may sign first or second.
    to_sign = draft if draft is not None and draft.participant_signed_at is None else None
    form = SignForm(request.POST or None, participant=participant) if to_sign is not None else None
    if request.method == "POST":
        if to_sign is None or form is None:
            messages.info(request, "There is nothing waiting for your signature.")
            return redirect("portal:safety_plan")
        if form.is_valid():
            try:
                signed = safety_plan_sign_participant(
                    version=to_sign,
                    participant=participant,
                    typed_name=form.cleaned_data["typed_name"],
                )
            except ValidationError as error:
                _apply(form, error)
            else:
                if signed.status == PlanStatus.SIGNED:
                    messages.success(
                        request, "Thank you. Your plan is signed and here whenever you need it."
                    )
                else:
                    messages.success(
                        request, "Thank you for signing. Your clinician signs it next."
                    )
                return redirect("portal:safety_plan")
    context = {
        "participant": participant,
        "plan": plan,
        "to_sign": to_sign,
        "form": form,
        "program": current.episode.program if (current := plan or draft) else None,
    }
    return render(request, "portal/safety_plan.html", context)


@portal
def portal_plan_print(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, object_type="safety.plan")
    plan = current_plan(participant)
    if plan is None:
        raise Http404("No signed plan yet.")
    access_record(
        request=request,
        action=AccessAction.PRINT,
        object_type="safety.plan",
        participant=participant,
        object_id=str(plan.public_id),
    )
    return render(request, "safety/plan_print.html", {"participant": participant, "plan": plan})
