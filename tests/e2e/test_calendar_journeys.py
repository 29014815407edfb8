"""Calendars in the browser: the participant's "My week" on a phone with a video session about
to start, the clinician's week grid, and the director's curriculum page. With
OPENIOP_DOCS_SCREENSHOTS=docs/img the guide's screenshots are written there too."""

from __future__ import annotations

import os
from datetime import time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from openiop.programs.curriculum import curriculum_anchor_set, curriculum_default
from tests.e2e.conftest import screenshot_dir, sign_in, sign_in_staff
from tests.scheduling.calendar_support import (
    add_calendar_setup,
    local,
    make_session,
    monday_of,
    program_today,
    put_on_roster,
)

pytestmark = pytest.mark.e2e
JOIN = "https://video.example.test/room/demo"


def _docs(page: Any, name: str) -> None:
    if os.environ.get("OPENIOP_DOCS_SCREENSHOTS"):
        page.screenshot(path=str(screenshot_dir() / f"{name}.png"), full_page=True)


@pytest.fixture
def week(e2e_world: SimpleNamespace) -> SimpleNamespace:
    w = add_calendar_setup(e2e_world)
    monday = monday_of(program_today())
    curriculum_default(w.program)
    curriculum_anchor_set(program=w.program, starts_on=monday - timedelta(weeks=11))
    for day in (0, 2, 4):
        for start, kind in ((time(9), w.skills), (time(10, 45), w.skills)):
            s = make_session(
                w,
                starts_at=local(monday + timedelta(days=day), start),
                session_type=kind,
                room=w.willow,
                track=w.morning,
            )
            put_on_roster(s, w.participant, w.episode)
    w.video = make_session(
        w,
        starts_at=timezone.now() + timedelta(minutes=10),
        minutes=50,
        session_type=w.individual,
        room=w.virtual,
        telehealth_url=JOIN,
    )
    put_on_roster(w.video, w.participant, w.episode)
    return w


def test_a_participant_sees_my_week_on_a_phone(
    week: SimpleNamespace, phone_page: Any, shot: Any
) -> None:
    page = phone_page
    sign_in(page, week.url, week.participant_user)
    page.get_by_role("link", name="My week").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "My week"
    join = page.get_by_role("link", name="Join video session")
    assert join.is_visible()
    assert join.get_attribute("href") == JOIN
    assert "Willow Room" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "portal-my-week-phone")
    _docs(page, "portal-my-week")


def test_a_clinician_sees_the_week_grid(week: SimpleNamespace, page: Any, shot: Any) -> None:
    sign_in_staff(page, week.url, week.clinician)
    page.get_by_role("link", name="Schedule").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "My week"
    main = page.locator("main").inner_text()
    assert "DBT skills group" in main
    assert week.participant.legal_last_name not in main
    # Desktop: seven day columns side by side.
    grid = "getComputedStyle(document.querySelector('.week-grid')).gridTemplateColumns"
    columns = page.evaluate(f"{grid}.split(' ').length")
    assert columns == 7
    shot(page, "clinician-week")
    _docs(page, "clinician-week")


def test_a_director_edits_the_curriculum(week: SimpleNamespace, page: Any, shot: Any) -> None:
    sign_in_staff(page, week.url, week.director)
    page.goto(f"{week.url}/programs/{week.program.public_id}/curriculum/")
    assert page.get_by_role("heading", level=1).inner_text() == "Skills curriculum"
    assert "TIPP for intense emotion" in page.locator("main").inner_text()
    shot(page, "director-curriculum")
    _docs(page, "director-curriculum")
