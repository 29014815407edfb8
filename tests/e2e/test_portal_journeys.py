"""Participants and family members sign in to the phone-first portal."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests.e2e.conftest import forget_errors, sign_in

pytestmark = pytest.mark.e2e


def test_a_participant_sees_the_portal_home_on_a_phone(
    e2e_world: SimpleNamespace, phone_page: Any, shot: Any
) -> None:
    w = e2e_world
    page = phone_page

    sign_in(page, w.url, w.participant_user)

    assert page.url == f"{w.url}/me/"
    assert page.get_by_role("heading", level=1).inner_text() == "Hi, Pat"
    program = page.get_by_role("region", name="Adult DBT IOP")
    assert program.is_visible()
    assert "Morning" in program.inner_text()
    assert "Casey Clinician" in program.inner_text()
    banner = page.get_by_role("complementary", name="Crisis support")
    assert banner.is_visible()
    assert "988" in banner.inner_text()
    assert banner.locator('a[href="tel:988"]').count() == 1
    # Phone-first: nothing may force sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "portal-home-phone")


def test_a_participant_cannot_open_a_staff_chart(
    e2e_world: SimpleNamespace, phone_page: Any, shot: Any
) -> None:
    w = e2e_world
    page = phone_page
    sign_in(page, w.url, w.participant_user)

    for participant in (w.participant, w.other_participant):
        response = page.goto(f"{w.url}/participants/{participant.public_id}/")
        assert response is not None
        assert response.status in (403, 404)
        text = page.locator("main").inner_text()
        assert participant.legal_last_name not in text
        assert "Timeline" not in text
        assert any(str(response.status) in e for e in forget_errors(page))
    shot(page, "portal-denied-chart")


def test_a_family_member_sees_what_the_consent_shares(
    e2e_world: SimpleNamespace, phone_page: Any, shot: Any
) -> None:
    w = e2e_world
    page = phone_page

    sign_in(page, w.url, w.family_user)

    assert page.url == f"{w.url}/me/family/"
    main = page.locator("main")
    assert "Pat Example" in main.inner_text()
    assert "Adult DBT IOP" in main.inner_text()
    assert "988" in page.get_by_role("complementary", name="Crisis support").inner_text()
    shot(page, "family-home-phone")
