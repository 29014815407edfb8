"""Transitions, discharge, the discharge summary (edit, sign, print, PDF), alumni consent,
the program outcomes page and the portal's alumni actions.

Staff reach a participant only through participant_for (clinical access; 404 for outsiders,
403 for billing), then an episode or summary of one of their programs (SUD programs need Part
2 access). Views stay thin: the rules live in services, whose ValidationErrors are shown on the
form, with nothing saved.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from openiop.accounts.policy import portal, staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record, access_record_many
from openiop.discharge import forms as f
from openiop.discharge import services
from openiop.discharge.drafting import planned_end
from openiop.discharge.models import ConsentHow, DischargeSummary, SummaryStatus
from openiop.discharge.pdf import summary_pdf
from openiop.discharge.selectors import (
    episode_changes,
    episode_for,
    followups_to_prompt,
    program_outcomes,
    summary_for,
)
from openiop.lib.forms import form_errors, form_page, message_errors
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import local_date, today_in
from openiop.participants.access import Access, participant_for, portal_participant
from openiop.participants.disclosures import covering_consents, disclosure_record
from openiop.participants.forms import DiscloseForm, disclose_page
from openiop.participants.models import (
    IN_TREATMENT_STATUSES,
    ConsentInfo,
    Disclosure,
    DisclosureChannel,
    Episode,
    EpisodeStatus,
    Participant,
)
from openiop.participants.part2 import REDISCLOSURE_NOTICE

OBJECT_EPISODE = "discharge.episode"
OBJECT_SUMMARY = "discharge.summary"


def _participant(request: AuthedRequest, public_id: UUID, *, write: bool = False) -> Participant:
    return participant_for(
        request,
        public_id,
        access=Access.CLINICAL,
        write=write,
        object_type=OBJECT_SUMMARY if not write else OBJECT_EPISODE,
    )


def _transitions_url(participant: Participant, episode: Episode) -> str:
    return reverse("discharge:transitions", args=[participant.public_id, episode.public_id])


def _summary_url(participant: Participant, summary: DischargeSummary) -> str:
    return reverse("discharge:summary", args=[participant.public_id, summary.public_id])


def _form_page(
    request: AuthedRequest,
    form: forms.Form,
    *,
    participant: Participant,
    episode: Episode,
    title: str,
    submit: str,
    intro: str = "",
    danger: bool = False,
) -> HttpResponse:
    return form_page(
        request,
        "discharge/form.html",
        form,
        status=400 if form.is_bound and form.errors else 200,
        participant=participant,
        episode=episode,
        title=title,
        submit=submit,
        intro=intro,
        danger=danger,
        cancel=_transitions_url(participant, episode),
    )


# --- transitions ----------------------------------------------------------------------------


@staff(Perm.PARTICIPANT_CLINICAL)
@require_http_methods(["GET"])
def transitions(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id)
    episode = episode_for(request, participant, episode_id, object_type=OBJECT_EPISODE)
    summary = DischargeSummary.objects.filter(episode=episode).first()
    today = today_in(episode.program.time_zone)
    end = planned_end(episode) if episode.status in IN_TREATMENT_STATUSES else None
    context = {
        "participant": participant,
        "episode": episode,
        "changes": episode_changes(episode),
        "summary": summary,
        "planned_end": end,
        "days_left": (end - today).days if end else None,
        "can_write": request.user.can(Perm.PARTICIPANT_WRITE),
        "in_treatment": episode.status in IN_TREATMENT_STATUSES,
        "consent": getattr(episode, "alumni_consent", None),
        "followups": list(episode.followups.order_by("day_offset")),
    }
    return render(request, "discharge/transitions.html", context)


def _writable_episode(
    request: AuthedRequest, public_id: UUID, episode_id: UUID, *, statuses: frozenset[str]
) -> tuple[Participant, Episode]:
    participant = _participant(request, public_id, write=True)
    episode = episode_for(request, participant, episode_id, object_type=OBJECT_EPISODE)
    if episode.status not in statuses:
        raise Http404("That change does not apply to this episode now.")
    return participant, episode


def _change_page(
    request: AuthedRequest,
    participant: Participant,
    episode: Episode,
    form: Any,
    *,
    save: Callable[..., Any],
    success: str,
    title: str,
    submit: str,
    intro: str = "",
) -> HttpResponse:
    """The GET/POST cycle shared by hold, resume and extend: on a valid POST call the write
    function with the form's data; its ValidationError re-renders the form, nothing saved."""
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            save(actor=request.user, episode=episode, **form.cleaned_data)
            messages.success(request, success)
            return redirect(_transitions_url(participant, episode))
    return _form_page(
        request,
        form,
        participant=participant,
        episode=episode,
        title=title,
        submit=submit,
        intro=intro,
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def hold(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant, episode = _writable_episode(
        request, public_id, episode_id, statuses=frozenset({EpisodeStatus.ACTIVE})
    )
    return _change_page(
        request,
        participant,
        episode,
        f.ReasonForm(request.POST or None, initial={"on": today_in(episode.program.time_zone)}),
        save=services.episode_hold,
        success="On hold. Future group sessions are released: each place goes to the first "
        "member waiting for it.",
        title="Put on hold",
        submit="Put on hold",
        intro="A hold pauses treatment (a hospital stay, illness, travel). The participant "
        "comes off future group sessions until they resume.",
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def resume(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant, episode = _writable_episode(
        request, public_id, episode_id, statuses=frozenset({EpisodeStatus.ON_HOLD})
    )
    return _change_page(
        request,
        participant,
        episode,
        f.ReasonForm(request.POST or None, initial={"on": today_in(episode.program.time_zone)}),
        save=services.episode_resume,
        success="Resumed. The participant is back on their track.",
        title="Resume after a hold",
        submit="Resume",
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def extend(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant, episode = _writable_episode(
        request, public_id, episode_id, statuses=frozenset(IN_TREATMENT_STATUSES)
    )
    current = planned_end(episode)
    initial = {"new_end": (current or today_in(episode.program.time_zone)) + timedelta(weeks=2)}
    intro = (
        f"Planned end now: {current:%b} {current.day}, {current.year}."
        if current
        else "No planned end is recorded yet."
    )
    return _change_page(
        request,
        participant,
        episode,
        f.ExtendForm(request.POST or None, initial=initial),
        save=services.episode_extend,
        success="Planned end moved.",
        title="Extend the planned length",
        submit="Extend",
        intro=intro,
    )


def _discharged(request: AuthedRequest, participant: Participant, summary: Any) -> HttpResponse:
    if summary is None:
        messages.success(request, "Discharged.")
        return redirect("participants:chart", public_id=participant.public_id)
    messages.success(
        request,
        "Discharged. Future sessions are released, the discharge questionnaires are due, "
        "and the summary is drafted: review it and sign.",
    )
    return redirect(_summary_url(participant, summary))


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def discharge(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id, write=True)
    episode = episode_for(request, participant, episode_id, object_type=OBJECT_EPISODE)
    if not episode.is_open:
        raise Http404("This episode is already discharged.")
    kinds = (
        services.TREATMENT_KINDS
        if episode.admitted_on is not None
        else services.PRE_ADMISSION_KINDS
    )
    form = f.DischargeForm(
        request.POST or None, kinds=kinds, initial={"on": today_in(episode.program.time_zone)}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        consent, how = form.consent()
        data.pop("followup_consent")
        data.pop("consent_how")
        with form_errors(form):
            summary = services.episode_discharge(
                actor=request.user,
                episode=episode,
                followup_consent=consent,
                consent_how=how,
                **data,
            )
            return _discharged(request, participant, summary)
    intro = (
        "Discharge releases the participant's future sessions, makes the discharge "
        "questionnaires due and drafts the discharge summary from the record."
    )
    if (
        services.signed_followup_consent(episode, on=today_in(episode.program.time_zone))
        is not None
    ):
        intro += (
            " The participant signed consent to follow-up contact: unless you record another "
            "answer, alumni check-ins are scheduled."
        )
    return _form_page(
        request,
        form,
        participant=participant,
        episode=episode,
        title="Discharge",
        submit="Discharge",
        intro=intro,
        danger=True,
    )


def _step(request: AuthedRequest, public_id: UUID, episode_id: UUID, *, up: bool) -> HttpResponse:
    participant, episode = _writable_episode(
        request, public_id, episode_id, statuses=frozenset(IN_TREATMENT_STATUSES)
    )
    form_class = f.StepUpForm if up else f.StepDownForm
    form = form_class(request.POST or None, initial={"on": today_in(episode.program.time_zone)})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        consent, how = form.consent()
        data.pop("followup_consent")
        data.pop("consent_how")
        action = services.episode_step_up if up else services.episode_step_down
        with form_errors(form):
            summary = action(
                actor=request.user,
                episode=episode,
                followup_consent=consent,
                consent_how=how,
                **data,
            )
            return _discharged(request, participant, summary)
    title = "Step up to a higher level of care" if up else "Step down to outpatient care"
    intro = (
        "The participant leaves IOP for more intensive care. This discharges the episode."
        if up
        else "The participant continues with less intensive care. This discharges the episode."
    )
    return _form_page(
        request,
        form,
        participant=participant,
        episode=episode,
        title=title,
        submit="Step up" if up else "Step down",
        intro=intro,
        danger=True,
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def step_up(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    return _step(request, public_id, episode_id, up=True)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def step_down(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    return _step(request, public_id, episode_id, up=False)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def summary_new(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id, write=True)
    episode = episode_for(request, participant, episode_id, object_type=OBJECT_EPISODE)
    with message_errors(request):
        summary = services.summary_draft(actor=request.user, episode=episode)
        messages.success(request, "Summary drafted from the record.")
        return redirect(_summary_url(participant, summary))
    return redirect(_transitions_url(participant, episode))


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def alumni_consent(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant, episode = _writable_episode(
        request, public_id, episode_id, statuses=frozenset({EpisodeStatus.DISCHARGED})
    )
    form = f.AlumniConsentForm(request.POST or None, initial={"how": ConsentHow.PHONE})
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.alumni_consent_record(
                actor=request.user,
                episode=episode,
                agreed=form.cleaned_data["agreed"],
                how=form.cleaned_data["how"],
            )
            messages.success(request, "Alumni check-in answer recorded.")
            return redirect(_transitions_url(participant, episode))
    return _form_page(
        request,
        form,
        participant=participant,
        episode=episode,
        title="Alumni check-ins",
        submit="Record",
        intro="Short questionnaires in the portal 30, 90 and 180 days after discharge, only "
        "if the participant agrees.",
    )


# --- the summary ----------------------------------------------------------------------------


def _summary_context(
    request: AuthedRequest, participant: Participant, summary: DischargeSummary
) -> dict[str, Any]:
    return {
        "participant": participant,
        "summary": summary,
        "episode": summary.episode,
        "addenda": list(summary.addenda.select_related("author")),
        "part2_notice": REDISCLOSURE_NOTICE if summary.episode.program.treats_sud else "",
    }


@staff(Perm.PARTICIPANT_CLINICAL)
@require_http_methods(["GET"])
def summary(request: AuthedRequest, public_id: UUID, summary_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id)
    row = summary_for(request, participant, summary_id, object_type=OBJECT_SUMMARY)
    context = _summary_context(request, participant, row)
    context["can_write"] = request.user.can(Perm.PARTICIPANT_WRITE)
    context["addendum_form"] = f.AddendumForm()
    return render(request, "discharge/summary.html", context)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def summary_edit(request: AuthedRequest, public_id: UUID, summary_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id, write=True)
    row = summary_for(request, participant, summary_id, object_type=OBJECT_SUMMARY)
    if row.status != SummaryStatus.DRAFT:
        messages.info(request, "This summary is signed; add an addendum instead.")
        return redirect(_summary_url(participant, row))
    initial = {section["name"]: section["text"] for section in row.sections()}
    form = f.SummaryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.summary_save(actor=request.user, summary=row, sections=form.cleaned_data)
            messages.success(request, "Draft saved.")
            return redirect(_summary_url(participant, row))
    context = {"participant": participant, "summary": row, "form": form}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "discharge/summary_edit.html", context, status=status)


def _summary_action(
    request: AuthedRequest,
    public_id: UUID,
    summary_id: UUID,
    *,
    act: Callable[..., Any],
    success: str,
) -> HttpResponse:
    """A one-button POST on a summary (sign, refresh): call the write function; its refusal
    comes back as messages on the summary page."""
    participant = _participant(request, public_id, write=True)
    row = summary_for(request, participant, summary_id, object_type=OBJECT_SUMMARY)
    with message_errors(request):
        act(actor=request.user, summary=row)
        messages.success(request, success)
    return redirect(_summary_url(participant, row))


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def summary_sign(request: AuthedRequest, public_id: UUID, summary_id: UUID) -> HttpResponse:
    return _summary_action(
        request,
        public_id,
        summary_id,
        act=services.summary_sign,
        success="Signed. The summary is locked; later notes go in addenda.",
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def summary_refresh(request: AuthedRequest, public_id: UUID, summary_id: UUID) -> HttpResponse:
    return _summary_action(
        request,
        public_id,
        summary_id,
        act=services.summary_refresh,
        success="Record sections redrawn from the record; your own kept.",
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def summary_addendum(request: AuthedRequest, public_id: UUID, summary_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id, write=True)
    row = summary_for(request, participant, summary_id, object_type=OBJECT_SUMMARY)
    form = f.AddendumForm(request.POST)
    if form.is_valid():
        with message_errors(request):
            services.summary_addendum_add(
                actor=request.user, summary=row, text=form.cleaned_data["text"]
            )
            messages.success(request, "Addendum added.")
    else:
        messages.error(request, "Write the addendum.")
    return redirect(_summary_url(participant, row))


@staff(Perm.PARTICIPANT_CLINICAL)
@require_http_methods(["GET"])
def summary_print(request: AuthedRequest, public_id: UUID, summary_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id)
    row = summary_for(request, participant, summary_id, object_type=OBJECT_SUMMARY)
    access_record(
        request=request,
        action=AccessAction.PRINT,
        object_type=OBJECT_SUMMARY,
        participant=participant,
        object_id=str(row.public_id),
    )
    return render(
        request, "discharge/summary_print.html", _summary_context(request, participant, row)
    )


@staff(Perm.PARTICIPANT_CLINICAL)
@require_http_methods(["GET"])
def summary_pdf_view(request: AuthedRequest, public_id: UUID, summary_id: UUID) -> HttpResponse:
    participant = _participant(request, public_id)
    row = summary_for(request, participant, summary_id, object_type=OBJECT_SUMMARY)
    access_record(
        request=request,
        action=AccessAction.EXPORT,
        object_type=OBJECT_SUMMARY,
        participant=participant,
        object_id=str(row.public_id),
    )
    return _summary_pdf_response(row, None)


SUMMARY_CHANNELS = (
    (DisclosureChannel.PDF, "PDF file (downloaded now, to send or hand over)"),
    (DisclosureChannel.PRINT, "Printed copy (print the page that opens)"),
)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def summary_disclose(request: AuthedRequest, public_id: UUID, summary_id: UUID) -> HttpResponse:
    """Hand the signed summary to someone outside the program (the next provider, a payer):
    the clinician picks the consent that covers it, refused without one; the disclosure goes
    into the participant's accounting, and the copy says to whom and under what."""
    participant = _participant(request, public_id, write=True)
    row = summary_for(request, participant, summary_id, object_type=OBJECT_SUMMARY)
    back = _summary_url(participant, row)
    if not row.is_signed:
        messages.error(request, "Only a signed summary leaves the program; sign it first.")
        return redirect(back)
    episode, program = row.episode, row.episode.program
    signed_on = local_date(row.signed_at or row.drafted_at, program.time_zone)
    information = [ConsentInfo.DISCHARGE_SUMMARY]
    consents = covering_consents(
        participant=participant,
        program=program,
        information=information,
        on=today_in(program.time_zone),
    )
    form = DiscloseForm(request.POST or None, consents=consents, channels=SUMMARY_CHANNELS)
    if request.method == "POST" and form.is_valid():
        channel = form.cleaned_data["channel"]
        with form_errors(form):
            disclosure = disclosure_record(
                participant=participant,
                program=program,
                consent=form.chosen(),
                information=information,
                description=f"Discharge summary, signed {signed_on:%b} {signed_on.day}, "
                f"{signed_on.year}",
                channel=channel,
                actor=request.user,
                episode=episode,
                object_type=OBJECT_SUMMARY,
                object_id=str(row.public_id),
            )
            access_record(
                request=request,
                action=AccessAction.EXPORT
                if channel == DisclosureChannel.PDF
                else AccessAction.PRINT,
                object_type=OBJECT_SUMMARY,
                participant=participant,
                object_id=str(row.public_id),
            )
            if channel == DisclosureChannel.PDF:
                return _summary_pdf_response(row, disclosure)
            context = _summary_context(request, participant, row)
            context["disclosure"] = disclosure
            return render(request, "discharge/summary_print.html", context)
    return disclose_page(
        request,
        form,
        participant=participant,
        episode=episode,
        consents=consents,
        title="Disclose the discharge summary",
        what="this discharge summary",
        submit="Disclose",
        cancel=back,
    )


def _summary_pdf_response(row: DischargeSummary, disclosure: Disclosure | None) -> HttpResponse:
    content = summary_pdf(
        row,
        addenda=list(row.addenda.select_related("author")),
        part2=row.episode.program.treats_sud,
        disclosure=disclosure,
    )
    response = HttpResponse(content, content_type="application/pdf")
    # The file name carries no name: downloads folders and mail attachments are not private.
    response["Content-Disposition"] = (
        f'attachment; filename="discharge-summary-{row.public_id}.pdf"'
    )
    response["Cache-Control"] = "no-store"
    return response


# --- outcomes -------------------------------------------------------------------------------


@staff(Perm.PARTICIPANT_CLINICAL)
@require_http_methods(["GET"])
def outcomes(request: AuthedRequest) -> HttpResponse:
    try:
        days = int(request.GET.get("days", "365"))
    except ValueError:
        days = 365
    days = days if days in (90, 180, 365, 730) else 365
    today = today_in("UTC")
    rows = program_outcomes(request.user, since=today - timedelta(days=days))
    due = followups_to_prompt(request.user)
    access_record_many(
        request=request,
        action=AccessAction.LIST,
        object_type="discharge.followups",
        participants=[row.participant for row in due],
    )
    context = {"programs": rows, "due": due, "days": days, "periods": (90, 180, 365, 730)}
    return render(request, "discharge/outcomes.html", context)


# --- portal ---------------------------------------------------------------------------------


@portal
@require_http_methods(["POST"])
def portal_decline(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, object_type="portal.alumni", alumni=True)
    try:
        services.followups_decline(participant=participant, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.info(request, message)
    else:
        messages.success(request, "Done. We will not send you more check-ins.")
    return redirect("portal:home")


@portal
@require_http_methods(["POST"])
def portal_agree(request: AuthedRequest, episode_id: UUID) -> HttpResponse:
    participant = portal_participant(request, object_type="portal.alumni", alumni=True)
    episode = participant.episodes.filter(public_id=episode_id).select_related("program").first()
    if episode is None:
        raise Http404("No such episode.")
    try:
        services.alumni_consent_record(
            actor=request.user, episode=episode, agreed=True, how=ConsentHow.PORTAL
        )
    except ValidationError as error:
        for message in error.messages:
            messages.info(request, message)
    else:
        messages.success(request, "Thank you. We will check in with you here.")
    return redirect("portal:home")
