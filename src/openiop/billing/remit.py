"""ANSI X12 835 (005010X221A1) remittance: parsed with pyx12, reconciled with our claims.

The file is first validated against pyx12's 835 map and refused whole when pyx12 reports an
error (imports are all-or-nothing). It is then read with pyx12's context reader, which hands
over each claim payment loop (2100) as a tree: the claim (CLP), its claim-level adjustments
(CAS) and remarks (MOA/MIA), and its service lines (2110: SVC, dates, CAS, LQ remarks, the
line control number we sent in REF*6R).

Adjustments carry the claim adjustment group (CO contractual, PR patient responsibility, OA
other, PI payer initiated) and the claim adjustment reason code (CARC); remarks are remittance
advice remark codes (RARC). Only the codes are kept: their wording is maintained by X12 and
CMS, and a screen can link to the published lists.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from openiop.billing.x12 import validate

ZERO = Decimal("0")


class RemitError(ValueError):
    """An 835 file that cannot be imported; `problems` says every reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


class AdjustmentGroup(StrEnum):
    CONTRACTUAL = "CO"
    PATIENT = "PR"
    OTHER = "OA"
    PAYER_INITIATED = "PI"
    CORRECTION = "CR"  # correction and reversal (still sent by some payers)

    @property
    def label(self) -> str:
        return {
            "CO": "contractual obligation",
            "PR": "patient responsibility",
            "OA": "other adjustment",
            "PI": "payer-initiated reduction",
            "CR": "correction or reversal",
        }[self.value]


@dataclass(frozen=True)
class Adjustment:
    group: AdjustmentGroup
    reason: str  # CARC
    amount: Decimal
    quantity: Decimal | None = None

    def __str__(self) -> str:
        return f"{self.group.value}-{self.reason} {self.amount}"


class ClaimStatus(StrEnum):
    """CLP02, the payer's status for the claim."""

    PRIMARY = "1"
    SECONDARY = "2"
    TERTIARY = "3"
    DENIED = "4"
    PENDED = "13"
    RECEIVED = "15"
    NOT_OUR_CLAIM = "16"
    PRIMARY_FORWARDED = "19"
    SECONDARY_FORWARDED = "20"
    TERTIARY_FORWARDED = "21"
    REVERSAL = "22"
    PREDETERMINATION = "25"


@dataclass(frozen=True)
class RemitLine:
    procedure: str  # HCPCS/CPT from SVC01
    modifiers: tuple[str, ...]
    revenue_code: str  # SVC04
    charge: Decimal
    paid: Decimal
    units: Decimal
    service_date: date | None
    adjustments: tuple[Adjustment, ...]
    remarks: tuple[str, ...]  # RARC (LQ*HE)
    line_control_number: str

    @property
    def allowed(self) -> Decimal:
        """What the payer allowed: the charge less every adjustment but the patient's share."""
        return self.charge - sum(
            (a.amount for a in self.adjustments if a.group is not AdjustmentGroup.PATIENT), ZERO
        )

    @property
    def denied(self) -> bool:
        """Nothing allowed: a deductible or co-pay that leaves the payer paying 0 is not a
        denial, a reason code that writes off the whole charge is."""
        return self.charge > 0 and self.paid == 0 and self.allowed <= 0


@dataclass(frozen=True)
class RemitClaim:
    control_number: str  # CLP01: the claim control number we submitted
    status: ClaimStatus | str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal  # CLP05
    payer_claim_number: str  # CLP07
    adjustments: tuple[Adjustment, ...]  # claim level
    remarks: tuple[str, ...]  # RARC at claim level (MOA/MIA)
    lines: tuple[RemitLine, ...]
    statement_from: date | None
    statement_to: date | None

    @property
    def reversal(self) -> bool:
        return self.status == ClaimStatus.REVERSAL

    @property
    def denied(self) -> bool:
        if self.reversal or self.charge <= 0 or self.paid != 0:
            return False
        if self.status == ClaimStatus.DENIED:
            return True
        allowed = self.charge - sum(
            (a.amount for a in self.all_adjustments if a.group is not AdjustmentGroup.PATIENT),
            ZERO,
        )
        return allowed <= 0

    @property
    def all_adjustments(self) -> tuple[Adjustment, ...]:
        return self.adjustments + tuple(a for line in self.lines for a in line.adjustments)

    @property
    def all_remarks(self) -> tuple[str, ...]:
        seen: dict[str, None] = dict.fromkeys(self.remarks)
        for line in self.lines:
            seen.update(dict.fromkeys(line.remarks))
        return tuple(seen)

    def balancing_problem(self) -> str | None:
        """The 835 balancing rule: charge - adjustments = paid."""
        adjusted = sum((a.amount for a in self.all_adjustments), ZERO)
        if self.charge - adjusted != self.paid:
            return (
                f"claim {self.control_number}: charge {self.charge} less adjustments "
                f"{adjusted} does not equal the payment {self.paid}"
            )
        return None


@dataclass(frozen=True)
class ProviderAdjustment:
    """PLB: money taken back or added outside any claim (interest, recoupment, ...)."""

    reason: str
    reference: str
    amount: Decimal


@dataclass(frozen=True)
class Remittance:
    payer_name: str
    payer_id: str  # REF*2U, or the N1 id, when the payer sends one
    payee_name: str
    payee_npi: str
    trace_number: str  # TRN02: the check or EFT number
    payment_method: str  # BPR04: ACH, CHK, NON, ...
    total_paid: Decimal  # BPR02
    payment_date: date | None  # BPR16
    production_date: date | None  # DTM*405
    claims: tuple[RemitClaim, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...]

    def balancing_problems(self) -> list[str]:
        problems = [p for c in self.claims if (p := c.balancing_problem()) is not None]
        claims_paid = sum((c.paid for c in self.claims), ZERO)
        plb = sum((a.amount for a in self.provider_adjustments), ZERO)
        if claims_paid - plb != self.total_paid:
            problems.append(
                f"payment {self.trace_number}: claims paid {claims_paid} less provider "
                f"adjustments {plb} does not equal the total paid {self.total_paid}"
            )
        return problems


# --- parsing -------------------------------------------------------------------------------


def _decimal(value: str | None) -> Decimal:
    if not value:
        return ZERO
    try:
        return Decimal(value)
    except InvalidOperation:
        raise RemitError([f"{value!r} is not an amount"]) from None


def _date(value: str | None) -> date | None:
    if not value:
        return None
    # A calendar date: parsed as datetime.strptime would, without a naive datetime between.
    return date(*time.strptime(value, "%Y%m%d")[:3])


def _value(node: Any, path: str) -> str:
    return str(node.get_value(path) or "")


def _adjustments(node: Any) -> tuple[Adjustment, ...]:
    """CAS segments directly under `node`: a group and up to six reason/amount/quantity."""
    result = []
    for cas in node.select("CAS"):
        group = _value(cas, "CAS01")
        for first in (2, 5, 8, 11, 14, 17):
            reason = _value(cas, f"CAS{first:02d}")
            if not reason:
                continue
            quantity = _value(cas, f"CAS{first + 2:02d}")
            result.append(
                Adjustment(
                    group=AdjustmentGroup(group),
                    reason=reason,
                    amount=_decimal(_value(cas, f"CAS{first + 1:02d}")),
                    quantity=_decimal(quantity) if quantity else None,
                )
            )
    return tuple(result)


def _claim_remarks(claim: Any) -> tuple[str, ...]:
    codes = []
    # Remark codes sit in MOA03-07 (outpatient) and MIA05, MIA20-23 (inpatient).
    for seg, first, last in (("MOA", 3, 7), ("MIA", 5, 5), ("MIA", 20, 23)):
        for node in claim.select(seg):
            for i in range(first, last + 1):
                code = _value(node, f"{seg}{i:02d}")
                if code:
                    codes.append(code)
    return tuple(dict.fromkeys(codes))


def _line(svc: Any) -> RemitLine:
    procedure = _value(svc, "SVC01-2")
    modifiers = tuple(m for i in range(3, 7) if (m := _value(svc, f"SVC01-{i}")))
    service_date = None
    for dtm in svc.select("DTM"):
        if _value(dtm, "DTM01") in ("472", "150"):
            service_date = _date(_value(dtm, "DTM02"))
            break
    remarks = tuple(_value(lq, "LQ02") for lq in svc.select("LQ") if _value(lq, "LQ01") == "HE")
    units = _value(svc, "SVC05")
    return RemitLine(
        procedure=procedure,
        modifiers=modifiers,
        revenue_code=_value(svc, "SVC04"),
        charge=_decimal(_value(svc, "SVC02")),
        paid=_decimal(_value(svc, "SVC03")),
        units=_decimal(units) if units else Decimal("1"),
        service_date=service_date,
        adjustments=_adjustments(svc),
        remarks=remarks,
        line_control_number=_value(svc, "REF[6R]02"),
    )


def _status(code: str) -> ClaimStatus | str:
    try:
        return ClaimStatus(code)
    except ValueError:
        return code  # a status this version of the guide does not list: kept as sent


def _claim(loop: Any) -> RemitClaim:
    status = _value(loop, "CLP02")
    statement: dict[str, date | None] = {}
    for dtm in loop.select("DTM"):
        statement[_value(dtm, "DTM01")] = _date(_value(dtm, "DTM02"))
    return RemitClaim(
        control_number=_value(loop, "CLP01"),
        status=_status(status),
        charge=_decimal(_value(loop, "CLP03")),
        paid=_decimal(_value(loop, "CLP04")),
        patient_responsibility=_decimal(_value(loop, "CLP05")),
        payer_claim_number=_value(loop, "CLP07"),
        adjustments=_adjustments(loop),
        remarks=_claim_remarks(loop),
        lines=tuple(_line(svc) for svc in loop.select("2110")),
        statement_from=statement.get("232"),
        statement_to=statement.get("233"),
    )


class _Builder:
    """Collects one transaction (ST..SE) from the reader's stream of segments and loops."""

    def __init__(self) -> None:
        self.header: dict[str, str] = {}
        self.dates: dict[str, date | None] = {}
        self.claims: list[RemitClaim] = []
        self.plb: list[ProviderAdjustment] = []
        self.party = ""

    def segment(self, seg_id: str, node: Any) -> None:
        if seg_id == "BPR":
            self.header["total"] = _value(node, "BPR02")
            self.header["method"] = _value(node, "BPR04")
            self.dates["payment"] = _date(_value(node, "BPR16"))
        elif seg_id == "TRN":
            self.header["trace"] = _value(node, "TRN02")
        elif seg_id == "DTM" and _value(node, "DTM01") == "405":
            self.dates["production"] = _date(_value(node, "DTM02"))
        elif seg_id == "N1":
            self.party = _value(node, "N101")
            if self.party == "PR":
                self.header["payer_name"] = _value(node, "N102")
                self.header.setdefault("payer_id", _value(node, "N104"))
            elif self.party == "PE":
                self.header["payee_name"] = _value(node, "N102")
                if _value(node, "N103") == "XX":
                    self.header["payee_npi"] = _value(node, "N104")
        elif seg_id == "REF" and self.party == "PR" and _value(node, "REF01") == "2U":
            self.header["payer_id"] = _value(node, "REF02")
        elif seg_id == "PLB":
            for first in (3, 5, 7, 9, 11, 13):
                code = _value(node, f"PLB{first:02d}-1")
                if code:
                    self.plb.append(
                        ProviderAdjustment(
                            reason=code,
                            reference=_value(node, f"PLB{first:02d}-2"),
                            amount=_decimal(_value(node, f"PLB{first + 1:02d}")),
                        )
                    )

    def build(self) -> Remittance:
        h = self.header
        return Remittance(
            payer_name=h.get("payer_name", ""),
            payer_id=h.get("payer_id", ""),
            payee_name=h.get("payee_name", ""),
            payee_npi=h.get("payee_npi", ""),
            trace_number=h.get("trace", ""),
            payment_method=h.get("method", ""),
            total_paid=_decimal(h.get("total")),
            payment_date=self.dates.get("payment"),
            production_date=self.dates.get("production"),
            claims=tuple(self.claims),
            provider_adjustments=tuple(self.plb),
        )


def _read(text: str) -> Iterator[Remittance]:
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12context

    reader = pyx12.x12context.X12ContextReader(
        pyx12.params.params(), pyx12.error_handler.errh_null(), io.StringIO(text)
    )
    builder: _Builder | None = None
    for node in reader.iter_segments("2100"):
        if node.id == "2100":
            if builder is None:
                raise RemitError(["a claim payment appears outside a transaction"])
            builder.claims.append(_claim(node))
        elif node.id == "ST":
            builder = _Builder()
        elif node.id == "SE" and builder is not None:
            yield builder.build()
            builder = None
        elif builder is not None and node.id is not None:
            builder.segment(node.id, node)


def parse_835(text: str, *, check_balancing: bool = True) -> list[Remittance]:
    """Every payment (transaction) in an 835 file. Refuses the whole file, with every reason,
    when it is not a valid 005010X221A1 remittance or, with `check_balancing`, when its amounts
    do not add up."""
    if "005010X221A1" not in text[:400]:
        raise RemitError(["not an 835 remittance (005010X221A1)"])
    result = validate(text)
    if not result.valid:
        raise RemitError(result.errors or ("pyx12 refused the file",))
    try:
        remittances = list(_read(text))
    except (ValueError, KeyError) as exc:
        raise RemitError([str(exc)]) from None
    if check_balancing:
        problems = [p for r in remittances for p in r.balancing_problems()]
        if problems:
            raise RemitError(problems)
    return remittances


# --- reconciliation ------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmittedClaim:
    """What we sent: enough to reconcile without the claim's content."""

    control_number: str
    charge: Decimal


class Outcome(StrEnum):
    AWAITING = "awaiting"  # no remittance yet
    PAID = "paid"  # paid, nothing denied (adjustments and patient share may remain)
    PARTLY_DENIED = "partly_denied"  # paid, some lines denied
    DENIED = "denied"
    REVERSED = "reversed"  # the payer took its payment back and nothing replaced it
    PENDED = "pended"


@dataclass(frozen=True)
class ClaimReconciliation:
    """One submitted claim against every remittance that names it.

    `adjusted` is what the payer's contract writes off (CO, PI, OA) on paid lines;
    `denied` is the charge of denied lines (to correct and resubmit, or appeal);
    `patient_responsibility` is the patient's share (PR); `balance` is what is still to be
    collected on the claim: charge - paid - adjusted (the patient's share plus what was
    denied). Reason and remark codes are listed for every adjustment and denial."""

    control_number: str
    outcome: Outcome
    charge: Decimal
    paid: Decimal
    adjusted: Decimal
    denied: Decimal
    patient_responsibility: Decimal
    balance: Decimal
    reasons: tuple[str, ...]  # "CO-50", "PR-3": group and CARC
    remarks: tuple[str, ...]  # RARC
    payer_claim_numbers: tuple[str, ...]
    problems: tuple[str, ...]  # e.g. the payer's charge differs from ours


@dataclass(frozen=True)
class Reconciliation:
    claims: tuple[ClaimReconciliation, ...]
    unmatched: tuple[RemitClaim, ...]  # remittance claims that name no claim of ours

    @property
    def total_paid(self) -> Decimal:
        return sum((c.paid for c in self.claims), ZERO)

    @property
    def total_balance(self) -> Decimal:
        return sum((c.balance for c in self.claims), ZERO)


def _split(remit: RemitClaim) -> tuple[Decimal, Decimal, Decimal]:
    """(adjusted, denied, patient share) of one remittance claim. The payer's write-offs on a
    denied claim or line count as denied, not as adjusted: the clinic may still appeal them."""
    adjusted = denied = patient = ZERO

    def add(adjustments: Sequence[Adjustment], is_denied: bool) -> None:
        nonlocal adjusted, denied, patient
        for adj in adjustments:
            if adj.group is AdjustmentGroup.PATIENT:
                patient += adj.amount
            elif is_denied:
                denied += adj.amount
            else:
                adjusted += adj.amount

    add(remit.adjustments, remit.denied)
    for line in remit.lines:
        add(line.adjustments, line.denied or remit.denied)
    if remit.denied and denied == 0:
        denied = remit.charge - patient
    return adjusted, denied, patient


def reconcile(
    submitted: Sequence[SubmittedClaim], remittances: Sequence[Remittance]
) -> Reconciliation:
    """Match remittance claims to ours by claim control number and total each claim: a
    reversal (CLP02 22, negative amounts) and its correction both count, in file order."""
    by_number: dict[str, list[RemitClaim]] = {}
    ours = {c.control_number for c in submitted}
    unmatched = []
    for remittance in remittances:
        for remit in remittance.claims:
            if remit.control_number in ours:
                by_number.setdefault(remit.control_number, []).append(remit)
            else:
                unmatched.append(remit)
    return Reconciliation(
        claims=tuple(_reconcile_one(c, by_number.get(c.control_number, [])) for c in submitted),
        unmatched=tuple(unmatched),
    )


def _reconcile_one(claim: SubmittedClaim, remits: Sequence[RemitClaim]) -> ClaimReconciliation:
    if not remits:
        return ClaimReconciliation(
            control_number=claim.control_number,
            outcome=Outcome.AWAITING,
            charge=claim.charge,
            paid=ZERO,
            adjusted=ZERO,
            denied=ZERO,
            patient_responsibility=ZERO,
            balance=claim.charge,
            reasons=(),
            remarks=(),
            payer_claim_numbers=(),
            problems=(),
        )
    paid = adjusted = denied = patient = ZERO
    reasons: dict[str, None] = {}
    remarks: dict[str, None] = {}
    problems = []
    for remit in remits:
        # A reversal (CLP02 22) carries negative amounts: summing undoes the adjudication it
        # cancels, payment and adjustments alike.
        a, d, p = _split(remit)
        adjusted, denied, patient = adjusted + a, denied + d, patient + p
        paid += remit.paid
        for adj in remit.all_adjustments:
            reasons[f"{adj.group.value}-{adj.reason}"] = None
        remarks.update(dict.fromkeys(remit.all_remarks))
        if not remit.reversal and remit.charge != claim.charge:
            problems.append(
                f"the payer's charge {remit.charge} differs from the submitted {claim.charge}"
            )
    last = remits[-1]
    if last.reversal:
        outcome = Outcome.REVERSED
        denied = ZERO
    elif last.status == ClaimStatus.PENDED:
        outcome = Outcome.PENDED
    elif last.denied:
        outcome = Outcome.DENIED
    elif denied > 0:
        outcome = Outcome.PARTLY_DENIED
    else:
        outcome = Outcome.PAID
    return ClaimReconciliation(
        control_number=claim.control_number,
        outcome=outcome,
        charge=claim.charge,
        paid=paid,
        adjusted=adjusted,
        denied=denied,
        patient_responsibility=patient,
        balance=claim.charge - paid - adjusted,
        reasons=tuple(reasons),
        remarks=tuple(remarks),
        payer_claim_numbers=tuple(dict.fromkeys(r.payer_claim_number for r in remits)),
        problems=tuple(problems),
    )
