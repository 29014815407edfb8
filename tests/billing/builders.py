"""Synthetic facts and rules for the billing core's tests: no real person, no database."""

from __future__ import annotations

from datetime import date, timedelta
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
    return DayRule(**values)  # type: ignore[arg-type]


def medicare(**overrides: object) -> MedicareRule:
    values: dict[str, object] = {
        "qualifying_categories": TREATMENT_CATEGORIES,
        "min_services_per_day": 3,
        "high_tier_min_services": 4,
        "min_certified_weekly_hours": Decimal("9"),
        "recertify_within_days": 60,
    }
    values.update(overrides)
    return MedicareRule(**values)  # type: ignore[arg-type]


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
    return Authorization(number=number, start=start, end=end, approved_units=units, **kw)  # type: ignore[arg-type]
