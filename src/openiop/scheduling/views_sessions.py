"""Schedule setup (series) for directors, the session page, single-session edits and
cancellations, individual and family bookings from the chart, and unavailable times.

Who may do what:
- directors (Perm.PROGRAM_CONFIGURE) set up series and one-off group sessions and change them;
- clinicians of the program book, edit and cancel individual and family sessions;
- everyone with participant access in the program (billing included) views sessions.
Sessions of programs the user is not assigned to are 404s. Rosters list only participants the
viewer may see, through participants_for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record_many
from openiop.lib.forms import apply_errors, form_page
from openiop.lib.http import AuthedRequest
from openiop.lib.text import with_article
from openiop.lib.timezones import today_in
from openiop.participants.access import (
    participant_for,
    participants_for,
    program_ids_for,
    treatment_episode_for,
)
from openiop.participants.models import Episode, Participant
from openiop.participants.services import CLINICAL_ROLES
from openiop.programs.access import programs_for
from openiop.programs.models import Program, SessionCategory
from openiop.scheduling import forms as sf
from openiop.scheduling import hooks, services
from openiop.scheduling.models import (
    RosterShortfall,
    Session,
    SessionSeries,
    SessionStatus,
    ShortfallReason,
    Unavailability,
)
from openiop.scheduling.services import ConflictError

# --- helpers --------------------------------------------------------------------------------


def _sessions_for(request: AuthedRequest) -> Any:
    user = request.user
    if not user.can(Perm.PARTICIPANT_EXISTS) or user.organization_id is None:
        return Session.objects.none()
    return Session.objects.filter(
        organization_id=user.organization_id, program_id__in=program_ids_for(user)
    )


def _session_for(request: AuthedRequest, public_id: UUID) -> Session:
    return get_object_or_404(
        _sessions_for(request).select_related(
            "program", "session_type", "room", "track", "series", "lesson__block"
        ),
        public_id=public_id,
    )


def _configurable_program(request: AuthedRequest) -> Program:
    """The program named by ?program= (or the first the director configures)."""
    programs = programs_for(request.user).order_by("name")
    wanted = request.GET.get("program") or request.POST.get("program_id")
    if wanted:
        try:
            return programs.get(public_id=wanted)
        except (Program.DoesNotExist, ValidationError, ValueError):
            raise Http404("No such program.") from None
    program = programs.first()
    if program is None:
        raise Http404("You configure no program.")
    return program


def _series_for(request: AuthedRequest, public_id: UUID) -> SessionSeries:
    return get_object_or_404(
        SessionSeries.objects.filter(program__in=programs_for(request.user)).select_related(
            "program", "session_type", "track", "room"
        ),
        public_id=public_id,
    )


def _may_change(request: AuthedRequest, session: Session) -> bool:
    user = request.user
    if session.session_type.is_group:
        return user.can(Perm.PROGRAM_CONFIGURE)
    return user.role in CLINICAL_ROLES and user.can(Perm.PARTICIPANT_WRITE)


SESSION_FORM = "scheduling/session_form.html"
_T = TypeVar("_T")


def _session_url(session: Session) -> str:
    return reverse("scheduling:session_detail", args=[session.public_id])


def _try(form: forms.BaseForm, action: Any) -> tuple[Any, list[Any]]:
    """Run a service; on failure put its message on the form. Returns (result, conflicts)."""
    try:
        return action(), []
    except ConflictError as error:
        form.add_error(None, error.messages)
        return None, error.conflicts
    except ValidationError as error:
        apply_errors(form, error)
        return None, []


def _write_page(
    request: AuthedRequest,
    form: forms.BaseForm,
    *,
    write: Callable[[], _T],
    success: str | Callable[[_T], str],
    done_url: str | Callable[[_T], str],
    **page: Any,
) -> HttpResponse:
    """The scheduling forms' GET/POST cycle on SESSION_FORM: on a valid POST call `write` (it
    reads the form's cleaned data); when it succeeds, say `success` and go to `done_url` (either
    may be worked out from what `write` returned); when it refuses, the form shows again with
    the reason and the conflicts. `page` is the rest of the page (title, submit, cancel...)."""
    conflicts: list[Any] = []
    if request.method == "POST" and form.is_valid():
        result, conflicts = _try(form, write)
        if result is not None:
            messages.success(request, success if isinstance(success, str) else success(result))
            return redirect(done_url if isinstance(done_url, str) else done_url(result))
    return form_page(request, SESSION_FORM, form, conflicts=conflicts, **page)


# --- series (directors) ---------------------------------------------------------------------


@staff(Perm.PROGRAM_CONFIGURE)
def series_list(request: AuthedRequest) -> HttpResponse:
    program = _configurable_program(request)
    now = timezone.now()
    series = (
        SessionSeries.objects.filter(program=program)
        .select_related("session_type", "track", "room")
        .prefetch_related("facilitators")
        .annotate(
            upcoming=Count(
                "sessions",
                filter=Q(sessions__starts_at__gte=now, sessions__status=SessionStatus.SCHEDULED),
            )
        )
        .order_by("track__name", "start_time", "id")
    )
    counts = (
        RosterShortfall.objects.filter(session__program=program, session__starts_at__gte=now)
        .values("session__series_id")
        .annotate(
            full=Count("id", filter=Q(reason=ShortfallReason.FULL)),
            conflict=Count("id", filter=Q(reason=ShortfallReason.CONFLICT)),
        )
    )
    shortfalls = {c["session__series_id"]: (c["full"], c["conflict"]) for c in counts}
    rows = [(s, *shortfalls.get(s.pk, (0, 0))) for s in series]
    context = {
        "program": program,
        "programs": programs_for(request.user).order_by("name"),
        "rows": rows,
    }
    return render(request, "scheduling/series_list.html", context)


@staff(Perm.PROGRAM_CONFIGURE)
@require_http_methods(["GET", "POST"])
def series_new(request: AuthedRequest) -> HttpResponse:
    program = _configurable_program(request)
    form = sf.SeriesForm(request.POST or None, program=program, can_override=True)

    def create() -> SessionSeries:
        data = form.cleaned_data
        return services.series_create(
            actor=request.user,
            program=program,
            track=data["track"],
            session_type=data["session_type"],
            starts_on=data["starts_on"],
            follows_curriculum=data["follows_curriculum"],
            **_pattern_fields(form),
        )

    return _write_page(
        request,
        form,
        write=create,
        success=lambda series: f"Series created with {series.sessions.count()} sessions.",
        done_url=f"{reverse('scheduling:series_list')}?program={program.public_id}",
        title=f"New series: {program.name}",
        submit="Create series",
        cancel=reverse("scheduling:series_list"),
        intro="Times are wall-clock times in the program's time zone "
        f"({program.time_zone}). Sessions of a track start with its current members.",
    )


@staff(Perm.PROGRAM_CONFIGURE)
@require_http_methods(["GET", "POST"])
def series_edit(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    series = _series_for(request, public_id)
    program = series.program
    initial = {
        "from_on": max(series.starts_on, today_in(program.time_zone)),
        "weekdays": series.weekday_numbers,
        "start_time": series.start_time,
        "end_time": series.end_time,
        "ends_on": series.ends_on,
        "room": series.room.public_id if series.room else None,
        "telehealth_url": series.telehealth_url,
        "capacity": series.capacity,
        "facilitators": [u.public_id for u in series.facilitators.all()],
        "topic": series.topic,
    }
    form = sf.SeriesRestForm(
        request.POST or None, program=program, can_override=True, initial=initial
    )
    return _write_page(
        request,
        form,
        write=lambda: services.series_update_rest(
            actor=request.user,
            series=series,
            from_on=form.cleaned_data["from_on"],
            **_pattern_fields(form),
        ),
        success=lambda done: f"The rest of the series was changed. {_places(done)}",
        done_url=f"{reverse('scheduling:series_list')}?program={program.public_id}",
        title=f"Edit the rest of the series: {series}",
        submit="Change the rest of the series",
        cancel=reverse("scheduling:series_list"),
        intro="Sessions from the chosen date change; past sessions, sessions edited on their "
        "own and sessions with attendance keep what they have.",
    )


# --- sessions -------------------------------------------------------------------------------


@staff(Perm.PARTICIPANT_EXISTS)
def session_detail(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    session = _session_for(request, public_id)
    visible = participants_for(request.user)
    roster = list(
        session.roster.filter(participant__in=visible)
        .select_related("participant")
        .order_by("participant__legal_last_name", "participant__legal_first_name")
    )
    shortfalls = list(
        session.shortfalls.filter(participant__in=visible)
        .select_related("participant")
        .order_by("detected_at", "id")
    )
    access_record_many(
        request=request,
        action=AccessAction.LIST,
        object_type="session.roster",
        participants=[e.participant for e in roster] + [s.participant for s in shortfalls],
    )
    context = {
        "session": session,
        "facilitators": list(session.facilitators.all()),
        "roster": roster,
        "waiting": [s for s in shortfalls if s.reason == ShortfallReason.FULL],
        "skipped": [s for s in shortfalls if s.reason == ShortfallReason.CONFLICT],
        "family": list(session.family.select_related("contact")) if roster else [],
        "overrides": list(session.overrides.select_related("overridden_by")),
        "can_change": _may_change(request, session) and session.status == SessionStatus.SCHEDULED,
        "local_start": session.starts_at.astimezone(_tz(session.program)),
        "local_end": session.ends_at.astimezone(_tz(session.program)),
        **hooks.session_page.context(request, session),
    }
    return render(request, "scheduling/session_detail.html", context)


def _bound(capacity: int, room: Any) -> str:
    if room is None or room.telehealth:
        return f"Capacity {capacity}"
    return f"Capacity {capacity} ({room.name} holds {room.capacity})"


def _session_places(session: Session) -> str:
    """What a capacity change came to: the places taken and who still waits."""
    taken = session.roster.count()
    waiting = session.shortfalls.filter(reason=ShortfallReason.FULL).count()
    text = (
        f"{_bound(session.capacity, session.room)}: {taken} place{'s' if taken != 1 else ''} taken"
    )
    return text + (f"; {waiting} still waiting." if waiting else "; nobody waiting.")


def _places(series: SessionSeries) -> str:
    upcoming = series.sessions.filter(starts_at__gte=timezone.now(), status=SessionStatus.SCHEDULED)
    waiting = RosterShortfall.objects.filter(
        session__in=upcoming, reason=ShortfallReason.FULL
    ).count()
    text = f"{_bound(series.capacity, series.room)}."
    if waiting:
        return f"{text} {waiting} place{'s' if waiting != 1 else ''} still on waiting lists."
    return f"{text} Nobody is waiting for a place."


def _pattern_fields(form: Any) -> dict[str, Any]:
    """What creating a series and editing the rest of one both take from the form."""
    data = form.cleaned_data
    return {
        "weekdays": data["weekdays"],
        "start_time": data["start_time"],
        "end_time": data["end_time"],
        "ends_on": data["ends_on"],
        "facilitators": list(data["facilitators"]),
        "room": data["room"],
        "telehealth_url": data["telehealth_url"],
        "topic": data["topic"],
        "capacity": data["capacity"],
        "override_reason": form.chosen_override_reason(),
    }


def _occurrence_fields(form: Any) -> dict[str, Any]:
    """What creating and editing one session both take from the form."""
    data = form.cleaned_data
    return {
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "facilitators": list(data["facilitators"]),
        "room": data["room"],
        "telehealth_url": data["telehealth_url"],
        "topic": data["topic"],
        "capacity": data["capacity"],
        "override_reason": form.chosen_override_reason(),
    }


def _tz(program: Program) -> Any:
    import zoneinfo

    return zoneinfo.ZoneInfo(program.time_zone)


@staff(Perm.PROGRAM_CONFIGURE)
@require_http_methods(["GET", "POST"])
def session_new(request: AuthedRequest) -> HttpResponse:
    program = _configurable_program(request)
    form = sf.SessionNewForm(
        request.POST or None, program=program, can_override=True, initial={"capacity": 12}
    )
    return _write_page(
        request,
        form,
        write=lambda: services.session_create(
            actor=request.user,
            program=program,
            track=form.cleaned_data["track"],
            session_type=form.cleaned_data["session_type"],
            **_occurrence_fields(form),
        ),
        success="Session created.",
        done_url=_session_url,
        title=f"New group session: {program.name}",
        submit="Create session",
        cancel=reverse("scheduling:series_list"),
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def session_edit(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    session = _session_for(request, public_id)
    if not _may_change(request, session):
        raise PermissionDenied("Your role does not allow changing this session.")
    if session.status != SessionStatus.SCHEDULED:
        raise Http404("This session is cancelled.")
    form = sf.SessionForm(
        request.POST or None,
        program=session.program,
        can_override=request.user.can(Perm.PROGRAM_CONFIGURE),
        initial=sf.session_initial(session),
    )
    return _write_page(
        request,
        form,
        write=lambda: services.session_update(
            actor=request.user, session=session, **_occurrence_fields(form)
        ),
        success=lambda done: f"Session changed. {_session_places(done)}",
        done_url=_session_url(session),
        title=f"Edit this session: {session.session_type.name}",
        submit="Save this session",
        cancel=_session_url(session),
        intro="Changes only this occurrence; the rest of its series stays as it is.",
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def session_cancel(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    session = _session_for(request, public_id)
    if not _may_change(request, session):
        raise PermissionDenied("Your role does not allow cancelling this session.")
    form = sf.CancelForm(request.POST or None)
    return _write_page(
        request,
        form,
        write=lambda: services.session_cancel(
            actor=request.user, session=session, reason=form.cleaned_data["reason"]
        ),
        success="Session cancelled. Its roster is kept.",
        done_url=_session_url(session),
        title=f"Cancel this session: {session.session_type.name}",
        submit="Cancel the session",
        cancel=_session_url(session),
    )


# --- bookings and unavailable times (from the chart) ----------------------------------------


def _booking_episode(request: AuthedRequest, participant: Participant) -> Episode:
    if request.user.role not in CLINICAL_ROLES:
        raise PermissionDenied("Only clinicians book sessions.")
    episode = treatment_episode_for(request.user, participant)
    if episode is None:
        raise Http404("This participant is not in treatment in your programs.")
    return episode


def _book(request: AuthedRequest, public_id: UUID, *, category: str) -> HttpResponse:
    participant = participant_for(request, public_id, write=True, object_type="session.booking")
    episode = _booking_episode(request, participant)
    program = episode.program
    can_override = request.user.can(Perm.PROGRAM_CONFIGURE)
    initial = {"facilitators": [request.user.public_id]}
    family = category == SessionCategory.FAMILY
    form: sf.BookingForm
    if family:
        form = sf.FamilyBookingForm(
            request.POST or None,
            program=program,
            participant=participant,
            can_override=can_override,
            initial=initial,
        )
    else:
        form = sf.BookingForm(
            request.POST or None,
            program=program,
            category=category,
            can_override=can_override,
            initial=initial,
        )

    def book() -> Session:
        data = form.cleaned_data
        kw: dict[str, Any] = {
            "actor": request.user,
            "participant": participant,
            "program": program,
            "session_type": data["session_type"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "facilitators": list(data["facilitators"]),
            "room": data["room"],
            "telehealth_url": data["telehealth_url"],
            "topic": data["topic"],
            "override_reason": form.chosen_override_reason(),
        }
        if family:
            return services.session_book_family(**kw, contacts=list(data["contacts"]))
        return services.session_book_individual(**kw)

    label = "family session" if family else "individual session"
    return _write_page(
        request,
        form,
        write=book,
        success="Session booked.",
        done_url=_session_url,
        title=f"Book {with_article(label)}",
        submit="Book",
        cancel=reverse("participants:chart", args=[participant.public_id]),
        participant=participant,
        intro=f"In {program.name}; times in {program.time_zone}.",
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def book_individual(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    return _book(request, public_id, category=SessionCategory.INDIVIDUAL)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def book_family(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    return _book(request, public_id, category=SessionCategory.FAMILY)


@staff(Perm.PARTICIPANT_WRITE)
@require_http_methods(["GET", "POST"])
def unavailability_new(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = participant_for(request, public_id, write=True, object_type="unavailability")
    form = sf.UnavailabilityForm(request.POST or None)
    return _write_page(
        request,
        form,
        write=lambda: services.unavailability_add(
            actor=request.user, participant=participant, **form.cleaned_data
        ),
        success="Unavailable time added.",
        done_url=reverse("participants:chart", args=[participant.public_id]),
        title="Add an unavailable time",
        submit="Add",
        cancel=reverse("participants:chart", args=[participant.public_id]),
        participant=participant,
        intro="A weekly time the participant cannot attend (work, school, childcare), in the "
        "program's time zone. Scheduling warns about sessions that overlap it.",
    )


@staff(Perm.PARTICIPANT_WRITE)
@require_POST
def unavailability_remove(request: AuthedRequest, public_id: UUID, item_id: UUID) -> HttpResponse:
    participant = participant_for(request, public_id, write=True, object_type="unavailability")
    item = get_object_or_404(Unavailability, participant=participant, public_id=item_id)
    services.unavailability_remove(actor=request.user, unavailability=item)
    messages.success(request, "Unavailable time removed.")
    return redirect("participants:chart", public_id=participant.public_id)
