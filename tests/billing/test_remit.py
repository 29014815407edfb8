"""835 remittance: parsed through pyx12, refused whole when wrong, reconciled with the claims
we sent. The files in data/ are synthetic remittances written for these tests: one with a
payment and a denial (CARC CO-50, RARC N386 and N115), one with a deductible, a partly denied
claim, a reversal and its correction, a claim that is not ours, provider-level interest and a
second, zero-pay transaction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from openiop.billing.remit import (
    Adjustment,
    AdjustmentGroup,
    ClaimReconciliation,
    ClaimStatus,
    Outcome,
    Reconciliation,
    RemitClaim,
    RemitError,
    Remittance,
    SubmittedClaim,
    parse_835,
    reconcile,
)
from openiop.billing.x12 import write_837i
from tests.billing.builders import batch
from tests.billing.test_x12 import several

DATA = Path(__file__).parent / "data"


def read(name: str) -> str:
    return (DATA / name).read_text()


def submitted() -> list[SubmittedClaim]:
    """What the 837I batch of tests/billing/test_x12.py sent, plus one more claim."""
    return [SubmittedClaim(c.control_number, c.total_charge) for c in several()] + [
        SubmittedClaim("OI-0005", Decimal("250"))
    ]


def by_number(found: Reconciliation) -> dict[str, ClaimReconciliation]:
    return {c.control_number: c for c in found.claims}


# --- parsing ---------------------------------------------------------------------------------


def test_the_payment_header_is_read() -> None:
    (remittance,) = parse_835(read("remit_denial.835"))
    assert remittance.payer_name == "EXAMPLE HEALTH PLAN"
    assert remittance.payer_id == "EXHP1"
    assert remittance.payee_name == "LAKESIDE BEHAVIORAL HEALTH"
    assert remittance.payee_npi == "1999999901"
    assert remittance.trace_number == "EFT20260122001"
    assert remittance.payment_method == "ACH"
    assert remittance.total_paid == Decimal("560")
    assert remittance.payment_date == date(2026, 1, 22)
    assert remittance.production_date == date(2026, 1, 20)


def test_a_paid_claim_with_its_lines_adjustments_and_dates() -> None:
    (remittance,) = parse_835(read("remit_denial.835"))
    paid = remittance.claims[0]
    assert paid.control_number == "OI-0001"
    assert paid.status is ClaimStatus.PRIMARY
    assert (paid.charge, paid.paid, paid.patient_responsibility) == (
        Decimal("750"),
        Decimal("560"),
        Decimal("40"),
    )
    assert paid.payer_claim_number == "EXHP0000001"
    assert (paid.statement_from, paid.statement_to) == (date(2026, 1, 5), date(2026, 1, 9))
    assert not paid.denied
    assert [line.line_control_number for line in paid.lines] == ["L0", "L2", "L4"]
    first = paid.lines[0]
    assert (first.procedure, first.revenue_code, first.units) == ("S9480", "0905", Decimal("1"))
    assert first.service_date == date(2026, 1, 5)
    assert first.adjustments == (
        Adjustment(AdjustmentGroup.CONTRACTUAL, "45", Decimal("30")),
        Adjustment(AdjustmentGroup.PATIENT, "3", Decimal("20")),
    )
    assert [line.paid for line in paid.lines] == [Decimal("200"), Decimal("200"), Decimal("160")]


def test_a_denied_claim_with_its_reason_and_remark_codes() -> None:
    (remittance,) = parse_835(read("remit_denial.835"))
    denied = remittance.claims[1]
    assert denied.status is ClaimStatus.DENIED
    assert denied.denied
    assert denied.paid == 0
    assert denied.remarks == ("N386",)  # claim level (MOA)
    assert [line.remarks for line in denied.lines] == [("N115",), ("N115",)]  # LQ*HE
    assert all(line.denied for line in denied.lines)
    assert {str(a) for a in denied.all_adjustments} == {"CO-50 250"}
    assert denied.all_remarks == ("N386", "N115")


def test_a_file_with_two_payments_gives_two_remittances() -> None:
    first, second = parse_835(read("remit_corrections.835"))
    assert [c.control_number for c in first.claims] == [
        "OI-0003",
        "OI-0004",
        "OI-0001",
        "OI-0001",
        "ZZ-9999",
    ]
    assert first.provider_adjustments[0].reason == "L6"
    assert first.provider_adjustments[0].amount == Decimal("-5.25")
    assert first.total_paid == Decimal("795.25")
    assert second.payment_method == "NON"
    assert second.claims[0].status is ClaimStatus.DENIED
    assert second.claims[0].remarks == ("MA130",)


def test_a_deductible_that_leaves_a_line_unpaid_is_not_a_denial() -> None:
    first, _ = parse_835(read("remit_corrections.835"))
    line = first.claims[0].lines[0]
    assert line.paid == 0
    assert line.allowed == Decimal("100")
    assert not line.denied
    assert first.claims[0].lines[1].allowed == Decimal("150")


def test_modifiers_on_a_service_line_are_kept() -> None:
    text = read("remit_denial.835").replace("SVC*HC:S9480*250*200", "SVC*HC:S9480:HF*250*200", 1)
    (remittance,) = parse_835(text)
    assert remittance.claims[0].lines[0].modifiers == ("HF",)


# --- refusals --------------------------------------------------------------------------------


def test_a_file_whose_amounts_do_not_add_up_is_refused_whole() -> None:
    text = read("remit_denial.835").replace("BPR*I*560*", "BPR*I*565*", 1)
    with pytest.raises(RemitError) as caught:
        parse_835(text)
    assert caught.value.problems == (
        "payment EFT20260122001: claims paid 560 less provider adjustments 0 does not equal "
        "the total paid 565",
    )
    (lenient,) = parse_835(text, check_balancing=False)
    assert lenient.total_paid == Decimal("565")


def test_a_claim_that_does_not_balance_is_named() -> None:
    text = read("remit_denial.835").replace("CAS*CO*45*90~", "CAS*CO*45*80~", 1)
    with pytest.raises(RemitError) as caught:
        parse_835(text)
    assert caught.value.problems == (
        "claim OI-0001: charge 750 less adjustments 180 does not equal the payment 560",
    )


def test_a_damaged_file_is_refused_with_what_pyx12_found() -> None:
    text = read("remit_denial.835").replace("DTM*472*20260105", "DTM*472*20261305", 1)
    with pytest.raises(RemitError) as caught:
        parse_835(text)
    assert any("invalid date" in p for p in caught.value.problems)


def test_a_claim_file_is_not_a_remittance() -> None:
    with pytest.raises(RemitError, match="not an 835 remittance"):
        parse_835(write_837i(batch(several())))
    with pytest.raises(RemitError):
        parse_835("hello")


# --- reconciliation ---------------------------------------------------------------------------


def test_a_paid_claim_and_a_denied_claim_reconcile() -> None:
    result = reconcile(submitted(), parse_835(read("remit_denial.835")))
    claims = by_number(result)
    paid = claims["OI-0001"]
    assert paid.outcome is Outcome.PAID
    assert (paid.paid, paid.adjusted, paid.patient_responsibility, paid.denied, paid.balance) == (
        Decimal("560"),
        Decimal("150"),
        Decimal("40"),
        Decimal("0"),
        Decimal("40"),
    )
    assert paid.reasons == ("CO-45", "PR-3")
    denied = claims["OI-0002"]
    assert denied.outcome is Outcome.DENIED
    assert (denied.paid, denied.adjusted, denied.denied, denied.balance) == (
        Decimal("0"),
        Decimal("0"),
        Decimal("500"),
        Decimal("500"),
    )
    assert denied.reasons == ("CO-50",)
    assert denied.remarks == ("N386", "N115")
    assert claims["OI-0003"].outcome is Outcome.AWAITING
    assert claims["OI-0003"].balance == Decimal("722")
    assert result.unmatched == ()
    assert result.total_paid == Decimal("560")


def test_reversal_correction_deductible_partial_denial_and_strangers_reconcile() -> None:
    remittances = parse_835(read("remit_denial.835")) + parse_835(read("remit_corrections.835"))
    result = reconcile(submitted(), remittances)
    claims = by_number(result)

    corrected = claims["OI-0001"]  # paid 560, taken back, paid 600 on the corrected claim
    assert corrected.outcome is Outcome.PAID
    assert (corrected.paid, corrected.adjusted, corrected.patient_responsibility) == (
        Decimal("600"),
        Decimal("110"),
        Decimal("40"),
    )
    assert corrected.balance == Decimal("40")
    assert corrected.payer_claim_numbers == ("EXHP0000001", "EXHP0000011")

    deductible = claims["OI-0003"]
    assert deductible.outcome is Outcome.PAID
    assert (deductible.paid, deductible.adjusted, deductible.denied) == (
        Decimal("400"),
        Decimal("172"),
        Decimal("0"),
    )
    assert deductible.patient_responsibility == Decimal("150")
    assert deductible.balance == Decimal("150")

    partial = claims["OI-0004"]
    assert partial.outcome is Outcome.PARTLY_DENIED
    assert (partial.paid, partial.denied, partial.balance) == (
        Decimal("250"),
        Decimal("250"),
        Decimal("250"),
    )
    assert partial.remarks == ("N115",)

    whole_claim = claims["OI-0005"]  # denied at claim level, no lines
    assert whole_claim.outcome is Outcome.DENIED
    assert whole_claim.denied == Decimal("250")
    assert whole_claim.reasons == ("CO-29",)
    assert whole_claim.remarks == ("MA130",)

    assert [c.control_number for c in result.unmatched] == ["ZZ-9999"]
    assert result.total_paid == Decimal("1250")


def remit_claim(number: str, status: str, charge: str, paid: str, **kw: object) -> RemitClaim:
    values: dict[str, object] = {
        "control_number": number,
        "status": ClaimStatus(status),
        "charge": Decimal(charge),
        "paid": Decimal(paid),
        "patient_responsibility": Decimal("0"),
        "payer_claim_number": "P1",
        "adjustments": (),
        "remarks": (),
        "lines": (),
        "statement_from": None,
        "statement_to": None,
    }
    values.update(kw)
    return RemitClaim(**values)


def remittance(*claims: RemitClaim) -> Remittance:
    return Remittance(
        payer_name="P",
        payer_id="P",
        payee_name="C",
        payee_npi="",
        trace_number="T",
        payment_method="ACH",
        total_paid=sum((c.paid for c in claims), Decimal("0")),
        payment_date=None,
        production_date=None,
        claims=claims,
        provider_adjustments=(),
    )


def test_a_reversal_with_nothing_after_it_leaves_the_claim_open() -> None:
    co = AdjustmentGroup.CONTRACTUAL
    original = remit_claim(
        "A1", "1", "300", "250", adjustments=(Adjustment(co, "45", Decimal("50")),)
    )
    reversal = remit_claim(
        "A1", "22", "-300", "-250", adjustments=(Adjustment(co, "45", Decimal("-50")),)
    )
    result = reconcile(
        [SubmittedClaim("A1", Decimal("300"))], [remittance(original), remittance(reversal)]
    )
    (claim,) = result.claims
    assert claim.outcome is Outcome.REVERSED
    assert (claim.paid, claim.adjusted, claim.balance) == (
        Decimal("0"),
        Decimal("0"),
        Decimal("300"),
    )


def test_a_pended_claim_and_a_charge_that_differs_from_ours() -> None:
    pended = remit_claim("A2", "13", "300", "0")
    result = reconcile([SubmittedClaim("A2", Decimal("280"))], [remittance(pended)])
    (claim,) = result.claims
    assert claim.outcome is Outcome.PENDED
    assert claim.problems == ("the payer's charge 300 differs from the submitted 280",)


def test_inpatient_remarks_are_read_too() -> None:
    text = read("remit_denial.835").replace("MOA***N386~", "MIA*0****N386" + "*" * 15 + "M80~")
    (remittance,) = parse_835(text)
    assert remittance.claims[1].remarks == ("N386", "M80")
