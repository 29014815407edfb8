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
    RosterEntry,
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


def _overlapping(proposal: Proposal) -> object:
    return (
        Session.objects.filter(
            status=SessionStatus.SCHEDULED,
            starts_at__lt=proposal.ends_at,
            ends_at__gt=proposal.starts_at,
            organization_id=proposal.program.organization_id,
        )
        .exclude(pk__in=list(proposal.exclude))
        .select_related("session_type")
    )


def conflicts_for(proposal: Proposal) -> list[Conflict]:
    conflicts: list[Conflict] = []
    overlapping = _overlapping(proposal)
    room = proposal.room
    program = proposal.program
    if room is not None and not room.telehealth:
        clash = overlapping.filter(room=room).first()  # type: ignore[attr-defined]
        if clash is not None:
            conflicts.append(
                Conflict(
                    ConflictKind.ROOM,
                    f"{room.name} is booked for {clash.session_type.name} at "
                    f"{_local(clash.starts_at, program)}.",
                )
            )
    facilitator_ids = [u.pk for u in proposal.facilitators]
    if facilitator_ids:
        busy = (
            Session.facilitators.through.objects.filter(
                session__in=overlapping, user_id__in=facilitator_ids
            )
            .select_related("user", "session__session_type")
            .order_by("session__starts_at")
        )
        seen: set[int] = set()
        for row in busy:
            if row.user_id in seen:
                continue
            seen.add(row.user_id)
            conflicts.append(
                Conflict(
                    ConflictKind.FACILITATOR,
                    f"{row.user.display_name} is facilitating {row.session.session_type.name} "
                    f"at {_local(row.session.starts_at, program)}.",
                )
            )
    participant_ids = [p.pk for p in proposal.participants]
    if participant_ids:
        names = {p.pk: p.display_name for p in proposal.participants}
        booked = (
            RosterEntry.objects.filter(session__in=overlapping, participant_id__in=participant_ids)
            .select_related("session__session_type")
            .order_by("session__starts_at")
        )
        seen = set()
        for entry in booked:
            if entry.participant_id in seen:
                continue
            seen.add(entry.participant_id)
            conflicts.append(
                Conflict(
                    ConflictKind.PARTICIPANT,
                    f"{names[entry.participant_id]} is on {entry.session.session_type.name} "
                    f"at {_local(entry.session.starts_at, program)}.",
                )
            )
        conflicts.extend(_unavailable(proposal, names))
    if room is not None and proposal.capacity > room.capacity:
        conflicts.append(
            Conflict(
                ConflictKind.CAPACITY,
                f"{room.name} holds {room.capacity}; the session is for {proposal.capacity}.",
            )
        )
    conflicts.extend(_features(proposal))
    return conflicts


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


def _unavailable(proposal: Proposal, names: dict[int, str]) -> list[Conflict]:
    """Unavailable times are wall-clock times in the program's zone, so compare there."""
    tz = zoneinfo.ZoneInfo(proposal.program.time_zone)
    start = proposal.starts_at.astimezone(tz)
    end = proposal.ends_at.astimezone(tz)
    found: list[Conflict] = []
    rows = Unavailability.objects.filter(participant_id__in=list(names)).order_by(
        "participant_id", "weekday", "start_time"
    )
    seen: set[int] = set()
    for row in rows:
        if row.participant_id in seen:
            continue
        # A session crossing midnight is checked against both days it touches.
        for day in {start.date(), end.date()}:
            if day.weekday() != row.weekday:
                continue
            day_start = start.time() if day == start.date() else datetime.min.time()
            day_end = end.time() if day == end.date() else datetime.max.time()
            if row.start_time < day_end and day_start < row.end_time:
                seen.add(row.participant_id)
                found.append(
                    Conflict(
                        ConflictKind.UNAVAILABLE,
                        f"{names[row.participant_id]} is unavailable "
                        f"{row.start_time:%H:%M} to {row.end_time:%H:%M} "
                        f"({row.get_reason_display().lower()}).",
                    )
                )
                break
    return found
