from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record, access_record_many
from openiop.lib.forms import form_errors, form_page, message_errors, write_page
from openiop.lib.http import AuthedRequest, safe_return_to
from openiop.participants import consents, services
from openiop.participants import forms as participant_forms
from openiop.participants.access import (
    participant_for,
    participant_programs,
    program_ids_for,
    record_created,
)
from openiop.participants.disclosures import disclosures_for_staff
from openiop.participants.models import (
    CareTeamMember,
    Consent,
    ConsentKind,
    Episode,
    EpisodeStatus,
    Participant,
)
from openiop.participants.part2 import REDISCLOSURE_NOTICE
from openiop.participants.selectors import participant_search
from openiop.participants.services import FAMILY_FIELDS, PARTICIPANT_FIELDS
from openiop.programs.models import Program, Track


@staff(Perm.PARTICIPANT_EXISTS)
def participant_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    if status not in EpisodeStatus.values:
        status = ""
    track = request.GET.get("track", "")
    tracks = Track.objects.filter(program_id__in=program_ids_for(request.user)).select_related(
        "program"
    )
    if track not in {str(t.public_id) for t in tracks}:
        track = ""
    participants = participant_search(request.user, query=query, status=status, track=track)
    page = Paginator(participants, settings.OPENIOP_PAGE_SIZE).get_page(request.GET.get("page"))
    access_record_many(
        request=request,
        action=AccessAction.LIST,
        object_type="participant.list",
        participants=page.object_list,
    )
    context = {
        "page": page,
        "query": query,
        "status": status,
        "track": track,
        "statuses": EpisodeStatus.choices,
        "tracks": tracks,
        "can_create": request.user.can(Perm.PARTICIPANT_CREATE),
    }
    template = "participants/_list_rows.html" if request.htmx else "participants/list.html"
    return render(request, template, context)


@staff(Perm.PARTICIPANT_EXISTS)
@require_http_methods(["GET"])
def disclosures(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    """What the viewer's programs disclosed about the participant: the accounting of
    disclosures, as the participant sees it in their portal, for these programs."""
    participant = participant_for(request, public_id, object_type="participant.disclosures")
    rows = list(disclosures_for_staff(participant, program_ids_for(request.user)))
    context = {"participant": participant, "rows": rows}
    return render(request, "participants/disclosures.html", context)


# --- write pages ----------------------------------------------------------------------------
# Each page looks the participant up through participant_for(write=True): outsiders get 404,
# roles without write access 403. The rules live in services; a ValidationError from a service
# is shown on the form and nothing is saved.


FORM_PAGE = "participants/form.html"


def _my_programs(request: AuthedRequest) -> QuerySet[Program]:
    return Program.objects.filter(
        pk__in=program_ids_for(request.user),
        organization=request.user.organization,
        is_active=True,
    )


def _episode_for(request: AuthedRequest, participant: Participant, episode_id: UUID) -> Episode:
    """One of the participant's episodes in a program the user works in; 404 otherwise."""
    try:
        return participant.episodes.select_related(
            "program", "track", "primary_clinician", "participant"
        ).get(public_id=episode_id, program_id__in=program_ids_for(request.user))
    except Episode.DoesNotExist:
        raise Http404("No such episode.") from None


def _chart_url(participant: Participant) -> str:
    return reverse("participants:chart", args=[participant.public_id])


@staff(Perm.PARTICIPANT_CREATE)
@require_http_methods(["GET", "POST"])
def participant_new(request: AuthedRequest) -> HttpResponse:
    programs = _my_programs(request)
    form = participant_forms.ParticipantCreateForm(
        request.POST or None,
        programs=programs,
        initial={"inquiry_on": timezone.localdate()},
    )
    page: dict[str, Any] = {
        "title": "New participant",
        "submit": "Create record",
        "cancel": reverse("participants:list"),
        "intro": "Creates the record and opens an inquiry in the program you choose.",
    }

    return write_page(
        request,
        FORM_PAGE,
        form,
        write=lambda data: record_created(
            request, services.participant_create(actor=request.user, **data)
        ),
        success=lambda participant: f"Record {participant.record_number} created.",
        done_url=_chart_url,
        **page,
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def participant_edit(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = participant_for(request, public_id, write=True, object_type="participant.edit")
    form = participant_forms.ParticipantForm(
        request.POST or None, initial=model_to_dict(participant, fields=list(PARTICIPANT_FIELDS))
    )
    page: dict[str, Any] = {
        "title": "Edit details",
        "submit": "Save details",
        "cancel": _chart_url(participant),
        "participant": participant,
    }
    return write_page(
        request,
        FORM_PAGE,
        form,
        write=lambda data: services.participant_update(
            actor=request.user, participant=participant, changes=data
        ),
        success=lambda changed: "Details saved." if changed else "Nothing changed.",
        done_url=_chart_url(participant),
        **page,
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def episode_new(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = participant_for(request, public_id, write=True, object_type="episode")
    form = participant_forms.EpisodeOpenForm(
        request.POST or None,
        programs=_my_programs(request),
        initial={"inquiry_on": timezone.localdate()},
    )
    page: dict[str, Any] = {
        "title": "Open an episode",
        "submit": "Open episode",
        "cancel": _chart_url(participant),
        "participant": participant,
        "intro": "A new episode starts as an inquiry.",
    }
    return write_page(
        request,
        FORM_PAGE,
        form,
        write=lambda data: services.episode_open(
            actor=request.user, participant=participant, **data
        ),
        success="Episode opened.",
        done_url=_chart_url(participant),
        **page,
    )


def _episode_assignment(episode: Episode) -> dict[str, Any]:
    """The episode's current track and primary clinician, as the forms' initial values."""
    return {
        "track": episode.track.public_id if episode.track else None,
        "primary_clinician": (
            episode.primary_clinician.public_id if episode.primary_clinician else None
        ),
    }


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def episode_status(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant = participant_for(request, public_id, write=True, object_type="episode")
    episode = _episode_for(request, participant, episode_id)
    if not episode.is_open:
        raise Http404("This episode is discharged.")
    form = participant_forms.EpisodeTransitionForm(
        request.POST or None,
        episode=episode,
        initial={"on": timezone.localdate(), **_episode_assignment(episode)},
    )
    page: dict[str, Any] = {
        "title": f"Change status: {episode.program.name}",
        "submit": "Change status",
        "cancel": _chart_url(participant),
        "participant": participant,
        "intro": f"Currently {episode.get_status_display().lower()}.",
    }
    return write_page(
        request,
        FORM_PAGE,
        form,
        write=lambda data: services.episode_transition(
            actor=request.user,
            episode=episode,
            to_status=data["to_status"],
            on=data["on"],
            discharge_reason=data["discharge_reason"],
            track=data["track"],
            primary_clinician=data["primary_clinician"],
        ),
        success=lambda _: f"Status changed to {episode.get_status_display()}.",
        done_url=_chart_url(participant),
        **page,
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def episode_edit(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant = participant_for(request, public_id, write=True, object_type="episode")
    episode = _episode_for(request, participant, episode_id)
    if not episode.is_open:
        raise Http404("This episode is discharged.")
    form = participant_forms.EpisodeUpdateForm(
        request.POST or None,
        episode=episode,
        initial=_episode_assignment(episode),
    )
    page: dict[str, Any] = {
        "title": f"Track and primary clinician: {episode.program.name}",
        "submit": "Save",
        "cancel": _chart_url(participant),
        "participant": participant,
    }
    return write_page(
        request,
        FORM_PAGE,
        form,
        write=lambda data: services.episode_update(
            actor=request.user,
            episode=episode,
            track=data["track"],
            primary_clinician=data["primary_clinician"],
        ),
        success="Episode saved.",
        done_url=_chart_url(participant),
        **page,
    )


def _current_team(episode: Episode) -> list[CareTeamMember]:
    return list(
        episode.care_team.filter(until__isnull=True).select_related("user").order_by("role")
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def care_team(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant = participant_for(request, public_id, write=True, object_type="care_team")
    episode = _episode_for(request, participant, episode_id)
    if not episode.is_open:
        raise Http404("This episode is discharged.")
    form = participant_forms.CareTeamAddForm(request.POST or None, episode=episode)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.care_team_add(actor=request.user, episode=episode, **form.cleaned_data)
            messages.success(request, "Added to the care team.")
            return redirect(request.path)
    context = {
        "participant": participant,
        "episode": episode,
        "team": [(participant_forms.member_key(m), m) for m in _current_team(episode)],
        "form": form,
    }
    return render(request, "participants/care_team.html", context)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["POST"])
def care_team_end(request: AuthedRequest, public_id: UUID, episode_id: UUID) -> HttpResponse:
    participant = participant_for(request, public_id, write=True, object_type="care_team")
    episode = _episode_for(request, participant, episode_id)
    form = participant_forms.CareTeamEndForm(request.POST, members=_current_team(episode))
    back = reverse("participants:care_team", args=[participant.public_id, episode.public_id])
    if not form.is_valid():
        messages.error(request, "That person is not on the care team.")
        return redirect(back)
    with message_errors(request):
        services.care_team_end(actor=request.user, member=form.chosen())
        messages.success(request, "Removed from the care team.")
    return redirect(back)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def family_new(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = participant_for(request, public_id, write=True, object_type="family_contact")
    programs = participant_programs(request.user, participant)
    form = participant_forms.FamilyContactForm(request.POST or None, programs=programs)
    page: dict[str, Any] = {
        "title": "Add a family member or contact",
        "submit": "Add contact",
        "cancel": _chart_url(participant),
        "participant": participant,
        "intro": f"Recorded in {programs[0].name}: only its staff see this contact."
        if len(programs) == 1
        else "",
    }
    return write_page(
        request,
        FORM_PAGE,
        form,
        write=lambda _: services.family_contact_add(
            actor=request.user,
            participant=participant,
            program=form.chosen_program(),
            **form.contact_fields(),
        ),
        success="Contact added.",
        done_url=_chart_url(participant),
        **page,
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def family_edit(request: AuthedRequest, public_id: UUID, contact_id: UUID) -> HttpResponse:
    participant = participant_for(request, public_id, write=True, object_type="family_contact")
    # Another program's contact is not this viewer's to know of: 404.
    contact = get_object_or_404(
        participant.family_contacts.filter(program_id__in=program_ids_for(request.user)),
        public_id=contact_id,
    )
    form = participant_forms.FamilyContactForm(
        request.POST or None, initial=model_to_dict(contact, fields=list(FAMILY_FIELDS))
    )
    page: dict[str, Any] = {
        "title": "Edit family member or contact",
        "submit": "Save contact",
        "cancel": _chart_url(participant),
        "participant": participant,
    }
    return write_page(
        request,
        FORM_PAGE,
        form,
        write=lambda data: services.family_contact_update(
            actor=request.user, contact=contact, changes=data
        ),
        success="Contact saved.",
        done_url=_chart_url(participant),
        **page,
    )


# --- consents -------------------------------------------------------------------------------


def _consent_of(participant: Participant, consent_id: UUID, request: AuthedRequest) -> Consent:
    try:
        return participant.consents.select_related(
            "program__organization", "recipient_contact", "episode", "recorded_by", "revoked_by"
        ).get(public_id=consent_id, program_id__in=program_ids_for(request.user))
    except Consent.DoesNotExist:
        raise Http404("No such consent.") from None


CONSENT_INTROS: dict[str, str] = {
    ConsentKind.TREATMENT: "The participant agrees to take part in the program. Admission "
    "needs it.",
    ConsentKind.RELEASE: "The participant allows the program to share named information with "
    "a named person or organization, for a purpose, until a date or discharge. A release to a "
    "family contact also decides what they see in the family portal.",
    ConsentKind.PART2: "Substance-use treatment records (42 CFR Part 2) leave the program only "
    "with this consent. It names the patient, the program, what information, the recipients, "
    "the purpose, the right to revoke, when it ends, and is signed and dated. Counseling notes "
    "need a consent of their own.",
    ConsentKind.FOLLOWUP: "The participant agrees to be contacted after discharge.",
}


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def consent_new(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = participant_for(request, public_id, write=True, object_type="consent")
    chart = _chart_url(participant)
    kind = request.POST.get("kind") or request.GET.get("kind", "")
    episodes = participant.episodes.filter(program_id__in=program_ids_for(request.user)).exclude(
        status=EpisodeStatus.DISCHARGED
    )
    # A Part 2 consent is offered only in a program that treats substance use, and a general
    # release only in one that does not (its records leave under a Part 2 consent instead).
    offered: dict[str, QuerySet[Episode]] = {
        ConsentKind.PART2: episodes.filter(program__treats_sud=True),
        ConsentKind.RELEASE: episodes.filter(program__treats_sud=False),
    }
    if kind in offered and not offered[kind].exists():
        messages.info(
            request,
            "A 42 CFR Part 2 consent is recorded in a program that treats substance use."
            if kind == ConsentKind.PART2
            else "Records of a substance-use program are shared under a 42 CFR Part 2 consent, "
            "not a general release.",
        )
        kind = ""
    if kind not in ConsentKind.values:
        kinds = [
            (k, label, CONSENT_INTROS[k])
            for k, label in ConsentKind.choices
            if k not in offered or offered[k].exists()
        ]
        context = {"participant": participant, "kinds": kinds, "cancel": chart}
        return render(request, "participants/consent_kinds.html", context)
    if kind == ConsentKind.FOLLOWUP:
        episodes = participant.episodes.filter(program_id__in=program_ids_for(request.user))
    episodes = offered.get(kind, episodes).select_related("program")
    wanted_episode = request.GET.get("episode")
    form = participant_forms.ConsentSignForm(
        request.POST or None,
        kind=kind,
        participant=participant,
        episodes=episodes,
        initial={
            "episode": wanted_episode,
            "recipient_contact": request.GET.get("contact"),
            "expiry": "discharge" if kind in (ConsentKind.RELEASE, ConsentKind.PART2) else "none",
        },
    )
    back = safe_return_to(request, chart)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            consent = consents.consent_sign(
                actor=request.user, participant=participant, kind=kind, **form.sign_arguments()
            )
            messages.success(request, f"{consent.get_kind_display()} signed and recorded.")
            return redirect(back)
    context = {
        "participant": participant,
        "form": form,
        "kind": kind,
        "title": ConsentKind(kind).label,
        "intro": CONSENT_INTROS[kind],
        "right_to_revoke": consents.RIGHT_TO_REVOKE,
        "notice": REDISCLOSURE_NOTICE if kind == ConsentKind.PART2 else "",
        "next": back,
        "cancel": back,
    }
    return render(request, "participants/consent_form.html", context)


def _consent_page(
    request: AuthedRequest, public_id: UUID, consent_id: UUID, *, action: AccessAction
) -> tuple[Participant, Consent]:
    participant = participant_for(request, public_id, object_type="consent")
    consent = _consent_of(participant, consent_id, request)
    access_record(
        request=request,
        action=action,
        object_type="consent",
        participant=participant,
        object_id=str(consent.public_id),
    )
    return participant, consent


def _consent_context(participant: Participant, consent: Consent) -> dict[str, Any]:
    today = participant.local_today()
    return {
        "participant": participant,
        "consent": consent,
        "status": consent.status_label(today),
        "active": consent.is_active_on(today),
        "verified": consents.consent_verified(consent),
        "notice": REDISCLOSURE_NOTICE if consent.kind == ConsentKind.PART2 else "",
    }


@staff(Perm.PARTICIPANT_EXISTS)
@require_http_methods(["GET"])
def consent_detail(request: AuthedRequest, public_id: UUID, consent_id: UUID) -> HttpResponse:
    participant, consent = _consent_page(request, public_id, consent_id, action=AccessAction.VIEW)
    context = {
        **_consent_context(participant, consent),
        "can_write": request.user.can(Perm.PARTICIPANT_WRITE),
    }
    return render(request, "participants/consent.html", context)


@staff(Perm.PARTICIPANT_EXISTS)
@require_http_methods(["GET"])
def consent_print(request: AuthedRequest, public_id: UUID, consent_id: UUID) -> HttpResponse:
    participant, consent = _consent_page(request, public_id, consent_id, action=AccessAction.PRINT)
    return render(
        request, "participants/consent_print.html", _consent_context(participant, consent)
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def consent_revoke(request: AuthedRequest, public_id: UUID, consent_id: UUID) -> HttpResponse:
    """Revoke a signed consent (asks how the participant revoked it)."""
    participant = participant_for(request, public_id, write=True, object_type="consent")
    chart = _chart_url(participant)
    signed = (
        participant.consents.select_related("program", "recipient_contact", "episode")
        .filter(public_id=consent_id, program_id__in=program_ids_for(request.user))
        .first()
    )
    if signed is None:
        raise Http404("No such consent.")
    form = participant_forms.ConsentRevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            consents.consent_revoke(
                actor=request.user, consent=signed, how=form.cleaned_data["how"]
            )
            messages.success(request, "Consent revoked. It no longer allows anything.")
            return redirect(chart)
    return form_page(
        request,
        FORM_PAGE,
        form,
        title=f"Revoke: {signed.get_kind_display()}",
        submit="Revoke now",
        cancel=reverse("participants:consent", args=[participant.public_id, signed.public_id]),
        participant=participant,
        intro="Revocation takes effect at once: whatever this consent allowed stops now. "
        "What was already shared under it cannot be called back.",
    )
