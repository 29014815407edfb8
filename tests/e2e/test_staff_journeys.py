"""Staff sign in with their second step and open a participant's chart."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.audit.models import AccessLog, EventKind
from openiop.audit.services import event_record
from tests.e2e.conftest import (
    confirmed_device,
    enter_code,
    sign_in,
    sign_in_staff,
    totp_code,
    totp_code_from_secret,
)

pytestmark = pytest.mark.e2e

QR_SHOWN_WHOLE_JS = """
() => {
  const svg = document.querySelector('.qr svg');
  const box = svg.getBoundingClientRect();
  return box.width >= Number(svg.getAttribute('width'))
    && box.height >= Number(svg.getAttribute('height'));
}
"""


def test_a_clinician_signs_in_with_mfa_and_opens_a_chart(
    e2e_world: SimpleNamespace, page: Any, shot: Any
) -> None:
    w = e2e_world
    event_record(
        participant=w.participant,
        kind=EventKind.EPISODE_OPENED,
        summary="Admitted to Adult DBT IOP, Morning track",
        actor=w.intake,
    )
    device = confirmed_device(w.clinician)

    sign_in(page, w.url, w.clinician)
    assert "/accounts/mfa/verify/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Two-step sign-in"
    shot(page, "mfa-verify")
    enter_code(page, totp_code(device))

    assert page.url == f"{w.url}/"
    assert "Casey Clinician" in page.locator("header.topbar").inner_text()
    shot(page, "clinician-home")

    # From the caseload (the lists above it, such as plans due, link to other pages).
    caseload = page.get_by_role("region", name="My participants")
    caseload.get_by_role("link", name="Pat Example").first.click()
    page.wait_for_load_state()
    assert page.url == f"{w.url}/participants/{w.participant.public_id}/"
    assert page.locator("header.summary-band h1").inner_text() == "Pat Example"
    page.get_by_role("navigation", name="Chart panels").get_by_role("link", name="Audit").click()
    page.wait_for_url("**?panel=audit")
    timeline = page.get_by_role("region", name="Timeline")
    timeline.wait_for()
    assert timeline.is_visible()
    assert "Admitted to Adult DBT IOP, Morning track" in timeline.inner_text()
    shot(page, "clinician-chart")
    assert AccessLog.objects.filter(
        actor=w.clinician, participant=w.participant, object_type="participant.chart"
    ).exists()


def test_a_wrong_code_keeps_the_clinician_on_the_mfa_page(
    e2e_world: SimpleNamespace, page: Any
) -> None:
    w = e2e_world
    device = confirmed_device(w.clinician)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"

    sign_in(page, w.url, w.clinician)
    enter_code(page, wrong)

    assert "/accounts/mfa/verify/" in page.url
    assert "That code did not match" in page.locator("main").inner_text()
    page.goto(f"{w.url}/participants/{w.participant.public_id}/")
    assert "/accounts/mfa/verify/" in page.url
    assert "Pat Example" not in page.content()


def test_a_new_director_enrols_mfa_from_the_key_on_the_setup_page(
    e2e_world: SimpleNamespace, page: Any, shot: Any
) -> None:
    w = e2e_world
    assert not TOTPDevice.objects.filter(user=w.director).exists()

    sign_in(page, w.url, w.director)
    assert "/accounts/mfa/setup/" in page.url
    secret = page.locator("code.secret").inner_text()
    assert page.locator(".qr svg").is_visible()
    # The SVG has no viewBox: any CSS size below its own crops the code and it will not scan.
    assert page.evaluate(QR_SHOWN_WHOLE_JS)
    shot(page, "mfa-setup")
    enter_code(page, totp_code_from_secret(secret))

    assert page.url == f"{w.url}/"
    assert "Two-step sign-in is set up." in page.locator("main").inner_text()
    assert TOTPDevice.objects.get(user=w.director).confirmed


def test_the_participant_list_finds_a_participant_by_name(
    e2e_world: SimpleNamespace, page: Any, shot: Any
) -> None:
    w = e2e_world
    sign_in_staff(page, w.url, w.clinician, next_path="/participants/")

    assert page.url.startswith(f"{w.url}/participants/")
    main = page.locator("main")
    assert "Pat Example" in main.inner_text()
    # Outsiders' participants never appear, not even on the list.
    assert "Elsewhere" not in main.inner_text()
    shot(page, "participant-list")
