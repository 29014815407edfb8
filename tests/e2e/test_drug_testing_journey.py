"""Drug and alcohol testing in a substance-use IOP: the director sets the testing policy and
the week's random draw names the participant; the clinician records a point-of-care
test with a positive for opiates, which opens a follow-up on their home; a buprenorphine
positive on MOUD reads as expected; the director imports the laboratory's file, a bad file is
refused whole, the good one confirms the opiates negative and the follow-up closes itself."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from openiop.substance_use.models import DrugTest, DrugTestResult, TestFollowUp
from openiop.substance_use.services import MedicationInput, medication_record
from tests.e2e.conftest import screenshot_dir, sign_in_staff

pytestmark = pytest.mark.e2e

HEADER = "collection_id,participant,collected_at,substance,result,cutoff,method,lab,reported_at\n"


def _to_docs(path: Any, name: str) -> None:
    if os.environ.get("OPENIOP_DOCS_SCREENSHOTS"):
        shutil.copyfile(path, screenshot_dir() / f"{name}.png")


def test_point_of_care_positive_confirmed_negative_by_the_lab(
    e2e_world: SimpleNamespace, page: Any, shot: Any, tmp_path: Any
) -> None:
    w = e2e_world
    w.program.name = "Harbor Recovery IOP"
    w.program.treats_sud = True
    w.program.save(update_fields=["name", "treats_sud"])
    medication_record(
        actor=w.clinician,
        episode=w.episode,
        data=MedicationInput(
            name="Buprenorphine/naloxone",
            dose="8 mg",
            route="sublingual",
            frequency="once daily",
            indication="opioid use disorder",
            prescriber_kind="otp",
            prescriber_name="Harbor Treatment Center",
            source="prescriber",
        ),
    )
    tests_url = f"{w.url}/substance-use/p/{w.participant.public_id}/e/{w.episode.public_id}/tests/"

    # The director sets the program's testing policy; the week's random draw names the
    # participant (every day is a testing day and the rate is 100%, so the draw is certain).
    sign_in_staff(page, w.url, w.director)
    page.goto(f"{w.url}/substance-use/programs/{w.program.public_id}/testing/")
    page.get_by_label("Urine").check()
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        page.get_by_label(day).check()
    page.locator("#id_weekly_rate_percent").fill("100")
    page.get_by_role("button", name="Save the policy").click()
    page.wait_for_load_state()
    assert page.get_by_text("Testing policy saved.").is_visible()
    page.get_by_role("button", name="Make this week's draw").click()
    page.wait_for_load_state()
    assert page.get_by_text("1 of 1 eligible participants selected").is_visible()
    assert page.get_by_role("link", name=w.participant.display_name).is_visible()
    _to_docs(shot(page, "tests-program-draw"), "tests-program-draw")
    page.context.clear_cookies()

    sign_in_staff(page, w.url, w.clinician)
    page.goto(tests_url)
    page.locator("#id_custody_id").fill("C-2026-0142")
    page.locator("#id_reason").select_option("random")
    page.locator("#id_observed").select_option("yes")
    when = (timezone.now() - timedelta(hours=1)).astimezone(ZoneInfo(w.program.time_zone))
    page.locator("#id_collected_at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_positive").get_by_label("buprenorphine").check()
    page.locator("#id_positive").get_by_label("opiates", exact=True).check()
    page.get_by_role("button", name="Record the test").click()
    page.wait_for_load_state()
    assert page.get_by_text("Test recorded.").is_visible()
    assert page.get_by_text("Expected", exact=True).first.is_visible()
    assert page.get_by_text("Unexpected positive result: talk it over").is_visible()
    body = page.content()
    assert "dirty" not in body.lower()
    assert " clean" not in body.lower()

    page.goto(f"{w.url}/")
    assert page.get_by_role("heading", name="Test follow-ups").is_visible()
    section = page.locator("section", has=page.get_by_role("heading", name="Test follow-ups"))
    assert section.get_by_text("Unexpected positive result").is_visible()
    _to_docs(shot(page, "tests-home-follow-up"), "tests-home-follow-up")
    section.get_by_role("link", name=w.participant.display_name).click()
    page.wait_for_load_state()
    assert "/tests/" in page.url

    # The director imports the laboratory's file: a bad one first, refused whole.
    test = DrugTest.objects.get()
    collected = test.collected_at.isoformat()
    reported = (timezone.now() - timedelta(minutes=10)).isoformat()
    good = (
        HEADER + f"C-2026-0142,{w.participant.record_number},{collected},morphine,negative,"
        f"300 ng/mL,confirmatory,Harbor Labs,{reported}\n"
    )
    bad = good + good.splitlines()[1].replace("negative", "pos") + "\n"
    (tmp_path / "bad.csv").write_text(bad)
    (tmp_path / "lab.csv").write_text(good)
    before = DrugTestResult.objects.count()
    page.context.clear_cookies()
    sign_in_staff(page, w.url, w.director)
    page.goto(f"{w.url}/substance-use/programs/{w.program.public_id}/lab-results/")
    page.locator("#id_file").set_input_files(str(tmp_path / "bad.csv"))
    page.get_by_role("button", name="Check and import").click()
    page.wait_for_load_state()
    assert page.get_by_text("row 3").first.is_visible()
    assert DrugTestResult.objects.count() == before
    _to_docs(shot(page, "tests-lab-import-refused"), "tests-lab-import-refused")
    page.locator("#id_file").set_input_files(str(tmp_path / "lab.csv"))
    page.get_by_role("button", name="Check and import").click()
    page.wait_for_load_state()
    assert page.get_by_text("Imported 1 results for 1 tests").is_visible()

    page.goto(tests_url)
    assert page.get_by_text("replaced point-of-care positive").first.is_visible()
    assert not page.get_by_text("Unexpected positive result: talk it over").count()
    assert TestFollowUp.objects.get().status == "withdrawn"
    _to_docs(shot(page, "tests-timeline"), "tests-timeline")
