"""A participant files a diary card with a self-harm urge of 5 on a phone; the on-call
clinician sees the alert on their home page and takes it."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from openiop.accounts.roles import Role
from openiop.diary.models import DiaryCard
from openiop.safety.models import Alert, AlertStatus, OnCallShift
from tests import factories as f
from tests.e2e.conftest import STAFF_VIEWPORT, sign_in, sign_in_staff

pytestmark = pytest.mark.e2e


def _tap(page: Any, legend: str, value: str) -> None:
    group = page.get_by_role("group", name=legend, exact=True)
    group.locator("label.segment", has_text=value).first.click()


def test_a_high_urge_card_reaches_the_on_call_clinician(
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
    sign_in(page, w.url, w.participant_user)
    page.get_by_role("link", name="Fill in today's diary card").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Diary card"
    _tap(page, "Urge to die by suicide", "2")
    _tap(page, "Urge to hurt yourself", "5")
    _tap(page, "Urge to use alcohol or drugs", "0")
    _tap(page, "Did you hurt yourself?", "No")
    _tap(page, "Did you use alcohol or drugs?", "No")
    _tap(page, "Did you take your medication?", "Yes, as prescribed")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "diary-card-phone")
    page.get_by_role("button", name="Send my card").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for telling us"
    assert page.get_by_text("Your care team has been told").is_visible()
    assert page.locator('a[href="tel:988"]').count() >= 1
    # The page's own text link, and the crisis banner's "Text 988" button.
    assert page.locator('main a[href="sms:988"]').count() == 1
    assert page.locator('.crisis-banner a[href="sms:988"]').count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "diary-support-phone")
    card = DiaryCard.objects.get(participant=w.participant)
    alert = Alert.objects.get(source_id=card.public_id)
    assert alert.status == AlertStatus.OPEN

    context = browser.new_context(viewport=STAFF_VIEWPORT, locale="en-US")
    staff_page = context.new_page()
    try:
        sign_in_staff(staff_page, w.url, on_call)
        section = staff_page.get_by_role("region", name="Open alerts")
        assert section.is_visible()
        assert "Pat Example" in section.inner_text()
        shot(staff_page, "alerts-home-on-call")
        section.get_by_role("link", name="Pat Example").click()
        staff_page.wait_for_load_state()
        staff_page.get_by_role("button", name="Acknowledge").click()
        staff_page.wait_for_load_state()
        assert staff_page.get_by_text("Acknowledged: the alert is yours.").is_visible()
        shot(staff_page, "alert-acknowledged")
        staff_page.goto(f"{w.url}/diary/participants/{w.participant.public_id}/")
        assert staff_page.get_by_role("heading", name="Session agenda").is_visible()
        shot(staff_page, "diary-review")
    finally:
        context.close()
    alert.refresh_from_db()
    assert alert.acknowledged_by == on_call


def test_the_diary_review_works_on_a_phone(
    e2e_world: SimpleNamespace, phone_page: Any, shot: Any
) -> None:
    """A clinician reviewing cards between sessions on a phone: the page itself never scrolls
    sideways (the week grid scrolls inside its own frame) and the agenda is there."""
    from tests.diary.helpers import bulk_cards

    w = e2e_world
    bulk_cards(w, 21)
    page = phone_page
    sign_in_staff(
        page, w.url, w.clinician, next_path=f"/diary/participants/{w.participant.public_id}/"
    )
    page.goto(f"{w.url}/diary/participants/{w.participant.public_id}/")
    assert page.get_by_role("heading", name="Session agenda").is_visible()
    assert page.locator("table.diary-grid").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "diary-review-phone")
