"""The demo clinic's discharged participants: kinds, change log, summaries and follow-ups,
built quickly and the same way every time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from openiop.demo import discharge as discharge_demo
from openiop.demo.synthetic import DemoSummary, build_demo
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
from openiop.scheduling.models import RosterEntry

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

    discharge_demo.build = counted
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            yield build_demo(today=TODAY, seed=7)
            transaction.set_rollback(True)
    finally:
        discharge_demo.build = original


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
    assert signed.exists()
    assert summaries.filter(status=SummaryStatus.DRAFT).count() == 2
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


def test_discharged_summaries_count_the_sessions_of_the_stay(built):
    """The demo once drafted "No sessions were scheduled" for people discharged after nine
    weeks: its schedule began four weeks back and placed only people in treatment now."""
    for summary in DischargeSummary.objects.select_related("episode"):
        episode = summary.episode
        assert "No sessions were scheduled" not in summary.attendance, episode.pk
        facts = summary.facts["attendance"]
        assert episode.discharged_on is not None
        assert episode.started_on is not None
        weeks = (episode.discharged_on - episode.started_on).days // 7
        # Three group days a week at least, and most of them attended.
        assert facts["scheduled"] >= 3 * weeks, (episode.pk, facts)
        assert facts["attended"] >= 0.8 * facts["scheduled"], (episode.pk, facts)
        assert facts["hours"] > 5 * weeks, (episode.pk, facts)
        assert "Lessons attended: 0" not in summary.curriculum, episode.pk
    # Only sessions of the stay: nothing before the first day or from the discharge day on.
    for entry in RosterEntry.objects.filter(
        episode__status=EpisodeStatus.DISCHARGED
    ).select_related("session", "episode"):
        day = entry.session.starts_at.astimezone(ZoneInfo(built.program.time_zone)).date()
        stay = entry.episode
        assert stay.started_on is not None
        assert stay.discharged_on is not None
        assert stay.started_on <= day < stay.discharged_on
