"""Browser journey: a director opens the schedule setup and a session of the series."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from tests.e2e.conftest import screenshot_dir, sign_in_staff
from tests.scheduling.sessions_support import add_schedule_setup, morning_series

pytestmark = pytest.mark.e2e


def test_a_director_sees_the_schedule_setup(page: Any, e2e_world: Any, shot: Any) -> None:
    w = add_schedule_setup(e2e_world)
    morning_series(w, topic="Skills practice", follows_curriculum=False)
    morning_series(
        w,
        session_type=w.animal,
        weekdays=[2],
        room=w.cedar,
        capacity=10,
        topic="Therapy dog",
        start_time=time(11, 0),
        end_time=time(12, 0),
    )
    sign_in_staff(page, w.url, w.director, next_path="/schedule/series/")
    assert page.get_by_role("heading", name="Schedule setup: Adult DBT IOP").is_visible()
    assert page.get_by_text("Therapy dog").is_visible()
    shot(page, "director-schedule-setup")
    page.screenshot(path=str(screenshot_dir() / "director-schedule-setup.png"), full_page=True)
    page.get_by_role("link", name="Edit the rest of Animal-assisted therapy").click()
    page.wait_for_load_state()
    assert page.get_by_label("Change from").is_visible()
