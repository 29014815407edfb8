"""The chart at a glance (issue 22), in a real browser at 1366x900: what needs attention
before a session is in the summary band above the fold, billing sees none of it, the first
screen is short because the panels load on demand (htmx), the URL keeps the open panel, and
axe-core finds nothing on the chart."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from tests.care.helpers import backdate, signed_plan
from tests.diary.helpers import file_card
from tests.e2e.conftest import axe_violations, screenshot_dir, sign_in_staff
from tests.measures.helpers import phq9, record

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1366, "height": 900}
# The chart's height in the demo before issue 22, at this size, everything open.
BEFORE_PX = 6988


@pytest.fixture
def attention(e2e_world: SimpleNamespace) -> SimpleNamespace:
    """Like the demo's case: eight weeks in, an open high alert from a diary card, no safety
    plan, a treatment plan whose review is overdue, a few PHQ-9 scores."""
    w = e2e_world
    w.supervisor = w.director
    w.clinician.supervisor = w.director
    w.clinician.save(update_fields=["supervisor"])
    start = timezone.localdate() - timedelta(weeks=8)
    w.episode.inquiry_on = start - timedelta(days=7)
    w.episode.admitted_on = w.episode.started_on = start
    w.episode.save(update_fields=["inquiry_on", "admitted_on", "started_on"])
    first = timezone.now() - timedelta(weeks=7)
    for week, total in enumerate([19, 16, 14, 12]):
        record(w, "PHQ-9", phq9(total), at=first + timedelta(weeks=week))
    record(w, "PCL-5", [2] * 20, at=first)
    file_card(w, urge_self_harm=5)
    backdate(signed_plan(w), days=40)
    # Long values the Details card used to clip.
    w.participant.email = "patricia.example.long-address20@example.org"
    w.participant.emergency_contact_name = "Halona Example-Whitfield"
    w.participant.emergency_contact_relationship = "Sibling"
    w.participant.emergency_contact_phone = "555-0199"
    w.participant.save()
    return w


def _above_the_fold(page: Any, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    assert box["y"] + box["height"] <= VIEWPORT["height"], f"{selector} ends at {box}"


def test_what_needs_attention_is_in_the_first_screen(attention: SimpleNamespace, page: Any) -> None:
    w = attention
    page.set_viewport_size(VIEWPORT)
    sign_in_staff(page, w.url, w.clinician)
    page.goto(f"{w.url}/participants/{w.participant.public_id}/")
    for key in ("alerts", "safety-plan", "plan", "hours", "measures", "urges"):
        _above_the_fold(page, f'[data-summary="{key}"]')
    assert "tone-alert" in (
        page.locator('[data-summary="safety-plan"]').get_attribute("class") or ""
    )
    assert "Review overdue" in page.locator('[data-summary="plan"]').inner_text()
    assert page.locator('[data-summary="measures"] svg.sparkline').count() == 1  # PHQ-9 only
    height = page.evaluate("() => document.documentElement.scrollHeight")
    print(f"chart height with the default panel: {height} px (before: {BEFORE_PX} px)")
    assert height < BEFORE_PX / 2
    assert axe_violations(page) == []
    page.screenshot(path=str(screenshot_dir() / "chart-at-a-glance.png"))

    # A panel loads in place, the URL keeps it, and a reload lands on it.
    page.get_by_role("navigation", name="Chart panels").get_by_role("link", name="Measures").click()
    page.wait_for_url("**?panel=measures")
    page.locator("#measures-h").wait_for()
    assert page.locator('[data-panel="measures"]').get_attribute("aria-current") == "page"
    assert axe_violations(page) == []
    page.screenshot(path=str(screenshot_dir() / "chart-measures.png"), full_page=True)
    page.reload()
    assert page.locator("#measures-h").is_visible()
    assert "One administration" in page.locator('tr[data-instrument="PCL-5"]').inner_text()


def test_billing_sees_none_of_the_clinical_items(attention: SimpleNamespace, page: Any) -> None:
    w = attention
    page.set_viewport_size(VIEWPORT)
    sign_in_staff(page, w.url, w.billing)
    page.goto(f"{w.url}/participants/{w.participant.public_id}/")
    _above_the_fold(page, '[data-summary="hours"]')
    for key in ("alerts", "safety-plan", "plan", "measures", "urges"):
        assert page.locator(f'[data-summary="{key}"]').count() == 0, key
    band = page.locator(".summary-band").inner_text()
    assert "Safety plan" not in band
    assert "alert" not in band.lower()
    assert page.locator('[data-panel="measures"]').count() == 0
    assert axe_violations(page) == []
    page.screenshot(path=str(screenshot_dir() / "billing-at-a-glance.png"))


CLIPPED_JS = """
() => Array.from(document.querySelectorAll('main dd, main li, main td, main p, main h2'))
  .filter(el => el.scrollWidth > el.clientWidth + 1)
  .map(el => el.outerHTML.slice(0, 120))
"""


def test_nothing_is_clipped_from_1024_px_and_the_band_prints_on_page_one(
    attention: SimpleNamespace, page: Any
) -> None:
    w = attention
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in_staff(page, w.url, w.clinician)
    chart = f"{w.url}/participants/{w.participant.public_id}/"
    for panel in ("overview", "schedule", "measures", "diary", "plans", "safety", "consents"):
        page.goto(f"{chart}?panel={panel}")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1024, panel
        assert page.evaluate(CLIPPED_JS) == [], panel
    page.goto(chart)
    details = page.get_by_role("region", name="Details").inner_text()
    assert "patricia.example.long-address20@example.org" in details
    assert "Halona Example-Whitfield (Sibling) 555-0199" in details
    # Printed (US letter at 96 px an inch, less the margins), the band is on the first page.
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 768, "height": 1000})
    box = page.locator(".summary-band").bounding_box()
    assert box is not None
    assert box["y"] + box["height"] < 960
    assert not page.locator(".chart-nav").is_visible()
