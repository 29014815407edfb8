"""The portal home names the participant's next session (issue 20): time in the program's
time zone, room or video join button; only their own sessions, only scheduled ones."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from openiop.programs.models import SessionCategory
from tests.scheduling.attendance_support import make_session, session_type

pytestmark = pytest.mark.django_db


def _session(w, starts_at, roster, **kw):
    if not hasattr(w, "skills_kind"):
        w.skills_kind = session_type(w.program, category=SessionCategory.SKILLS_GROUP)
    return make_session(
        program=w.program,
        kind=w.skills_kind,
        starts_at=starts_at,
        roster=roster,
        created_by=w.director,
        **kw,
    )


def test_the_home_shows_the_next_session_with_its_time_zone(world, login) -> None:
    now = timezone.now()
    _session(world, now - timedelta(days=1), [world.episode])
    _session(world, now + timedelta(days=1), [world.episode], status="cancelled")
    upcoming = _session(world, now + timedelta(days=2), [world.episode])
    text = login(world.participant_user).get("/me/").content.decode()
    assert "Next session" in text
    local = upcoming.starts_at.astimezone(ZoneInfo(world.program.time_zone))
    assert local.strftime("%A, %B %-d") in text
    assert world.site.name in text
    assert local.strftime("%Z") in text


def test_the_video_join_button_opens_shortly_before_the_start(world, login) -> None:
    session = _session(world, timezone.now() + timedelta(minutes=10), [world.episode])
    session.telehealth_url = "https://video.example.org/room-1"
    session.save(update_fields=["telehealth_url"])
    text = login(world.participant_user).get("/me/").content.decode()
    assert "Today" in text
    assert "Join video session" in text
    assert "https://video.example.org/room-1" in text


def test_another_participants_session_is_not_shown(world, login) -> None:
    _session(world, timezone.now() + timedelta(days=1), [world.episode])
    text = login(world.other_participant_user).get("/me/").content.decode()
    assert "Nothing scheduled yet." in text
