"""Attendance: who may take it, the write functions, and the reads for the session page and the
staff home.

Timeline: taking attendance writes no timeline events. A participant attends a dozen sessions a
week; one event per tap (or per correction) would bury the chart's timeline, and the attendance
rows are themselves dated records that the hours panel summarizes. What needs a person's
attention is raised as a FollowUpItem instead, and the views write the access log for every
recording.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from openiop.accounts.roles import Perm, Role
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record_many
from openiop.lib.forms import NUL, NUL_ERROR
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import local_date
from openiop.participants.access import participants_for, program_ids_for
from openiop.participants.models import Participant
from openiop.scheduling.hours import week_start_of
from openiop.scheduling.models import (
    ATTENDED_STATUSES,
    Attendance,
    AttendanceStatus,
    FollowUpItem,
    FollowUpKind,
    RosterEntry,
    Session,
    SessionStatus,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from openiop.accounts.models import User
    from openiop.participants.models import Episode

# Clocks and memories are a few minutes off; a recorded arrival this far outside the session
# is still taken as meant.
GRACE = timedelta(minutes=15)
# Devices' clocks differ by a little: a time this far ahead of the server's is still "now".
CLOCK_SKEW = timedelta(minutes=2)

ABSENT_STATUSES = frozenset(
    {
        AttendanceStatus.ABSENT_EXCUSED,
        AttendanceStatus.ABSENT_UNEXCUSED,
        AttendanceStatus.CANCELLED,
    }
)


# --- who may ---------------------------------------------------------------------------------


def sessions_visible_to(user: User | AnonymousUser) -> QuerySet[Session]:
    """Sessions of the user's programs, for staff who may see that participants exist
    (billing included: attendance is identity-level information)."""
    if not (user.is_authenticated and user.is_staff_member and user.can(Perm.PARTICIPANT_EXISTS)):
        return Session.objects.none()
    organization_id: int | None = user.organization_id
    if organization_id is None:
        return Session.objects.none()
    return Session.objects.filter(
        organization_id=organization_id, program_id__in=program_ids_for(user)
    )


def may_record(user: User | AnonymousUser, session: Session) -> bool:
    """Facilitators of the session, and directors and clinicians of its program."""
    if not (user.is_authenticated and user.can(Perm.PARTICIPANT_WRITE)):
        return False
    if session.program_id not in program_ids_for(user):
        return False
    if user.role in (Role.DIRECTOR, Role.CLINICIAN):
        return True
    return session.facilitators.filter(pk=user.pk).exists()


# --- minutes ---------------------------------------------------------------------------------


def _within(session: Session, moment: datetime, what: str) -> None:
    if not (session.starts_at - GRACE <= moment <= session.ends_at + GRACE):
        raise ValidationError(
            f"The {what} time must fall within the session "
            f"({_clock(session, session.starts_at)} to {_clock(session, session.ends_at)})."
        )


def _clock(session: Session, moment: datetime) -> str:
    return moment.astimezone(zoneinfo.ZoneInfo(session.program.time_zone)).strftime("%H:%M")


def attendance_minutes(
    *,
    session: Session,
    status: str,
    arrived_at: datetime | None,
    departed_at: datetime | None,
) -> int:
    """Minutes attended, never more than the session lasts. Validates the times."""
    if arrived_at is not None:
        _within(session, arrived_at, "arrival")
    if departed_at is not None:
        _within(session, departed_at, "departure")
    if arrived_at is not None and departed_at is not None and arrived_at > departed_at:
        raise ValidationError("The arrival time must not be after the departure time.")
    if status in ABSENT_STATUSES:
        return 0
    if status == AttendanceStatus.PRESENT:
        return session.minutes
    if status == AttendanceStatus.LATE:
        if arrived_at is None:
            raise ValidationError("Enter the arrival time for a late arrival.")
        start, end = arrived_at, departed_at or session.ends_at
    elif status == AttendanceStatus.LEFT_EARLY:
        if departed_at is None:
            raise ValidationError("Enter the departure time for someone who left early.")
        start, end = arrived_at or session.starts_at, departed_at
    else:
        raise ValidationError(f"{status!r} is not an attendance status.")
    start = max(start, session.starts_at)
    end = min(end, session.ends_at)
    return max(0, int((end - start).total_seconds() // 60))


# --- writes ----------------------------------------------------------------------------------


def _roster_entry(session: Session, participant: Participant) -> RosterEntry:
    entry = (
        RosterEntry.objects.filter(session=session, participant=participant)
        .select_related("episode")
        .first()
    )
    if entry is None:
        raise ValidationError(f"{participant.display_name} is not on this session's roster.")
    return entry


def _check_may_record(actor: User, session: Session) -> None:
    if not may_record(actor, session):
        raise PermissionDenied("Only the session's facilitators or the program's clinicians may.")


@transaction.atomic
def attendance_record(
    *,
    session: Session,
    participant: Participant,
    status: str,
    actor: User,
    arrived_at: datetime | None = None,
    departed_at: datetime | None = None,
    now: datetime | None = None,
) -> Attendance:
    """Record (or correct) one participant's attendance at one session.

    A late arrival or early departure tapped without a time is taken to be happening now,
    when now is during the session: that is the one-tap case."""
    _check_may_record(actor, session)
    now = now or timezone.now()
    if status not in AttendanceStatus.values:
        raise ValidationError(f"{status!r} is not an attendance status.")
    entry = _roster_entry(session, participant)
    attended = status in ATTENDED_STATUSES
    if attended and session.status == SessionStatus.CANCELLED:
        raise ValidationError("This session was cancelled; nobody can have attended it.")
    if attended and now < session.starts_at - GRACE:
        raise ValidationError("This session has not started yet.")
    if status in ABSENT_STATUSES:
        arrived_at = departed_at = None
    elif status == AttendanceStatus.LATE and arrived_at is None:
        arrived_at = _now_if_during(session, now)
    elif status == AttendanceStatus.LEFT_EARLY and departed_at is None:
        departed_at = _now_if_during(session, now)
    # What is recorded has happened: a time still to come is a guess, and its minutes a claim.
    if departed_at is not None and departed_at > now + CLOCK_SKEW:
        raise ValidationError(
            f"The departure time ({_clock(session, departed_at)}) is still to come: record it "
            "when the person leaves."
        )
    if arrived_at is not None and arrived_at > now + CLOCK_SKEW:
        raise ValidationError(
            f"The arrival time ({_clock(session, arrived_at)}) is still to come: record it when "
            "the person arrives."
        )
    minutes = attendance_minutes(
        session=session, status=status, arrived_at=arrived_at, departed_at=departed_at
    )
    values = {
        "status": status,
        "arrived_at": arrived_at,
        "departed_at": departed_at,
        "minutes": minutes,
        "recorded_by": actor,
        "recorded_at": now,
        "episode": entry.episode,
    }
    record = _upsert(session=session, participant=participant, values=values)
    if status == AttendanceStatus.ABSENT_UNEXCUSED:
        _follow_up_if_second_absence(record, entry.episode)
    return record


def _now_if_during(session: Session, now: datetime) -> datetime | None:
    return now if session.starts_at - GRACE <= now <= session.ends_at + GRACE else None


def _upsert(*, session: Session, participant: Participant, values: dict[str, Any]) -> Attendance:
    existing = (
        Attendance.objects.select_for_update().filter(session=session, participant=participant)
    ).first()
    if existing is None:
        try:
            # A savepoint: two facilitators tapping the same row at once must not break the
            # surrounding transaction; the loser updates the winner's row instead.
            with transaction.atomic():
                return Attendance.objects.create(
                    organization_id=session.organization_id,
                    session=session,
                    participant=participant,
                    **values,
                )
        except IntegrityError:
            existing = Attendance.objects.select_for_update().get(
                session=session, participant=participant
            )
    for name, value in values.items():
        setattr(existing, name, value)
    existing.save(update_fields=list(values))
    return existing


@transaction.atomic
def attendance_all_present(*, session: Session, actor: User, now: datetime | None = None) -> int:
    """Mark everyone on the roster without a record yet as present; existing records (a late
    arrival already noted) stay as they are. Returns how many were marked."""
    _check_may_record(actor, session)
    now = now or timezone.now()
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError("This session was cancelled; nobody can have attended it.")
    if now < session.starts_at - GRACE:
        raise ValidationError("This session has not started yet.")
    missing = RosterEntry.objects.filter(session=session).exclude(
        participant_id__in=Attendance.objects.filter(session=session).values("participant_id")
    )
    rows = [
        Attendance(
            organization_id=session.organization_id,
            session=session,
            participant_id=entry.participant_id,
            episode_id=entry.episode_id,
            status=AttendanceStatus.PRESENT,
            minutes=session.minutes,
            recorded_by=actor,
            recorded_at=now,
        )
        for entry in missing
    ]
    Attendance.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _follow_up_if_second_absence(record: Attendance, episode: Episode) -> None:
    """Two unexcused absences in a row (cancelled sessions don't break or count toward the
    run), whichever of the two was recorded last."""
    session = record.session
    mine = RosterEntry.objects.filter(
        participant_id=record.participant_id,
        session__program_id=session.program_id,
        session__status=SessionStatus.SCHEDULED,
    ).exclude(session=session)
    before = mine.filter(session__starts_at__lt=session.starts_at).order_by("-session__starts_at")
    after = mine.filter(session__starts_at__gt=session.starts_at).order_by("session__starts_at")
    neighbours = [e.session_id for e in (before.first(), after.first()) if e is not None]
    statuses = dict(
        Attendance.objects.filter(
            participant_id=record.participant_id, session_id__in=neighbours
        ).values_list("session_id", "status")
    )
    if AttendanceStatus.ABSENT_UNEXCUSED not in statuses.values():
        return
    program = session.program
    follow_up_raise(
        episode=episode,
        kind=FollowUpKind.ABSENCES,
        week_start=week_start_of(local_date(session.starts_at, program.time_zone)),
        detail="Two unexcused absences in a row, the latest on "
        f"{local_date(session.starts_at, program.time_zone):%b %-d}.",
    )


def follow_up_raise(*, episode: Episode, kind: str, week_start: date, detail: str) -> bool:
    """Raise a follow-up for the episode's primary clinician unless one of this kind already
    exists for that week (the unique constraint decides, also under concurrency). Returns
    whether one was created."""
    if FollowUpItem.objects.filter(episode=episode, kind=kind, week_start=week_start).exists():
        return False
    FollowUpItem.objects.bulk_create(
        [
            FollowUpItem(
                organization_id=episode.organization_id,
                participant_id=episode.participant_id,
                episode=episode,
                assigned_to_id=episode.primary_clinician_id,
                kind=kind,
                week_start=week_start,
                detail=detail[:300],
            )
        ],
        ignore_conflicts=True,
    )
    return True


@transaction.atomic
def follow_up_resolve(*, item: FollowUpItem, actor: User, note: str) -> FollowUpItem:
    note = note.strip()
    if not note:
        raise ValidationError("Write a short note on what was done.")
    if NUL in note:
        raise ValidationError(NUL_ERROR)
    if len(note) > 300:
        raise ValidationError("Keep the note under 300 characters.")
    locked = FollowUpItem.objects.select_for_update().get(pk=item.pk)
    if locked.resolved_at is not None:
        raise ValidationError("This follow-up is already resolved.")
    locked.resolved_at = timezone.now()
    locked.resolved_by = actor
    locked.resolution = note
    locked.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return locked


# --- reads -----------------------------------------------------------------------------------


@dataclass
class AttendanceRow:
    entry: RosterEntry
    record: Attendance | None

    @property
    def participant(self) -> Participant:
        return self.entry.participant


def attendance_rows(session: Session, *, viewer: User | AnonymousUser) -> list[AttendanceRow]:
    """One row per roster participant the viewer may see, with their record: two queries for
    any roster size. Roster members are normally all visible to the session's program staff;
    the filter keeps it so if a roster ever holds someone the viewer must not know of."""
    entries = list(
        RosterEntry.objects.filter(session=session, participant__in=participants_for(viewer))
        .select_related("participant")
        .order_by("participant__legal_last_name", "participant__legal_first_name", "id")
    )
    records = {a.participant_id: a for a in Attendance.objects.filter(session=session)}
    return [AttendanceRow(entry=e, record=records.get(e.participant_id)) for e in entries]


def attendance_row(session: Session, participant: Participant) -> AttendanceRow:
    entry = _roster_entry(session, participant)
    entry.participant = participant
    record = Attendance.objects.filter(session=session, participant=participant).first()
    return AttendanceRow(entry=entry, record=record)


def sessions_today_for(user: User) -> list[Session]:
    """Sessions the user facilitates today, each program's today in its own time zone. One
    query: a window wide enough for every time zone, narrowed by each session's local date."""
    now = timezone.now()
    candidates = (
        sessions_visible_to(user)
        .filter(
            facilitators=user,
            starts_at__gte=now - timedelta(hours=30),
            starts_at__lt=now + timedelta(hours=30),
        )
        .select_related("session_type", "room", "track", "program")
        .annotate(
            roster_count=Count("roster", distinct=True),
            recorded_count=Count("attendance", distinct=True),
        )
        .order_by("starts_at", "id")[:60]
    )
    return [
        s
        for s in candidates
        if local_date(s.starts_at, s.program.time_zone) == local_date(now, s.program.time_zone)
    ]


def follow_ups_for(user: User, *, limit: int = 50) -> list[FollowUpItem]:
    """Open follow-ups assigned to the user, in the user's programs."""
    return list(
        FollowUpItem.objects.filter(
            assigned_to=user,
            resolved_at__isnull=True,
            episode__program_id__in=program_ids_for(user),
        )
        .select_related("participant", "episode__program")
        .order_by("week_start", "id")[:limit]
    )


def staff_home_context(request: AuthedRequest) -> dict[str, Any]:
    """The staff home's "Today's sessions" and "Follow-ups": two bounded lists. Follow-ups
    name participants, so each one shown is logged."""
    user = request.user
    follow_ups = follow_ups_for(user)
    access_record_many(
        request=request,
        action=AccessAction.LIST,
        object_type="follow_up",
        participants=[item.participant for item in follow_ups],
    )
    return {"today_sessions": sessions_today_for(user), "follow_ups": follow_ups}
