"""Builders for the calendar tests: sessions made directly (the series machinery has its own
tests), rostered participants and attendance."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from openiop.participants.models import Episode, Participant
from openiop.programs.models import SessionCategory
from openiop.scheduling.models import Attendance, RosterEntry, RosterSource, Session
from tests import factories as f

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def local(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=CHICAGO)


def program_today() -> date:
    return timezone.now().astimezone(CHICAGO).date()


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def add_calendar_setup(w: SimpleNamespace) -> SimpleNamespace:
    site = w.program.site
    w.willow = f.RoomFactory(site=site, name="Willow Room")
    w.virtual = f.RoomFactory(site=site, name="Virtual Room", telehealth=True)
    w.skills = f.SessionTypeFactory(
        program=w.program, name="DBT skills group", category=SessionCategory.SKILLS_GROUP
    )
    w.individual = f.SessionTypeFactory(
        program=w.program,
        name="Individual therapy",
        category=SessionCategory.INDIVIDUAL,
        is_group=False,
    )
    w.family_type = f.SessionTypeFactory(
        program=w.program, name="Family session", category=SessionCategory.FAMILY, is_group=False
    )
    w.other_type = f.SessionTypeFactory(program=w.other_program, name="Teen group")
    return w


def make_session(
    w: SimpleNamespace,
    *,
    starts_at: datetime,
    minutes: int = 90,
    program: Any = None,
    session_type: Any = None,
    room: Any = None,
    track: Any = None,
    facilitators: Iterable[Any] | None = None,
    telehealth_url: str = "",
    lesson: Any = None,
    **extra: Any,
) -> Session:
    program = program or w.program
    session = Session.objects.create(
        organization=program.organization,
        program=program,
        track=track,
        session_type=session_type or w.skills,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        room=room,
        telehealth_url=telehealth_url,
        lesson=lesson,
        created_by=w.director,
        **extra,
    )
    session.facilitators.set(list(facilitators) if facilitators is not None else [w.clinician])
    return session


def put_on_roster(session: Session, participant: Participant, episode: Episode) -> RosterEntry:
    return RosterEntry.objects.create(
        organization=session.organization,
        session=session,
        participant=participant,
        episode=episode,
        source=RosterSource.TRACK,
    )


def mark(
    session: Session, participant: Participant, episode: Episode, status: str, by: Any
) -> None:
    Attendance.objects.create(
        organization=session.organization,
        session=session,
        participant=participant,
        episode=episode,
        status=status,
        recorded_by=by,
        recorded_at=session.ends_at,
    )
