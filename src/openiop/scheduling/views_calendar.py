"""Calendars: week views for staff (mine, a room, a track, a participant), the participant's
"My week" and calendar settings in the portal, and the iCalendar feed.

Every participant-scoped page goes through participants/access.py. Week listings show no
participant names (see calendars.py); the feed is public but needs a valid secret in its path.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from openiop.accounts.policy import portal, public, staff
from openiop.accounts.roles import Perm
from openiop.lib.forms import Form, form_errors
from openiop.lib.http import AuthedRequest
from openiop.participants.access import participant_for, portal_participant, program_ids_for
from openiop.participants.models import Participant
from openiop.programs.models import Room, Track
from openiop.scheduling import calendars, ical, reminders
from openiop.scheduling.calendars import Week
from openiop.scheduling.models import FeedToken, ReminderLead, Session

schedule_viewer = staff(Perm.PARTICIPANT_EXISTS)


def _session_url(session: Session) -> str:
    # The session page belongs to the sessions area; until it exists, attendance is the page.
    for name in ("scheduling:session_detail", "scheduling:session_attendance"):
        try:
            return reverse(name, args=[session.public_id])
        except NoReverseMatch:
            continue
    return ""


def _week_page(
    request: AuthedRequest,
    *,
    week: Week,
    sessions: list[Session],
    heading: str,
    subject: str,
    here: str,
) -> HttpResponse:
    for session in sessions:
        # Template-only attributes on the model instance (mypy knows only its fields).
        session.url = _session_url(session)  # type: ignore[attr-defined]
    program_ids = program_ids_for(request.user)
    context = {
        "tracks": Track.objects.filter(program_id__in=program_ids, is_active=True).order_by(
            "start_time", "name"
        ),
        "rooms": Room.objects.filter(site__programs__id__in=program_ids, is_active=True)
        .distinct()
        .order_by("name"),
        "week": week,
        "days": calendars.by_day(sessions, week),
        "heading": heading,
        "subject": subject,
        "here": here,
        "session_count": len(sessions),
    }
    return render(request, "scheduling/week.html", context)


@schedule_viewer
@require_GET
def week_mine(request: AuthedRequest) -> HttpResponse:
    week = calendars.week_of(
        calendars.zone_for_user(request.user), calendars.parse_start(request.GET.get("start"))
    )
    return _week_page(
        request,
        week=week,
        sessions=calendars.sessions_facilitated(request.user, week),
        heading="My week",
        subject="Sessions you facilitate",
        here=reverse("scheduling:week_mine"),
    )


@schedule_viewer
@require_GET
def week_room(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    program_ids = program_ids_for(request.user)
    rooms = Room.objects.filter(site__programs__id__in=program_ids).distinct()
    room = rooms.filter(public_id=public_id).select_related("site").first()
    if room is None:
        raise Http404("No such room.")
    zone = (
        room.site.programs.filter(id__in=program_ids)
        .order_by("name")
        .values_list("time_zone", flat=True)
        .first()
    )
    week = calendars.week_of(zone or "UTC", calendars.parse_start(request.GET.get("start")))
    return _week_page(
        request,
        week=week,
        sessions=calendars.sessions_in_room(room, week, program_ids=program_ids),
        heading=f"Room: {room.name}",
        subject=room.site.name,
        here=reverse("scheduling:week_room", args=[room.public_id]),
    )


@schedule_viewer
@require_GET
def week_track(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    tracks = Track.objects.filter(program_id__in=program_ids_for(request.user))
    track = tracks.filter(public_id=public_id).select_related("program").first()
    if track is None:
        raise Http404("No such track.")
    week = calendars.week_of(
        track.program.time_zone, calendars.parse_start(request.GET.get("start"))
    )
    return _week_page(
        request,
        week=week,
        sessions=calendars.sessions_of_track(track, week),
        heading=f"Track: {track.name}",
        subject=track.program.name,
        here=reverse("scheduling:week_track", args=[track.public_id]),
    )


def _zone_of(participant: Participant, program_ids: list[int] | None) -> str:
    episodes = participant.episodes.order_by("-inquiry_on", "-id")
    if program_ids is not None:
        episodes = episodes.filter(program_id__in=program_ids)
    zone = episodes.values_list("program__time_zone", flat=True).first()
    return zone or "UTC"


@schedule_viewer
@require_GET
def week_participant(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    participant = participant_for(request, public_id, object_type="schedule.week")
    program_ids = program_ids_for(request.user)
    week = calendars.week_of(
        _zone_of(participant, program_ids), calendars.parse_start(request.GET.get("start"))
    )
    return _week_page(
        request,
        week=week,
        sessions=calendars.sessions_of_participant(participant, week, program_ids=program_ids),
        heading=f"Week of {participant.display_name}",
        subject=participant.record_number,
        here=reverse("scheduling:week_participant", args=[participant.public_id]),
    )


# --- feeds (staff settings page and the feed itself) --------------------------------------------


def _feed_url(request: AuthedRequest, secret: str) -> str:
    return request.build_absolute_uri(reverse("scheduling:feed", args=[secret]))


def _feed_context(request: AuthedRequest, new_url: str | None = None) -> dict[str, Any]:
    return {"tokens": list(FeedToken.objects.filter(user=request.user)), "new_url": new_url}


def _create_token(request: AuthedRequest) -> str:
    """A new link, answered in the POST's own response: the secret is shown this once and is
    stored nowhere (not even in the session)."""
    _token, secret = ical.feed_token_create(user=request.user)
    return _feed_url(request, secret)


def _revoke_token(request: AuthedRequest) -> None:
    token_id = request.POST.get("token", "")
    if not token_id.isdigit():
        raise Http404("No such calendar link.")
    token = FeedToken.objects.filter(user=request.user, pk=int(token_id)).first()
    if token is None:
        raise Http404("No such calendar link.")
    ical.feed_token_revoke(token=token, actor=request.user)


@schedule_viewer
@require_http_methods(["GET", "POST"])
def feed_settings(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            _revoke_token(request)
            messages.success(request, "Calendar link revoked: it no longer works.")
            return redirect("scheduling:feed_settings")
        new_url = _create_token(request)
        return render(request, "scheduling/feed_settings.html", _feed_context(request, new_url))
    return render(request, "scheduling/feed_settings.html", _feed_context(request))


@public
@require_GET
def feed(request: AuthedRequest, token: str) -> HttpResponse:
    found = ical.feed_token_active(token)
    if found is None:
        raise Http404("No such calendar.")
    ical.feed_access_record(request=request, token=found)
    response = HttpResponse(ical.feed_calendar(found.user), content_type="text/calendar")
    response["Content-Disposition"] = 'inline; filename="schedule.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- portal -------------------------------------------------------------------------------------


@portal
@require_GET
def portal_week(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, object_type="portal.week")
    week = calendars.week_of(
        _zone_of(participant, None), calendars.parse_start(request.GET.get("start"))
    )
    sessions = calendars.sessions_of_participant(participant, week)
    now = timezone.now()
    for session in sessions:
        # Template-only attributes on the model instance (mypy knows only its fields).
        session.telehealth = calendars.is_telehealth(session)  # type: ignore[attr-defined]
        session.join_open = calendars.join_open(session, now)  # type: ignore[attr-defined]
        session.title = calendars.portal_title(session)  # type: ignore[attr-defined]
    context = {
        "participant": participant,
        "week": week,
        "days": calendars.by_day(sessions, week),
        "session_count": len(sessions),
    }
    return render(request, "scheduling/week_portal.html", context)


class ReminderForm(Form):
    lead_minutes = forms.TypedChoiceField(
        choices=ReminderLead.choices, coerce=int, label="Remind me"
    )
    email_enabled = forms.BooleanField(required=False, label="Send reminders by e-mail")


@portal
@require_http_methods(["GET", "POST"])
def portal_calendar(request: AuthedRequest) -> HttpResponse:
    participant = portal_participant(request, object_type="portal.calendar")
    preference = reminders.preference_for(participant)
    form = ReminderForm(
        request.POST if request.POST.get("action") == "reminders" else None,
        initial={
            "lead_minutes": preference.lead_minutes,
            "email_enabled": preference.email_enabled,
        },
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "reminders":
            if form.is_valid():
                with form_errors(form):
                    reminders.reminder_preference_set(
                        participant=participant, actor=request.user, **form.cleaned_data
                    )
                    messages.success(request, "Reminder settings saved.")
                    return redirect("portal:calendar")
        elif action == "revoke":
            _revoke_token(request)
            messages.success(request, "Calendar link revoked: it no longer works.")
            return redirect("portal:calendar")
    new_url = None
    if request.method == "POST" and request.POST.get("action") == "create":
        new_url = _create_token(request)
    context = {"participant": participant, "form": form, **_feed_context(request, new_url)}
    return render(request, "scheduling/feed_portal.html", context)
