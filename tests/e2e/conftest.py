"""Browser journeys: Playwright for Python driving the system Chromium, never a downloaded one.

Chromium comes from the operating system (`apt-get install chromium`). Where it is missing the
journeys are skipped on a workstation but fail under CI (CI=true), so a CI image that lost its
browser cannot turn the suite silently green.

The tests run against pytest-django's `live_server`, which makes the database transactional:
the server thread sees the rows the test writes. Sign-in always goes through the real forms
(e-mail and password, then the two-step code) so the whole middleware chain is exercised.
"""

from __future__ import annotations

import base64
import os
import time as clock
from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts.models import User
from openiop.lib.timezones import today_in

# Playwright's sync API runs an event loop in the main thread; Django would otherwise refuse
# the ORM calls the tests make to build their data.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"  # set by tests.factories.UserFactory
STAFF_VIEWPORT = {"width": 1280, "height": 800}
PHONE_VIEWPORT = {"width": 390, "height": 844}

REPO_DIR = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_DIR / "test-artifacts" / "screenshots"


def _chromium_or_skip() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    message = f"System Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(executable), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def _console_problem(msg: Any, problems: list[str]) -> None:
    # Chromium asks for /favicon.ico on its own; the app has none, and that is not a page fault.
    if msg.type == "error" and not str(msg.location.get("url", "")).endswith("/favicon.ico"):
        problems.append(f"{msg.text} ({msg.location.get('url', '')})")


def _new_page(browser: Any, viewport: dict[str, int]) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport=viewport, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    # CSP violations and script errors show up as console errors; a page that breaks its own
    # policy (inline style or script) must fail the journey, not just look slightly wrong.
    page.on("console", lambda msg: _console_problem(msg, problems))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.openiop_problems = problems
    return context, page, problems


def forget_errors(page: Any) -> list[str]:
    """For deny-path journeys: the refusal the test asked for is not a page fault."""
    seen = list(page.openiop_problems)
    page.openiop_problems.clear()
    return seen


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A desktop-sized page (staff screens)."""
    context, page, problems = _new_page(browser, STAFF_VIEWPORT)
    yield page
    context.close()
    assert problems == [], f"browser console errors: {problems}"


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    """A phone-sized page (the participant portal is phone-first)."""
    context, page, problems = _new_page(browser, PHONE_VIEWPORT)
    yield page
    context.close()
    assert problems == [], f"browser console errors: {problems}"


@pytest.fixture
def e2e_world(transactional_db: None, live_server: Any, world: SimpleNamespace) -> SimpleNamespace:
    """The shared personas, committed so that the live server's thread can read them."""
    from django.core.cache import cache
    from django.utils import timezone

    from openiop.ops.models import PeriodicClaim

    world.url = live_server.url
    # Escalation ran a moment ago, as it would with the worker running: directors' pages
    # otherwise carry the "escalation is not running" warning (tests/ops/test_health.py).
    now = timezone.now()
    PeriodicClaim.objects.create(
        name="safety.escalate", due_at=now, claimed_at=now, finished_at=now, ok=True
    )
    cache.clear()
    return world


def totp_code(device: TOTPDevice) -> str:
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def totp_code_from_secret(secret: str) -> str:
    """The code an authenticator app would show for a key typed in by hand (base32, spaced)."""
    raw = secret.replace(" ", "").upper()
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    return f"{totp(key, 30, 0, 6, 0):06d}"


def confirmed_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def sign_in(page: Any, base_url: str, user: User, *, next_path: str = "/") -> None:
    """E-mail and password through the real login form."""
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def enter_code(page: Any, code: str) -> None:
    page.get_by_label("6-digit code").fill(code)
    page.get_by_role("button", name="Continue").or_(
        page.get_by_role("button", name="Confirm")
    ).click()
    page.wait_for_load_state()


def sign_in_staff(page: Any, base_url: str, user: User, *, next_path: str = "/") -> None:
    """Password, then the two-step code from a confirmed authenticator."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or confirmed_device(user)
    sign_in(page, base_url, user, next_path=next_path)
    assert "/accounts/mfa/verify/" in page.url, page.url
    # A code is accepted once (django-otp refuses a replay of the last step used), so a second
    # sign-in of the same person within one 30-second step waits for the next code, as a
    # person would.
    device.refresh_from_db()
    now = clock.time() - device.t0
    if device.last_t is not None and device.last_t >= int(now // device.step) + device.drift:
        clock.sleep(device.step - now % device.step + 0.5)
    enter_code(page, totp_code(device))
    assert "/accounts/mfa/" not in page.url, page.url


def screenshot_dir() -> Path:
    target = Path(os.environ.get("OPENIOP_DOCS_SCREENSHOTS") or SCREENSHOT_DIR)
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture
def shot() -> Callable[..., Path]:
    """Saves a screenshot of a page under test-artifacts/screenshots/<name>.png."""

    def save(page: Any, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save


def clinic_hours(time_zone: str) -> tuple[datetime, datetime]:
    """Believable times for the pictures, in the program's time zone: this week's latest
    morning group (9:00, 90 minutes) that is already over, and an evening (17:30) two days
    ahead. Early on a Monday, when no morning of the week is over yet, two hours ago."""
    zone = ZoneInfo(time_zone)
    today = today_in(time_zone)
    mornings = [
        datetime.combine(today - timedelta(days=back), time(9, 0), tzinfo=zone)
        for back in range(today.weekday() + 1)
    ]
    over = [start for start in mornings if start + timedelta(minutes=90) < timezone.now()]
    group = over[0] if over else timezone.now() - timedelta(hours=2)
    return group, datetime.combine(today + timedelta(days=2), time(17, 30), tzinfo=zone)


AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"  # axe-core 4.14.1, MPL-2.0
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Any) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it stands, one line each (rule:
    the elements). Injected through the DevTools protocol, which the page's CSP does not
    govern, so the check changes nothing the page itself is allowed to do."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;0")
    return page.evaluate(
        """async (tags) => {
          const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
          return result.violations.map(
            v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`
          );
        }""",
        AXE_TAGS,
    )
