"""A participant sends a diary card while the server cannot take it (the database is down and
every page is the calm 503 page): the card stays in their browser, is offered again on the
diary page, and is gone once it is sent, and when they sign out."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from openiop.diary.models import DiaryCard
from tests.e2e.conftest import forget_errors, sign_in

pytestmark = pytest.mark.e2e

KEPT = "openiop.diary.unsent."


def _tap(page: Any, legend: str, value: str) -> None:
    page.get_by_role("group", name=legend, exact=True).locator(
        "label.segment", has_text=value
    ).first.click()


def _fill(page: Any) -> None:
    _tap(page, "Urge to die by suicide", "0")
    _tap(page, "Urge to hurt yourself", "1")
    _tap(page, "Urge to use alcohol or drugs", "3")
    _tap(page, "Did you hurt yourself?", "No")
    _tap(page, "Did you use alcohol or drugs?", "No")
    _tap(page, "Did you take your medication?", "Yes, as prescribed")


def _kept(page: Any) -> int:
    return int(
        page.evaluate(f"Object.keys(localStorage).filter(k => k.startsWith('{KEPT}')).length")
    )


def _checked(page: Any, legend: str) -> str:
    group = page.get_by_role("group", name=legend, exact=True)
    return str(group.locator("input:checked").get_attribute("value"))


def test_a_card_that_could_not_be_sent_is_kept_offered_and_cleared(
    e2e_world: SimpleNamespace, phone_page: Any, shot: Any
) -> None:
    w = e2e_world
    page = phone_page
    # The page every request gets while the database is down (ops/views.py server_error).
    down = render_to_string(
        "500.html",
        {
            "outage": True,
            "phones": [{"name": "", "phone": "555-0100"}],
            "local_emergency_number": settings.OPENIOP_LOCAL_EMERGENCY_NUMBER,
        },
    )

    def database_down(route: Any) -> None:
        if route.request.method == "POST":
            route.fulfill(status=503, content_type="text/html", body=down)
        else:
            route.continue_()

    sign_in(page, w.url, w.participant_user)
    page.goto(f"{w.url}/me/diary/")
    _fill(page)
    page.route("**/me/diary/", database_down)
    page.get_by_role("button", name="Send my card").click()
    page.wait_for_load_state()
    forget_errors(page)  # the 503 is what this journey asks for
    assert page.get_by_role("heading", level=1).inner_text() == (
        "OpenIOP is unavailable for a moment"
    )
    assert page.get_by_text("The diary card you were sending is kept on this device").is_visible()
    assert page.locator('a[href="tel:988"]').count() >= 1
    shot(page, "diary-kept-database-down-phone")
    assert _kept(page) == 1
    assert not DiaryCard.objects.filter(participant=w.participant).exists()

    page.unroute("**/me/diary/")
    page.goto(f"{w.url}/me/diary/")
    offer = page.get_by_role("status").filter(has_text="could not be sent")
    assert offer.is_visible()
    shot(page, "diary-kept-offered-phone")
    offer.get_by_role("button", name="Put it back in the form").click()
    assert _checked(page, "Urge to use alcohol or drugs") == "3"
    assert _checked(page, "Urge to hurt yourself") == "1"
    page.get_by_role("button", name="Send my card").click()
    page.wait_for_load_state()
    assert DiaryCard.objects.filter(participant=w.participant).count() == 1
    assert _kept(page) == 0

    # Kept again, then the participant signs out on a shared computer: gone.
    page.goto(f"{w.url}/me/diary/reminder/")
    page.evaluate(
        f"localStorage.setItem('{KEPT}x', JSON.stringify({{savedAt: 'now', fields: []}}))"
    )
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert _kept(page) == 0
