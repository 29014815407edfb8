"""Participant- and family-facing pages: phone-first, the crisis banner on every page."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import defaults
from django.views.decorators.http import require_http_methods

from openiop.accounts.policy import family, portal
from openiop.diary.models import DiaryCard
from openiop.home import panels
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.measures.definitions import Instrument, get_instrument
from openiop.measures.forms import QuestionForm, answer_vector, skipped_items
from openiop.measures.models import (
    Administration,
    AdministrationStatus,
    DraftResponse,
    ResponseMode,
)
from openiop.measures.selectors import (
    plain_name,
    portal_administration,
    portal_checkins,
    portal_response,
)
from openiop.measures.services import draft_answer, item_options, response_record
from openiop.participants.access import PortalClosed, family_consents_for, portal_participant
from openiop.participants.models import OPEN_STATUSES, Participant
from openiop.participants.part2 import REDISCLOSURE_NOTICE
from openiop.portal.family import family_disclosures_record, family_sections


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 403 handler: a participant whose program ended gets a page that says why and what is
    still open; every other refusal gets the usual page."""
    if isinstance(exception, PortalClosed):
        return render(request, "portal/closed.html", {"reason": str(exception)}, status=403)
    return defaults.permission_denied(request, exception)


@portal
def home(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, alumni=True)
    episode = (
        participant.episodes.filter(status__in=OPEN_STATUSES)
        .select_related("program", "program__site", "track", "primary_clinician")
        .order_by("-inquiry_on")
        .first()
    )
    today = today_in(episode.program.time_zone) if episode else timezone.localdate()
    checkins = [
        (administration, instrument, plain_name(instrument.code))
        for administration, instrument in portal_checkins(participant)
    ]
    context: dict[str, Any] = {
        "participant": participant,
        "episode": episode,
        "week": episode.week_number(today) if episode else None,
        "today": today,
        "checkins": checkins,
        "diary_filed_today": episode is not None
        and DiaryCard.objects.filter(participant=participant, episode=episode, day=today).exists(),
        **panels.portal_context(request, participant),
    }
    context["first"] = _first_thing(context)
    return render(request, "portal/home.html", context)


def _first_thing(context: dict[str, Any]) -> str:
    """What the home offers as its one primary button, most pressing first: today's diary
    card, then a check-in that is due, then a plan waiting for a signature; else nothing
    (My week leads)."""
    if context["episode"] is None:
        return ""
    if not context["diary_filed_today"]:
        return "diary"
    if context["checkins"]:
        return "checkin"
    care = context.get("care_portal") or {}
    if care.get("to_sign"):
        return "plan"
    return ""


@family
def family_home(request: AuthedRequest) -> HttpResponse:
    """What each active consent to this family member names, program by program (the
    program that gave the consent is named, never another one the participant attends).
    Showing it is a disclosure, recorded in the participant's accounting."""
    sections = family_sections(family_consents_for(request))
    family_disclosures_record(sections, viewer=request.user)
    context = {"sections": sections, "part2_notice": REDISCLOSURE_NOTICE}
    return render(request, "portal/family_home.html", context)


# --- check-ins (measures) ---------------------------------------------------------------------
# One question per screen, answers saved as they are given (DraftResponse) so a check-in can be
# left and finished later; a review screen; submit scores it. Every lookup is scoped to the
# signed-in participant: another participant's check-in is a 404.


def _checkin(request: AuthedRequest, public_id: UUID) -> tuple[Participant, Administration]:
    participant = portal_participant(request, object_type="portal.checkin", alumni=True)
    administration = portal_administration(participant, public_id)
    return participant, administration


def _open_checkin(
    request: AuthedRequest, public_id: UUID
) -> tuple[Participant, Administration, Instrument, dict[int, int | None]]:
    participant, administration = _checkin(request, public_id)
    if administration.status != AdministrationStatus.DUE:
        raise Http404("This check-in is closed.")
    instrument = get_instrument(administration.instrument_code)
    if not instrument.text_shipped:
        raise Http404("This check-in is done with your clinician.")
    draft = DraftResponse.objects.filter(administration=administration).first()
    answers = {int(k): v for k, v in (draft.answers if draft else {}).items()}
    return participant, administration, instrument, answers


def _asked(instrument: Instrument, answers: dict[int, int | None]) -> list[int]:
    skipped = skipped_items(instrument, answers)
    return [i for i in range(len(instrument.items)) if i not in skipped]


@portal
@require_http_methods(["GET"])
def checkin_start(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    """Resume where the participant left off: the first asked question without an answer."""
    _, administration, instrument, answers = _open_checkin(request, public_id)
    for index in _asked(instrument, answers):
        if answers.get(index) is None:
            return redirect("portal:checkin_question", public_id=public_id, number=index + 1)
    return redirect("portal:checkin_review", public_id=administration.public_id)


@portal
@require_http_methods(["GET", "POST"])
def checkin_question(request: AuthedRequest, public_id: UUID, number: int) -> HttpResponse:
    _, administration, instrument, answers = _open_checkin(request, public_id)
    index = number - 1
    asked = _asked(instrument, answers)
    if index not in asked:
        raise Http404("No such question.")
    choices = item_options(instrument, index)
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        choices=choices,
        initial={"answer": answers.get(index)},
    )
    if request.method == "POST" and form.is_valid():
        draft_answer(administration=administration, index=index, value=form.cleaned_data["answer"])
        answers[index] = form.cleaned_data["answer"]
        asked = _asked(instrument, answers)
        later = [i for i in asked if i > index]
        if later and not request.POST.get("to_review"):
            return redirect("portal:checkin_question", public_id=public_id, number=later[0] + 1)
        return redirect("portal:checkin_review", public_id=public_id)
    position = asked.index(index)
    context = {
        "administration": administration,
        "instrument": instrument,
        "item": instrument.items[index],
        "form": form,
        "position": position + 1,
        "count": len(asked),
        "previous": asked[position - 1] + 1 if position > 0 else None,
        "from_review": request.GET.get("review") == "1",
    }
    return render(request, "portal/checkin_question.html", context)


@portal
@require_http_methods(["GET", "POST"])
def checkin_review(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant, administration, instrument, answers = _open_checkin(request, public_id)
    asked = _asked(instrument, answers)
    unanswered = [i for i in asked if answers.get(i) is None]
    error = ""
    if request.method == "POST":
        if unanswered:
            error = "Please answer every question before sending."
        else:
            try:
                response_record(
                    participant=participant,
                    episode=administration.episode,
                    instrument_code=instrument.code,
                    answers=answer_vector(instrument, answers),
                    entered_by=request.user,
                    mode=ResponseMode.PORTAL,
                    administration=administration,
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                return redirect("portal:checkin_done", public_id=public_id)
    rows = [
        {
            "number": i + 1,
            "text": instrument.items[i].text,
            "answer": _label_for(instrument, i, answers.get(i)),
        }
        for i in asked
    ]
    context = {
        "administration": administration,
        "instrument": instrument,
        "rows": rows,
        "error": error,
        "complete": not unanswered,
    }
    return render(request, "portal/checkin_review.html", context, status=400 if error else 200)


def _label_for(instrument: Instrument, index: int, value: int | None) -> str:
    if value is None:
        return ""
    try:
        return instrument.items[index].label_for(value)
    except KeyError:
        return ""


@portal
@require_http_methods(["GET"])
def checkin_done(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant, administration = _checkin(request, public_id)
    response = portal_response(participant, administration)
    if response is None:
        raise Http404("This check-in has not been sent.")
    remaining = [a for a, _ in portal_checkins(participant)]
    context = {
        "administration": administration,
        "critical": response.critical,
        "program": administration.episode.program,
        "next_checkin": remaining[0] if remaining else None,
    }
    return render(request, "portal/checkin_done.html", context)
