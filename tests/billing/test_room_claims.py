"""Claims from billable days: an 837I batch for several participants that pyx12 accepts, an
835 imported and reconciled (one claim paid, one denied), and the CSV export; no claim and no
export carries a note's text."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse

from openiop.audit.models import AccessAction, AccessLog
from openiop.billing import x12
from openiop.billing.claims import claim_candidates
from openiop.billing.models import Claim, ClaimBatch
from tests.billing.room import (
    another_claimant,
    attend,
    claim_ready,
    draft_note,
    remittance_835,
    sign,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(billed: SimpleNamespace) -> SimpleNamespace:
    """Two participants of the program covered by the payer, each with two billable days
    and one day that is not (2 h only)."""
    w = billed
    second = another_claimant(w, "Robin", "Secondclaim")
    for episode in (w.episode, second):
        claim_ready(w, episode)
        for offset, minutes in ((0, 180), (1, 200), (2, 120)):
            s = attend(w, w.start + timedelta(days=offset), minutes, episode=episode)
            sign(draft_note(s, w.clinician), w.clinician)
    w.second = second
    w.period = {
        "program": str(w.program.public_id),
        "payer": str(w.payer.public_id),
        "start": w.start.isoformat(),
        "end": (w.start + timedelta(days=6)).isoformat(),
    }
    return w


def test_a_batch_for_several_participants_is_a_valid_837i_without_note_text(
    two: SimpleNamespace, login
) -> None:
    w = two
    client = login(w.billing)
    page = client.get(reverse("billing:claims"), w.period)
    assert page.status_code == 200
    assert "Secondclaim" in page.content.decode()
    response = client.post(reverse("billing:batch_create"), w.period)
    assert response.status_code == 302
    batch = ClaimBatch.objects.get()
    claims = list(batch.claims.order_by("control_number"))
    assert len(claims) == 2
    assert all(len(c.lines) == 2 for c in claims)  # the 2-hour day is not claimed
    assert {line["hcpcs"] for c in claims for line in c.lines} == {"S9480"}
    assert claims[0].charge == 700
    result = x12.validate(batch.x12)
    assert result.valid, result.errors
    assert "NOTE-BODY-SECRET" not in batch.x12
    assert "F331" in batch.x12  # the principal diagnosis, without its dot

    download = client.get(reverse("billing:batch_837i", args=[batch.public_id]))
    assert download.status_code == 200
    assert download.content.decode() == batch.x12
    assert str(batch.public_id) in download["Content-Disposition"]
    assert (
        AccessLog.objects.filter(
            actor=w.billing, action=AccessAction.EXPORT, object_type="billing.837i"
        ).count()
        == 2
    )

    # Claimed days are not offered again.
    assert claim_candidates(w.program, w.payer, w.start, w.start + timedelta(days=6)) == []


def test_an_835_is_imported_and_reconciled(two: SimpleNamespace, login) -> None:
    w = two
    client = login(w.billing)
    client.post(reverse("billing:batch_create"), w.period)
    first, second = Claim.objects.order_by("control_number")
    text = remittance_835(
        (first.control_number, first.charge), (second.control_number, second.charge)
    )
    upload = io.BytesIO(text.encode())
    upload.name = "remit.835"
    response = client.post(reverse("billing:remittance_new"), {"payer": w.payer.pk, "file": upload})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.outcome, first.paid, first.adjusted, first.balance) == ("paid", 630, 70, 0)
    assert (second.outcome, second.paid, second.denied) == ("denied", 0, 700)
    assert second.reasons == ["CO-50"]
    assert second.remarks == ["N115"]
    assert second.balance == 700
    page = client.get(reverse("billing:batch", args=[first.batch.public_id])).content.decode()
    assert "CO-50" in page

    broken = io.BytesIO(text.replace("CLP*", "CLX*", 1).encode())
    broken.name = "broken.835"
    refused = client.post(reverse("billing:remittance_new"), {"payer": w.payer.pk, "file": broken})
    assert refused.status_code == 400


def test_the_csv_export_has_every_day_with_its_reason_and_claim(
    two: SimpleNamespace, login
) -> None:
    w = two
    client = login(w.billing)
    client.post(reverse("billing:batch_create"), w.period)
    response = client.get(reverse("billing:export_csv"), w.period)
    assert response.status_code == 200
    body = response.content.decode()
    assert "NOTE-BODY-SECRET" not in body
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 6
    short = [r for r in rows if r["billable"] == "no"]
    assert len(short) == 2
    assert all(r["reasons"] == "2 h attended, below 3 h" for r in short)
    assert all(r["claim"] for r in rows if r["billable"] == "yes")
    assert (
        AccessLog.objects.filter(action=AccessAction.EXPORT, object_type="billing.csv").count() == 2
    )


def test_a_claim_waits_for_its_diagnosis_and_npi(billed: SimpleNamespace, login) -> None:
    w = billed
    s = attend(w, w.start, 180)
    sign(draft_note(s, w.clinician), w.clinician)
    [candidate] = claim_candidates(w.program, w.payer, w.start, w.start + timedelta(days=6))
    assert "no diagnosis on the episode" in candidate.problems
    assert "the primary clinician has no NPI on record" in candidate.problems
