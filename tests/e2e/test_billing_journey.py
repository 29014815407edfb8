"""Billing staff's week: the worklist shows what needs action (an authorization running out,
one expired), an episode's billable days say why each day is or is not billable, a batch of
claims is exported as an 837I that pyx12 accepts, and the payer's 835 is imported and
reconciled: one claim paid, one denied.

    OPENIOP_DOCS_SCREENSHOTS=docs/img .venv/bin/pytest tests/e2e/test_billing_journey.py

writes the pictures of docs/guide/billing.md."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from openiop.billing import x12
from openiop.billing.models import Claim
from tests.billing.room import (
    another_claimant,
    attend,
    bill_world,
    claim_ready,
    draft_note,
    remittance_835,
    sign,
)
from tests.e2e.conftest import screenshot_dir, sign_in_staff

pytestmark = pytest.mark.e2e


def _capture(page: Any, name: str) -> Path:
    path = screenshot_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _clinic(w: SimpleNamespace) -> SimpleNamespace:
    """Two participants on the payer: Patricia's authorization nearly used, Jordan's expired
    last week; each attended three days (one of them 2 h only) with signed notes."""
    bill_world(w)
    w.auth.approved_units = 6
    w.auth.save(update_fields=["approved_units"])
    jordan = another_claimant(w, "Jordan", "Rivera", auth_days=6)
    for episode in (w.episode, jordan):
        claim_ready(w, episode)
        for offset, minutes in ((0, 180), (1, 195), (2, 120), (7, 180)):
            s = attend(w, w.start + timedelta(days=offset), minutes, episode=episode)
            sign(draft_note(s, w.clinician), w.clinician)
    w.jordan = jordan
    return w


def test_billing_staff_work_the_worklist_claims_and_remittance(
    e2e_world: SimpleNamespace, page: Any, tmp_path: Path
) -> None:
    w = _clinic(e2e_world)
    sign_in_staff(page, w.url, w.billing, next_path="/billing/")
    body = page.locator("main").inner_text()
    assert "days left on authorization" in body or "day left on authorization" in body
    assert "expired on" in body
    _capture(page, "billing-worklist")

    page.get_by_role("link", name="Example").first.click()
    page.wait_for_load_state()
    days = page.locator("main").inner_text()
    assert "2 h attended, below 3 h" in days
    assert "NOTE-BODY-SECRET" not in page.content()
    _capture(page, "billing-episode")

    week = {
        "program": str(w.program.public_id),
        "payer": str(w.payer.public_id),
        "start": w.start.isoformat(),
        "end": (w.start + timedelta(days=6)).isoformat(),
    }
    query = "&".join(f"{k}={v}" for k, v in week.items())
    page.goto(f"{w.url}/billing/claims/?{query}")
    assert "Rivera" in page.locator("main").inner_text()
    _capture(page, "billing-claims")
    page.get_by_role("button", name="Create the 837I batch").click()
    page.wait_for_load_state()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the 837I file").click()
    text = Path(download.value.path()).read_text()
    assert x12.validate(text).valid
    assert "NOTE-BODY-SECRET" not in text

    first, second = Claim.objects.order_by("control_number")
    remit = tmp_path / "remit.835"
    remit.write_text(
        remittance_835((first.control_number, first.charge), (second.control_number, second.charge))
    )
    page.get_by_role("link", name="Import an 835").click()
    page.get_by_label("Payer").select_option(label=w.payer.name)
    page.get_by_label("835 remittance file").set_input_files(str(remit))
    page.get_by_role("button", name="Import and reconcile").click()
    page.wait_for_load_state()
    assert "2 claims reconciled" in page.locator("main").inner_text()
    page.get_by_role("link", name=str(first.batch.interchange_number), exact=True).click()
    page.wait_for_load_state()
    outcome = page.locator("main").inner_text()
    assert "Denied" in outcome
    assert "CO-50" in outcome
    _capture(page, "billing-reconciled")
