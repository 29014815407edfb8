"""A clinician takes attendance for today's group on a phone, and the chart's hours follow.

    OPENIOP_DOCS_SCREENSHOTS=docs/img .venv/bin/pytest tests/e2e/test_attendance_journey.py

puts the guide's attendance pictures in docs/img/; otherwise they go to test-artifacts/.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from openiop.lib.timezones import today_in
from openiop.participants.models import Episode
from openiop.scheduling.hours import local_midnight
from openiop.scheduling.models import Attendance, AttendanceStatus
from tests import factories as f
from tests.e2e.conftest import screenshot_dir, sign_in_staff
from tests.scheduling.attendance_support import make_session, session_type

pytestmark = pytest.mark.e2e


@pytest.fixture
def todays_group(e2e_world: SimpleNamespace) -> SimpleNamespace:
    w = e2e_world
    others: list[Episode] = []
    for first, last in [("Jordan", "Rivera"), ("Morgan", "Lee"), ("Avery", "Nguyen")]:
        participant = f.ParticipantFactory(
            organization=w.org, legal_first_name=first, legal_last_name=last
        )
        others.append(
            f.EpisodeFactory(
                participant=participant,
                program=w.program,
                track=w.morning,
                primary_clinician=w.clinician,
            )
        )
    now = timezone.now()
    # Started a little while ago, and today in the program's time zone whatever the hour.
    start = max(
        now - timedelta(minutes=30),
        local_midnight(today_in(w.program.time_zone), w.program.time_zone),
    )
    w.session = make_session(
        program=w.program,
        kind=session_type(w.program, name="Process group"),
        starts_at=start,
        minutes=90,
        facilitators=[w.clinician],
        roster=[w.episode, *others],
        created_by=w.director,
    )
    w.session.topic = "Morning process group"
    w.session.save()
    return w


def test_a_clinician_takes_attendance_on_a_phone(
    todays_group: SimpleNamespace, phone_page: Any, shot: Any
) -> None:
    w = todays_group
    page = phone_page
    sign_in_staff(page, w.url, w.clinician)
    assert page.get_by_role("heading", name="Today's sessions").is_visible()
    page.get_by_role("link", name="Take attendance").first.click()
    page.wait_for_load_state()
    assert "/attendance/" in page.url
    assert page.get_by_text("0 of 4 recorded").is_visible()

    pat = page.locator(f"#att-{w.participant.public_id}")
    pat.get_by_role("button", name="Late").click()
    page.locator(f"#att-{w.participant.public_id} .badge", has_text="Late").wait_for()
    assert page.get_by_text("1 of 4 recorded").is_visible()

    page.get_by_role("button", name="All present").click()
    page.get_by_text("4 of 4 recorded").wait_for()
    assert Attendance.objects.filter(status=AttendanceStatus.PRESENT).count() == 3
    assert Attendance.objects.get(participant=w.participant).status == AttendanceStatus.LATE

    # Nothing on the phone is wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    shot(page, "attendance-session-phone")
    # For the guide (docs/img/ when OPENIOP_DOCS_SCREENSHOTS is set).
    page.screenshot(path=str(screenshot_dir() / "attendance-phone.png"), full_page=False)

    # The participant leaves: one tap, and the minutes follow.
    pat = page.locator(f"#att-{w.participant.public_id}")
    pat.get_by_role("button", name="Absent excused").click()
    page.locator(f"#att-{w.participant.public_id} .attendance-minutes", has_text="0 min").wait_for()
    pat = page.locator(f"#att-{w.participant.public_id}")
    pat.get_by_role("button", name="Present").click()
    page.locator(
        f"#att-{w.participant.public_id} .attendance-minutes", has_text="90 min"
    ).wait_for()

    page.goto(f"{w.url}/participants/{w.participant.public_id}/?panel=schedule")
    panel = page.locator(".hours-panel")
    assert panel.get_by_role("heading", name="Weekly hours").is_visible()
    assert "1.5 h" in panel.locator("tbody tr").first.inner_text()
    panel.scroll_into_view_if_needed()
    shot(page, "attendance-chart-hours-phone")
    page.screenshot(path=str(screenshot_dir() / "attendance-chart-hours.png"), full_page=False)
