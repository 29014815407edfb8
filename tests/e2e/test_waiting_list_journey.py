"""A full group that refills, in the browser: the session page lists who waits, first waiting
first; a hold frees the place and the first member waiting is on the session at once, the
next one moves up. (The alerts half of the old alerts journey is now part of
tests/e2e/test_first_week_journey.py.)"""

from __future__ import annotations

from datetime import time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from openiop.participants.models import EpisodeStatus
from tests import factories as f
from tests.e2e.conftest import screenshot_dir, sign_in_staff

pytestmark = pytest.mark.e2e


def picture(page: Any, name: str, *, full_page: bool = False) -> None:
    """A picture for the guides (docs/img with OPENIOP_DOCS_SCREENSHOTS, else the artifacts)."""
    page.screenshot(path=str(screenshot_dir() / f"{name}.png"), full_page=full_page)


def test_a_hold_gives_the_seat_to_the_first_member_waiting(
    e2e_world: SimpleNamespace, page: Any, shot: Any
) -> None:
    from openiop.scheduling.models import Session, ShortfallReason
    from openiop.scheduling.rosters import roster_sync_for_episode
    from tests.scheduling.sessions_support import add_schedule_setup, local, program_today

    w = add_schedule_setup(e2e_world)
    day = program_today() + timedelta(days=2)
    session = Session.objects.create(
        organization=w.org,
        program=w.program,
        track=w.morning,
        session_type=w.skills,
        starts_at=local(day, time(9, 0)),
        ends_at=local(day, time(10, 30)),
        room=w.willow,
        capacity=1,
        created_by=w.director,
    )
    session.facilitators.set([w.clinician])
    roster_sync_for_episode(w.episode)  # Pat Example takes the one place
    waiting = []
    for name in ("Robin", "Sasha"):
        participant = f.ParticipantFactory(
            organization=w.org, legal_first_name=name, legal_last_name="Queue"
        )
        episode = f.EpisodeFactory(
            participant=participant,
            program=w.program,
            track=w.morning,
            primary_clinician=w.clinician,
            status=EpisodeStatus.ACTIVE,
        )
        roster_sync_for_episode(episode)
        waiting.append(episode)

    sign_in_staff(page, w.url, w.director)
    page.goto(f"{w.url}/schedule/sessions/{session.public_id}/")
    waiting_list = page.locator("ol.waiting-list")
    assert waiting_list.inner_text().index("Robin Queue") < waiting_list.inner_text().index(
        "Sasha Queue"
    )
    shot(page, "session-waiting-list")
    picture(page, "session-waiting-list")

    page.goto(
        f"{w.url}/discharge/participants/{w.participant.public_id}/episodes/"
        f"{w.episode.public_id}/hold/"
    )
    page.get_by_label("Reason").fill("In hospital for a few days")
    page.get_by_role("button", name="Put on hold").click()
    page.wait_for_load_state()
    assert page.get_by_text("each place goes to the first member waiting").is_visible()

    page.goto(f"{w.url}/schedule/sessions/{session.public_id}/")
    roster = page.locator("ul.roster").inner_text()
    assert "Robin Queue" in roster
    assert "Pat Example" not in roster
    assert "Sasha Queue" in page.locator("ol.waiting-list").inner_text()
    shot(page, "session-refilled-after-hold")
    assert list(
        session.shortfalls.filter(reason=ShortfallReason.FULL).values_list(
            "participant__legal_first_name", flat=True
        )
    ) == ["Sasha"]
