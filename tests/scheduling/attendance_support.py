"""Builders for the attendance tests: sessions with rosters, at explicit times."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from openiop.accounts.models import User
from openiop.participants.models import Episode, EpisodeStatus
from openiop.programs.models import Program, SessionCategory, SessionType
from openiop.scheduling.models import RosterEntry, RosterSource, Session
from tests import factories as f

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def local(day: date, clock: time, tz: zoneinfo.ZoneInfo = CHICAGO) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz)


def session_type(
    program: Program,
    *,
    category: str = SessionCategory.PROCESS_GROUP,
    counts: bool = True,
    name: str | None = None,
) -> SessionType:
    kw: dict[str, Any] = {"program": program, "category": category, "counts_toward_hours": counts}
    if name:
        kw["name"] = name
    return f.SessionTypeFactory(**kw)


def make_session(
    *,
    program: Program,
    kind: SessionType,
    starts_at: datetime,
    minutes: int = 90,
    facilitators: list[User] | None = None,
    roster: list[Episode] | None = None,
    created_by: User,
    status: str = "scheduled",
) -> Session:
    session = Session.objects.create(
        organization=program.organization,
        program=program,
        session_type=kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        created_by=created_by,
        status=status,
    )
    session.facilitators.set(facilitators or [])
    RosterEntry.objects.bulk_create(
        [
            RosterEntry(
                organization=program.organization,
                session=session,
                participant_id=e.participant_id,
                episode=e,
                source=RosterSource.TRACK,
            )
            for e in roster or []
        ]
    )
    return session


def ongoing_session(world: SimpleNamespace, **kw: Any) -> Session:
    """A 90-minute group that started half an hour ago, facilitated by the world's clinician,
    with the world's participant on the roster."""
    kw.setdefault("kind", session_type(world.program))
    kw.setdefault("facilitators", [world.clinician])
    kw.setdefault("roster", [world.episode])
    return make_session(
        program=world.program,
        starts_at=timezone.now() - timedelta(minutes=30),
        created_by=world.director,
        **kw,
    )


def episodes(program: Program, count: int, *, clinician: User | None = None) -> list[Episode]:
    result: list[Episode] = []
    for _ in range(count):
        participant = f.ParticipantFactory(organization=program.organization)
        result.append(
            f.EpisodeFactory(
                participant=participant,
                program=program,
                status=EpisodeStatus.ACTIVE,
                primary_clinician=clinician,
            )
        )
    return result
