"""The medication pages: the episode's list, adding and changing an entry, marking one entered
in error, and signing a reconciliation. Clinical content of the episode's program: SUD access
when the program treats substance use (participants.access.level_for)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.lib.forms import form_errors, form_page, message_errors
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.participants.access import (
    Access,
    chosen_episode,
    participant_for,
    program_check,
    program_ids_for,
)
from openiop.participants.models import Episode, Participant
from openiop.substance_use import services
from openiop.substance_use.forms import MedicationForm, ReconciliationForm
from openiop.substance_use.models import Medication, MedicationStatus
from openiop.substance_use.selectors import coordination_consents, medication_panel

OBJECT_TYPE = "substance_use.medications"


def _may_record(request: AuthedRequest) -> bool:
    user = request.user
    return user.can(Perm.PARTICIPANT_WRITE) and user.role in services.RECORDING_ROLES


def _participant(request: AuthedRequest, public_id: UUID, *, write: bool = False) -> Participant:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, write=write, object_type=OBJECT_TYPE
    )
    if write and not _may_record(request):
        raise PermissionDenied("Only clinicians and directors record medications.")
    return participant


def _list_url(participant: Participant, episode: Episode) -> str:
    url = reverse("substance_use:medications", args=[participant.public_id])
    return f"{url}?program={episode.program.public_id}"


def _medication(
    request: AuthedRequest, participant: Participant, medication_id: UUID
) -> Medication:
    medication = (
        Medication.objects.filter(
            participant=participant,
            public_id=medication_id,
            program_id__in=program_ids_for(request.user),
            status=MedicationStatus.RECORDED,
        )
        .select_related("episode__program", "episode__participant")
        .first()
    )
    if medication is None:
        raise Http404("No such medication.")
    program_check(
        request,
        participant,
        medication.episode.program,
        access=Access.CLINICAL,
        object_type=OBJECT_TYPE,
    )
    return medication


@staff(Perm.PARTICIPANT_CLINICAL)
@require_http_methods(["GET", "POST"])
def medications(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    """The list, with the form to add an entry (POST adds)."""
    writing = request.method == "POST"
    participant = _participant(request, public_id, write=writing)
    episode, programs = chosen_episode(
        request, participant, access=Access.CLINICAL, object_type=OBJECT_TYPE
    )
    today = today_in(episode.program.time_zone)
    consents = coordination_consents(episode, on=today)
    form = MedicationForm(request.POST or None, episode=episode, consents=consents)
    if writing and form.is_valid():
        with form_errors(form):
            services.medication_record(actor=request.user, episode=episode, data=form.to_input())
            messages.success(request, "Medication added to the list.")
            return redirect(_list_url(participant, episode))
    return form_page(
        request,
        "substance_use/medications.html",
        form,
        participant=participant,
        episode=episode,
        programs=programs,
        panel=medication_panel(episode, on=today, history=20),
        reconcile_form=ReconciliationForm(initial={"reviewed_on": today}),
        can_write=_may_record(request) and episode.is_open,
    )


@staff(Perm.PARTICIPANT_CLINICAL)
@require_http_methods(["GET", "POST"])
def medication_edit(request: AuthedRequest, public_id: UUID, medication_id: UUID) -> HttpResponse:
    writing = request.method == "POST"
    participant = _participant(request, public_id, write=writing)
    medication = _medication(request, participant, medication_id)
    episode = medication.episode
    consents = coordination_consents(episode, on=today_in(episode.program.time_zone))
    form = MedicationForm(
        request.POST or None,
        episode=episode,
        consents=consents,
        initial=MedicationForm.initial_for(medication),
    )
    if writing and form.is_valid():
        with form_errors(form):
            services.medication_update(
                actor=request.user, medication=medication, data=form.to_input()
            )
            messages.success(request, "Medication updated.")
            return redirect(_list_url(participant, episode))
    return form_page(
        request,
        "substance_use/medication_edit.html",
        form,
        participant=participant,
        episode=episode,
        medication=medication,
        can_write=_may_record(request),
    )


@staff(Perm.PARTICIPANT_CLINICAL)
@require_POST
def medication_error(request: AuthedRequest, public_id: UUID, medication_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id, write=True)
    medication = _medication(request, participant, medication_id)
    with message_errors(request):
        services.medication_mark_in_error(actor=request.user, medication=medication)
        messages.success(request, f"{medication.name} marked entered in error.")
    return redirect(_list_url(participant, medication.episode))


@staff(Perm.PARTICIPANT_CLINICAL)
@require_POST
def reconcile(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    """Sign the reconciliation of the chosen episode's list."""
    participant = _participant(request, public_id, write=True)
    episode, _ = chosen_episode(
        request, participant, access=Access.CLINICAL, object_type=OBJECT_TYPE
    )
    form = ReconciliationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(_list_url(participant, episode))
    with message_errors(request):
        services.reconciliation_sign(
            actor=request.user,
            episode=episode,
            occasion=form.cleaned_data["occasion"],
            reviewed_on=form.cleaned_data["reviewed_on"],
            reviewed_with_participant=form.cleaned_data["reviewed_with_participant"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, "Reconciliation signed.")
    return redirect(_list_url(participant, episode))
