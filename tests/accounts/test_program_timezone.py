from __future__ import annotations

import datetime as dt

from django.utils import timezone

from openiop.audit.models import EventKind
from openiop.audit.services import event_record


def _event_at_utc(world, hour: int) -> None:
    at = timezone.now().replace(hour=hour, minute=30, second=0, microsecond=0) - dt.timedelta(
        days=2
    )
    event_record(
        participant=world.participant,
        kind=EventKind.PARTICIPANT_UPDATED,
        summary="Details updated: phone",
        actor=world.intake,
        at=at.astimezone(dt.UTC),
    )


def test_staff_see_times_in_their_programs_zone(world, login) -> None:
    world.program.time_zone = "Asia/Tokyo"  # UTC+9, no daylight saving
    world.program.save()
    _event_at_utc(world, 1)
    text = (
        login(world.clinician)
        .get(f"/participants/{world.participant.public_id}/?panel=audit")
        .content
    )
    assert b"10:30" in text
    assert b"01:30" not in text


def test_participants_see_times_in_their_programs_zone(world, login) -> None:
    world.program.time_zone = "Asia/Tokyo"
    world.program.save()
    client = login(world.participant_user)
    assert client.session.get("openiop_tz") == "Asia/Tokyo"


def test_a_user_without_a_program_sees_utc(world, login) -> None:
    client = login(world.admin)
    assert "openiop_tz" not in client.session
