"""Staff pages for measures: enter an instrument in session, look at a response, mark it
entered in error or correct it, export it as FHIR, and configure a program's batteries.

Scores are clinical content: every participant-scoped page asks participant_for for
Access.CLINICAL, so billing staff (identity access only) get 403 and outsiders 404."""

from __future__ import annotations

import json
from uuid import UUID

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record
from openiop.lib.forms import form_errors, message_errors
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.measures import services
from openiop.measures.definitions import Instrument, UnknownInstrument, get_instrument
from openiop.measures.fhir import observations, questionnaire_response
from openiop.measures.forms import BatteryForm, ErrorForm, InstrumentForm
from openiop.measures.models import Phase, Response, ResponseMode
from openiop.measures.scoring import score
from openiop.measures.selectors import response_for
from openiop.participants.access import Access, participant_for, program_ids_for
from openiop.participants.disclosures import covering_consents, disclosure_record
from openiop.participants.forms import DiscloseForm, disclose_page
from openiop.participants.models import (
    OPEN_STATUSES,
    ConsentInfo,
    DisclosureChannel,
    Episode,
    Participant,
)
from openiop.participants.part2 import REDISCLOSURE_NOTICE
from openiop.programs.models import Program


def _chart_url(participant: Participant) -> str:
    return reverse("participants:chart", args=[participant.public_id]) + "#measures-h"


def _instrument_or_404(code: str, version: str | None = None) -> Instrument:
    try:
        return get_instrument(code, version)
    except UnknownInstrument:
        raise Http404("No such instrument.") from None


def _current_episode(request: AuthedRequest, participant: Participant) -> Episode:
    episode = (
        participant.episodes.filter(
            program_id__in=program_ids_for(request.user), status__in=OPEN_STATUSES
        )
        .select_related("program")
        .order_by("-inquiry_on", "-id")
        .first()
    )
    if episode is None:
        raise Http404("No open episode in your programs.")
    return episode


@staff(Perm.PARTICIPANT_CLINICAL)
@require_http_methods(["GET", "POST"])
def response_new(request: AuthedRequest, public_id: UUID, code: str) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, write=True, object_type="measures.response"
    )
    instrument = _instrument_or_404(code)
    episode = _current_episode(request, participant)
    form = InstrumentForm(request.POST if request.method == "POST" else None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            response = services.response_record(
                participant=participant,
                episode=episode,
                instrument_code=instrument.code,
                answers=form.answers(),
                entered_by=request.user,
                mode=ResponseMode.IN_SESSION,
            )
            messages.success(request, f"{instrument.code} saved.")
            return redirect(
                "measures:response", public_id=participant.public_id, response_id=response.public_id
            )
    context = {
        "participant": participant,
        "instrument": instrument,
        "form": form,
        "title": f"Enter {instrument.code}",
        "submit": "Save and score",
    }
    return render(request, "measures/entry.html", context)


@staff(Perm.PARTICIPANT_CLINICAL)
@require_http_methods(["GET"])
def response_detail(request: AuthedRequest, public_id: UUID, response_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, object_type="measures.response"
    )
    response = response_for(request.user, participant, response_id)
    instrument = _instrument_or_404(response.instrument_code, response.instrument_version)
    rows = []
    for index, item in enumerate(instrument.items):
        value = response.answers[index] if index < len(response.answers) else None
        label = ""
        if value is not None:
            try:
                label = item.label_for(value)
            except KeyError:
                label = ""
        rows.append(
            {
                "item": item,
                "text": item.text if instrument.text_shipped else f"Item {item.number}",
                "value": value,
                "label": label,
                "critical": item.key in (response.critical_items or []),
            }
        )
    context = {
        "participant": participant,
        "response": response,
        "instrument": instrument,
        "rows": rows,
        "error_form": ErrorForm(),
        "can_write": request.user.can(Perm.PARTICIPANT_WRITE),
        "corrections": list(response.corrections.all()),
    }
    return render(request, "measures/response.html", context)


@staff(Perm.PARTICIPANT_CLINICAL)
@require_http_methods(["POST"])
def response_error(request: AuthedRequest, public_id: UUID, response_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, write=True, object_type="measures.response"
    )
    response = response_for(request.user, participant, response_id)
    form = ErrorForm(request.POST)
    back = reverse(
        "measures:response", kwargs={"public_id": participant.public_id, "response_id": response_id}
    )
    if not form.is_valid():
        messages.error(request, "Say why this response was entered in error; nothing changed.")
        return redirect(back)
    with message_errors(request):
        services.response_mark_entered_in_error(
            response=response, reason=form.cleaned_data["reason"], actor=request.user
        )
        messages.success(request, "Marked entered in error; it no longer counts in the scores.")
    return redirect(back)


@staff(Perm.PARTICIPANT_CLINICAL)
@require_http_methods(["GET", "POST"])
def response_correct(request: AuthedRequest, public_id: UUID, response_id: UUID) -> HttpResponse:
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, write=True, object_type="measures.response"
    )
    original = response_for(request.user, participant, response_id)
    if not original.is_final:
        raise Http404("This response is already entered in error.")
    instrument = _instrument_or_404(original.instrument_code, original.instrument_version)
    form = InstrumentForm(
        request.POST if request.method == "POST" else None,
        instrument=instrument,
        initial_answers=original.answers,
        with_reason=True,
    )
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            response = services.response_correct(
                response=original,
                answers=form.answers(),
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
            messages.success(request, f"{instrument.code} corrected.")
            return redirect(
                "measures:response", public_id=participant.public_id, response_id=response.public_id
            )
    context = {
        "participant": participant,
        "instrument": instrument,
        "form": form,
        "title": f"Correct {instrument.code} of {original.completed_at:%b %-d, %Y}",
        "submit": "Save correction",
    }
    return render(request, "measures/entry.html", context)


# A Part 2 disclosure is labelled as such (HL7 v3 ActCode 42CFRPart2, no redisclosure) and
# carries the notice in words.
PART2_BUNDLE_META = {
    "security": [
        {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "42CFRPart2"},
        {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "NORDSCLCD"},
    ],
    "tag": [
        {"system": "urn:openiop:notice", "code": "redisclosure", "display": REDISCLOSURE_NOTICE}
    ],
}


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def response_fhir(request: AuthedRequest, public_id: UUID, response_id: UUID) -> HttpResponse:
    """Disclose the response as a FHIR R4 Bundle-like JSON document (the QuestionnaireResponse
    and its Observations) to a recipient a consent names: GET asks which consent covers it,
    POST records the disclosure in the participant's accounting and returns the file."""
    participant = participant_for(
        request, public_id, access=Access.CLINICAL, write=True, object_type="measures.response"
    )
    response = response_for(request.user, participant, response_id)
    instrument = _instrument_or_404(response.instrument_code, response.instrument_version)
    program = response.episode.program
    information = [ConsentInfo.ASSESSMENTS]
    consents = covering_consents(
        participant=participant,
        program=program,
        information=information,
        on=today_in(program.time_zone),
    )
    back = reverse(
        "measures:response",
        kwargs={"public_id": participant.public_id, "response_id": response.public_id},
    )
    form = DiscloseForm(
        request.POST or None,
        consents=consents,
        channels=[(DisclosureChannel.FHIR, "FHIR (JSON file)")],
    )
    if request.method == "POST":
        if not consents:
            # Scores of a substance-use program leave it only under a Part 2 consent.
            access_record(
                request=request,
                action=AccessAction.DENIED,
                object_type="measures.response.fhir",
                participant=participant,
                object_id=str(response.public_id),
            )
        if form.is_valid():
            with form_errors(form):
                disclosure_record(
                    participant=participant,
                    program=program,
                    consent=form.chosen(),
                    information=information,
                    description=f"{instrument.code} answered "
                    f"{response.completed_at:%b} {response.completed_at.day}, "
                    f"{response.completed_at.year}, as FHIR",
                    channel=DisclosureChannel.FHIR,
                    actor=request.user,
                    episode=response.episode,
                    object_type="measures.response",
                    object_id=str(response.public_id),
                )
                return _fhir_download(request, participant, response, instrument, program)
    return disclose_page(
        request,
        form,
        participant=participant,
        episode=response.episode,
        consents=consents,
        title=f"Disclose {instrument.code} as FHIR",
        what="these scores",
        submit="Disclose and download",
        cancel=back,
        status=400 if form.errors else 200,
    )


def _fhir_download(
    request: AuthedRequest,
    participant: Participant,
    response: Response,
    instrument: Instrument,
    program: Program,
) -> HttpResponse:
    # The stored answers scored again by the pinned version give the same result; the engine's
    # FHIR builders take its typed result rather than the stored JSON.
    result = score(instrument, list(response.answers))
    patient_ref = f"Patient/{participant.public_id}"
    resources = [
        questionnaire_response(
            instrument,
            response.answers,
            result,
            patient_ref=patient_ref,
            authored=response.completed_at,
            response_id=str(response.public_id),
        )
    ]
    resources += observations(
        instrument,
        response.answers,
        result,
        patient_ref=patient_ref,
        authored=response.completed_at,
        response_id=str(response.public_id),
    )
    if not response.is_final:
        for resource in resources:
            resource["status"] = "entered-in-error"
    document: dict[str, object] = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": resource} for resource in resources],
    }
    if program.treats_sud:
        document["meta"] = PART2_BUNDLE_META
    access_record(
        request=request,
        action=AccessAction.EXPORT,
        object_type="measures.response.fhir",
        participant=participant,
        object_id=str(response.public_id),
    )
    body = json.dumps(document, indent=2, default=str)
    http = HttpResponse(body, content_type="application/fhir+json")
    http["Content-Disposition"] = f'attachment; filename="response-{response.public_id}.json"'
    http["Cache-Control"] = "no-store"
    return http


# --- batteries --------------------------------------------------------------------------------


@staff(Perm.PROGRAM_CONFIGURE)
@require_http_methods(["GET", "POST"])
def batteries(request: AuthedRequest, program_id: UUID) -> HttpResponse:
    try:
        program = Program.objects.get(
            public_id=program_id,
            pk__in=program_ids_for(request.user),
            organization=request.user.organization,
        )
    except Program.DoesNotExist:
        raise Http404("No such program.") from None
    current = services.batteries_for(program)
    codes = services.instrument_codes()
    form = BatteryForm(
        request.POST if request.method == "POST" else None, codes=codes, current=current
    )
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            with transaction.atomic():
                for phase in Phase.values:
                    chosen = form.cleaned_data.get(phase) or []
                    if list(chosen) != list(current.get(phase, ())):
                        services.battery_set(
                            program=program, phase=phase, instruments=chosen, actor=request.user
                        )
            messages.success(request, "Batteries saved.")
            return redirect("measures:batteries", program_id=program.public_id)
    instruments = [get_instrument(code) for code in codes]
    context = {
        "program": program,
        "form": form,
        "instruments": instruments,
        "configured": program.batteries.exists(),
    }
    return render(request, "measures/batteries.html", context)
