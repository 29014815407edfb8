"""Synthetic facts and rules for the billing core's tests: no real person, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from openiop.billing.dayrules import (
    Authorization,
    BillingCode,
    DayRule,
    MedicareRule,
    NoteFact,
    NoteRequirement,
    SessionAttended,
)
from openiop.billing.payers import TREATMENT_CATEGORIES
from openiop.billing.x12 import (
    Address,
    Batch,
    BillingProvider,
    Claim,
    ClaimPayer,
    Clinician,
    Person,
    Receiver,
    ServiceLine,
    Sex,
    Submitter,
    Subscriber,
    npi_check_digit,
)

MONDAY = date(2026, 1, 5)  # weeks in these tests start on this Monday


def day(offset: int) -> date:
    return MONDAY + timedelta(days=offset)


def rule(**overrides: object) -> DayRule:
    """A commercial H0015-style rule: 3 h a day, 3 days a week, one signed note a day."""
    values: dict[str, object] = {
        "code": BillingCode("0906", "H0015"),
        "counted_categories": TREATMENT_CATEGORIES,
        "min_hours_per_day": Decimal("3"),
        "min_days_per_week": None,
        "note_requirement": NoteRequirement.NONE,
        "units_per_day": 1,
        "requires_authorization": False,
    }
    values.update(overrides)
    return DayRule(**values)


def medicare(**overrides: object) -> MedicareRule:
    values: dict[str, object] = {
        "qualifying_categories": TREATMENT_CATEGORIES,
        "min_services_per_day": 3,
        "high_tier_min_services": 4,
        "min_certified_weekly_hours": Decimal("9"),
        "recertify_within_days": 60,
    }
    values.update(overrides)
    return MedicareRule(**values)


_counter = iter(range(1_000_000))


def session(
    when: date,
    minutes: int = 180,
    *,
    category: str = "process_group",
    label: str = "Process group",
    break_minutes: int = 0,
    counts: bool = True,
) -> SessionAttended:
    return SessionAttended(
        session_id=f"s{next(_counter)}",
        day=when,
        category=category,
        label=label,
        minutes=minutes,
        break_minutes=break_minutes,
        counts_toward_hours=counts,
    )


def signed(s: SessionAttended, *, credentialed: bool = True) -> NoteFact:
    return NoteFact(day=s.day, session_id=s.session_id, signed=True, credentialed=credentialed)


def draft(s: SessionAttended) -> NoteFact:
    return NoteFact(day=s.day, session_id=s.session_id, signed=False, credentialed=True)


def auth(number: str, start: date, end: date, units: int, **kw: object) -> Authorization:
    return Authorization(number=number, start=start, end=end, approved_units=units, **kw)


# --- claims --------------------------------------------------------------------------------


def npi(first_nine: str) -> str:
    """A synthetic NPI that passes the check digit (Luhn with the 80840 prefix)."""
    return first_nine + npi_check_digit(first_nine)


CLINIC_NPI = npi("199999990")
ATTENDING = Clinician("Rivera", "Morgan", npi("199999991"), taxonomy="2084P0800X")
THERAPIST = Clinician("Okafor", "Sam", npi("199999992"))
HOME = Address("12 Synthetic Way", "Springfield", "IL", "62701")


def person(last: str, first: str, born: date, sex: Sex = Sex.FEMALE) -> Person:
    return Person(last_name=last, first_name=first, birth_date=born, sex=sex, address=HOME)


def subscriber(member_id: str, who: Person, **kw: object) -> Subscriber:
    return Subscriber(person=who, member_id=member_id, **kw)


def lines(
    code: BillingCode, *offsets: int, charge: str = "250.00", prefix: str = "L"
) -> tuple[ServiceLine, ...]:
    return tuple(
        ServiceLine(
            code=code,
            service_date=day(n),
            units=1,
            charge=Decimal(charge),
            line_control_number=f"{prefix}{n}",
        )
        for n in offsets
    )


def claim(
    number: str, sub: Subscriber, service_lines: tuple[ServiceLine, ...], **kw: object
) -> Claim:
    values: dict[str, object] = {
        "control_number": number,
        "subscriber": sub,
        "bill_type": "131",
        "patient_status": "30",
        "diagnoses": ("F33.1",),
        "attending": ATTENDING,
        "lines": service_lines,
    }
    values.update(kw)
    return Claim(**values)


def batch(claims: tuple[Claim, ...], **kw: object) -> Batch:
    values: dict[str, object] = {
        "submitter": Submitter(
            "Lakeside Behavioral Health", "LBH0001", "Billing Office", "2175550100"
        ),
        "receiver": Receiver("Example Clearinghouse", "EXCH01"),
        "billing_provider": BillingProvider(
            "Lakeside Behavioral Health",
            CLINIC_NPI,
            "990000001",
            Address("100 Main St", "Springfield", "IL", "627011234"),
            taxonomy="261QM0801X",
        ),
        "payer": ClaimPayer("Example Health Plan", "EXHP1", "CI"),
        "claims": claims,
        "interchange_control_number": 17,
        "group_control_number": 17,
        "reference": "B-2026-01-17",
        "created_at": datetime(2026, 1, 20, 9, 30, tzinfo=UTC),
    }
    values.update(kw)
    return Batch(**values)


S9480 = BillingCode("0905", "S9480")
H0015 = BillingCode("0906", "H0015")
