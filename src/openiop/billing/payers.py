"""How a payer is configured: a plain data structure until the billing room stores it.

A payer has one `DayRule` per kind of program it pays for (psychiatric or substance use), its
warning thresholds, and what goes on its claims. Nothing in the engine is a constant: the
examples below are starting points taken from clinical.md §3 and §3a, each naming the fact it
rests on and how sure that fact is ([V] checked against the primary source, [?] not verified);
a program's billing lead checks them against the payer's contract before using them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from openiop.billing.authorizations import WarningPolicy
from openiop.billing.dayrules import (
    BillingCode,
    DayRule,
    MedicareRule,
    NoteRequirement,
)


class ProgramKind(StrEnum):
    PSYCHIATRIC = "psychiatric"
    SUBSTANCE_USE = "substance_use"


class ClaimFormat(StrEnum):
    X12_837I = "837I"  # institutional, 005010X223A2
    NONE = "none"  # the clinic bills elsewhere (CSV export)


class FilingIndicator(StrEnum):
    """Claim filing indicator on the subscriber (837I SBR09): who the payer is."""

    COMMERCIAL = "CI"
    BLUE_CROSS = "BL"
    HMO = "HM"
    MEDICARE_PART_A = "MA"
    MEDICAID = "MC"
    OTHER_FEDERAL = "OF"
    TRICARE = "CH"
    VETERANS = "VA"


@dataclass(frozen=True)
class Payer:
    name: str
    payer_id: str  # the payer's electronic id, as on its companion guide
    claim_format: ClaimFormat
    filing_indicator: FilingIndicator
    rules: Mapping[ProgramKind, DayRule]
    warnings: WarningPolicy
    review_contact: str = ""
    # Institutional bill type (UB-04 form locator 4, e.g. 131 hospital outpatient, 761 CMHC).
    bill_type: str = "131"
    condition_codes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.name.strip() or not self.payer_id.strip():
            raise ValueError("A payer needs a name and its payer id.")
        if not self.rules:
            raise ValueError(f"{self.name}: configure the day rule of at least one program kind.")
        if len(self.bill_type) != 3 or not self.bill_type.isdigit():
            raise ValueError(f"{self.name}: a bill type is three digits, e.g. 131.")
        object.__setattr__(self, "rules", MappingProxyType(dict(self.rules)))

    def rule_for(self, kind: ProgramKind) -> DayRule:
        try:
            return self.rules[kind]
        except KeyError:
            raise LookupError(
                f"{self.name} has no billing rule for {kind.value.replace('_', ' ')} programs."
            ) from None


# The program's session categories that are treatment (programs.models.SessionCategory);
# "other" is left out so that breaks, outings and recreation never count by accident.
TREATMENT_CATEGORIES = frozenset(
    {
        "skills_group",
        "process_group",
        "individual",
        "family",
        "psychoeducation",
        "expressive",
        "mindfulness",
    }
)


def example_payers() -> tuple[Payer, ...]:
    """Three payers whose rules differ the way clinical.md says real ones do."""
    # H0015: "≥ 3 hours a day on ≥ 3 days a week" [V]; 0906 with H0015 for SUD IOP [?];
    # 0905 with S9480 per diem on days with ≥ 3 h attended for psychiatric IOP [V]/[?].
    commercial = Payer(
        name="Example Health Plan (commercial)",
        payer_id="EXHP1",
        claim_format=ClaimFormat.X12_837I,
        filing_indicator=FilingIndicator.COMMERCIAL,
        rules={
            ProgramKind.PSYCHIATRIC: DayRule(
                code=BillingCode("0905", "S9480"),
                counted_categories=TREATMENT_CATEGORIES,
                min_hours_per_day=Decimal("3"),
                min_days_per_week=None,
                note_requirement=NoteRequirement.DAY,
                units_per_day=1,
                requires_authorization=True,
            ),
            ProgramKind.SUBSTANCE_USE: DayRule(
                code=BillingCode("0906", "H0015"),
                counted_categories=TREATMENT_CATEGORIES,
                min_hours_per_day=Decimal("3"),
                min_days_per_week=3,
                note_requirement=NoteRequirement.DAY,
                units_per_day=1,
                requires_authorization=True,
            ),
        },
        # Concurrent review every 5 to 7 (up to 14) days [V]: this plan reviews weekly.
        warnings=WarningPolicy(
            days_left_threshold=3, review_due_within_days=2, review_cadence_days=7
        ),
        review_contact="Utilization management, fax on the payer's companion guide",
    )
    # New York Medicaid IOS: a day only with ≥ 3 h attended that day [V]; one revenue-code
    # line and one unit per day attended (BCBS Nebraska) [V]. Every session documented.
    state = Payer(
        name="Example State Medicaid",
        payer_id="EXMCD",
        claim_format=ClaimFormat.X12_837I,
        filing_indicator=FilingIndicator.MEDICAID,
        rules={
            ProgramKind.SUBSTANCE_USE: DayRule(
                code=BillingCode("0906", "H0015"),
                counted_categories=TREATMENT_CATEGORIES,
                min_hours_per_day=Decimal("3"),
                min_days_per_week=None,
                note_requirement=NoteRequirement.EACH_SESSION,
                units_per_day=1,
                requires_authorization=True,
            ),
        },
        warnings=WarningPolicy(
            days_left_threshold=5, review_due_within_days=3, review_cadence_days=14
        ),
    )
    # Medicare IOP (since 2024, kept in CY2026): certified need ≥ 9 h/week, recertified at
    # least every other month, per-diem tiers of 3 and ≥ 4 qualifying services [V]; bill
    # types 13x hospital outpatient, 76x CMHC [V]. Condition code 92 marks an IOP claim [?].
    medicare = Payer(
        name="Medicare (example MAC)",
        payer_id="EXMAC",
        claim_format=ClaimFormat.X12_837I,
        filing_indicator=FilingIndicator.MEDICARE_PART_A,
        rules={
            kind: DayRule(
                code=BillingCode(revenue, "G0410"),
                counted_categories=TREATMENT_CATEGORIES,
                min_hours_per_day=None,
                min_days_per_week=None,
                note_requirement=NoteRequirement.EACH_SESSION,
                units_per_day=1,
                requires_authorization=False,
                medicare=MedicareRule(
                    qualifying_categories=TREATMENT_CATEGORIES,
                    min_services_per_day=3,
                    high_tier_min_services=4,
                    min_certified_weekly_hours=Decimal("9"),
                    recertify_within_days=60,
                ),
            )
            for kind, revenue in (
                (ProgramKind.PSYCHIATRIC, "0905"),
                (ProgramKind.SUBSTANCE_USE, "0906"),
            )
        },
        warnings=WarningPolicy(
            days_left_threshold=0,
            review_due_within_days=0,
            review_cadence_days=None,
            recertification_due_within_days=10,
        ),
        bill_type="131",
        condition_codes=("92",),
    )
    return commercial, state, medicare
