"""The demo clinic's billing: two payers with different day rules, coverage and diagnoses for
everyone in treatment, authorizations in every state, a past review, and last week's claims
with one denied on the 835 (issue 18, "Done when")."""

from __future__ import annotations

import pytest

from openiop.billing import icd10
from openiop.billing.authorizations import WarningKind
from openiop.billing.models import (
    Claim,
    ClaimOutcome,
    Coverage,
    Diagnosis,
    PayerRule,
    RemittanceImport,
    Review,
    ReviewOutcome,
)
from openiop.billing.selectors import billing_for_episodes
from openiop.demo.billing import DIAGNOSES
from openiop.demo.synthetic import DemoSummary
from openiop.participants.models import IN_TREATMENT_STATUSES, Episode
from tests.demo.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_two_payers_whose_day_rules_differ(demo: DemoSummary) -> None:
    rules = list(PayerRule.objects.filter(payer__organization=demo.organization))
    assert len({r.payer_id for r in rules}) == 2
    assert len({(r.min_days_per_week, r.note_requirement) for r in rules}) == 2


def test_everyone_in_treatment_is_covered_and_diagnosed(demo: DemoSummary) -> None:
    episodes = Episode.objects.filter(
        program=demo.program, status__in=IN_TREATMENT_STATUSES, admitted_on__isnull=False
    ).exclude(primary_clinician__isnull=True)
    assert episodes.exists()
    for episode in episodes:
        assert Coverage.objects.filter(participant=episode.participant).exists()
        assert Diagnosis.objects.filter(episode=episode, is_primary=True).exists()


def test_the_demo_diagnoses_are_billable_codes_of_the_release() -> None:
    for code, description in DIAGNOSES:
        check = icd10.check(code)
        assert check.valid, check.message
        assert check.description == description


def test_authorizations_in_every_state_and_a_past_review(demo: DemoSummary) -> None:
    episodes = list(
        Episode.objects.filter(program=demo.program, status__in=IN_TREATMENT_STATUSES)
        .exclude(admitted_on__isnull=True)
        .select_related("program")
    )
    kinds = {w.kind for r in billing_for_episodes(episodes, today=TODAY) for w in r.warnings}
    assert {WarningKind.EXPIRED, WarningKind.REVIEW_DUE} <= kinds
    assert kinds & {WarningKind.DAYS_LEFT, WarningKind.USED_UP}
    assert Review.objects.filter(outcome=ReviewOutcome.APPROVED).exists()


def test_a_week_of_claims_with_one_denied(demo: DemoSummary) -> None:
    claims = list(Claim.objects.filter(organization=demo.organization))
    assert len(claims) >= 2
    assert [c.outcome for c in claims].count(ClaimOutcome.DENIED) == 1
    assert all(c.outcome == ClaimOutcome.PAID for c in claims if c.outcome != "denied")
    assert RemittanceImport.objects.filter(organization=demo.organization).count() == 1
