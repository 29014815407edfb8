"""What stands in the way of a proposed session: double-booked rooms, facilitators and
participants, a room too small or without a needed feature, and participants' declared
unavailable times. Conflicts are shown to the user, never silently accepted; a director may
schedule anyway with a reason (services record it as ConflictOverride rows).

Telehealth ("virtual") rooms are never double-booked: each session has its own video link.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from openiop.accounts.models import User
from openiop.participants.models import Participant
from openiop.programs.models import Program, Room, SessionType
from openiop.scheduling.models import (
    ConflictKind,
    Session,
    SessionStatus,
    Unavailability,
)


@dataclass(frozen=True)
class Conflict:
    kind: str
    detail: str

    @property
    def label(self) -> str:
        return str(ConflictKind(self.kind).label)


@dataclass
class Proposal:
    """A session as it would be: new (exclude is None) or an existing one moved/edited."""

    program: Program
    session_type: SessionType
    starts_at: datetime
    ends_at: datetime
    room: Room | None = None
    telehealth_url: str = ""
    capacity: int = 1
    facilitators: Sequence[User] = ()
    participants: Sequence[Participant] = ()
    exclude: Iterable[int] = field(default_factory=tuple)


def _local(moment: datetime, program: Program) -> str:
    local = moment.astimezone(zoneinfo.ZoneInfo(program.time_zone))
    return f"{local:%a %b} {local.day} {local:%H:%M}"


def conflicts_for(proposal: Proposal) -> list[Conflict]:
    return conflicts_for_many([proposal])[0]


def conflicts_for_many(proposals: Sequence[Proposal]) -> list[list[Conflict]]:
    """Conflicts of each proposal (e.g. every session a series would generate), reading the
    sessions around them once instead of once per proposal."""
    if not proposals:
        return []
    program = proposals[0].program
    excluded = {pk for p in proposals for pk in p.exclude}
    with_people = any(p.participants for p in proposals)
    nearby = (
        Session.objects.filter(
            organization_id=program.organization_id,
            status=SessionStatus.SCHEDULED,
            starts_at__lt=max(p.ends_at for p in proposals),
            ends_at__gt=min(p.starts_at for p in proposals),
        )
        .exclude(pk__in=excluded)
        .select_related("session_type", "room")
        .prefetch_related("facilitators")
        .order_by("starts_at", "pk")
    )
    candidates = list(nearby.prefetch_related("roster") if with_people else nearby)
    unavailable = _unavailability_by_participant(proposals) if with_people else {}
    return [_conflicts(p, candidates, unavailable) for p in proposals]


def _conflicts(
    proposal: Proposal,
    candidates: Sequence[Session],
    unavailable: dict[int, list[Unavailability]],
) -> list[Conflict]:
    program = proposal.program
    overlapping = [
        s for s in candidates if s.starts_at < proposal.ends_at and s.ends_at > proposal.starts_at
    ]
    conflicts: list[Conflict] = []
    room = proposal.room
    if room is not None and not room.telehealth:
        clash = next((s for s in overlapping if s.room_id == room.pk), None)
        if clash is not None:
            conflicts.append(
                Conflict(
                    ConflictKind.ROOM,
                    f"{room.name} is booked for {clash.session_type.name} at "
                    f"{_local(clash.starts_at, program)}.",
                )
            )
    for user in proposal.facilitators:
        busy = next((s for s in overlapping if user in s.facilitators.all()), None)
        if busy is not None:
            conflicts.append(
                Conflict(
                    ConflictKind.FACILITATOR,
                    f"{user.display_name} is facilitating {busy.session_type.name} "
                    f"at {_local(busy.starts_at, program)}.",
                )
            )
    for participant in proposal.participants:
        on = next(
            (
                s
                for s in overlapping
                if any(e.participant_id == participant.pk for e in s.roster.all())
            ),
            None,
        )
        if on is not None:
            conflicts.append(
                Conflict(
                    ConflictKind.PARTICIPANT,
                    f"{participant.display_name} is on {on.session_type.name} "
                    f"at {_local(on.starts_at, program)}.",
                )
            )
    conflicts.extend(_unavailable(proposal, unavailable))
    if room is not None and proposal.capacity > room.capacity:
        conflicts.append(
            Conflict(
                ConflictKind.CAPACITY,
                f"{room.name} holds {room.capacity}; the session is for {proposal.capacity}.",
            )
        )
    conflicts.extend(_features(proposal))
    return conflicts


def _unavailability_by_participant(
    proposals: Sequence[Proposal],
) -> dict[int, list[Unavailability]]:
    ids = {p.pk for proposal in proposals for p in proposal.participants}
    rows: dict[int, list[Unavailability]] = {}
    for row in Unavailability.objects.filter(participant_id__in=ids).order_by(
        "weekday", "start_time"
    ):
        rows.setdefault(row.participant_id, []).append(row)
    return rows


def _features(proposal: Proposal) -> list[Conflict]:
    room = proposal.room
    found: list[Conflict] = []
    if proposal.session_type.needs_pet_friendly_room and not (room and room.pet_friendly):
        where = room.name if room else "A session without a room"
        found.append(
            Conflict(
                ConflictKind.ROOM_FEATURE,
                f"{proposal.session_type.name} needs a pet-friendly room; {where} is not.",
            )
        )
    if room is not None and proposal.telehealth_url and not room.telehealth:
        found.append(
            Conflict(
                ConflictKind.ROOM_FEATURE,
                f"A telehealth session needs a telehealth room; {room.name} is in person.",
            )
        )
    if room is not None and room.telehealth and not proposal.telehealth_url:
        found.append(
            Conflict(
                ConflictKind.ROOM_FEATURE,
                f"{room.name} is a telehealth room; give the video link.",
            )
        )
    return found


def _unavailable(
    proposal: Proposal, unavailable: dict[int, list[Unavailability]]
) -> list[Conflict]:
    """Unavailable times are wall-clock times in the program's zone, so compare there."""
    tz = zoneinfo.ZoneInfo(proposal.program.time_zone)
    start = proposal.starts_at.astimezone(tz)
    end = proposal.ends_at.astimezone(tz)
    found: list[Conflict] = []
    for participant in proposal.participants:
        for row in unavailable.get(participant.pk, []):
            if _overlaps_local(row, start, end):
                found.append(
                    Conflict(
                        ConflictKind.UNAVAILABLE,
                        f"{participant.display_name} is unavailable "
                        f"{row.start_time:%H:%M} to {row.end_time:%H:%M} "
                        f"({row.get_reason_display().lower()}).",
                    )
                )
                break
    return found


def _overlaps_local(row: Unavailability, start: datetime, end: datetime) -> bool:
    # A session crossing midnight is checked against both days it touches.
    for day in {start.date(), end.date()}:
        if day.weekday() != row.weekday:
            continue
        day_start = start.time() if day == start.date() else datetime.min.time()
        day_end = end.time() if day == end.date() else datetime.max.time()
        if row.start_time < day_end and day_start < row.end_time:
            return True
    return False


# --- automatic placement ----------------------------------------------------------------------
# The rolling roster places track members on group sessions by itself. It runs the same two
# participant checks as a manual booking (double-booking, declared unavailable times) and never
# places anyone over one: the member is skipped, with the conflict, for a person to decide.


@dataclass
class BusyTimes:
    """What the participants being placed are already committed to around some sessions."""

    sessions: dict[int, list[Session]]
    unavailable: dict[int, list[Unavailability]]

    def add(self, participant_id: int, session: Session) -> None:
        self.sessions.setdefault(participant_id, []).append(session)


def busy_times(
    participant_ids: Iterable[int], *, starts_at: datetime, ends_at: datetime
) -> BusyTimes:
    """Two queries: the scheduled sessions the participants are on between two moments, and
    their declared unavailable times."""
    from openiop.scheduling.models import RosterEntry

    ids = list(set(participant_ids))
    sessions: dict[int, list[Session]] = {}
    if ids:
        entries = RosterEntry.objects.filter(
            participant_id__in=ids,
            session__status=SessionStatus.SCHEDULED,
            session__starts_at__lt=ends_at,
            session__ends_at__gt=starts_at,
        ).select_related("session__session_type")
        for entry in entries:
            sessions.setdefault(entry.participant_id, []).append(entry.session)
    unavailable: dict[int, list[Unavailability]] = {}
    for row in Unavailability.objects.filter(participant_id__in=ids).order_by(
        "weekday", "start_time"
    ):
        unavailable.setdefault(row.participant_id, []).append(row)
    return BusyTimes(sessions=sessions, unavailable=unavailable)


def placement_conflict(
    busy: BusyTimes, session: Session, participant: Participant
) -> Conflict | None:
    """The first reason `participant` cannot be placed on `session`, or None. The wording is
    the manual booking's."""
    program = session.program
    for other in busy.sessions.get(participant.pk, []):
        if (
            other.pk != session.pk
            and other.starts_at < session.ends_at
            and (other.ends_at > session.starts_at)
        ):
            return Conflict(
                ConflictKind.PARTICIPANT,
                f"{participant.display_name} is on {other.session_type.name} "
                f"at {_local(other.starts_at, program)}.",
            )
    proposal = Proposal(
        program=program,
        session_type=session.session_type,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        participants=[participant],
    )
    found = _unavailable(proposal, busy.unavailable)
    return found[0] if found else None
