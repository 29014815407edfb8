"""The demo clinic's plans: a signed plan for every active participant, reviews with a second
version, one review overdue, the portal participant's new version waiting for their signature,
and relapse prevention plans with suggestions waiting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from openiop.care.models import (
    PlanReview,
    PlanStatus,
    ProposalStatus,
    RelapsePlanProposal,
    RelapsePreventionPlan,
    TreatmentPlan,
)
from openiop.care.selectors import plan_state
from openiop.care.services import plan_gaps, plan_hash_intact
from openiop.demo import care as care_demo
from openiop.demo import synthetic
from openiop.demo.synthetic import DemoSummary, build_demo
from openiop.participants.models import Episode, EpisodeStatus

TODAY = date(2026, 3, 16)


COUNTED: dict[str, int] = {}


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker) -> Iterator[DemoSummary]:
    """The demo built once for the module (rolled back after), counting the care builder's
    queries on the way."""
    original = care_demo.build

    def measured(**kwargs: Any) -> int:
        with CaptureQueriesContext(connection) as ctx:
            result = original(**kwargs)
        COUNTED["queries"] = len(ctx.captured_queries)
        return result

    synthetic.care_demo.build = measured
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            yield build_demo(today=TODAY, seed=7)
            transaction.set_rollback(True)
    finally:
        synthetic.care_demo.build = original


@pytest.fixture
def demo(demo_once: DemoSummary, db) -> DemoSummary:
    return demo_once


def test_every_active_participant_has_a_signed_intact_plan(demo: DemoSummary) -> None:
    active = Episode.objects.filter(program=demo.program, status=EpisodeStatus.ACTIVE)
    current = TreatmentPlan.objects.filter(episode__in=active, status=PlanStatus.CURRENT)
    assert current.count() == active.count()
    for plan in TreatmentPlan.objects.prefetch_related(
        "problems__goals__objectives__interventions"
    ):
        assert plan_hash_intact(plan), plan.pk
        assert plan_gaps(plan) == []
    kinds = set(
        TreatmentPlan.objects.filter(status=PlanStatus.CURRENT).values_list(
            "problems__goals__objectives__measure_kind", flat=True
        )
    )
    assert kinds == {"score", "attendance", "diary", "behaviour"}


def test_reviews_made_second_versions_and_one_review_is_overdue(demo: DemoSummary) -> None:
    assert PlanReview.objects.count() >= 3
    assert TreatmentPlan.objects.filter(status=PlanStatus.SUPERSEDED).exists()
    review = PlanReview.objects.exclude(pulled={}).first()
    assert review is not None
    assert "attendance" in review.pulled
    assert review.items.exists()
    states = [
        plan_state(p, TODAY)
        for p in TreatmentPlan.objects.filter(status=PlanStatus.CURRENT)
        if not PlanReview.objects.filter(plan=p).exists()
    ]
    assert "overdue" in states


def test_the_portal_participant_has_a_plan_waiting_for_their_signature(demo: DemoSummary) -> None:
    draft = TreatmentPlan.objects.get(
        participant__user__email="participant@example.org", status=PlanStatus.DRAFT
    )
    assert draft.clinician_signed_at is not None
    assert draft.participant_signed_at is None
    assert TreatmentPlan.objects.filter(
        participant__user__email="participant@example.org", status=PlanStatus.CURRENT
    ).exists()


def test_relapse_plans_for_most_with_suggestions_waiting(demo: DemoSummary) -> None:
    active = Episode.objects.filter(program=demo.program, status=EpisodeStatus.ACTIVE).count()
    assert RelapsePreventionPlan.objects.count() >= active // 2
    assert RelapsePlanProposal.objects.filter(status=ProposalStatus.PENDING).exists()


def test_the_care_builder_is_quick(demo: DemoSummary) -> None:
    # Reported to the demo's query budget (tests/demo): measured at 150 on SQLite, 2026-11-23.
    assert 0 < COUNTED["queries"] < 250, COUNTED
