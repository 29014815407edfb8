"""From first contact to a level-of-care recommendation, in the browser: a visitor sends the
contact form; the intake coordinator finds it on the board and moves it on; an assessment
shows its recommendation rule by rule.

Pictures go to test-artifacts/screenshots/, or to docs/img with
OPENIOP_DOCS_SCREENSHOTS=docs/img (they illustrate docs/guide/intake.md)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from openiop.intake.forms import form_token
from openiop.intake.models import Inquiry, InquiryStatus, IntakeAssessment
from openiop.participants.models import EpisodeStatus
from tests import factories as f
from tests.e2e.conftest import screenshot_dir, sign_in_staff

pytestmark = pytest.mark.e2e


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(screenshot_dir() / f"{name}.png"), full_page=True)


def test_a_visitor_inquires_and_the_coordinator_works_it(
    e2e_world: SimpleNamespace, page: Any
) -> None:
    w = e2e_world
    page.goto(f"{w.url}/contact/")
    assert "not for emergencies" in page.locator(".crisis-banner").inner_text()
    page.get_by_label("Your first name or initials").fill("J.K.")
    page.get_by_label("Phone", exact=True).fill("555-0177")
    page.get_by_label("Program you are asking about").select_option(value=str(w.program.public_id))
    page.get_by_label("What's going on (optional)").fill("Weekly therapy is not enough now.")
    page.get_by_label("I agree that the program may contact me").check()
    # A person takes longer than the three seconds the form insists on; the browser does not.
    page.locator("input[name=token]").evaluate(
        "(el, v) => { el.value = v; }", form_token(timezone.now().timestamp() - 60)
    )
    _shot(page, "intake-contact-form")
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    assert page.url.endswith("/contact/thanks/")
    assert "J.K." not in page.content()
    inquiry = Inquiry.objects.get()

    page.context.clear_cookies()
    sign_in_staff(page, w.url, w.intake, next_path="/intake/")
    column = page.get_by_role("region", name="New 1")
    assert "J.K." in column.inner_text()
    _shot(page, "intake-board")

    column.get_by_role("link", name="J.K.").click()
    page.wait_for_load_state()
    page.get_by_label("Outcome note").fill("Called back; talked through the schedule.")
    page.get_by_role("button", name="Mark contacted").click()
    page.wait_for_load_state()
    assert "Now contacted." in page.locator(".messages").inner_text()
    _shot(page, "intake-inquiry")
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.CONTACTED

    page.goto(f"{w.url}/intake/")
    assert "J.K." in page.get_by_role("region", name="Contacted 1").inner_text()


def test_an_assessment_shows_the_recommendations_rules(
    e2e_world: SimpleNamespace, page: Any
) -> None:
    w = e2e_world
    episode = f.EpisodeFactory(
        participant=f.ParticipantFactory(organization=w.org, legal_last_name="Sample"),
        program=w.program,
        status=EpisodeStatus.REFERRED,
        inquiry_on=timezone.localdate(),
        referred_on=timezone.localdate(),
        admitted_on=None,
        started_on=None,
    )
    base = (
        f"{w.url}/intake/participants/{episode.participant.public_id}/episodes/{episode.public_id}"
    )
    sign_in_staff(page, w.url, w.intake, next_path=f"{base}/assessment/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Intake assessment")
    assert page.get_by_text("42 CFR Part 2").count() == 0  # no SUD access for intake
    page.get_by_label("Presenting concerns").fill("Panic at work; low mood.")
    page.get_by_label("Goals").fill("Back to full days at work.")
    page.get_by_label("3. Emotional, behavioural or cognitive conditions").select_option("2")
    page.get_by_label("Needs more than weekly therapy").check()
    page.locator("select[name=block-0-weekday]").select_option("0")
    page.locator("input[name=block-0-start_time]").fill("08:00")
    page.locator("input[name=block-0-end_time]").fill("13:00")
    page.locator("select[name=block-0-reason]").select_option("work")
    _shot(page, "intake-assessment")
    page.get_by_role("button", name="Save and see recommendation").click()
    page.wait_for_load_state()

    assert "Recommended: Intensive outpatient (IOP)" in page.locator("h2").first.inner_text()
    rules = page.locator("table.loc-rules tbody tr")
    assert rules.count() == 10
    assert "Who IOP is for" in page.locator("table.loc-rules").inner_text()
    page.get_by_label("Override it").check()
    page.get_by_label("Level of care (when overriding)").select_option("php")
    page.get_by_label("Reason for overriding").fill("Lives alone; nights are worst.")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    assert "override" in page.get_by_role("region", name="Decisions recorded").inner_text()
    _shot(page, "intake-level-of-care")
    assessment = IntakeAssessment.objects.get(episode=episode)
    assert assessment.decisions.get().override_reason == "Lives alone; nights are worst."
