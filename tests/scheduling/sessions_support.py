"""Builders for the sessions tests: rooms, session types and series around today."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from openiop.programs.models import SessionCategory
from openiop.scheduling import services
from openiop.scheduling.models import SessionSeries
from tests import factories as f

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def program_today() -> date:
    return timezone.now().astimezone(CHICAGO).date()


def local(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=CHICAGO)


def add_schedule_setup(w: SimpleNamespace) -> SimpleNamespace:
    """Rooms and session types for the world's program."""
    site = w.program.site
    w.willow = f.RoomFactory(site=site, name="Willow Room", capacity=12)
    w.cedar = f.RoomFactory(site=site, name="Cedar Room", capacity=10, pet_friendly=True)
    w.office = f.RoomFactory(site=site, name="Birch Office", capacity=3)
    w.virtual = f.RoomFactory(site=site, name="Virtual Room", capacity=12, telehealth=True)
    w.skills = f.SessionTypeFactory(
        program=w.program, name="DBT skills group", category=SessionCategory.SKILLS_GROUP
    )
    w.process = f.SessionTypeFactory(
        program=w.program, name="Process group", category=SessionCategory.PROCESS_GROUP
    )
    w.animal = f.SessionTypeFactory(
        program=w.program,
        name="Animal-assisted therapy",
        category=SessionCategory.EXPRESSIVE,
        needs_pet_friendly_room=True,
    )
    w.individual = f.SessionTypeFactory(
        program=w.program,
        name="Individual therapy",
        category=SessionCategory.INDIVIDUAL,
        is_group=False,
        default_minutes=50,
    )
    w.family_type = f.SessionTypeFactory(
        program=w.program,
        name="Family session",
        category=SessionCategory.FAMILY,
        is_group=False,
        default_minutes=50,
    )
    return w


def morning_series(w: SimpleNamespace, **overrides: Any) -> SessionSeries:
    """Mon/Wed/Fri 9:00-10:30 skills group of the morning track, two weeks back to four
    ahead."""
    today = program_today()
    kw: dict[str, Any] = {
        "actor": w.director,
        "program": w.program,
        "track": w.morning,
        "session_type": w.skills,
        "weekdays": [0, 2, 4],
        "start_time": time(9, 0),
        "end_time": time(10, 30),
        "starts_on": today - timedelta(days=14),
        "ends_on": today + timedelta(days=28),
        "facilitators": [w.clinician],
        "room": w.willow,
        "capacity": 12,
    }
    kw.update(overrides)
    return services.series_create(**kw)


def works_tuesdays(participant: Any) -> None:
    """The participant declares Tuesdays 8:00-17:00 unavailable (work)."""
    from openiop.scheduling.models import Unavailability, UnavailabilityReason

    Unavailability.objects.create(
        organization_id=participant.organization_id,
        participant=participant,
        weekday=1,
        start_time=time(8, 0),
        end_time=time(17, 0),
        reason=UnavailabilityReason.WORK,
    )
