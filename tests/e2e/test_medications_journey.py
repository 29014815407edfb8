"""The medication list in a substance-use IOP: the clinician records buprenorphine from an
outside prescriber, names the Part 2 consent that lets the program coordinate with them, signs
the admission reconciliation, and the chart shows the list with MOUD marked."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from openiop.lib.timezones import today_in
from openiop.participants import consents
from openiop.participants.models import ConsentExpiry, ConsentInfo, ConsentKind
from openiop.substance_use.models import Medication, MedicationReconciliation
from openiop.substance_use.services import MedicationInput, medication_record
from tests.e2e.conftest import SCREENSHOT_DIR, screenshot_dir, sign_in_staff

pytestmark = pytest.mark.e2e


def _to_docs(path: Any, name: str) -> None:
    # Only a docs run (OPENIOP_DOCS_SCREENSHOTS=docs/img) may rewrite the guide's pictures.
    if os.environ.get("OPENIOP_DOCS_SCREENSHOTS"):
        shutil.copyfile(path, screenshot_dir() / f"{name}.png")


def test_record_moud_with_its_consent_and_reconcile_at_admission(
    e2e_world: SimpleNamespace, page: Any, shot: Any
) -> None:
    w = e2e_world
    w.program.name = "Harbor Recovery IOP"
    w.program.treats_sud = True
    w.program.save(update_fields=["name", "treats_sud"])
    today = today_in(w.program.time_zone)
    consents.consent_sign(
        actor=w.clinician,
        participant=w.participant,
        episode=w.episode,
        kind=ConsentKind.PART2,
        typed_name=w.participant.legal_name,
        recipient_name="Dr. Rae Osei",
        recipient_organization="Harbor Family Medicine",
        information=[ConsentInfo.SUD_RECORDS],
        purpose="Coordinating buprenorphine treatment",
        expiry=ConsentExpiry.DATE,
        expires_on=today + timedelta(days=180),
    )
    medication_record(
        actor=w.clinician,
        episode=w.episode,
        data=MedicationInput(
            name="Sertraline",
            dose="50 mg",
            frequency="once daily",
            indication="depression",
            prescriber_kind="program",
            prescriber_user=w.director,
            source="prescriber",
            start_on=today - timedelta(days=120),
        ),
    )

    sign_in_staff(page, w.url, w.clinician)
    page.goto(f"{w.url}/substance-use/p/{w.participant.public_id}/medications/")
    page.locator("#id_name").fill("Buprenorphine/naloxone")
    page.locator("#id_dose").fill("8 mg")
    page.locator("#id_route").select_option("sublingual")
    page.locator("#id_frequency").fill("once daily")
    page.locator("#id_indication").fill("opioid use disorder")
    page.locator("#id_prescriber_kind").select_option("outside")
    page.locator("#id_prescriber_name").fill("Dr. Rae Osei")
    page.locator("#id_coordination_consent").select_option(index=1)
    page.locator("#id_source").select_option("prescriber")
    page.get_by_role("button", name="Add to the list").click()
    page.wait_for_load_state()
    assert page.get_by_text("Medication added to the list.").is_visible()
    assert page.get_by_text("Coordinating under a Part 2 consent").is_visible()

    page.locator("#id_occasion").select_option("admission")
    page.get_by_role("button", name="Sign the reconciliation").click()
    page.wait_for_load_state()
    assert page.get_by_text("Reconciliation signed.").is_visible()
    assert page.get_by_text("started Buprenorphine/naloxone 8 mg under the tongue").is_visible()
    _to_docs(shot(page, "medications-list"), "medications-list")
    assert Medication.objects.get(name="Buprenorphine/naloxone").coordination_consent is not None
    assert MedicationReconciliation.objects.get().occasion == "admission"

    page.goto(f"{w.url}/participants/{w.participant.public_id}/?panel=medications")
    panel = page.locator("section.medication-panel")
    assert panel.get_by_text("MOUD").is_visible()
    assert panel.get_by_text("Last reconciled").is_visible()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / "medications-chart-panel.png"
    panel.screenshot(path=str(path))
    _to_docs(path, "medications-chart-panel")
