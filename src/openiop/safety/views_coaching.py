"""Coaching log pages: the participant's request and replies in the portal, the care team's
list and answer page, the director's pause setting and response-time report.

Staff reach a request only through participant scoping (outsiders 404, roles without clinical
access 403); the portal pages only ever look at the signed-in participant's own requests."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openiop.accounts.models import User
from openiop.accounts.policy import portal, staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record_many
from openiop.diary.services import current_episode
from openiop.lib.forms import Form, form_errors, message_errors, text_area
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.participants.access import (
    Access,
    participant_for,
    participants_for,
    portal_participant,
    program_ids_for,
    readable_program_ids,
)
from openiop.programs.access import program_for
from openiop.programs.models import Program
from openiop.safety.coaching import (
    MAX_PAUSE_HOURS,
    SKILL_MODULES,
    coaching_paused_until,
    coaching_request_claim,
    coaching_request_create,
    coaching_request_respond,
    coaching_settings_for,
    coaching_settings_update,
    response_times,
)
from openiop.safety.models import CoachingOutcome, CoachingRequest, CoachingStatus, ReachBy

SKILL_CHOICES = [(label, [(s, s) for s in skills]) for _, label, skills in SKILL_MODULES]
URGE_CHOICES = [(str(n), str(n)) for n in range(6)]


class RequestForm(Form):
    situation = text_area(
        "What is happening?",
        rows=3,
        max_length=500,
        required=True,
        help_text="A few words are enough.",
    )
    urge = forms.TypedChoiceField(
        label="How strong is the urge right now? (0 = none, 5 = strongest)",
        choices=URGE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
    )
    skills_tried = forms.MultipleChoiceField(
        label="Skills you have tried",
        choices=SKILL_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reach_by = forms.ChoiceField(
        label="How should we reach you?", choices=ReachBy.choices, widget=forms.RadioSelect
    )
    callback_phone = forms.CharField(
        label="Number to call",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("reach_by") == ReachBy.CALLBACK
            and not (data.get("callback_phone") or "").strip()
        ):
            self.add_error("callback_phone", "Enter the number we should call.")
        return data


class RespondForm(Form):
    method = forms.ChoiceField(
        label="How you answered", choices=ReachBy.choices, widget=forms.RadioSelect
    )
    reply = text_area(
        "Message to the participant",
        rows=3,
        max_length=2000,
        required=False,
        help_text="Required when answering by message; the participant reads it in the portal.",
    )
    skills_suggested = forms.MultipleChoiceField(
        label="Skills suggested",
        choices=SKILL_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    outcome = forms.ChoiceField(
        label="Outcome", choices=CoachingOutcome.choices, widget=forms.RadioSelect
    )
    outcome_note = text_area(
        "Note", rows=2, max_length=2000, required=False, help_text="Required for 'Other'."
    )


class SettingsForm(Form):
    pause_hours_after_self_harm = forms.IntegerField(
        label="Coaching unavailable for this many hours after self-harm",
        min_value=0,
        max_value=MAX_PAUSE_HOURS,
        help_text="0 turns the pause off. The adolescent DBT protocol uses 24.",
    )


# --- portal ---------------------------------------------------------------------------------


@portal
@require_http_methods(["GET", "POST"])
def portal_coaching(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, object_type="safety.coaching")
    episode = current_episode(participant)
    mine = list(
        CoachingRequest.objects.filter(participant=participant)
        .select_related("responder")
        .order_by("-requested_at")[:20]
    )
    context: dict[str, Any] = {"participant": participant, "episode": episode, "mine": mine}
    if episode is None:
        return render(request, "portal/coaching.html", context)
    paused = coaching_paused_until(episode)
    if paused is not None:
        context["paused_until"] = paused
        return render(request, "portal/coaching_paused.html", context)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            coaching_request_create(
                participant=participant,
                episode=episode,
                actor=request.user,
                **form.cleaned_data,
            )
            messages.success(request, "Your request has gone to the clinician on coaching duty.")
            return redirect("safety_coaching_portal:list")
    context["form"] = form
    return render(request, "portal/coaching.html", context)


@portal
def portal_coaching_detail(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = portal_participant(request, object_type="safety.coaching")
    item = (
        CoachingRequest.objects.filter(participant=participant, public_id=public_id)
        .select_related("responder", "program")
        .first()
    )
    if item is None:
        raise Http404("No such request.")
    return render(
        request, "portal/coaching_detail.html", {"participant": participant, "item": item}
    )


# --- staff ------------------------------------------------------------------------------------


def visible_requests(user: User) -> QuerySet[CoachingRequest]:
    """Requests of the user's programs; a substance-use program's only with SUD access."""
    return CoachingRequest.objects.filter(
        organization_id=user.organization_id or 0,
        program_id__in=readable_program_ids(user, Access.CLINICAL),
        participant__in=participants_for(user),
    )


def _report(user: User) -> list[dict[str, Any]]:
    programs = Program.objects.filter(pk__in=program_ids_for(user)).order_by("name")
    since = timezone.now() - timedelta(weeks=9)
    report = []
    for program in programs:
        rows = CoachingRequest.objects.filter(program=program, requested_at__gte=since).values_list(
            "requested_at", "responded_at"
        )
        weeks = response_times(
            [(program.name, r, s) for r, s in rows],
            today=today_in(program.time_zone),
            zone=zoneinfo.ZoneInfo(program.time_zone),
        )
        report.append({"program": program, "weeks": weeks})
    return report


@staff(Perm.PARTICIPANT_CLINICAL)
def coaching_list(request: AuthedRequest) -> HttpResponse:
    base = visible_requests(request.user).select_related(
        "participant", "program", "routed_to", "claimed_by", "responder"
    )
    # Urgency first (the participant's urge, strongest first), then the longest waiting: an
    # urge of 5 never sits under a 1 because it came in later.
    open_rows = list(
        base.exclude(status=CoachingStatus.CLOSED).order_by("-urge", "requested_at", "id")[:200]
    )
    closed = list(base.filter(status=CoachingStatus.CLOSED).order_by("-requested_at")[:30])
    access_record_many(
        request=request,
        action=AccessAction.LIST,
        object_type="safety.coaching",
        participants=list({r.participant_id: r.participant for r in open_rows + closed}.values()),
    )
    is_director = request.user.can(Perm.PROGRAM_CONFIGURE)
    context = {
        "open_rows": open_rows,
        "closed": closed,
        "report": _report(request.user) if is_director else [],
        "programs": (
            Program.objects.filter(pk__in=program_ids_for(request.user)).order_by("name")
            if is_director
            else []
        ),
    }
    return render(request, "safety/coaching_list.html", context)


def _request_for(
    request: AuthedRequest, public_id: UUID, *, write: bool = False
) -> CoachingRequest:
    item = (
        visible_requests(request.user)
        .select_related("participant", "program", "episode", "routed_to", "claimed_by", "responder")
        .filter(public_id=public_id)
        .first()
    )
    if item is None:
        raise Http404("No such coaching request.")
    participant_for(
        request,
        item.participant.public_id,
        access=Access.CLINICAL,
        write=write,
        object_type="safety.coaching",
    )
    return item


def _detail(request: AuthedRequest, item: CoachingRequest, form: RespondForm) -> HttpResponse:
    context = {
        "item": item,
        "form": form,
        "can_write": request.user.can(Perm.PARTICIPANT_WRITE),
    }
    return render(request, "safety/coaching_detail.html", context)


@staff(Perm.PARTICIPANT_CLINICAL)
def coaching_detail(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    item = _request_for(request, public_id)
    return _detail(request, item, RespondForm(initial={"method": item.reach_by}))


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def coaching_claim(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    item = _request_for(request, public_id, write=True)
    with message_errors(request):
        coaching_request_claim(request=item, actor=request.user)
        messages.success(request, "You are answering this request.")
    return redirect("safety:coaching", public_id=item.public_id)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def coaching_respond(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    item = _request_for(request, public_id, write=True)
    form = RespondForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            coaching_request_respond(request=item, actor=request.user, **form.cleaned_data)
            messages.success(request, "Answer recorded.")
            return redirect("safety:coaching", public_id=item.public_id)
    return _detail(request, item, form)


@staff(Perm.PROGRAM_CONFIGURE)
@require_http_methods(["GET", "POST"])
def coaching_settings(request: AuthedRequest, program_id: UUID) -> HttpResponse:
    program = program_for(request.user, program_id)
    current = coaching_settings_for(program)
    form = SettingsForm(
        request.POST or None,
        initial={"pause_hours_after_self_harm": current.pause_hours_after_self_harm},
    )
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            coaching_settings_update(program=program, actor=request.user, **form.cleaned_data)
            messages.success(request, "Saved.")
            return redirect(request.path)
    return render(request, "safety/coaching_settings.html", {"program": program, "form": form})
