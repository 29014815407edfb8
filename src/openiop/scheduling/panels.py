"""What scheduling adds to shared pages (the signatures: participants/panels.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.participants.models import OPEN_STATUSES, Participant
from openiop.participants.panels import Chart, SummaryItem, SummaryLine
from openiop.scheduling import calendars
from openiop.scheduling.attendance import staff_home_context
from openiop.scheduling.curriculum import curriculum_record
from openiop.scheduling.hours import hours_panel_for, participants_weeks, week_start_of
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


def chart_summary(request: AuthedRequest, chart: Chart) -> list[SummaryItem]:
    """This week's attended hours against the program's weekly range, and the next session
    on the participant's schedule in the viewer's programs (identity-level: every role that
    sees the participant, billing included)."""
    current = chart.current
    if current is None or not current.is_open:
        return []
    program = current.program
    today = today_in(program.time_zone)
    items = []
    monday = week_start_of(today)
    first_day = current.started_on or current.admitted_on
    week = participants_weeks(
        program=program,
        participant_ids=[chart.participant.pk],
        week_starts=[monday],
        first_days={chart.participant.pk: first_day} if first_day else None,
    )[(chart.participant.pk, monday)]
    low, high = _h(program.weekly_hours_min), _h(program.weekly_hours_max)
    below = week.judged and week.below_minimum
    items.append(
        SummaryItem(
            key="hours",
            label="Hours this week",
            panel="schedule",
            tone="warn" if below else "",
            lines=(
                SummaryLine(
                    text=f"{_h(week.attended_hours)} h attended of {low} h minimum",
                    detail=f"target {low} to {high} h · {_h(week.scheduled_hours)} h scheduled"
                    + ("" if week.judged else " · first week, not judged"),
                    tone="warn" if below else "",
                ),
            ),
        )
    )
    upcoming = (
        Session.objects.filter(
            roster__participant=chart.participant,
            program_id__in=chart.program_ids,
            status=SessionStatus.SCHEDULED,
            starts_at__gte=timezone.now(),
        )
        .select_related("session_type", "program")
        .order_by("starts_at", "id")
        .first()
    )
    if upcoming is not None:
        at = upcoming.starts_at.astimezone(ZoneInfo(upcoming.program.time_zone))
        items.append(
            SummaryItem(
                key="next-session",
                label="Next session",
                panel="schedule",
                lines=(
                    SummaryLine(
                        text=f"{at:%a %b} {at.day}, {at:%H:%M}",
                        detail=upcoming.topic or upcoming.session_type.name,
                        href=reverse("scheduling:session_detail", args=[upcoming.public_id]),
                    ),
                ),
            )
        )
    return items


def _h(hours: Decimal) -> str:
    """9.0 -> "9", 7.5 -> "7.5"."""
    return f"{Decimal(hours).normalize():f}"


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
