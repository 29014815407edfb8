"""Week views' selectors: one program week (Monday to Sunday in the program's time zone) of
sessions for a clinician, a room, a track or a participant, in a fixed number of queries.

Week listings carry no participant names: a session is its type, time, place and how many are
expected, so a screen left open in a hallway shows a timetable, not who is in treatment.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from openiop.accounts.models import User
from openiop.lib.timezones import today_in
from openiop.programs.models import SessionCategory
from openiop.scheduling.models import RosterEntry, Session, SessionStatus

if TYPE_CHECKING:
    from openiop.participants.models import Participant
    from openiop.programs.models import Room, Track

# A telehealth join link appears this long before the start (and until the end).
JOIN_OPENS_BEFORE = timedelta(minutes=15)


@dataclass(frozen=True)
class Week:
    """A program week: its Monday, and the UTC bounds of its seven local days."""

    monday: date
    tz_name: str

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.tz_name)

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def previous(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.monday + timedelta(days=7)

    def bounds(self) -> tuple[datetime, datetime]:
        # Local midnights, so a week that crosses a DST change is 167 or 169 hours long.
        start = datetime.combine(self.monday, time.min, tzinfo=self.tz)
        end = datetime.combine(self.next, time.min, tzinfo=self.tz)
        return start, end


def week_of(tz_name: str, start: date | None = None) -> Week:
    """The program week containing `start` (default: today in the zone)."""
    day = start or today_in(tz_name)
    return Week(monday=day - timedelta(days=day.weekday()), tz_name=tz_name)


def parse_start(value: str | None) -> date | None:
    """?start=YYYY-MM-DD; anything else is ignored (the current week is shown)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def zone_for_user(user: User) -> str:
    """A staff member's week is read in the zone of their first program (by name); staff with
    programs in several zones see each session's own local time in the listing anyway."""
    from openiop.participants.access import program_ids_for
    from openiop.programs.models import Program

    ids = program_ids_for(user)
    zone = (
        Program.objects.filter(pk__in=ids).order_by("name").values_list("time_zone", flat=True)
    ).first()
    return zone or settings.TIME_ZONE


def _listing(queryset: QuerySet[Session], week: Week) -> list[Session]:
    start, end = week.bounds()
    return list(
        queryset.filter(starts_at__lt=end, ends_at__gt=start)
        .select_related("session_type", "room", "track", "program__site", "lesson__block")
        .prefetch_related(Prefetch("facilitators", queryset=User.objects.order_by("full_name")))
        .annotate(expected=Count("roster", distinct=True))
        .order_by("starts_at", "id")
    )


def sessions_facilitated(user: User, week: Week) -> list[Session]:
    return _listing(Session.objects.filter(facilitators=user), week)


def sessions_in_room(room: Room, week: Week, *, program_ids: list[int]) -> list[Session]:
    """The room's sessions of the viewer's programs; other programs' bookings come back too,
    marked `busy_only`, so a room's free time is visible without their details."""
    sessions = _listing(Session.objects.filter(room=room), week)
    for session in sessions:
        # A template-only attribute on the model instance (mypy knows only its fields).
        session.busy_only = session.program_id not in program_ids  # type: ignore[attr-defined]
    return sessions


def sessions_of_track(track: Track, week: Week) -> list[Session]:
    return _listing(Session.objects.filter(track=track), week)


def sessions_of_participant(
    participant: Participant, week: Week, *, program_ids: list[int] | None = None
) -> list[Session]:
    """Sessions the participant is on the roster of (staff: only the viewer's programs)."""
    # A subquery, not a join: joining the roster here would make the expected count 1.
    on_roster = RosterEntry.objects.filter(participant=participant).values("session_id")
    sessions = Session.objects.filter(pk__in=on_roster)
    if program_ids is not None:
        sessions = sessions.filter(program_id__in=program_ids)
    return _listing(sessions, week)


@dataclass
class Day:
    day: date
    is_today: bool
    sessions: list[Session]


def by_day(sessions: list[Session], week: Week) -> list[Day]:
    """Seven days with their sessions in local time (a session belongs to the day it starts)."""
    tz = week.tz
    today = today_in(week.tz_name)
    days = {d: Day(day=d, is_today=d == today, sessions=[]) for d in week.days}
    for session in sessions:
        local_start = session.starts_at.astimezone(tz)
        # Template-only attributes on the model instance (mypy knows only its fields).
        session.local_start = local_start  # type: ignore[attr-defined]
        session.local_end = session.ends_at.astimezone(tz)  # type: ignore[attr-defined]
        bucket = days.get(local_start.date())
        if bucket is not None:
            bucket.sessions.append(session)
    return list(days.values())


GENERIC_TITLES: dict[str, str] = {
    SessionCategory.INDIVIDUAL: "Appointment",
    SessionCategory.FAMILY: "Family session",
}


def generic_title(session: Session) -> str:
    """A title that says nothing about the care: for calendars outside OpenIOP (feeds, phone
    lock screens, e-mail)."""
    return GENERIC_TITLES.get(str(session.session_type.category), "Group session")


def is_telehealth(session: Session) -> bool:
    return bool(session.telehealth_url) or bool(session.room and session.room.telehealth)


def join_open(session: Session, now: datetime | None = None) -> bool:
    """Whether a participant sees the video link: from 15 minutes before the start until the
    end, so the link is not handed around days ahead."""
    now = now or timezone.now()
    return (
        session.status == SessionStatus.SCHEDULED
        and bool(session.telehealth_url)
        and session.starts_at - JOIN_OPENS_BEFORE <= now < session.ends_at
    )


def portal_title(session: Session) -> str:
    """What the participant's own signed-in page calls a session: its type's name."""
    return session.session_type.name
