"""Drug and alcohol testing in the room: expected positives from the medication list, a
laboratory confirmation replacing a point-of-care result, the lab file refused whole, the
neutral follow-ups, and who reads the results (Part 2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import AccessAction, AccessLog
from openiop.substance_use.models import DrugTest, DrugTestResult, TestFollowUp
from openiop.substance_use.services import medication_record
from openiop.substance_use.testing import (
    drug_test_record,
    follow_up_close,
    lab_file_import,
    read_test,
)
from tests.substance_use.test_medication_services import BUPRENORPHINE

Login = Callable[[User], Client]
HEADER = "collection_id,participant,collected_at,substance,result,cutoff,method,lab,reported_at\n"


def _collect(w: SimpleNamespace, custody: str, *, positive: tuple[str, ...] = (), **kw: object):
    values = {
        "actor": w.clinician,
        "episode": w.episode,
        "custody_id": custody,
        "specimen": "urine",
        "reason": "random",
        "outcome": "collected",
        "observed": True,
        "collected_at": timezone.now() - timedelta(hours=2),
        "tested": ["buprenorphine", "cocaine", "fentanyl", "opiates"],
        "positive": positive,
    }
    values.update(kw)
    return drug_test_record(**values)  # type: ignore[arg-type]


def _lab_line(w: SimpleNamespace, test: DrugTest, substance: str, result: str) -> str:
    collected = test.collected_at.isoformat()
    reported = (timezone.now() - timedelta(minutes=5)).isoformat()
    return (
        f"{test.custody_id},{w.participant.record_number},{collected},{substance},{result},"
        f"300 ng/mL,confirmatory,Harbor Labs,{reported}\n"
    )


def test_buprenorphine_on_moud_is_an_expected_positive_with_no_follow_up(
    sud: SimpleNamespace,
) -> None:
    medication_record(actor=sud.clinician, episode=sud.episode, data=BUPRENORPHINE)
    test = _collect(sud, "C-1", positive=("buprenorphine",))
    read = read_test(test)
    (bup,) = [s for s in read.reading.substances if s.substance == "buprenorphine"]
    assert bup.reading == "expected"
    assert "expected positive: buprenorphine" in read.line
    assert not TestFollowUp.objects.exists()


def test_an_unexpected_positive_opens_a_neutral_follow_up_for_the_primary_clinician(
    sud: SimpleNamespace, login: Login
) -> None:
    _collect(sud, "C-2", positive=("cocaine",))
    (item,) = TestFollowUp.objects.all()
    assert item.assigned_to == sud.clinician
    assert item.title == "Unexpected positive result: talk it over"
    home = login(sud.clinician).get(reverse("home")).content.decode()
    assert "Test follow-ups" in home
    assert "Unexpected positive result" in home
    assert AccessLog.objects.filter(
        actor=sud.clinician, action=AccessAction.LIST, object_type="substance_use.tests"
    ).exists()
    follow_up_close(actor=sud.clinician, follow_up=item, note="Talked it over at group check-in")
    assert "Test follow-ups" not in login(sud.clinician).get(reverse("home")).content.decode()


def test_a_refusal_needs_its_reason_and_opens_a_follow_up(sud: SimpleNamespace) -> None:
    with pytest.raises(ValidationError, match="reason"):
        _collect(sud, "C-3", outcome="refused", observed=None, tested=[])
    assert not DrugTest.objects.exists()
    _collect(sud, "C-3", outcome="refused", tested=[], note="Said they could not go today")
    (item,) = TestFollowUp.objects.all()
    assert item.kind == "refusal"


def test_the_laboratory_confirmation_replaces_the_presumptive_result_and_closes_its_follow_up(
    sud: SimpleNamespace,
) -> None:
    test = _collect(sud, "C-4", positive=("opiates",))
    assert TestFollowUp.objects.get().status == "open"
    data = (HEADER + _lab_line(sud, test, "morphine", "negative")).encode()
    done = lab_file_import(actor=sud.clinician, program=sud.program, data=data)
    assert done.added == 1
    assert done.participants == [sud.participant]
    opiates = next(s for s in read_test(test).reading.substances if s.substance == "opiates")
    assert opiates.reading == "negative"
    assert [r.method for r in opiates.history] == ["confirmatory", "presumptive"]
    assert DrugTestResult.objects.filter(substance="opiates").count() == 2  # nothing overwritten
    follow_up = TestFollowUp.objects.get()
    assert follow_up.status == "withdrawn"
    assert "Closed by a later result" in follow_up.closing_note
    # The same file again changes nothing.
    again = lab_file_import(actor=sud.clinician, program=sud.program, data=data)
    assert again.added == 0
    assert DrugTestResult.objects.count() == 5


def test_a_lab_file_with_one_bad_row_is_refused_whole_naming_each_bad_row(
    sud: SimpleNamespace, login: Login
) -> None:
    test = _collect(sud, "C-5")
    before = DrugTestResult.objects.count()
    text = (
        HEADER
        + _lab_line(sud, test, "cocaine", "negative")
        + _lab_line(sud, test, "fentanyl", "pos")
        + _lab_line(sud, test, "opiates", "negative").replace("C-5", "C-999")
    )
    client = login(sud.clinician)
    url = reverse("substance_use:lab_import", args=[sud.program.public_id])
    response = client.post(url, {"file": SimpleUploadedFile("lab.csv", text.encode())})
    assert response.status_code == 200
    body = response.content.decode()
    assert "row 3" in body
    assert "row 4" in body
    assert DrugTestResult.objects.count() == before


def test_results_are_part2_records(sud: SimpleNamespace, login: Login) -> None:
    test = _collect(sud, "C-6", positive=("cocaine",))
    url = reverse("substance_use:tests", args=[sud.participant.public_id, sud.episode.public_id])
    page = login(sud.clinician).get(url).content.decode()
    assert "positive: cocaine" in page
    assert login(sud.intake).get(url).status_code == 403
    assert login(sud.billing).get(url).status_code == 403
    assert login(sud.outsider_clinician).get(url).status_code == 404
    # Billing's chart says a test was done, never its result.
    chart = reverse("participants:chart", args=[sud.participant.public_id]) + "?panel=medications"
    billing = login(sud.billing).get(chart).content.decode()
    assert "1 test recorded" in billing
    assert "cocaine" not in billing
    assert test.custody_id not in billing
    clinician = login(sud.clinician).get(chart).content.decode()
    assert "positive: cocaine" in clinician


def test_a_program_that_does_not_treat_substance_use_has_no_testing(
    world: SimpleNamespace, login: Login
) -> None:
    url = reverse(
        "substance_use:tests", args=[world.participant.public_id, world.episode.public_id]
    )
    assert login(world.clinician).get(url).status_code == 404
    with pytest.raises(ValidationError):
        lab_file_import(actor=world.intake, program=world.program, data=HEADER.encode())
