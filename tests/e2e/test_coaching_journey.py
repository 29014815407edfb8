"""A participant asks for coaching on a phone; the on-call clinician sees it first in their
list, answers by message, and the participant reads the reply."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from openiop.accounts.roles import Role
from openiop.safety.models import CoachingRequest, CoachingStatus, OnCallShift
from tests import factories as f
from tests.e2e.conftest import STAFF_VIEWPORT, sign_in, sign_in_staff

pytestmark = pytest.mark.e2e


def test_a_participant_asks_for_coaching_and_the_on_call_clinician_answers(
    e2e_world: SimpleNamespace, phone_page: Any, browser: Any, shot: Any
) -> None:
    w = e2e_world
    on_call = f.UserFactory(
        organization=w.org, role=Role.CLINICIAN, programs=[w.program], full_name="Oona Oncall"
    )
    today = timezone.localdate()
    OnCallShift.objects.create(
        organization=w.org,
        program=w.program,
        user=on_call,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
        created_by=w.director,
    )
    page = phone_page
    sign_in(page, w.url, w.participant_user, next_path="/me/coaching/")
    page.goto(f"{w.url}/me/coaching/")
    assert page.get_by_role("heading", level=1).inner_text() == "Ask for coaching"
    page.get_by_label("What is happening?").fill("Argument with my sister, I want to scream")
    page.locator("#id_urge_3").check()
    page.get_by_label("TIPP", exact=True).check()
    page.get_by_label("Wise mind", exact=True).check()
    page.get_by_label("Send me a message").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "coaching-request-phone")
    page.get_by_role("button", name="Send my request").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your request has gone to the clinician on coaching duty").is_visible()
    made = CoachingRequest.objects.get(participant=w.participant)
    assert made.routed_to == on_call
    assert made.urge == 3

    context = browser.new_context(viewport=STAFF_VIEWPORT, locale="en-US")
    staff_page = context.new_page()
    try:
        sign_in_staff(staff_page, w.url, on_call, next_path="/safety/coaching/")
        staff_page.goto(f"{w.url}/safety/coaching/")
        row = staff_page.locator("tr.coaching-mine").first
        assert "You" in row.inner_text()
        shot(staff_page, "coaching-list-on-call")
        row.get_by_role("link").click()
        staff_page.wait_for_load_state()
        staff_page.get_by_role("button", name="I'm answering this").click()
        staff_page.wait_for_load_state()
        staff_page.get_by_label("Message to the participant").fill(
            "Cold water on your face for 30 seconds, then paced breathing. Text back after."
        )
        staff_page.get_by_label("TIPP", exact=True).check()
        staff_page.get_by_label("Used a skill and the urge came down").check()
        shot(staff_page, "coaching-answer")
        staff_page.get_by_role("button", name="Save and close").click()
        staff_page.wait_for_load_state()
        assert staff_page.get_by_text("Answer recorded.").is_visible()
    finally:
        context.close()
    made.refresh_from_db()
    assert made.status == CoachingStatus.CLOSED

    page.goto(f"{w.url}/me/coaching/{made.public_id}/")
    assert page.get_by_text("Cold water on your face").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "coaching-reply-phone")
