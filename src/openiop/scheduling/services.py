"""Write functions for the schedule: series and their sessions, single sessions, individual and
family bookings, cancellations and participants' unavailable times.

Each is one action: keyword-only, atomic, validating. Scheduling problems (double-bookings,
rooms, unavailable times) raise ConflictError listing them; a director may pass
`override_reason` to schedule anyway, which records one ConflictOverride row per conflict.
Series store wall-clock times in the program's zone; each session's UTC start is computed for
its own date, so a 9:00 group stays at 9:00 across daylight-saving changes.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from openiop.accounts.models import User
from openiop.accounts.roles import Perm
from openiop.lib.text import with_article
from openiop.lib.timezones import local_date
from openiop.participants.models import (
    IN_TREATMENT_STATUSES,
    Episode,
    FamilyContact,
    Participant,
)
from openiop.participants.services import CLINICAL_ROLES
from openiop.programs.models import (
    Lesson,
    Program,
    Room,
    SessionCategory,
    SessionType,
    Track,
    Weekday,
)
from openiop.scheduling.conflicts import Conflict, Proposal, conflicts_for, conflicts_for_many
from openiop.scheduling.models import (
    Attendance,
    ConflictOverride,
    FamilyAttendee,
    RosterEntry,
    RosterShortfall,
    RosterSource,
    Session,
    SessionSeries,
    SessionStatus,
    Unavailability,
)
from openiop.scheduling.rosters import (
    local_midnight,
    roster_fill_sessions,
    roster_recheck_conflicts,
    roster_refill,
)

# A series longer than this is almost certainly a typo in the end date.
MAX_SERIES_DAYS = 366


class ConflictError(ValidationError):
    """The proposed schedule has conflicts; `conflicts` lists them for the form."""

    def __init__(self, conflicts: Sequence[Conflict], message: str = "") -> None:
        self.conflicts = list(conflicts)
        super().__init__(
            message
            or "This schedule has conflicts. Change it, or a director may schedule "
            "anyway with a reason."
        )


# --- helpers --------------------------------------------------------------------------------


def local_to_utc(day: date, at: time, program: Program) -> datetime:
    """Wall-clock time on a program-local day as an aware UTC datetime. zoneinfo resolves a
    time skipped by a spring-forward change to the later offset (fold=0)."""
    local = datetime.combine(day, at, tzinfo=zoneinfo.ZoneInfo(program.time_zone))
    return local.astimezone(zoneinfo.ZoneInfo("UTC"))


def series_days(weekdays: Iterable[int], starts_on: date, ends_on: date) -> list[date]:
    wanted = set(weekdays)
    days = (starts_on + timedelta(days=n) for n in range((ends_on - starts_on).days + 1))
    return [d for d in days if d.weekday() in wanted]


def _check_assigned(actor: User, program: Program) -> None:
    if actor.organization_id != program.organization_id or program.pk not in set(
        actor.assignments.values_list("program_id", flat=True)
    ):
        raise ValidationError("You can only schedule in programs you are assigned to.")


def _check_director(actor: User, program: Program) -> None:
    _check_assigned(actor, program)
    if not actor.can(Perm.PROGRAM_CONFIGURE):
        raise ValidationError("Only a program director can change the program's schedule.")


def _check_clinical(actor: User, program: Program) -> None:
    _check_assigned(actor, program)
    if actor.role not in CLINICAL_ROLES:
        raise ValidationError("Only clinicians of the program can book sessions.")


def _check_facilitators(facilitators: Sequence[User], program: Program) -> None:
    if not facilitators:
        raise ValidationError({"facilitators": "Choose at least one facilitator."})
    allowed = set(
        User.objects.filter(
            organization_id=program.organization_id,
            assignments__program=program,
            role__in=CLINICAL_ROLES,
            is_active=True,
        ).values_list("pk", flat=True)
    )
    for user in facilitators:
        if user.pk not in allowed:
            raise ValidationError(
                {"facilitators": f"Choose active clinicians assigned to {program.name}."}
            )


def _check_place(
    program: Program, session_type: SessionType, room: Room | None, telehealth_url: str
) -> None:
    if session_type.program_id != program.pk or not session_type.is_active:
        raise ValidationError({"session_type": f"Choose an active session type of {program}."})
    if room is None and not telehealth_url:
        raise ValidationError({"room": "Choose a room or give a telehealth link."})
    if room is not None and (room.site_id != program.site_id or not room.is_active):
        raise ValidationError({"room": f"Choose an active room at {program.name}'s site."})


def _check_track(track: Track | None, program: Program) -> None:
    if track is not None and (track.program_id != program.pk or not track.is_active):
        raise ValidationError({"track": f"Choose an active track of {program.name}."})


def _check_capacity(capacity: int, room: Room | None) -> None:
    """A group's capacity is bounded by its room: say so rather than cap it silently."""
    if capacity < 1:
        raise ValidationError({"capacity": "A session holds at least one person."})
    if room is not None and not room.telehealth and capacity > room.capacity:
        raise ValidationError(
            {
                "capacity": f"{room.name} holds {room.capacity} people, so a group there can "
                f"take at most {room.capacity}. Choose a larger room to raise the capacity."
            }
        )


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at >= ends_at:
        raise ValidationError({"ends_at": "The session must end after it starts."})
    if ends_at - starts_at > timedelta(hours=12):
        raise ValidationError({"ends_at": "A session cannot last more than 12 hours."})


def _check_weekdays(weekdays: Sequence[int]) -> None:
    if not weekdays:
        raise ValidationError({"weekdays": "Choose at least one weekday."})
    if any(d not in Weekday.values for d in weekdays) or len(set(weekdays)) != len(weekdays):
        raise ValidationError({"weekdays": "Weekdays must be distinct days, Monday to Sunday."})


def _check_series_dates(starts_on: date, ends_on: date, start_time: time, end_time: time) -> None:
    if start_time >= end_time:
        raise ValidationError({"end_time": "The session must end after it starts."})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "The series must end on or after its first day."})
    if (ends_on - starts_on).days > MAX_SERIES_DAYS:
        raise ValidationError({"ends_on": "A series can run for at most a year."})


def _resolve_conflicts(
    found: Sequence[tuple[Session | None, Conflict]], *, actor: User, override_reason: str
) -> list[tuple[Session | None, Conflict]]:
    """Refuse on conflicts unless a director gives a reason; return those to record."""
    if not found:
        return []
    reason = override_reason.strip()
    if not reason:
        raise ConflictError([c for _, c in found])
    if not actor.can(Perm.PROGRAM_CONFIGURE):
        raise ConflictError(
            [c for _, c in found],
            "Only a program director can schedule despite conflicts.",
        )
    return list(found)


def _record_overrides(
    found: Sequence[tuple[Session | None, Conflict]],
    sessions: Sequence[Session],
    *,
    actor: User,
    override_reason: str,
) -> None:
    now = timezone.now()
    rows = [
        ConflictOverride(
            organization_id=(session or sessions[0]).organization_id,
            session=session or sessions[0],
            kind=conflict.kind,
            detail=conflict.detail[:300],
            reason=override_reason.strip()[:300],
            overridden_by=actor,
            at=now,
        )
        for session, conflict in found
    ]
    ConflictOverride.objects.bulk_create(rows)


def _curriculum_lessons(program: Program, days: Sequence[date]) -> dict[date, Lesson | None]:
    try:
        from openiop.programs.curriculum import curriculum_load
    except ImportError:  # pragma: no cover - the curriculum module ships with this issue
        return {}
    curriculum = curriculum_load(program)
    return {day: curriculum.lesson_on(day) for day in days}


def _session_from_series(series: SessionSeries, day: date, actor: User) -> Session:
    program = series.program
    capacity = series.capacity
    return Session(
        organization_id=series.organization_id,
        program=program,
        track=series.track,
        series=series,
        session_type=series.session_type,
        starts_at=local_to_utc(day, series.start_time, program),
        ends_at=local_to_utc(day, series.end_time, program),
        room=series.room,
        telehealth_url=series.telehealth_url,
        topic=series.topic,
        capacity=capacity,
        created_by=actor,
    )


def _proposal(session: Session, facilitators: Sequence[User], **extra: Any) -> Proposal:
    return Proposal(
        program=session.program,
        session_type=session.session_type,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        room=session.room,
        telehealth_url=session.telehealth_url,
        capacity=session.capacity,
        facilitators=facilitators,
        exclude=[session.pk] if session.pk else [],
        **extra,
    )


def _save_single(
    session: Session,
    facilitators: Sequence[User],
    *,
    actor: User,
    override_reason: str,
    participants: Sequence[Participant] = (),
) -> list[tuple[Session | None, Conflict]]:
    """Validate one session (new or edited, outside a series' bulk writes), refuse it on
    conflicts with `participants` and the rest unless a director gives a reason
    (`_resolve_conflicts`), and save it with its facilitators. Returns the overridden
    conflicts, for `_record_overrides` once the caller has written the rest."""
    session.full_clean(exclude=["series", "lesson", "created_by"])
    proposal = _proposal(session, facilitators, participants=participants)
    found: list[tuple[Session | None, Conflict]] = [(session, c) for c in conflicts_for(proposal)]
    to_record = _resolve_conflicts(found, actor=actor, override_reason=override_reason)
    session.save()
    session.facilitators.set(facilitators)
    return to_record


def _generate(
    series: SessionSeries,
    days: Sequence[date],
    facilitators: Sequence[User],
    *,
    actor: User,
) -> tuple[list[Session], list[tuple[Session, Conflict]]]:
    """Build (unsaved) sessions for `days` and the conflicts each would have."""
    lessons = _curriculum_lessons(series.program, days) if series.follows_curriculum else {}
    sessions: list[Session] = []
    for day in days:
        session = _session_from_series(series, day, actor)
        session.lesson = lessons.get(day)
        sessions.append(session)
    each = conflicts_for_many([_proposal(s, facilitators) for s in sessions])
    found = [(s, c) for s, conflicts in zip(sessions, each, strict=True) for c in conflicts]
    return sessions, found


def _save_sessions(sessions: list[Session], facilitators: Sequence[User]) -> None:
    # The series was validated as a whole (full_clean per session would cost a query per
    # foreign key per session); the table's check constraints still stand behind it.
    Session.objects.bulk_create(sessions)
    if not sessions[0].pk:  # backends without RETURNING ids on bulk insert
        created = {
            (s.starts_at, s.series_id): s
            for s in Session.objects.filter(series_id=sessions[0].series_id)
        }
        for session in sessions:
            session.pk = created[(session.starts_at, session.series_id)].pk
    through = Session.facilitators.through
    through.objects.bulk_create(
        through(session_id=s.pk, user_id=u.pk) for s in sessions for u in facilitators
    )


# --- series ---------------------------------------------------------------------------------


@transaction.atomic
def series_create(
    *,
    actor: User,
    program: Program,
    session_type: SessionType,
    weekdays: Sequence[int],
    start_time: time,
    end_time: time,
    starts_on: date,
    ends_on: date,
    facilitators: Sequence[User],
    track: Track | None = None,
    room: Room | None = None,
    telehealth_url: str = "",
    capacity: int = 12,
    topic: str = "",
    follows_curriculum: bool = False,
    override_reason: str = "",
) -> SessionSeries:
    """A weekly pattern and all its sessions from starts_on to ends_on. Sessions of a track's
    group series start with the track's current members on their rosters."""
    _check_director(actor, program)
    _check_track(track, program)
    _check_place(program, session_type, room, telehealth_url.strip())
    _check_weekdays(weekdays)
    _check_series_dates(starts_on, ends_on, start_time, end_time)
    _check_facilitators(facilitators, program)
    _check_capacity(capacity, room)
    series = SessionSeries(
        organization_id=program.organization_id,
        program=program,
        track=track,
        session_type=session_type,
        topic=topic.strip(),
        weekdays=",".join(str(d) for d in sorted(weekdays)),
        start_time=start_time,
        end_time=end_time,
        starts_on=starts_on,
        ends_on=ends_on,
        room=room,
        telehealth_url=telehealth_url.strip(),
        capacity=capacity,
        follows_curriculum=follows_curriculum,
        created_by=actor,
    )
    series.full_clean()
    days = series_days(weekdays, starts_on, ends_on)
    if not days:
        raise ValidationError({"weekdays": "None of these weekdays fall between the dates."})
    sessions, found = _generate(series, days, facilitators, actor=actor)
    found_any = _resolve_conflicts(found, actor=actor, override_reason=override_reason)
    series.save()
    series.facilitators.set(facilitators)
    for session in sessions:
        session.series = series
    _save_sessions(sessions, facilitators)
    _record_overrides(found_any, sessions, actor=actor, override_reason=override_reason)
    roster_fill_sessions(sessions, actor=actor, from_first_day=True)
    return series


def _untouchable(sessions: Iterable[Session]) -> set[int]:
    return set(
        Attendance.objects.filter(session__in=list(sessions)).values_list("session_id", flat=True)
    )


def _session_remove(session: Session) -> None:
    """Delete a future session nobody attended (a regenerated series no longer has it)."""
    RosterEntry.objects.filter(session=session).delete()
    RosterShortfall.objects.filter(session=session).delete()
    FamilyAttendee.objects.filter(session=session).delete()
    ConflictOverride.objects.filter(session=session).delete()
    session.facilitators.clear()
    session.delete()


@transaction.atomic
def series_update_rest(
    *,
    actor: User,
    series: SessionSeries,
    from_on: date,
    weekdays: Sequence[int],
    start_time: time,
    end_time: time,
    ends_on: date,
    facilitators: Sequence[User],
    room: Room | None = None,
    telehealth_url: str = "",
    topic: str = "",
    capacity: int | None = None,
    override_reason: str = "",
) -> SessionSeries:
    """Change the series from `from_on` on. Sessions edited on their own (detached), past
    sessions and sessions with attendance keep what they have; if the weekdays or end date
    change, future sessions are regenerated to the new pattern."""
    locked = (
        SessionSeries.objects.select_for_update(of=("self",))
        .select_related("program", "session_type", "track", "room")
        .get(pk=series.pk)
    )
    program = locked.program
    _check_director(actor, program)
    _check_place(program, locked.session_type, room, telehealth_url.strip())
    _check_weekdays(weekdays)
    _check_series_dates(locked.starts_on, ends_on, start_time, end_time)
    _check_facilitators(facilitators, program)
    if from_on < locked.starts_on or from_on > locked.ends_on:
        raise ValidationError({"from_on": "Choose a date within the series to change it from."})
    new_weekdays = ",".join(str(d) for d in sorted(weekdays))
    pattern_changed = new_weekdays != locked.weekdays or ends_on != locked.ends_on
    locked.weekdays = new_weekdays
    locked.start_time, locked.end_time, locked.ends_on = start_time, end_time, ends_on
    locked.room, locked.telehealth_url, locked.topic = room, telehealth_url.strip(), topic.strip()
    if capacity is not None:
        locked.capacity = capacity
    _check_capacity(locked.capacity, room)
    locked.full_clean()

    cutoff = max(timezone.now(), local_midnight(from_on, program))
    future = list(
        locked.sessions.filter(
            starts_at__gte=cutoff, detached=False, status=SessionStatus.SCHEDULED
        )
        .select_related("program", "session_type", "room", "track")
        .order_by("starts_at")
    )
    attended = _untouchable(future)
    future = [s for s in future if s.pk not in attended]
    wanted = set(
        series_days(weekdays, max(from_on, local_date(cutoff, program.time_zone)), ends_on)
    )
    found: list[tuple[Session | None, Conflict]] = []
    kept: list[Session] = []
    for session in future:
        day = local_date(session.starts_at, program.time_zone)
        if pattern_changed and day not in wanted:
            _session_remove(session)
            continue
        session.starts_at = local_to_utc(day, start_time, program)
        session.ends_at = local_to_utc(day, end_time, program)
        session.room, session.telehealth_url = locked.room, locked.telehealth_url
        session.topic = locked.topic
        session.capacity = locked.capacity
        kept.append(session)
    crowded = (
        RosterEntry.objects.filter(session__in=kept)
        .values("session_id")
        .annotate(n=Count("id"))
        .filter(n__gt=locked.capacity)
        .order_by("session__starts_at")
        .values_list("session__starts_at", "n")
        .first()
    )
    if crowded is not None:
        when, count = crowded
        raise ValidationError(
            {
                "capacity": f"{count} people are on the roster of the session on "
                f"{local_date(when, program.time_zone):%b %-d}; the capacity cannot be lower."
            }
        )
    each = conflicts_for_many([_proposal(s, facilitators) for s in kept])
    found.extend((s, c) for s, conflicts in zip(kept, each, strict=True) for c in conflicts)
    new: list[Session] = []
    if pattern_changed:
        existing = {local_date(s.starts_at, program.time_zone) for s in locked.sessions.all()}
        new_days = sorted(d for d in wanted if d not in existing)
        new, new_found = _generate(locked, new_days, facilitators, actor=actor)
        found.extend(new_found)
    to_record = _resolve_conflicts(found, actor=actor, override_reason=override_reason)
    locked.save()
    locked.facilitators.set(facilitators)
    for session in kept:
        session.save(
            update_fields=[
                "starts_at",
                "ends_at",
                "room",
                "telehealth_url",
                "topic",
                "capacity",
                "updated_at",
            ]
        )
        session.facilitators.set(facilitators)
    if new:
        _save_sessions(new, facilitators)
        roster_fill_sessions(new, actor=actor)
    if to_record:
        _record_overrides(to_record, kept + new, actor=actor, override_reason=override_reason)
    # A capacity raised or a time moved may make room for waiting or skipped members.
    roster_refill(kept, actor=actor)
    return locked


# --- single sessions ------------------------------------------------------------------------


def _roster_participants(session: Session) -> list[Participant]:
    return [e.participant for e in session.roster.select_related("participant")]


@transaction.atomic
def session_create(
    *,
    actor: User,
    program: Program,
    session_type: SessionType,
    starts_at: datetime,
    ends_at: datetime,
    facilitators: Sequence[User],
    track: Track | None = None,
    room: Room | None = None,
    telehealth_url: str = "",
    topic: str = "",
    capacity: int = 12,
    override_reason: str = "",
) -> Session:
    """A one-off group session (outside any series). A track's group session gets the
    track's members who have started by then."""
    _check_director(actor, program)
    _check_track(track, program)
    _check_place(program, session_type, room, telehealth_url.strip())
    _check_times(starts_at, ends_at)
    _check_facilitators(facilitators, program)
    session = Session(
        organization_id=program.organization_id,
        program=program,
        track=track,
        session_type=session_type,
        starts_at=starts_at,
        ends_at=ends_at,
        room=room,
        telehealth_url=telehealth_url.strip(),
        topic=topic.strip(),
        capacity=capacity,
        created_by=actor,
    )
    to_record = _save_single(session, facilitators, actor=actor, override_reason=override_reason)
    _record_overrides(to_record, [session], actor=actor, override_reason=override_reason)
    roster_fill_sessions([session], actor=actor)
    return session


@transaction.atomic
def session_update(
    *,
    actor: User,
    session: Session,
    starts_at: datetime,
    ends_at: datetime,
    facilitators: Sequence[User],
    room: Room | None = None,
    telehealth_url: str = "",
    topic: str = "",
    capacity: int | None = None,
    override_reason: str = "",
) -> Session:
    """Edit one occurrence. A session of a series becomes detached: later edits to the rest of
    the series leave it as it is now. Group sessions are the director's; individual and family
    sessions also their clinicians'."""
    locked = (
        Session.objects.select_for_update(of=("self",))
        .select_related("program", "session_type", "room", "track")
        .get(pk=session.pk)
    )
    program = locked.program
    if locked.session_type.is_group:
        _check_director(actor, program)
    else:
        _check_clinical(actor, program)
    if locked.status != SessionStatus.SCHEDULED:
        raise ValidationError("A cancelled session cannot be changed.")
    _check_place(program, locked.session_type, room, telehealth_url.strip())
    _check_times(starts_at, ends_at)
    _check_facilitators(facilitators, program)
    before = (locked.starts_at, locked.ends_at)
    locked.starts_at, locked.ends_at = starts_at, ends_at
    locked.room, locked.telehealth_url, locked.topic = room, telehealth_url.strip(), topic.strip()
    if capacity is not None:
        roster_size = locked.roster.count()
        if capacity < roster_size:
            raise ValidationError(
                {"capacity": f"{roster_size} people are on the roster; capacity cannot be lower."}
            )
        locked.capacity = capacity
    if locked.series_id is not None:
        locked.detached = True
    moved = (locked.starts_at, locked.ends_at) != before
    to_record = _save_single(
        locked,
        facilitators,
        actor=actor,
        override_reason=override_reason,
        participants=_roster_participants(locked),
    )
    _record_overrides(to_record, [locked], actor=actor, override_reason=override_reason)
    # A capacity raised or a time moved may make room for the session's waiting members; a
    # session that moved frees its people's old time for groups they were skipped from.
    roster_refill([locked], actor=actor)
    if moved:
        roster_recheck_conflicts(
            locked.roster.values_list("participant_id", flat=True), actor=actor
        )
    return locked


@transaction.atomic
def session_cancel(*, actor: User, session: Session, reason: str) -> Session:
    """Cancel one occurrence. Its roster stays: who was expected is part of the record."""
    locked = (
        Session.objects.select_for_update(of=("self",))
        .select_related("program", "session_type")
        .get(pk=session.pk)
    )
    if locked.session_type.is_group:
        _check_director(actor, locked.program)
    else:
        _check_clinical(actor, locked.program)
    if locked.status == SessionStatus.CANCELLED:
        raise ValidationError("This session is already cancelled.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for cancelling."})
    locked.status = SessionStatus.CANCELLED
    locked.cancel_reason = reason[:200]
    if locked.series_id is not None:
        locked.detached = True
    locked.save(update_fields=["status", "cancel_reason", "detached", "updated_at"])
    # Its people are free at that time now: groups they were skipped from get another try.
    roster_recheck_conflicts(locked.roster.values_list("participant_id", flat=True), actor=actor)
    return locked


# --- bookings -------------------------------------------------------------------------------


def treatment_episode(participant: Participant, program: Program) -> Episode:
    episode = (
        Episode.objects.filter(
            participant=participant, program=program, status__in=IN_TREATMENT_STATUSES
        )
        .order_by("-inquiry_on")
        .first()
    )
    if episode is None:
        raise ValidationError(
            f"{participant.display_name} is not in treatment in {program.name}; "
            "sessions are booked for admitted participants."
        )
    return episode


def _book(
    *,
    actor: User,
    participant: Participant,
    program: Program,
    session_type: SessionType,
    category: str,
    starts_at: datetime,
    ends_at: datetime,
    facilitators: Sequence[User],
    room: Room | None,
    telehealth_url: str,
    topic: str,
    override_reason: str,
) -> Session:
    _check_clinical(actor, program)
    if participant.organization_id != program.organization_id:
        raise ValidationError("This participant belongs to another organization.")
    episode = treatment_episode(participant, program)
    _check_place(program, session_type, room, telehealth_url.strip())
    if session_type.category != category:
        raise ValidationError(
            {
                "session_type": f"Choose {with_article(SessionCategory(category).label.lower())} "
                "session type."
            }
        )
    _check_times(starts_at, ends_at)
    _check_facilitators(facilitators, program)
    session = Session(
        organization_id=program.organization_id,
        program=program,
        session_type=session_type,
        starts_at=starts_at,
        ends_at=ends_at,
        room=room,
        telehealth_url=telehealth_url.strip(),
        topic=topic.strip(),
        capacity=1,
        created_by=actor,
    )
    to_record = _save_single(
        session,
        facilitators,
        actor=actor,
        override_reason=override_reason,
        participants=[participant],
    )
    RosterEntry.objects.create(
        organization_id=session.organization_id,
        session=session,
        participant=participant,
        episode=episode,
        source=RosterSource.BOOKED,
        added_by=actor,
    )
    _record_overrides(to_record, [session], actor=actor, override_reason=override_reason)
    return session


@transaction.atomic
def session_book_individual(
    *,
    actor: User,
    participant: Participant,
    program: Program,
    session_type: SessionType,
    starts_at: datetime,
    ends_at: datetime,
    facilitators: Sequence[User],
    room: Room | None = None,
    telehealth_url: str = "",
    topic: str = "",
    override_reason: str = "",
) -> Session:
    return _book(
        actor=actor,
        participant=participant,
        program=program,
        session_type=session_type,
        category=SessionCategory.INDIVIDUAL,
        starts_at=starts_at,
        ends_at=ends_at,
        facilitators=facilitators,
        room=room,
        telehealth_url=telehealth_url,
        topic=topic,
        override_reason=override_reason,
    )


@transaction.atomic
def session_book_family(
    *,
    actor: User,
    participant: Participant,
    program: Program,
    session_type: SessionType,
    starts_at: datetime,
    ends_at: datetime,
    facilitators: Sequence[User],
    contacts: Sequence[FamilyContact],
    room: Room | None = None,
    telehealth_url: str = "",
    topic: str = "",
    override_reason: str = "",
) -> Session:
    """A family session for one participant, naming which family members attend."""
    if not contacts:
        raise ValidationError({"contacts": "Choose the family members who attend."})
    if any(c.participant_id != participant.pk for c in contacts):
        raise ValidationError({"contacts": "Choose this participant's own family contacts."})
    if any(c.program_id != program.pk for c in contacts):
        raise ValidationError({"contacts": f"Choose family contacts recorded in {program.name}."})
    session = _book(
        actor=actor,
        participant=participant,
        program=program,
        session_type=session_type,
        category=SessionCategory.FAMILY,
        starts_at=starts_at,
        ends_at=ends_at,
        facilitators=facilitators,
        room=room,
        telehealth_url=telehealth_url,
        topic=topic,
        override_reason=override_reason,
    )
    FamilyAttendee.objects.bulk_create(
        FamilyAttendee(organization_id=session.organization_id, session=session, contact=c)
        for c in contacts
    )
    return session


# --- unavailable times ----------------------------------------------------------------------


@transaction.atomic
def unavailability_add(
    *,
    actor: User,
    participant: Participant,
    weekday: int,
    start_time: time,
    end_time: time,
    reason: str,
    note: str = "",
) -> Unavailability:
    if actor.organization_id != participant.organization_id:
        raise ValidationError("This participant belongs to another organization.")
    if weekday not in Weekday.values:
        raise ValidationError({"weekday": "Choose a day of the week."})
    if start_time >= end_time:
        raise ValidationError({"end_time": "The unavailable time must end after it starts."})
    row = Unavailability(
        organization_id=participant.organization_id,
        participant=participant,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
        reason=reason,
        note=note.strip(),
    )
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def unavailability_remove(*, actor: User, unavailability: Unavailability) -> None:
    if actor.organization_id != unavailability.organization_id:
        raise ValidationError("This participant belongs to another organization.")
    Unavailability.objects.filter(pk=unavailability.pk).delete()
    roster_recheck_conflicts([unavailability.participant_id], actor=actor)
