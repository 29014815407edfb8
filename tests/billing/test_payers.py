"""Payers as configuration: the examples differ the way real payers do, and a payer that
cannot work is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openiop.billing.authorizations import WarningPolicy
from openiop.billing.dayrules import (
    Certification,
    NoteRequirement,
    ParticipantFacts,
    decide_days,
)
from openiop.billing.payers import ClaimFormat, FilingIndicator, Payer, ProgramKind, example_payers
from tests.billing.builders import auth, day, rule, session, signed

POLICY = WarningPolicy(days_left_threshold=3, review_due_within_days=2, review_cadence_days=7)


def payer(**overrides: object) -> Payer:
    values: dict[str, object] = {
        "name": "Plan",
        "payer_id": "P1",
        "claim_format": ClaimFormat.X12_837I,
        "filing_indicator": FilingIndicator.COMMERCIAL,
        "rules": {ProgramKind.PSYCHIATRIC: rule()},
        "warnings": POLICY,
    }
    values.update(overrides)
    return Payer(**values)


def test_the_same_week_bills_differently_under_each_example_payer() -> None:
    commercial, state, medicare = example_payers()
    # Mon: one 3 h group with its note; Wed: two 90 min groups, one documented; Fri: four
    # one-hour groups, all documented.
    monday = [session(day(0), 180)]
    wednesday = [session(day(2), 90), session(day(2), 90)]
    friday = [session(day(4), 60) for _ in range(4)]
    sessions = monday + wednesday + friday
    notes = [signed(s) for s in sessions if s is not wednesday[1]]
    facts = ParticipantFacts(
        enrolled_from=day(-7),
        enrolled_until=None,
        sessions=tuple(sessions),
        notes=tuple(notes),
        authorizations=(auth("A1", day(-7), day(30), 20),),
        certifications=(Certification(day(-7), "Dr Example", Decimal("9"), initial=True),),
    )

    def billable(p: Payer) -> list[bool]:
        r = p.rule_for(ProgramKind.SUBSTANCE_USE)
        return [d.billable for d in decide_days(r, facts, start=day(0), end=day(6))]

    assert billable(commercial) == [True, True, True]  # one signed note a day, 3 h a day
    assert billable(state) == [True, False, True]  # every session documented
    assert billable(medicare) == [False, False, True]  # 3 qualifying services a day


def test_example_rules_differ_by_program_kind() -> None:
    commercial, _, _ = example_payers()
    psychiatric = commercial.rule_for(ProgramKind.PSYCHIATRIC)
    substance = commercial.rule_for(ProgramKind.SUBSTANCE_USE)
    assert str(psychiatric.code) == "0905/S9480"
    assert str(substance.code) == "0906/H0015"
    assert psychiatric.min_days_per_week is None
    assert substance.min_days_per_week == 3
    assert substance.note_requirement is NoteRequirement.DAY


def test_a_payer_without_a_rule_for_the_program_says_so() -> None:
    _, state, _ = example_payers()
    with pytest.raises(LookupError, match="no billing rule for psychiatric programs"):
        state.rule_for(ProgramKind.PSYCHIATRIC)


def test_a_payers_rules_cannot_be_changed_behind_its_back() -> None:
    rules = {ProgramKind.PSYCHIATRIC: rule()}
    p = payer(rules=rules)
    rules[ProgramKind.SUBSTANCE_USE] = rule()
    assert list(p.rules) == [ProgramKind.PSYCHIATRIC]
    with pytest.raises(TypeError):
        p.rules[ProgramKind.SUBSTANCE_USE] = rule()  # type: ignore[index]


@pytest.mark.parametrize(
    "overrides", [{"name": " "}, {"payer_id": ""}, {"rules": {}}, {"bill_type": "13"}]
)
def test_a_payer_that_cannot_work_is_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"needs a name|day rule|bill type is three digits"):
        payer(**overrides)


def test_medicare_example_marks_iop_claims() -> None:
    _, _, medicare = example_payers()
    assert medicare.condition_codes == ("92",)
    assert medicare.filing_indicator is FilingIndicator.MEDICARE_PART_A
    r = medicare.rule_for(ProgramKind.PSYCHIATRIC)
    assert r.medicare is not None
    assert r.medicare.recertify_within_days == 60
