"""A clinician writes a safety plan with the participant and signs it; the participant opens it
from the crisis banner on a phone, reads it, types their name to sign, and can print it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from openiop.safety.models import PlanStatus, SafetyPlanVersion
from tests.e2e.conftest import STAFF_VIEWPORT, sign_in, sign_in_staff

pytestmark = pytest.mark.e2e


def test_the_participant_opens_and_signs_their_plan_from_the_crisis_banner(
    e2e_world: SimpleNamespace, phone_page: Any, browser: Any, shot: Any
) -> None:
    w = e2e_world
    context = browser.new_context(viewport=STAFF_VIEWPORT, locale="en-US")
    staff_page = context.new_page()
    try:
        sign_in_staff(staff_page, w.url, w.clinician)
        staff_page.goto(f"{w.url}/safety/participants/{w.participant.public_id}/plan/")
        staff_page.get_by_role("link", name="Write a plan together").click()
        staff_page.wait_for_load_state()
        staff_page.get_by_label("Signs that a hard time is starting").fill(
            "I stop answering texts\nI can't sleep"
        )
        staff_page.get_by_label("Things I can do on my own to cope").fill("Cold water on my face")
        staff_page.get_by_label("People I can ask for help").fill("My sister Jo")
        staff_page.get_by_label("Making my surroundings safer").fill("Jo keeps my extra pills")
        staff_page.get_by_role("button", name="Save the draft").click()
        staff_page.wait_for_load_state()
        staff_page.get_by_role("button", name="Sign as clinician").click()
        staff_page.wait_for_load_state()
        assert staff_page.get_by_text("The participant signs it in their portal.").is_visible()
        shot(staff_page, "safety-plan-staff-signed")
    finally:
        context.close()

    page = phone_page
    sign_in(page, w.url, w.participant_user)
    page.locator(".crisis-banner").get_by_role("link", name="My safety plan").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "My safety plan"
    assert page.get_by_text("Cold water on my face").first.is_visible()
    page.get_by_label("Type your full legal name to sign").fill("Patricia Example")
    page.get_by_role("button", name="Sign my plan").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="When things get hard").is_visible()
    assert page.get_by_role("link", name="Print my plan").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "safety-plan-phone")

    plan = SafetyPlanVersion.objects.get(participant=w.participant)
    assert plan.status == PlanStatus.SIGNED
    assert plan.participant_signed_name == "Patricia Example"
