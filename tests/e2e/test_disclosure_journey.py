"""Issue 14's journey: a clinician hands a signed discharge summary to the next provider with
"Disclose to...", choosing the release that covers it; the participant, on a phone, opens
"Who has received my information", sees the disclosure with the consent it was made under, and
downloads the list.

    OPENIOP_DOCS_SCREENSHOTS=docs/img .venv/bin/pytest tests/e2e/test_disclosure_journey.py

puts the guides' pictures (discharge-disclose.png, portal-disclosures.png) in docs/img/."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from openiop.discharge.services import summary_save, summary_sign
from openiop.lib.timezones import today_in
from openiop.participants.models import ConsentExpiry, ConsentInfo, Disclosure
from tests.discharge.conftest import discharge
from tests.e2e.conftest import screenshot_dir, sign_in, sign_in_staff
from tests.participants.consent_support import sign

pytestmark = pytest.mark.e2e


def test_a_summary_disclosed_to_the_next_provider_is_in_the_participants_accounting(
    e2e_world: SimpleNamespace, page: Any, phone_page: Any, shot: Any
) -> None:
    w = e2e_world
    sign(
        w.episode,
        w.clinician,
        recipient_name="Dr. Lee",
        recipient_organization="Riverside Counseling",
        recipient_address="12 Quarry Road",
        information=[ConsentInfo.DISCHARGE_SUMMARY],
        purpose="Continuing care after the program",
        expiry=ConsentExpiry.DATE,
        expires_on=today_in(w.program.time_zone) + timedelta(days=120),
    )
    summary = discharge(w, provider="Riverside Counseling")
    summary = summary_save(
        actor=w.clinician,
        summary=summary,
        sections={"course_of_treatment": "Attended nine weeks of groups; goals met."},
    )
    summary = summary_sign(actor=w.clinician, summary=summary)

    # The clinician, at a desk.
    sign_in_staff(
        page,
        w.url,
        w.clinician,
        next_path=f"/discharge/participants/{w.participant.public_id}/summaries/"
        f"{summary.public_id}/",
    )
    page.get_by_role("link", name="Disclose to…").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Disclose the discharge summary"
    page.get_by_label("Dr. Lee, Riverside Counseling, 12 Quarry Road").check()
    page.get_by_label("PDF file").check()
    page.get_by_label("I am giving this only to the recipient").check()
    shot(page, "discharge-disclose")
    page.screenshot(path=str(screenshot_dir() / "discharge-disclose.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Disclose").click()
    pdf = download.value
    assert pdf.suggested_filename == f"discharge-summary-{summary.public_id}.pdf"
    with open(pdf.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
    row = Disclosure.objects.get()
    assert row.recipient == "Dr. Lee, Riverside Counseling, 12 Quarry Road"

    # The participant, on a phone.
    phone = phone_page
    sign_in(phone, w.url, w.participant_user)
    phone.get_by_role("link", name="Who has received my information").click()
    phone.wait_for_load_state()
    main = phone.inner_text("main")
    assert "Dr. Lee, Riverside Counseling, 12 Quarry Road" in main
    assert "Discharge summary, signed" in main
    assert "Release of information signed" in main
    assert "PDF handed over" in main
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "portal-disclosures-phone")
    phone.screenshot(path=str(screenshot_dir() / "portal-disclosures.png"), full_page=True)
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Download the list (PDF)").click()
    listing = download.value
    assert listing.suggested_filename == "accounting-of-disclosures.pdf"
    with open(listing.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
