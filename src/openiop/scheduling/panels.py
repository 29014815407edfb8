"""What scheduling adds to shared pages (the signatures: participants/panels.py)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.participants.models import OPEN_STATUSES, Participant
from openiop.participants.panels import Chart
from openiop.scheduling import calendars
from openiop.scheduling.attendance import staff_home_context
from openiop.scheduling.curriculum import curriculum_record
from openiop.scheduling.hours import hours_panel_for
from openiop.scheduling.models import RosterEntry, Session, SessionStatus


def chart_context(request: AuthedRequest, chart: Chart) -> dict[str, Any]:
    """Declared unavailable times, the curriculum record and the weekly hours of the current
    episode: identity-level content, shown to every role that sees the participant."""
    current = chart.current
    return {
        "schedule": {
            "unavailability": list(
                chart.participant.unavailability.order_by("weekday", "start_time")
            )
        },
        "curriculum": curriculum_record(current),
        "hours": hours_panel_for(
            participant=chart.participant,
            program=current.program if current else None,
            first_day=(current.started_on or current.admitted_on) if current else None,
        ),
    }


def home_context(request: AuthedRequest) -> dict[str, Any]:
    """Today's sessions and the follow-ups (each one shown is logged)."""
    return staff_home_context(request)


def portal_context(request: AuthedRequest, participant: Participant) -> dict[str, Any]:
    """The portal home: the participant's next session (today's first when there is one), in
    the program's time zone, with its room or the video join button."""
    programs = participant.episodes.filter(status__in=OPEN_STATUSES).values("program_id")
    on_roster = RosterEntry.objects.filter(participant=participant).values("session_id")
    now = timezone.now()
    session = (
        Session.objects.filter(
            pk__in=on_roster,
            program_id__in=programs,
            status=SessionStatus.SCHEDULED,
            ends_at__gt=now,
        )
        .select_related("session_type", "room", "program__site")
        .order_by("starts_at", "id")
        .first()
    )
    if session is None:
        return {"next_session": None}
    zone = ZoneInfo(session.program.time_zone)
    local_start = session.starts_at.astimezone(zone)
    return {
        "next_session": {
            "session": session,
            "title": calendars.portal_title(session),
            "local_start": local_start,
            "local_end": session.ends_at.astimezone(zone),
            "today": local_start.date() == today_in(session.program.time_zone),
            "telehealth": calendars.is_telehealth(session),
            "join_open": calendars.join_open(session, now),
        }
    }
