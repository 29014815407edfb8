"""The demo's past: the sessions its discharged participants attended.

The demo makes each participant with the status they have today and only then builds the
schedule, whose rolling rosters place people who are in treatment now. Someone discharged
months ago was therefore on no session at all, and their discharge summary said "No sessions
were scheduled" after nine weeks in the program. Two things put that right:

- the schedule starts on the first day in program of the earliest episode with a track
  (`schedule_starts_on`), so the track's groups exist for every week anyone was in treatment;
- `build_past_rosters` places each discharged participant on their track's group sessions from
  their first day until their discharge (while seats are free) and books a weekly individual
  session with their primary clinician, as the live schedule does for active participants.

Attendance follows from the rosters (synthetic.build_attendance records it for every past
session). Rows are written in bulk: the demo must build in seconds.
"""

from __future__ import annotations

import zoneinfo
from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Min

from openiop.accounts.models import User
from openiop.participants.models import Episode, EpisodeStatus
from openiop.programs.models import Program, SessionCategory, SessionType
from openiop.scheduling.models import RosterEntry, RosterSource, Session, SessionStatus

# Weekly individual sessions fill afternoon slots, Tuesday to Friday 13:00-16:00, per clinician;
# the slots of active participants (synthetic.build_schedule) come first.
SLOTS_PER_DAY = 4
SLOT_DAYS = 4


def schedule_starts_on(program: Program, default: date) -> date:
    """The Monday the demo schedule starts: `default`, or earlier when someone on a track
    started in the program before it."""
    first = (
        Episode.objects.filter(program=program, track__isnull=False)
        .exclude(started_on__isnull=True)
        .aggregate(first=Min("started_on"))["first"]
    )
    if first is None or first >= default:
        return default
    return first - timedelta(days=first.weekday())


def _slot(index: int) -> tuple[int, int]:
    return 1 + (index // SLOTS_PER_DAY) % SLOT_DAYS, 13 + index % SLOTS_PER_DAY


def build_past_rosters(*, program: Program) -> int:
    """Put every discharged participant of the demo on the sessions of their stay. Returns
    how many roster entries were written."""
    tz = zoneinfo.ZoneInfo(program.time_zone)
    discharged = list(
        Episode.objects.filter(
            program=program,
            status=EpisodeStatus.DISCHARGED,
            track__isnull=False,
            started_on__isnull=False,
            discharged_on__isnull=False,
        )
        .select_related("primary_clinician")
        .order_by("started_on", "pk")
    )
    if not discharged:
        return 0
    first = min(e.started_on for e in discharged if e.started_on)
    sessions = list(
        Session.objects.filter(
            program=program,
            track__isnull=False,
            starts_at__gte=datetime.combine(first, time.min, tzinfo=tz),
        )
        .exclude(status=SessionStatus.CANCELLED)
        .annotate(seats_taken=Count("roster"))
        .order_by("starts_at", "pk")
    )
    taken = {s.pk: s.seats_taken for s in sessions}
    rows: list[RosterEntry] = []
    for episode in discharged:
        assert episode.started_on is not None
        assert episode.discharged_on is not None
        start = datetime.combine(episode.started_on, time.min, tzinfo=tz)
        end = datetime.combine(episode.discharged_on, time.min, tzinfo=tz)
        for session in sessions:
            if session.track_id != episode.track_id or not start <= session.starts_at < end:
                continue
            if taken[session.pk] >= session.capacity:
                continue  # a full group takes nobody more, then as now
            taken[session.pk] += 1
            rows.append(
                RosterEntry(
                    organization_id=program.organization_id,
                    session=session,
                    participant_id=episode.participant_id,
                    episode=episode,
                    source=RosterSource.TRACK,
                )
            )
    RosterEntry.objects.bulk_create(rows, batch_size=500)
    return len(rows) + _book_individual_sessions(program, discharged, tz)


def _book_individual_sessions(
    program: Program, discharged: list[Episode], tz: zoneinfo.ZoneInfo
) -> int:
    """A weekly individual session with the primary clinician through each stay."""
    kind = SessionType.objects.filter(program=program, category=SessionCategory.INDIVIDUAL).first()
    if kind is None:
        return 0
    # Slots already held by active participants' weekly sessions (build_schedule gives
    # them 0, 1, 2... per clinician), so nobody is booked twice in an hour.
    used = Counter(
        Episode.objects.filter(program=program, status=EpisodeStatus.ACTIVE)
        .exclude(primary_clinician=None)
        .values_list("primary_clinician_id", flat=True)
    )
    planned: list[tuple[Session, Episode, User]] = []
    for episode in discharged:
        clinician = episode.primary_clinician
        if clinician is None or episode.started_on is None or episode.discharged_on is None:
            continue
        weekday, hour = _slot(used[clinician.pk])
        used[clinician.pk] += 1
        day = episode.started_on + timedelta(days=(weekday - episode.started_on.weekday()) % 7)
        while day < episode.discharged_on:
            starts = datetime.combine(day, time(hour, 0), tzinfo=tz)
            planned.append(
                (
                    Session(
                        organization_id=program.organization_id,
                        program=program,
                        session_type=kind,
                        starts_at=starts,
                        ends_at=starts + timedelta(minutes=50),
                        capacity=1,
                        created_by=clinician,
                    ),
                    episode,
                    clinician,
                )
            )
            day += timedelta(weeks=1)
    if not planned:
        return 0
    Session.objects.bulk_create([s for s, _, _ in planned])
    if planned[0][0].pk is None:  # backends without RETURNING ids on bulk insert
        by_start = {
            (s.starts_at, s.created_by_id): s.pk
            for s in Session.objects.filter(program=program, session_type=kind)
        }
        for session, _, clinician in planned:
            session.pk = by_start[(session.starts_at, clinician.pk)]
    through = Session.facilitators.through
    through.objects.bulk_create(
        through(session_id=s.pk, user_id=clinician.pk) for s, _, clinician in planned
    )
    RosterEntry.objects.bulk_create(
        RosterEntry(
            organization_id=program.organization_id,
            session=session,
            participant_id=episode.participant_id,
            episode=episode,
            source=RosterSource.BOOKED,
            added_by=clinician,
        )
        for session, episode, clinician in planned
    )
    return len(planned)
