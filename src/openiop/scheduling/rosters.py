"""Rolling rosters: a track's members are on its future group sessions, and only they.

- An admitted or active participant is placed on every scheduled group session of their track
  that starts from max(now, their first day: started_on or admitted_on).
- On hold (from hold_since), discharged (from discharged_on) or moved to another track (from
  now), they come off future sessions. Past sessions, and any session with attendance already
  recorded for them, are never touched.
- A full session never takes one more: the participant is recorded as a RosterShortfall, which
  the director sees on the series list and the session page. A later sync places them when a
  seat frees.

Adding to a session locks its row (select_for_update) before counting, so two staff adding
the last seat at once take turns on PostgreSQL; SQLite serializes writers anyway.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from openiop.accounts.models import User
from openiop.participants.models import Episode, EpisodeStatus, Participant
from openiop.programs.models import Program
from openiop.scheduling.models import (
    Attendance,
    RosterEntry,
    RosterShortfall,
    RosterSource,
    Session,
    SessionStatus,
)

ON_TRACK_STATUSES = frozenset({EpisodeStatus.ADMITTED, EpisodeStatus.ACTIVE})


@dataclass
class SyncResult:
    added: int = 0
    removed: int = 0
    full: int = 0


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


def _place(
    sessions: Sequence[Session],
    members: Iterable[tuple[Episode, datetime]],
    *,
    actor: User | None,
) -> SyncResult:
    """Put each (episode, from) on the sessions starting at or after `from`, within capacity.
    The sessions' rows are locked for the rest of the transaction first."""
    result = SyncResult()
    members = list(members)
    if not sessions or not members:
        return result
    ids = [s.pk for s in sessions]
    list(Session.objects.select_for_update().filter(pk__in=ids).values_list("pk"))
    counts = dict(
        RosterEntry.objects.filter(session_id__in=ids)
        .values("session_id")
        .annotate(n=Count("id"))
        .values_list("session_id", "n")
    )
    participant_ids = [e.participant_id for e, _ in members]
    present = set(
        RosterEntry.objects.filter(
            session_id__in=ids, participant_id__in=participant_ids
        ).values_list("session_id", "participant_id")
    )
    short = set(
        RosterShortfall.objects.filter(
            session_id__in=ids, participant_id__in=participant_ids
        ).values_list("session_id", "participant_id")
    )
    entries: list[RosterEntry] = []
    shortfalls: list[RosterShortfall] = []
    placed_short: list[tuple[int, int]] = []
    for session in sessions:
        for episode, since in members:
            key = (session.pk, episode.participant_id)
            if session.starts_at < since or key in present:
                continue
            if counts.get(session.pk, 0) >= session.capacity:
                if key not in short:
                    shortfalls.append(
                        RosterShortfall(
                            organization_id=session.organization_id,
                            session=session,
                            participant_id=episode.participant_id,
                            episode=episode,
                        )
                    )
                    result.full += 1
                continue
            counts[session.pk] = counts.get(session.pk, 0) + 1
            if key in short:
                placed_short.append(key)
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
    RosterEntry.objects.bulk_create(entries)
    RosterShortfall.objects.bulk_create(shortfalls)
    for session_id, participant_id in placed_short:
        RosterShortfall.objects.filter(
            session_id=session_id, participant_id=participant_id
        ).delete()
    result.added = len(entries)
    return result


def _future_group_sessions(track_id: int, since: datetime) -> list[Session]:
    return list(
        Session.objects.filter(
            track_id=track_id,
            status=SessionStatus.SCHEDULED,
            session_type__is_group=True,
            starts_at__gte=since,
        ).order_by("starts_at")
    )


@transaction.atomic
def roster_sync_for_episode(episode: Episode, *, actor: User | None = None) -> SyncResult:
    """Bring the episode's participant's future rosters in line with its status and track."""
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
    result.removed, _ = stale.delete()
    shortfalls = RosterShortfall.objects.filter(episode=episode, session__starts_at__gte=leave_from)
    if track_id is not None:
        shortfalls = shortfalls.exclude(session__track_id=track_id)
    shortfalls.delete()
    if since is not None and track_id is not None:
        placed = _place(_future_group_sessions(track_id, since), [(episode, since)], actor=actor)
        result.added, result.full = placed.added, placed.full
    return result


def roster_fill_sessions(
    sessions: Sequence[Session], *, actor: User | None = None, from_first_day: bool = False
) -> SyncResult:
    """Newly generated group sessions of a track get the track's current members."""
    group = [s for s in sessions if s.track_id is not None and s.session_type.is_group]
    if not group:
        return SyncResult()
    program = group[0].program
    members: dict[int, list[tuple[Episode, datetime]]] = {}
    episodes = Episode.objects.filter(
        track_id__in={s.track_id for s in group}, status__in=ON_TRACK_STATUSES
    )
    for episode in episodes:
        since = member_since(episode, program, from_first_day=from_first_day)
        if since is not None:
            members.setdefault(episode.track_id or 0, []).append((episode, since))
    result = SyncResult()
    for track_id, track_members in members.items():
        placed = _place([s for s in group if s.track_id == track_id], track_members, actor=actor)
        result.added += placed.added
        result.full += placed.full
    return result


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
