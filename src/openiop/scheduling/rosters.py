"""Rolling rosters: a track's members are on its future group sessions, and only they.

- An admitted or active participant is placed on every scheduled group session of their track
  that starts from max(now, their first day: started_on or admitted_on).
- On hold (from hold_since), discharged (from discharged_on) or moved to another track (from
  now), they come off future sessions. Past sessions, and any session with attendance already
  recorded for them, are never touched.
- Placement runs the checks a manual booking runs for the participant (conflicts.py): someone
  already on an overlapping session, or who declared the time unavailable, is not placed; the
  skip is recorded with its reason (RosterShortfall, reason "conflict") for a person to decide.
- A full session never takes one more: the member goes on that session's waiting list
  (RosterShortfall, reason "full").

Refills: when a seat frees (a member put on hold, discharged or moved to another track, a
capacity raised, a session moved or one of a member's own sessions cancelled), the session's
waiting members are placed at once, in the same transaction that freed the seat, in a fair
order: **first waiting first** (the time each started waiting for that session; ties by when
they started on the track, then by record). Members skipped for a conflict are checked again
at the same moments and placed when the conflict has gone.

Concurrency: every placement and every booking locks the sessions' rows (select_for_update, in
primary-key order) before it counts, and a free locks them before it deletes, so two frees
and two claims at once take turns on PostgreSQL and the count never passes the capacity.
SQLite serializes writers anyway.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from openiop.accounts.models import User
from openiop.lib.timezones import today_in
from openiop.participants.models import Episode, EpisodeStatus, Participant
from openiop.programs.models import Program
from openiop.scheduling.conflicts import Conflict, busy_times, placement_conflict
from openiop.scheduling.models import (
    Attendance,
    RosterEntry,
    RosterShortfall,
    RosterSource,
    Session,
    SessionStatus,
    ShortfallReason,
)

ON_TRACK_STATUSES = frozenset({EpisodeStatus.ADMITTED, EpisodeStatus.ACTIVE})


@dataclass
class Skipped:
    session: Session
    participant: Participant
    conflict: Conflict


@dataclass
class SyncResult:
    added: int = 0
    removed: int = 0
    full: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    placed: list[tuple[Session, Participant]] = field(default_factory=list)

    def absorb(self, other: SyncResult) -> None:
        self.added += other.added
        self.removed += other.removed
        self.full += other.full
        self.skipped += other.skipped
        self.placed += other.placed


def local_midnight(day: date, program: Program) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zoneinfo.ZoneInfo(program.time_zone))


def _full_message(count: int, capacity: int) -> str:
    return f"This session is full ({count} of {capacity})."


def member_since(
    episode: Episode, program: Program, *, from_first_day: bool = False
) -> datetime | None:
    """When a track member's place on group sessions begins, or None if they have none.
    Syncing never rewrites the past (from now at the earliest); newly generated sessions have
    no past to protect, so a backdated series takes members from their first day."""
    if episode.status not in ON_TRACK_STATUSES or episode.track_id is None:
        return None
    first_day = episode.started_on or episode.admitted_on
    if first_day is None:
        return timezone.now()
    start = local_midnight(first_day, program)
    return start if from_first_day else max(timezone.now(), start)


def _leaving_from(episode: Episode, program: Program) -> datetime:
    now = timezone.now()
    day = None
    if episode.status == EpisodeStatus.ON_HOLD:
        day = episode.hold_since
    elif episode.status == EpisodeStatus.DISCHARGED:
        day = episode.discharged_on
    return max(now, local_midnight(day, program)) if day else now


def _lock(session_ids: Iterable[int]) -> None:
    """Row locks on the sessions, always in primary-key order so that two transactions
    locking overlapping sets cannot deadlock."""
    ids = sorted(set(session_ids))
    if ids:
        list(Session.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))


def _place(
    sessions: Sequence[Session],
    members: Iterable[tuple[Episode, datetime]],
    *,
    actor: User | None,
) -> SyncResult:
    """Put each (episode, from) on the sessions starting at or after `from`, within capacity
    and without conflicts, the waiting members of each session first (first waiting first).
    The sessions' rows are locked for the rest of the transaction before anything is read."""
    result = SyncResult()
    members = list(members)
    if not sessions or not members:
        return result
    sessions = sorted(sessions, key=lambda s: (s.starts_at, s.pk))
    ids = [s.pk for s in sessions]
    _lock(ids)
    counts = dict(
        RosterEntry.objects.filter(session_id__in=ids)
        .values("session_id")
        .annotate(n=Count("id"))
        .values_list("session_id", "n")
    )
    capacity = dict(Session.objects.filter(pk__in=ids).values_list("pk", "capacity"))
    participant_ids = [e.participant_id for e, _ in members]
    present = set(
        RosterEntry.objects.filter(
            session_id__in=ids, participant_id__in=participant_ids
        ).values_list("session_id", "participant_id")
    )
    short = {
        (row.session_id, row.participant_id): row
        for row in RosterShortfall.objects.filter(
            session_id__in=ids, participant_id__in=participant_ids
        )
    }
    people = {
        p.pk: p
        for p in Participant.objects.filter(pk__in=participant_ids).only(
            "pk", "legal_first_name", "legal_last_name", "preferred_name"
        )
    }
    busy = busy_times(
        participant_ids, starts_at=sessions[0].starts_at, ends_at=max(s.ends_at for s in sessions)
    )

    def queue_key(session: Session, member: tuple[Episode, datetime]) -> tuple[object, ...]:
        episode, since = member
        row = short.get((session.pk, episode.participant_id))
        if row is not None and row.reason == ShortfallReason.FULL:
            return (0, row.detected_at, row.pk)
        return (1, since, episode.pk)

    new_short: list[RosterShortfall] = []
    entries: list[RosterEntry] = []
    placed_rows: list[int] = []
    for session in sessions:
        for episode, since in sorted(members, key=lambda m: queue_key(session, m)):
            key = (session.pk, episode.participant_id)
            if session.starts_at < since or key in present:
                continue
            row = short.get(key)
            participant = people[episode.participant_id]
            conflict = placement_conflict(busy, session, participant)
            if conflict is not None:
                result.skipped.append(Skipped(session, participant, conflict))
                _record(row, new_short, session, episode, ShortfallReason.CONFLICT, conflict.detail)
                continue
            if counts.get(session.pk, 0) >= capacity.get(session.pk, session.capacity):
                result.full += 1
                _record(row, new_short, session, episode, ShortfallReason.FULL, "")
                continue
            counts[session.pk] = counts.get(session.pk, 0) + 1
            present.add(key)
            busy.add(episode.participant_id, session)
            entries.append(
                RosterEntry(
                    organization_id=session.organization_id,
                    session=session,
                    participant_id=episode.participant_id,
                    episode=episode,
                    source=RosterSource.TRACK,
                    added_by=actor,
                )
            )
            if row is not None:
                placed_rows.append(row.pk)
            result.placed.append((session, participant))
    RosterEntry.objects.bulk_create(entries)
    RosterShortfall.objects.filter(pk__in=placed_rows).delete()
    RosterShortfall.objects.bulk_create(new_short)
    result.added = len(result.placed)
    return result


def _record(
    row: RosterShortfall | None,
    new: list[RosterShortfall],
    session: Session,
    episode: Episode,
    reason: str,
    detail: str,
) -> None:
    """Keep a member's shortfall up to date. Someone already waiting keeps their place in the
    queue; someone who stops clashing but finds the session full starts waiting now."""
    if row is None:
        new.append(
            RosterShortfall(
                organization_id=session.organization_id,
                session=session,
                participant_id=episode.participant_id,
                episode=episode,
                reason=reason,
                detail=detail[:300],
            )
        )
        return
    if (row.reason, row.detail) == (reason, detail[:300]):
        return
    changes: dict[str, object] = {"reason": reason, "detail": detail[:300]}
    if reason == ShortfallReason.FULL:
        changes["detected_at"] = timezone.now()
    RosterShortfall.objects.filter(pk=row.pk).update(**changes)


def _future_group_sessions(track_id: int, since: datetime) -> list[Session]:
    return list(
        Session.objects.filter(
            track_id=track_id,
            status=SessionStatus.SCHEDULED,
            session_type__is_group=True,
            starts_at__gte=since,
        )
        .select_related("program", "session_type")
        .order_by("starts_at")
    )


@transaction.atomic
def roster_sync_for_episode(episode: Episode, *, actor: User | None = None) -> SyncResult:
    """Bring the episode's participant's future rosters in line with its status and track;
    the seats it frees go to the sessions' waiting members in the same transaction."""
    episode = Episode.objects.select_related("program").get(pk=episode.pk)
    program = episode.program
    since = member_since(episode, program)
    result = SyncResult()
    # Future track entries of this participant in this program that no longer belong.
    leave_from = timezone.now() if since is not None else _leaving_from(episode, program)
    stale = RosterEntry.objects.filter(
        participant_id=episode.participant_id,
        session__program=program,
        session__starts_at__gte=leave_from,
        source=RosterSource.TRACK,
    )
    track_id = episode.track_id if since is not None else None
    if track_id is not None:
        stale = stale.exclude(session__track_id=track_id)
    if episode.status == EpisodeStatus.DISCHARGED:
        # Discharge also ends booked individual and family sessions after that day.
        stale = RosterEntry.objects.filter(
            participant_id=episode.participant_id,
            session__program=program,
            session__starts_at__gte=leave_from,
        )
    attended = Attendance.objects.filter(participant_id=episode.participant_id).values("session_id")
    stale = stale.exclude(session_id__in=attended)
    freed = set(stale.values_list("session_id", flat=True))
    # Lock what is about to free before freeing it: no claim slips in between.
    _lock(freed)
    result.removed, _ = stale.delete()
    shortfalls = RosterShortfall.objects.filter(episode=episode, session__starts_at__gte=leave_from)
    if track_id is not None:
        shortfalls = shortfalls.exclude(session__track_id=track_id)
    shortfalls.delete()
    result.absorb(roster_refill(Session.objects.filter(pk__in=freed), actor=actor))
    if since is not None and track_id is not None:
        result.absorb(
            _place(_future_group_sessions(track_id, since), [(episode, since)], actor=actor)
        )
    # Leaving frees this person's time too: their skips elsewhere may now be placeable.
    result.absorb(roster_recheck_conflicts([episode.participant_id], actor=actor))
    return result


def episode_rosters_resync(episode: Episode, actor: User | None) -> None:
    """Receiver of participants' `episode_changed` hook (scheduling/apps.py)."""
    roster_sync_for_episode(episode, actor=actor)


def roster_fill_sessions(
    sessions: Sequence[Session], *, actor: User | None = None, from_first_day: bool = False
) -> SyncResult:
    """Newly generated group sessions of a track get the track's current members, the longest
    on the track first when a session cannot take them all."""
    group = [s for s in sessions if s.track_id is not None and s.session_type.is_group]
    if not group:
        return SyncResult()
    program = group[0].program
    members: dict[int, list[tuple[Episode, datetime]]] = {}
    episodes = Episode.objects.filter(
        track_id__in={s.track_id for s in group}, status__in=ON_TRACK_STATUSES
    ).order_by("pk")
    for episode in episodes:
        since = member_since(episode, program, from_first_day=from_first_day)
        if since is not None:
            members.setdefault(episode.track_id or 0, []).append((episode, since))
    result = SyncResult()
    for track_id, track_members in members.items():
        result.absorb(
            _place([s for s in group if s.track_id == track_id], track_members, actor=actor)
        )
    return result


@transaction.atomic
def roster_refill(sessions: Iterable[Session], *, actor: User | None = None) -> SyncResult:
    """A seat may have freed on these sessions: place their waiting members (and re-check the
    members skipped for a conflict), first waiting first. Only future, scheduled group sessions
    of a track take part; shortfalls of people no longer on the track are cleared."""
    now = timezone.now()
    candidates = [
        s
        for s in Session.objects.filter(pk__in=[s.pk for s in sessions])
        .select_related("program", "session_type")
        .order_by("starts_at", "pk")
        if s.status == SessionStatus.SCHEDULED
        and s.track_id is not None
        and s.session_type.is_group
        and s.starts_at >= now
    ]
    if not candidates:
        return SyncResult()
    _lock(s.pk for s in candidates)
    waiting = list(RosterShortfall.objects.filter(session__in=candidates).select_related("episode"))
    if not waiting:
        return SyncResult()
    members: dict[int, tuple[Episode, datetime]] = {}
    gone: list[int] = []
    session_track = {s.pk: s.track_id for s in candidates}
    for row in waiting:
        episode = row.episode
        since = member_since(episode, candidates[0].program)
        if since is None or episode.track_id != session_track[row.session_id]:
            gone.append(row.pk)
            continue
        members[episode.pk] = (episode, since)
    if gone:
        RosterShortfall.objects.filter(pk__in=gone).delete()
    result = SyncResult()
    by_track: dict[int, list[Session]] = {}
    for session in candidates:
        by_track.setdefault(session.track_id or 0, []).append(session)
    for track_id, track_sessions in by_track.items():
        on_track = [m for m in members.values() if m[0].track_id == track_id]
        result.absorb(_place(track_sessions, on_track, actor=actor))
    return result


def roster_recheck_conflicts(
    participant_ids: Iterable[int], *, actor: User | None = None
) -> SyncResult:
    """Someone's own schedule changed (a session of theirs moved or was cancelled, an
    unavailable time removed): the group sessions they were skipped from for a conflict are
    tried again."""
    ids = list(set(participant_ids))
    if not ids:
        return SyncResult()
    sessions = Session.objects.filter(
        shortfalls__participant_id__in=ids,
        shortfalls__reason=ShortfallReason.CONFLICT,
        starts_at__gte=timezone.now(),
    ).distinct()
    return roster_refill(list(sessions), actor=actor)


@transaction.atomic
def roster_add(
    *, actor: User, session: Session, participant: Participant, episode: Episode
) -> RosterEntry:
    """Book one participant onto a session (drop-in to a group, or an individual/family
    session's one participant). Locks the session row, then counts: the last seat goes to one
    of two concurrent requests and the other is told the session is full."""
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if locked.status != SessionStatus.SCHEDULED:
        raise ValidationError("This session is cancelled.")
    if RosterEntry.objects.filter(session=locked, participant=participant).exists():
        raise ValidationError(f"{participant.display_name} is already on this session.")
    count = RosterEntry.objects.filter(session=locked).count()
    if count >= locked.capacity:
        raise ValidationError(_full_message(count, locked.capacity))
    entry = RosterEntry(
        organization_id=locked.organization_id,
        session=locked,
        participant=participant,
        episode=episode,
        source=RosterSource.BOOKED,
        added_by=actor,
    )
    entry.save()
    return entry


# --- what admission and the pages show ---------------------------------------------------------


@dataclass
class Waiting:
    session: Session
    position: int
    of: int


@dataclass
class WeekLoad:
    week_start: date
    minutes: int
    partial: bool  # the first week, when the participant starts after its Monday

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


@dataclass
class PlacementReport:
    """Where an admitted participant stands on the schedule: the sessions they are on, the
    full ones they wait for (with their place in the queue), the ones skipped for a conflict,
    and the weekly hours that adds up to against the program's minimum."""

    placed: list[Session]
    waiting: list[Waiting]
    skipped: list[RosterShortfall]
    weeks: list[WeekLoad]
    minimum: float

    @property
    def below(self) -> list[WeekLoad]:
        return [w for w in self.weeks if not w.partial and w.hours < self.minimum]


REPORT_WEEKS = 4


def waiting_positions(rows: Iterable[RosterShortfall]) -> dict[int, tuple[int, int]]:
    """For waiting-list rows: shortfall id -> (place in its session's queue, queue length).
    One query for every session named."""
    rows = list(rows)
    session_ids = {r.session_id for r in rows}
    queues: dict[int, list[int]] = {}
    for pk, session_id in (
        RosterShortfall.objects.filter(session_id__in=session_ids, reason=ShortfallReason.FULL)
        .order_by("detected_at", "id")
        .values_list("pk", "session_id")
    ):
        queues.setdefault(session_id, []).append(pk)
    result = {}
    for row in rows:
        queue = queues.get(row.session_id, [])
        if row.pk in queue:
            result[row.pk] = (queue.index(row.pk) + 1, len(queue))
    return result


def placement_report(episode: Episode) -> PlacementReport:
    """A fixed number of queries: the future roster, the shortfalls, the queue positions."""
    program = episode.program
    tz = zoneinfo.ZoneInfo(program.time_zone)
    first_day = episode.started_on or episode.admitted_on or timezone.localdate()
    start = max(timezone.now(), local_midnight(first_day, program))
    placed = [
        e.session
        for e in RosterEntry.objects.filter(
            participant_id=episode.participant_id,
            session__program=program,
            session__status=SessionStatus.SCHEDULED,
            session__starts_at__gte=start,
        )
        .select_related("session__session_type", "session__program")
        .order_by("session__starts_at")
    ]
    shortfalls = list(
        RosterShortfall.objects.filter(episode=episode, session__starts_at__gte=start)
        .select_related("session__session_type", "session__program")
        .order_by("session__starts_at")
    )
    positions = waiting_positions(s for s in shortfalls if s.reason == ShortfallReason.FULL)
    waiting = [Waiting(s.session, *positions[s.pk]) for s in shortfalls if s.pk in positions]
    skipped = [s for s in shortfalls if s.reason == ShortfallReason.CONFLICT]
    # The weeks ahead: from the first day, or from today once that has passed.
    from_day = max(first_day, today_in(program.time_zone))
    monday = from_day - timedelta(days=from_day.weekday())
    weeks = []
    for n in range(REPORT_WEEKS):
        week_start = monday + timedelta(weeks=n)
        minutes = sum(
            s.minutes
            for s in placed
            if s.session_type.counts_toward_hours
            and 0 <= (s.starts_at.astimezone(tz).date() - week_start).days < 7
        )
        weeks.append(WeekLoad(week_start, minutes, partial=n == 0 and from_day > week_start))
    return PlacementReport(
        placed=placed,
        waiting=waiting,
        skipped=skipped,
        weeks=weeks,
        minimum=float(program.weekly_hours_min),
    )
