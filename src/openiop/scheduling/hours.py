"""Weekly hours and compliance per participant, by program week.

A program week runs Monday 00:00 to the next Monday 00:00 in the program's time zone, so a
week that crosses a daylight-saving change is 167 or 169 hours long, and a session at 23:30 on
a Sunday belongs to that Sunday's week. Sessions are placed in a week (and on a day) by the
local date of their start.

The selectors read a bounded date range in one query whatever the size
of the participant's history; the arithmetic on the rows is pure and tested with explicit
datetimes.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import OuterRef, Subquery

from openiop.lib.timezones import local_date, today_in
from openiop.programs.models import SessionCategory
from openiop.scheduling.models import (
    ATTENDED_STATUSES,
    Attendance,
    FollowUpItem,
    RosterEntry,
    SessionStatus,
)

if TYPE_CHECKING:
    from openiop.participants.models import Participant
    from openiop.programs.models import Program


def week_start_of(day: date) -> date:
    """The Monday of the program week that contains `day`."""
    return day - timedelta(days=day.weekday())


def local_midnight(day: date, tz_name: str) -> datetime:
    # Midnight is never skipped or repeated in the zones we serve (changes happen at 02:00),
    # and zoneinfo resolves the offset for that very date, so week lengths come out right.
    return datetime.combine(day, time(0), tzinfo=zoneinfo.ZoneInfo(tz_name))


def week_bounds(week_start: date, tz_name: str) -> tuple[datetime, datetime]:
    """[start, end) of a program week, in UTC: Python subtracts two datetimes of one zone as
    wall-clock times, so only UTC bounds show a DST week's 167 or 169 hours."""
    return (
        local_midnight(week_start, tz_name).astimezone(UTC),
        local_midnight(week_start + timedelta(days=7), tz_name).astimezone(UTC),
    )


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


@dataclass
class WeekHours:
    """One participant's program week."""

    week_start: date
    scheduled_minutes: int = 0
    attended_minutes: int = 0
    minutes_by_day: dict[date, int] = field(default_factory=dict)
    individual_held: bool = False
    # Set by `judge`: the program's thresholds.
    billable_days: int = 0
    minimum: Decimal = Decimal("0")
    maximum: Decimal = Decimal("0")
    individual_required: bool = False
    # The participant's first day in program, when it falls after this week's Monday: a week
    # before it (or the first, partial week) is never judged against the minimum.
    first_day: date | None = None

    @property
    def before_start(self) -> bool:
        return self.first_day is not None and self.first_day > self.week_end

    @property
    def partial(self) -> bool:
        return self.first_day is not None and self.week_start < self.first_day <= self.week_end

    @property
    def judged(self) -> bool:
        return not (self.before_start or self.partial)

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    @property
    def scheduled_hours(self) -> Decimal:
        return _hours(self.scheduled_minutes)

    @property
    def attended_hours(self) -> Decimal:
        return _hours(self.attended_minutes)

    @property
    def below_minimum(self) -> bool:
        return self.judged and Decimal(self.attended_minutes) < self.minimum * 60

    @property
    def above_maximum(self) -> bool:
        return Decimal(self.attended_minutes) > self.maximum * 60

    @property
    def individual_missing(self) -> bool:
        return self.judged and self.individual_required and not self.individual_held

    @property
    def compliance(self) -> str:
        if self.below_minimum:
            return "below"
        if self.above_maximum:
            return "above"
        return "within"

    def judge(self, program: Program, *, first_day: date | None = None) -> WeekHours:
        self.first_day = first_day
        threshold = Decimal(program.billable_day_hours) * 60
        self.billable_days = sum(1 for m in self.minutes_by_day.values() if m >= threshold)
        self.minimum = Decimal(program.weekly_hours_min)
        self.maximum = Decimal(program.weekly_hours_max)
        self.individual_required = program.individual_weekly_required
        return self


def weeks_for(
    *, program: Program, roster: Iterable[RosterEntry], week_starts: Iterable[date]
) -> dict[tuple[int, date], WeekHours]:
    """Pure arithmetic: roster entries (with session and session type loaded, and the
    participant's attendance as `att_status` / `att_minutes`, None when not recorded) → hours
    per (participant id, week start). Only the weeks asked for are returned."""
    tz = program.time_zone
    wanted = set(week_starts)
    weeks: dict[tuple[int, date], WeekHours] = {}
    for entry in roster:
        session = entry.session
        day = local_date(session.starts_at, tz)
        start = week_start_of(day)
        if start not in wanted:
            continue
        w = weeks.setdefault((entry.participant_id, start), WeekHours(week_start=start))
        counts = session.session_type.counts_toward_hours
        if counts and session.status != SessionStatus.CANCELLED:
            w.scheduled_minutes += session.minutes
        status = getattr(entry, "att_status", None)
        if status not in ATTENDED_STATUSES:
            continue
        if session.session_type.category == SessionCategory.INDIVIDUAL:
            w.individual_held = True
        if counts:
            minutes = int(getattr(entry, "att_minutes", 0) or 0)
            w.attended_minutes += minutes
            w.minutes_by_day[day] = w.minutes_by_day.get(day, 0) + minutes
    return weeks


def participants_weeks(
    *,
    program: Program,
    participant_ids: list[int],
    week_starts: list[date],
    first_days: dict[int, date] | None = None,
) -> dict[tuple[int, date], WeekHours]:
    """Hours for several participants and weeks in one program, in one query: attendance is
    only ever recorded for someone on the roster, so the roster carries it. Every
    (participant, week) asked for is present, judged against the program's thresholds."""
    if not participant_ids or not week_starts:
        return {}
    start, _ = week_bounds(min(week_starts), program.time_zone)
    _, end = week_bounds(max(week_starts), program.time_zone)
    record = Attendance.objects.filter(
        session_id=OuterRef("session_id"), participant_id=OuterRef("participant_id")
    )
    roster = (
        RosterEntry.objects.filter(
            session__program=program,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
            participant_id__in=participant_ids,
        )
        .select_related("session__session_type")
        .annotate(
            att_status=Subquery(record.values("status")[:1]),
            att_minutes=Subquery(record.values("minutes")[:1]),
        )
    )
    weeks = weeks_for(program=program, roster=roster, week_starts=week_starts)
    result: dict[tuple[int, date], WeekHours] = {}
    first_days = first_days or {}
    for pid in participant_ids:
        for ws in week_starts:
            week = weeks.get((pid, ws), WeekHours(week_start=ws))
            result[(pid, ws)] = week.judge(program, first_day=first_days.get(pid))
    return result


def recent_week_starts(today: date, count: int = 4) -> list[date]:
    """The current program week and the ones before it, newest first."""
    current = week_start_of(today)
    return [current - timedelta(weeks=n) for n in range(count)]


@dataclass
class HoursPanel:
    program: Program
    weeks: list[WeekHours]
    follow_ups: list[FollowUpItem]


def hours_panel_for(
    *,
    participant: Participant,
    program: Program | None,
    today: date | None = None,
    first_day: date | None = None,
) -> HoursPanel | None:
    """The chart's hours panel: the last four program weeks and open follow-ups, for one
    program the viewer works in; weeks before the first day in program are not judged. Two
    queries, whatever the history."""
    if program is None:
        return None
    day = today or today_in(program.time_zone)
    starts = recent_week_starts(day)
    weeks = participants_weeks(
        program=program,
        participant_ids=[participant.pk],
        week_starts=starts,
        first_days={participant.pk: first_day} if first_day else None,
    )
    follow_ups = list(
        FollowUpItem.objects.filter(
            participant=participant, episode__program=program, resolved_at__isnull=True
        )
        .select_related("assigned_to")
        .order_by("-week_start", "-id")[:20]
    )
    return HoursPanel(
        program=program,
        weeks=[weeks[(participant.pk, ws)] for ws in starts],
        follow_ups=follow_ups,
    )
