"""The demo clinic's discharged participants: kinds, change log, summaries and follow-ups,
built quickly and the same way every time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from openiop.demo.synthetic import DemoSummary, build_demo
from openiop.discharge import demo as discharge_demo
from openiop.discharge.models import (
    ChangeKind,
    DischargeSummary,
    EpisodeChange,
    FollowUp,
    FollowUpStatus,
    SummaryStatus,
)
from openiop.measures.models import Phase, Response
from openiop.participants.models import Episode, EpisodeStatus

TODAY = date(2026, 3, 16)
QUERY_BUDGET = 150  # measured 112 on SQLite
measured: dict[str, int] = {}


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoSummary]:
    original = discharge_demo.build

    def counted(**kw: Any) -> int:
        with CaptureQueriesContext(connection) as queries:
            made = original(**kw)
        measured["queries"] = len(queries)
        return made

    discharge_demo.build = counted  # type: ignore[assignment]
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            yield build_demo(today=TODAY, seed=7)
            transaction.set_rollback(True)
    finally:
        discharge_demo.build = original  # type: ignore[assignment]


@pytest.fixture
def built(demo: DemoSummary, db: None) -> DemoSummary:
    return demo


def test_the_discharge_demo_stays_within_its_query_budget(built):
    assert 0 < measured["queries"] <= QUERY_BUDGET


def test_discharged_episodes_have_kinds_and_summaries(built):
    episodes = Episode.objects.filter(status=EpisodeStatus.DISCHARGED)
    assert episodes.exists()
    assert not episodes.filter(discharge_kind="").exists()
    summaries = DischargeSummary.objects.all()
    assert summaries.count() == episodes.count()
    signed = summaries.filter(status=SummaryStatus.SIGNED)
    assert signed.exists() and summaries.filter(status=SummaryStatus.DRAFT).count() == 2
    assert all(s.is_intact for s in signed)
    assert all(s.course_of_treatment for s in signed)


def test_the_change_log_has_holds_extensions_and_discharges(built):
    kinds = set(EpisodeChange.objects.values_list("kind", flat=True))
    assert {ChangeKind.HOLD, ChangeKind.RESUME, ChangeKind.EXTENSION} <= kinds
    assert ChangeKind.STEP_UP in kinds


def test_followups_have_answers_and_open_ones(built):
    statuses = set(FollowUp.objects.values_list("status", flat=True))
    assert FollowUpStatus.COMPLETED in statuses
    assert FollowUpStatus.PENDING in statuses
    assert Response.objects.filter(administration__phase=Phase.FOLLOWUP).exists()
    assert Response.objects.filter(administration__phase=Phase.DISCHARGE).exists()
