"""The WCAG basics every page keeps, checked in a real browser: a <main> landmark, one <h1>,
a language on <html>, and a label (or aria name) on every form field.

Staff pages are found by following the navigation each role is shown, so a page added to the
navigation later is checked without editing this file.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests.e2e.conftest import (
    confirmed_device,
    enter_code,
    sign_in,
    sign_in_staff,
    totp_code_from_secret,
)

pytestmark = pytest.mark.e2e

UNLABELLED_FIELDS_JS = """
() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type))
  .filter(el => {
    const labelled = Array.from(el.labels || []).some(l => l.textContent.trim() !== '');
    return !labelled && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby');
  })
  .map(el => el.outerHTML.slice(0, 160))
"""


DANGLING_DESCRIBEDBY_JS = """
() => Array.from(document.querySelectorAll('[aria-describedby]'))
  .flatMap(el => el.getAttribute('aria-describedby').split(/\\s+/).filter(Boolean)
    .filter(id => !document.getElementById(id))
    .map(id => `${el.tagName.toLowerCase()}[name=${el.getAttribute('name')}] -> #${id}`))
"""


def assert_basics(page: Any) -> None:
    where = page.url
    assert page.locator("main").count() == 1, f"{where}: needs exactly one <main>"
    h1s = page.locator("h1")
    assert h1s.count() == 1, f"{where}: needs exactly one <h1>"
    assert h1s.first.inner_text().strip(), f"{where}: the <h1> is empty"
    assert page.evaluate("document.documentElement.lang"), f"{where}: <html> has no lang"
    assert page.title().strip(), f"{where}: no <title>"
    unlabelled = page.evaluate(UNLABELLED_FIELDS_JS)
    assert unlabelled == [], f"{where}: form fields without a label: {unlabelled}"
    dangling = page.evaluate(DANGLING_DESCRIBEDBY_JS)
    assert dangling == [], f"{where}: aria-describedby names missing ids: {dangling}"


def visit_nav(page: Any) -> list[str]:
    """Every page the navigation offers, each checked; returns the paths visited."""
    hrefs = page.locator("header nav a").evaluate_all("links => links.map(a => a.href)")
    for href in hrefs:
        response = page.goto(href)
        assert response is not None, href
        assert response.status == 200, href
        assert_basics(page)
    return hrefs


def test_the_sign_in_pages_keep_the_basics(e2e_world: SimpleNamespace, page: Any) -> None:
    w = e2e_world
    for path in ("/accounts/login/", "/accounts/password-reset/"):
        page.goto(f"{w.url}{path}")
        assert_basics(page)

    sign_in(page, w.url, w.director)
    assert "/accounts/mfa/setup/" in page.url
    assert_basics(page)
    enter_code(page, totp_code_from_secret(page.locator("code.secret").inner_text()))
    assert_basics(page)


@pytest.mark.parametrize("persona", ["clinician", "director", "intake", "billing", "admin"])
def test_staff_pages_keep_the_basics(e2e_world: SimpleNamespace, page: Any, persona: str) -> None:
    w = e2e_world
    sign_in_staff(page, w.url, getattr(w, persona))
    assert_basics(page)
    assert visit_nav(page)

    if persona != "admin":
        page.goto(f"{w.url}/participants/{w.participant.public_id}/")
        assert "Pat Example" in page.locator("h1").inner_text()
        assert_basics(page)
        page.goto(f"{w.url}/participants/?q=Example")
        assert_basics(page)


def test_the_mfa_verify_page_keeps_the_basics(e2e_world: SimpleNamespace, page: Any) -> None:
    w = e2e_world
    confirmed_device(w.clinician)
    sign_in(page, w.url, w.clinician)
    assert "/accounts/mfa/verify/" in page.url
    assert_basics(page)


@pytest.mark.parametrize("persona", ["participant_user", "family_user"])
def test_portal_pages_keep_the_basics(
    e2e_world: SimpleNamespace, phone_page: Any, persona: str
) -> None:
    w = e2e_world
    sign_in(phone_page, w.url, getattr(w, persona))
    assert "/me/" in phone_page.url
    assert_basics(phone_page)
