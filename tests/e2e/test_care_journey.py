"""A treatment plan from signature to review: the clinician signs the draft, the participant
reads and signs it on a phone, and a month later the clinician reviews it on a page that shows
the pulled scores and attendance; the review opens version 2 and both versions stay readable."""

from __future__ import annotations

import os
import shutil
from types import SimpleNamespace
from typing import Any

import pytest

from openiop.care.models import PlanReview, PlanStatus, TreatmentPlan
from tests.care.helpers import backdate, complete_draft, with_history
from tests.e2e.conftest import screenshot_dir, sign_in, sign_in_staff

pytestmark = pytest.mark.e2e


def _to_docs(path: Any, name: str) -> None:
    # Only a docs run (OPENIOP_DOCS_SCREENSHOTS=docs/img) may rewrite the guide's pictures.
    if os.environ.get("OPENIOP_DOCS_SCREENSHOTS"):
        shutil.copyfile(path, screenshot_dir() / f"{name}.png")


def test_sign_in_the_portal_then_review_with_pulled_figures(
    e2e_world: SimpleNamespace, page: Any, phone_page: Any, shot: Any
) -> None:
    w = e2e_world
    with_history(w)
    plan = complete_draft(w)
    chart = f"{w.url}/care/p/{w.participant.public_id}/plan"

    # The clinician reads the draft they wrote with the participant and signs it.
    sign_in_staff(page, w.url, w.clinician)
    page.goto(f"{chart}/{plan.public_id}/edit/")
    assert page.get_by_role("link", name="Add a problem").is_visible()
    _to_docs(shot(page, "care-plan-edit"), "care-plan-edit")
    page.goto(f"{chart}/{plan.public_id}/")
    page.get_by_role("button", name="Sign as clinician").click()
    page.wait_for_load_state()
    assert page.get_by_text("takes effect when every signature is on it").is_visible()

    # The participant reads and signs it on a phone.
    sign_in(phone_page, w.url, w.participant_user)
    phone_page.get_by_role("link", name="Read and sign my plan").click()
    phone_page.wait_for_load_state()
    assert phone_page.get_by_text("PHQ-9 score at most 9").first.is_visible()
    _to_docs(shot(phone_page, "portal-plan"), "portal-plan")
    phone_page.get_by_label("Type your full legal name to sign").fill("Patricia Example")
    phone_page.get_by_role("button", name="Sign my plan").click()
    phone_page.wait_for_load_state()
    assert phone_page.get_by_text("Your plan is signed and in effect").is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CURRENT

    # A month on, the review is due on the clinician's home page.
    backdate(plan, 31)
    page.goto(f"{w.url}/")
    page.locator("#care-home-h").scroll_into_view_if_needed()
    page.get_by_role("link", name=w.participant.display_name).first.click()
    page.wait_for_load_state()
    assert "/review/" in page.url
    assert page.get_by_role("heading", name="From the record", exact=False).is_visible()
    assert page.get_by_text("PHQ-9: 18").is_visible()
    assert page.get_by_text("Attended 3 of 4 scheduled sessions (75%)").first.is_visible()
    _to_docs(shot(page, "care-review"), "care-review")
    for select in page.get_by_label("Progress").all():
        select.select_option("progressing")
    page.get_by_label("What changes in the plan, and why").fill(
        "PHQ-9 is down to 8; keep the targets and add a relapse prevention plan."
    )
    page.get_by_role("button", name="Complete the review").click()
    page.wait_for_load_state()
    assert page.get_by_text("Review saved. Version 2 is open as a draft").is_visible()

    # Both versions are readable.
    review = PlanReview.objects.get()
    assert review.new_plan is not None
    page.goto(f"{chart}/{review.new_plan.public_id}/")
    assert page.get_by_role("heading", name="Treatment plan version 2", exact=False).is_visible()
    assert page.get_by_text("Compared with").is_visible()
    page.goto(f"{chart}/{plan.public_id}/")
    assert page.get_by_role("heading", name="Treatment plan version 1", exact=False).is_visible()
    page.goto(f"{chart}/")
    assert page.get_by_role("link", name="Version 2").is_visible()
    _to_docs(shot(page, "care-plan"), "care-plan")
    assert TreatmentPlan.objects.filter(episode=w.episode).count() == 2
