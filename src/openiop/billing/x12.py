"""ANSI X12 837I (005010X223A2): institutional claims for a batch, one payer at a time.

pyx12 validates and parses X12 but does not build it from data (its only writer converts its
own XML form back to X12), so the segments are written here by a small writer and pyx12 is the
judge: the tests run every file through its 005010X223A2 map (`validate`).

The interchange holds one functional group with one transaction: billing provider (2000A), then
per subscriber (2000B) the subscriber and payer, and either the subscriber's own claims or, when
the patient is someone else on the policy, a patient level (2000C) with theirs. Each claim
(2300) carries its statement period, bill type, diagnoses (principal first), attending and
rendering clinicians, the prior authorization, and one service line (2400) per date of service.

An 837I has no per-line diagnosis pointer (that is the 837P's SV107): the principal diagnosis
(HI ABK) is the one the claim is for, the others (HI ABF) follow in the order given.

Claims carry codes, dates, amounts and identifiers, never a note's text: nothing here accepts
free text beyond names and addresses.
"""

from __future__ import annotations

import io
import json
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from openiop.billing.dayrules import BillingCode

VERSION = "005010X223A2"

ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
SEGMENT = "~"
_DELIMITERS = re.compile(r"[*:^~]")


class ClaimError(ValueError):
    """A batch that cannot become a valid claim file; `problems` says every reason."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


# --- identifiers ---------------------------------------------------------------------------


def _luhn_sum(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total


def npi_check_digit(first_nine: str) -> str:
    """The NPI's tenth digit: Luhn over the nine digits prefixed with 80840 (the health
    industry prefix, ISO 7812)."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("An NPI's check digit is computed from its first nine digits.")
    return str((10 - _luhn_sum("80840" + first_nine) % 10) % 10)


def npi_is_valid(npi: str) -> bool:
    return len(npi) == 10 and npi.isdigit() and npi_check_digit(npi[:9]) == npi[9]


def _icd10_plain(code: str) -> str:
    return code.replace(".", "").strip().upper()


_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z]{1,5}$")
_STATES = re.compile(r"^[A-Z]{2}$")
_ZIP = re.compile(r"^\d{5}(\d{4})?$")


# --- the batch -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    state: str
    postal_code: str  # five or nine digits
    line2: str = ""


@dataclass(frozen=True)
class Submitter:
    name: str
    identifier: str  # the submitter id the clearinghouse or payer assigned (ETIN)
    contact_name: str
    contact_phone: str  # ten digits


@dataclass(frozen=True)
class Receiver:
    name: str
    identifier: str


@dataclass(frozen=True)
class BillingProvider:
    name: str
    npi: str
    tax_id: str  # employer identification number, nine digits
    address: Address  # the 837I wants a nine-digit ZIP code here
    taxonomy: str = ""  # e.g. 261QM0801X community mental health center


@dataclass(frozen=True)
class ClaimPayer:
    name: str
    payer_id: str
    filing_indicator: str  # SBR09, e.g. CI commercial, MA Medicare Part A, MC Medicaid


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


@dataclass(frozen=True)
class Person:
    last_name: str
    first_name: str
    birth_date: date
    sex: Sex
    address: Address
    middle_name: str = ""


class Relationship(StrEnum):
    """The patient's relationship to the subscriber (PAT01); SELF has no patient level."""

    SELF = "18"
    SPOUSE = "01"
    CHILD = "19"
    OTHER = "G8"


class Responsibility(StrEnum):
    PRIMARY = "P"
    SECONDARY = "S"
    TERTIARY = "T"


@dataclass(frozen=True)
class Subscriber:
    person: Person
    member_id: str
    responsibility: Responsibility = Responsibility.PRIMARY
    group_number: str = ""
    group_name: str = ""


@dataclass(frozen=True)
class Clinician:
    last_name: str
    first_name: str
    npi: str
    taxonomy: str = ""


@dataclass(frozen=True)
class ServiceLine:
    code: BillingCode
    service_date: date
    units: int
    charge: Decimal
    line_control_number: str = ""  # echoed on the 835 (REF*6R) to match lines


@dataclass(frozen=True)
class Claim:
    control_number: str  # CLM01, our claim's id: the 835 returns it (CLP01) to reconcile
    subscriber: Subscriber
    bill_type: str  # three digits: facility type (two) and frequency (one), e.g. 131
    patient_status: str  # CL103, e.g. 30 still a patient, 01 discharged home
    diagnoses: tuple[str, ...]  # ICD-10-CM, principal first
    attending: Clinician
    lines: tuple[ServiceLine, ...]
    patient: Person | None = None  # None: the subscriber is the patient
    relationship: Relationship = Relationship.SELF
    rendering: Clinician | None = None
    prior_authorization: str = ""
    medical_record_number: str = ""
    condition_codes: tuple[str, ...] = ()
    reason_for_visit: tuple[str, ...] = ()  # HI APR, for unscheduled outpatient visits

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0"))

    @property
    def statement_from(self) -> date:
        return min(line.service_date for line in self.lines)

    @property
    def statement_to(self) -> date:
        return max(line.service_date for line in self.lines)


@dataclass(frozen=True)
class Batch:
    submitter: Submitter
    receiver: Receiver
    billing_provider: BillingProvider
    payer: ClaimPayer
    claims: tuple[Claim, ...]
    interchange_control_number: int
    group_control_number: int
    reference: str  # BHT03: the batch's own id
    created_at: datetime  # aware; its wall-clock date and time go on the envelope
    production: bool = False  # ISA15: T (test) until the payer has approved the feed
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"


# --- checks --------------------------------------------------------------------------------


def _check_address(where: str, address: Address, nine_digit_zip: bool = False) -> list[str]:
    problems = []
    if not address.line1.strip() or not address.city.strip():
        problems.append(f"{where}: street and city are required")
    if not _STATES.match(address.state):
        problems.append(f"{where}: state {address.state!r} is not a two-letter code")
    if not _ZIP.match(address.postal_code):
        problems.append(f"{where}: ZIP code {address.postal_code!r} is not 5 or 9 digits")
    elif nine_digit_zip and len(address.postal_code) != 9:
        problems.append(f"{where}: the billing provider's ZIP code needs all nine digits")
    return problems


def _check_clinician(where: str, clinician: Clinician) -> list[str]:
    if not npi_is_valid(clinician.npi):
        return [f"{where} {clinician.last_name}: NPI {clinician.npi!r} is not a valid NPI"]
    return []


def _check_claim(claim: Claim) -> list[str]:
    where = f"claim {claim.control_number}"
    problems = []
    if not 1 <= len(claim.control_number) <= 20 or _DELIMITERS.search(claim.control_number):
        problems.append(f"{where}: the control number must be 1 to 20 plain characters")
    if not re.fullmatch(r"\d{3}", claim.bill_type):
        problems.append(f"{where}: bill type {claim.bill_type!r} is not three digits")
    if not re.fullmatch(r"\d{2}", claim.patient_status):
        problems.append(f"{where}: patient status {claim.patient_status!r} is not two digits")
    if not claim.lines:
        problems.append(f"{where}: a claim needs at least one service line")
    if len(claim.lines) > 999:
        problems.append(f"{where}: at most 999 service lines")
    for line in claim.lines:
        if line.units < 1:
            problems.append(f"{where}, {line.service_date}: units must be at least 1")
        if line.charge <= 0:
            problems.append(f"{where}, {line.service_date}: the charge must be positive")
    if not claim.diagnoses:
        problems.append(f"{where}: a principal diagnosis is required")
    if len(claim.diagnoses) > 25:
        problems.append(f"{where}: at most 25 diagnoses (the principal and 24 others)")
    for code in (*claim.diagnoses, *claim.reason_for_visit):
        if not _ICD10.match(_icd10_plain(code)):
            problems.append(f"{where}: {code!r} is not an ICD-10-CM code")
    if len(claim.reason_for_visit) > 3:
        problems.append(f"{where}: at most three reasons for visit")
    if len(claim.condition_codes) > 24:
        problems.append(f"{where}: at most 24 condition codes")
    if (claim.patient is None) != (claim.relationship is Relationship.SELF):
        problems.append(f"{where}: give the patient exactly when the patient is not the subscriber")
    problems += _check_clinician(f"{where}: attending", claim.attending)
    if claim.rendering is not None:
        problems += _check_clinician(f"{where}: rendering", claim.rendering)
    if not claim.subscriber.member_id.strip():
        problems.append(f"{where}: the subscriber's member id is required")
    problems += _check_address(f"{where}: subscriber", claim.subscriber.person.address)
    if claim.patient is not None:
        problems += _check_address(f"{where}: patient", claim.patient.address)
    return problems


def check_batch(batch: Batch) -> list[str]:
    """Every reason the batch cannot be written, in plain words (empty: it can)."""
    problems: list[str] = []
    provider = batch.billing_provider
    if not npi_is_valid(provider.npi):
        problems.append(f"billing provider: NPI {provider.npi!r} is not a valid NPI")
    if not re.fullmatch(r"\d{9}", provider.tax_id):
        problems.append("billing provider: the tax id must be nine digits")
    problems += _check_address("billing provider", provider.address, nine_digit_zip=True)
    if not re.fullmatch(r"\d{10}", batch.submitter.contact_phone):
        problems.append("submitter: the contact phone must be ten digits")
    for party, ident in (
        ("submitter", batch.submitter.identifier),
        ("receiver", batch.receiver.identifier),
    ):
        if not 2 <= len(ident) <= 15 or _DELIMITERS.search(ident):
            problems.append(f"{party}: the identifier must be 2 to 15 plain characters")
    if not batch.payer.payer_id.strip():
        problems.append("payer: the payer id is required")
    if not 1 <= batch.interchange_control_number <= 999_999_999:
        problems.append("the interchange control number must be 1 to 999999999")
    if not 1 <= batch.group_control_number <= 999_999_999:
        problems.append("the group control number must be 1 to 999999999")
    if batch.created_at.tzinfo is None:
        problems.append("the batch's creation time must be an aware datetime")
    if not batch.claims:
        problems.append("a batch needs at least one claim")
    numbers = [c.control_number for c in batch.claims]
    if len(set(numbers)) != len(numbers):
        problems.append("claim control numbers repeat within the batch")
    for claim in batch.claims:
        problems += _check_claim(claim)
    return problems


# --- writing -------------------------------------------------------------------------------


def _text(value: str, max_len: int) -> str:
    """A name or address as X12 can carry it: plain ASCII, no delimiters, upper case."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    plain = _DELIMITERS.sub(" ", plain)
    plain = re.sub(r"[^A-Za-z0-9 !&'()+,\-./;?=%@\[\]_{}\\|<>#$\"]", "", plain)
    return " ".join(plain.split()).upper()[:max_len].strip()


def _amount(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _d8(day: date) -> str:
    return day.strftime("%Y%m%d")


class _Writer:
    def __init__(self) -> None:
        self.segments: list[str] = []

    def seg(self, *elements: str) -> None:
        parts = list(elements)
        while parts and parts[-1] == "":
            parts.pop()
        self.segments.append(ELEMENT.join(parts))

    def composite(self, *components: str) -> str:
        parts = list(components)
        while parts and parts[-1] == "":
            parts.pop()
        return COMPONENT.join(parts)


def _person_name(w: _Writer, qualifier: str, person: Person, id_qualifier: str, ident: str) -> None:
    w.seg(
        "NM1",
        qualifier,
        "1",
        _text(person.last_name, 60),
        _text(person.first_name, 35),
        _text(person.middle_name, 25),
        "",
        "",
        id_qualifier,
        ident,
    )


def _address(w: _Writer, address: Address) -> None:
    w.seg("N3", _text(address.line1, 55), _text(address.line2, 55))
    w.seg("N4", _text(address.city, 30), address.state, address.postal_code)


def _clinician(w: _Writer, qualifier: str, clinician: Clinician, specialty: str = "") -> None:
    w.seg(
        "NM1",
        qualifier,
        "1",
        _text(clinician.last_name, 60),
        _text(clinician.first_name, 35),
        "",
        "",
        "",
        "XX",
        clinician.npi,
    )
    if specialty and clinician.taxonomy:
        w.seg("PRV", specialty, "PXC", clinician.taxonomy)


def _diagnoses(w: _Writer, claim: Claim) -> None:
    codes = [_icd10_plain(c) for c in claim.diagnoses]
    w.seg("HI", w.composite("ABK", codes[0]))
    if claim.reason_for_visit:
        w.seg("HI", *(w.composite("APR", _icd10_plain(c)) for c in claim.reason_for_visit))
    others = codes[1:]
    for start in range(0, len(others), 12):
        w.seg("HI", *(w.composite("ABF", c) for c in others[start : start + 12]))
    conditions = list(claim.condition_codes)
    for start in range(0, len(conditions), 12):
        w.seg("HI", *(w.composite("BG", c) for c in conditions[start : start + 12]))


def _claim(w: _Writer, claim: Claim) -> None:
    w.seg(
        "CLM",
        claim.control_number,
        _amount(claim.total_charge),
        "",
        "",
        w.composite(claim.bill_type[:2], "A", claim.bill_type[2]),
        "",
        "A",  # provider accepts assignment
        "Y",  # benefits assigned
        "Y",  # release of information on file
    )
    w.seg("DTP", "434", "RD8", f"{_d8(claim.statement_from)}-{_d8(claim.statement_to)}")
    w.seg("CL1", "", "", claim.patient_status)
    if claim.prior_authorization:
        w.seg("REF", "G1", _text(claim.prior_authorization, 50))
    if claim.medical_record_number:
        w.seg("REF", "EA", _text(claim.medical_record_number, 50))
    _diagnoses(w, claim)
    _clinician(w, "71", claim.attending, specialty="AT")
    if claim.rendering is not None and claim.rendering.npi != claim.attending.npi:
        _clinician(w, "82", claim.rendering)
    for number, line in enumerate(sorted(claim.lines, key=lambda x: x.service_date), start=1):
        w.seg("LX", str(number))
        w.seg(
            "SV2",
            line.code.revenue_code,
            w.composite("HC", line.code.hcpcs, *line.code.modifiers),
            _amount(line.charge),
            "UN",
            str(line.units),
        )
        w.seg("DTP", "472", "D8", _d8(line.service_date))
        if line.line_control_number:
            w.seg("REF", "6R", _text(line.line_control_number, 50))


def _subscriber_key(claim: Claim) -> tuple[str, str]:
    return (claim.subscriber.member_id, claim.subscriber.responsibility)


def _transaction(w: _Writer, batch: Batch) -> None:
    provider = batch.billing_provider
    w.seg("ST", "837", "0001", VERSION)
    w.seg(
        "BHT",
        "0019",
        "00",
        _text(batch.reference, 50),
        batch.created_at.strftime("%Y%m%d"),
        batch.created_at.strftime("%H%M"),
        "CH",
    )
    w.seg(
        "NM1",
        "41",
        "2",
        _text(batch.submitter.name, 60),
        "",
        "",
        "",
        "",
        "46",
        batch.submitter.identifier,
    )
    w.seg("PER", "IC", _text(batch.submitter.contact_name, 60), "TE", batch.submitter.contact_phone)
    w.seg(
        "NM1",
        "40",
        "2",
        _text(batch.receiver.name, 60),
        "",
        "",
        "",
        "",
        "46",
        batch.receiver.identifier,
    )
    w.seg("HL", "1", "", "20", "1")
    if provider.taxonomy:
        w.seg("PRV", "BI", "PXC", provider.taxonomy)
    w.seg("NM1", "85", "2", _text(provider.name, 60), "", "", "", "", "XX", provider.npi)
    _address(w, provider.address)
    w.seg("REF", "EI", provider.tax_id)

    hl = 1
    groups: dict[tuple[str, str], list[Claim]] = {}
    for claim in batch.claims:
        groups.setdefault(_subscriber_key(claim), []).append(claim)
    for claims in groups.values():
        subscriber = claims[0].subscriber
        own = [c for c in claims if c.patient is None]
        dependants: dict[tuple[str, str, date], list[Claim]] = {}
        for c in claims:
            if c.patient is not None:
                key = (c.patient.last_name, c.patient.first_name, c.patient.birth_date)
                dependants.setdefault(key, []).append(c)
        # Claims sit at the lowest level of the hierarchy: the subscriber's own claims under
        # a subscriber level with no children, a dependant's under a patient level, so a
        # subscriber with both appears twice.
        if own:
            hl += 1
            _subscriber(w, batch, subscriber, hl, patient_is_subscriber=True)
            for claim in own:
                _claim(w, claim)
        if dependants:
            hl += 1
            subscriber_hl = hl
            _subscriber(w, batch, subscriber, hl, patient_is_subscriber=False)
            for patient_claims in dependants.values():
                hl += 1
                patient = patient_claims[0].patient
                assert patient is not None
                w.seg("HL", str(hl), str(subscriber_hl), "23", "0")
                w.seg("PAT", patient_claims[0].relationship)
                _person_name(w, "QC", patient, "", "")
                _address(w, patient.address)
                w.seg("DMG", "D8", _d8(patient.birth_date), patient.sex)
                for claim in patient_claims:
                    _claim(w, claim)


def _subscriber(
    w: _Writer, batch: Batch, subscriber: Subscriber, hl: int, *, patient_is_subscriber: bool
) -> None:
    w.seg("HL", str(hl), "1", "22", "0" if patient_is_subscriber else "1")
    w.seg(
        "SBR",
        subscriber.responsibility,
        Relationship.SELF if patient_is_subscriber else "",
        _text(subscriber.group_number, 50),
        _text(subscriber.group_name, 60),
        "",
        "",
        "",
        "",
        batch.payer.filing_indicator,
    )
    _person_name(w, "IL", subscriber.person, "MI", _text(subscriber.member_id, 80))
    _address(w, subscriber.person.address)
    w.seg("DMG", "D8", _d8(subscriber.person.birth_date), subscriber.person.sex)
    w.seg(
        "NM1",
        "PR",
        "2",
        _text(batch.payer.name, 60),
        "",
        "",
        "",
        "",
        "PI",
        _text(batch.payer.payer_id, 80),
    )


def write_837i(batch: Batch, *, line_breaks: bool = True) -> str:
    """The batch as one 837I interchange. Raises ClaimError with every problem found."""
    problems = check_batch(batch)
    if problems:
        raise ClaimError(problems)
    created = batch.created_at
    w = _Writer()
    w.seg(
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        batch.sender_qualifier,
        batch.submitter.identifier.ljust(15),
        batch.receiver_qualifier,
        batch.receiver.identifier.ljust(15),
        created.strftime("%y%m%d"),
        created.strftime("%H%M"),
        REPETITION,
        "00501",
        f"{batch.interchange_control_number:09d}",
        "0",
        "P" if batch.production else "T",
        COMPONENT,
    )
    w.seg(
        "GS",
        "HC",
        batch.submitter.identifier,
        batch.receiver.identifier,
        created.strftime("%Y%m%d"),
        created.strftime("%H%M"),
        str(batch.group_control_number),
        "X",
        VERSION,
    )
    first = len(w.segments)
    _transaction(w, batch)
    count = len(w.segments) - first + 1
    w.seg("SE", str(count), "0001")
    w.seg("GE", "1", str(batch.group_control_number))
    w.seg("IEA", "1", f"{batch.interchange_control_number:09d}")
    end = SEGMENT + ("\n" if line_breaks else "")
    return end.join(w.segments) + end


# --- validation with pyx12 -----------------------------------------------------------------


@dataclass(frozen=True)
class ValidationResult:
    valid: bool
    errors: tuple[str, ...]


def _quiet_pyx12() -> None:
    """pyx12 also logs each error it finds, with the element's value (a name, a member id):
    the errors come back to the caller instead, and its log stays out of ours (no PHI in
    logs)."""
    logger = logging.getLogger("pyx12")
    logger.propagate = False
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())


_quiet_pyx12()


def validate(x12_text: str) -> ValidationResult:
    """Run an X12 interchange through pyx12's validator against its implementation-guide map
    (837I 005010X223A2, 835 005010X221A1, ...). `errors` lists what pyx12 reported."""
    import pyx12.params
    import pyx12.x12n_document

    _quiet_pyx12()

    report = io.StringIO()
    valid = pyx12.x12n_document.x12n_document(
        pyx12.params.params(), io.StringIO(x12_text), None, None, fd_json=report
    )
    raw = report.getvalue().strip()
    errors = _collect(json.loads(raw)) if raw else []
    return ValidationResult(valid=bool(valid) and not errors, errors=tuple(errors))


def _collect(doc: dict[str, Any]) -> list[str]:
    """pyx12's JSON error report (interchange > group > transaction > segment > element) as
    one line per error, each saying where."""
    out: list[str] = []

    def add(where: str, errors: Iterable[dict[str, Any]]) -> None:
        for e in errors:
            value = f" ({e['err_val']!r})" if e.get("err_val") else ""
            out.append(f"{where}: {e['err_cde']} {e['err_str']}{value}")

    for isa in doc.get("interchanges", []):
        add("ISA", isa.get("errors", []))
        for gs in isa.get("groups", []):
            add("GS", gs.get("errors", []))
            for st in gs.get("transactions", []):
                add("ST", st.get("errors", []))
                for seg in st.get("segments", []):
                    where = f"{seg['seg_id']} (line {seg['cur_line']})"
                    add(where, seg.get("errors", []))
                    for ele in seg.get("elements", []):
                        add(f"{where} {ele['name']}", ele.get("errors", []))
    return out
