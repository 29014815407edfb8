"""On a phone, every link and button of the portal is a 44x44 px target (the 988 and 911
links first); and wherever the keyboard focus lands, staff or portal, its ring stands out at
3:1 or more against what is behind it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests.e2e.conftest import sign_in, sign_in_staff

pytestmark = pytest.mark.e2e

TARGETS = "a[href], button, label:has(input[type=radio]), label:has(input[type=checkbox])"
SMALL_TARGETS_JS = (
    "() => Array.from(document.querySelectorAll('" + TARGETS + "'))"
    """
  .filter(el => el.offsetParent !== null && !el.classList.contains('skip-link'))
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, r]) => r.width > 0 && r.height > 0 && r.left >= 0)
  .filter(([el, r]) => r.width < 43.5 || r.height < 43.5)
  .map(([el, r]) => `${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 40)}" `
    + `${Math.round(r.width)}x${Math.round(r.height)}`)
"""
)

# The focused element's ring colour and the colour behind it (the nearest ancestor with a
# background), as rgb triples.
FOCUS_JS = """
() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const rgb = s => (s.match(/\\d+(\\.\\d+)?/g) || []).slice(0, 4).map(Number);
  let node = el.parentElement, behind = [255, 255, 255];
  while (node) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0)) { behind = c.slice(0, 3); break; }
    node = node.parentElement;
  }
  return {tag: el.tagName, text: (el.textContent || el.name || '').trim().slice(0, 30),
          width: parseFloat(style.outlineWidth), ring: rgb(style.outlineColor).slice(0, 3), behind};
}
"""


def _luminance(rgb: list[float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: list[float], b: list[float]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_computed_the_wcag_way() -> None:
    assert round(contrast([0, 0, 0], [255, 255, 255]), 1) == 21.0
    assert round(contrast([242, 183, 5], [255, 255, 255]), 2) == 1.82  # the old ring


def assert_tap_targets(page: Any) -> None:
    small = page.evaluate(SMALL_TARGETS_JS)
    assert small == [], f"{page.url}: targets under 44x44 px: {small}"


def assert_focus_rings(page: Any, presses: int = 25) -> None:
    page.locator("body").focus()
    seen = 0
    for _ in range(presses):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_JS)
        if focus["tag"] == "BODY":
            continue
        seen += 1
        assert focus["width"] >= 2, focus
        ratio = contrast(focus["ring"], focus["behind"])
        assert ratio >= 3, f"{page.url}: focus ring {ratio:.2f}:1 on {focus}"
    assert seen


def test_portal_links_and_buttons_are_thumb_sized(
    e2e_world: SimpleNamespace, phone_page: Any
) -> None:
    w = e2e_world
    sign_in(phone_page, w.url, w.participant_user)
    for path in (
        "/me/",
        "/me/coaching/",
        "/me/diary/",
        "/me/permissions/",
        "/me/week/",
        "/me/safety-plan/",
    ):
        phone_page.goto(f"{w.url}{path}")
        assert_tap_targets(phone_page)
    banner = phone_page.locator(".crisis-banner")
    for name in ("Call 988", "Text 988", "Call 911"):
        box = banner.get_by_role("link", name=name).bounding_box()
        assert box is not None, name
        assert box["width"] >= 44, (name, box)
        assert box["height"] >= 44, (name, box)


def test_the_family_page_and_sign_in_are_thumb_sized(
    e2e_world: SimpleNamespace, phone_page: Any
) -> None:
    w = e2e_world
    phone_page.goto(f"{w.url}/accounts/login/")
    sign_in(phone_page, w.url, w.family_user)
    assert_tap_targets(phone_page)


def test_the_focus_ring_stands_out_on_staff_and_portal_pages(
    e2e_world: SimpleNamespace, page: Any, phone_page: Any
) -> None:
    w = e2e_world
    sign_in_staff(page, w.url, w.clinician)
    for path in ("/", f"/participants/{w.participant.public_id}/"):
        page.goto(f"{w.url}{path}")
        assert_focus_rings(page, presses=40)
    sign_in(phone_page, w.url, w.participant_user)
    for path in ("/me/", "/me/coaching/"):
        phone_page.goto(f"{w.url}{path}")
        assert_focus_rings(phone_page)
