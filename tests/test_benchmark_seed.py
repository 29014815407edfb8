"""The benchmark harness (benchmarks/) is not part of the test run, but its census builder is
exercised here at a tiny size so a model change that breaks it fails CI instead of the next
benchmark."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from benchmarks import census as harness
from benchmarks.clock import BENCH_NOW
from benchmarks.seed import WEEKS, WRITERS, seed_census

from openiop.diary.models import DiaryCard
from openiop.diary.services import fillable_days
from openiop.measures.models import Administration, AdministrationStatus, Response
from openiop.participants.models import Episode, EpisodeStatus
from openiop.scheduling.models import Attendance, RosterEntry, Session


@pytest.mark.django_db
def test_the_benchmark_census_builds_a_small_clinic_with_history() -> None:
    with time_machine.travel(BENCH_NOW - timedelta(hours=3), tick=True):
        census = seed_census(active=24)
    program = census.program
    episodes = Episode.objects.filter(program=program)
    assert episodes.filter(status=EpisodeStatus.ACTIVE).count() == 24
    assert episodes.filter(status=EpisodeStatus.DISCHARGED).count() == 6 * 24
    # One clinician is primary for every episode in treatment or discharged: the worst case.
    assert (
        not episodes.exclude(status=EpisodeStatus.REFERRED)
        .exclude(primary_clinician=census.clinician)
        .exists()
    )
    # History: groups with rosters and attendance, cards and scores over the twelve weeks.
    groups = Session.objects.filter(program=program, track__isnull=False)
    assert groups.count() > 2 * WEEKS * 3
    assert RosterEntry.objects.filter(session__in=groups).count() > groups.count()
    assert Attendance.objects.filter(session__program=program).exists()
    assert DiaryCard.objects.filter(participant=census.reader).count() > 30
    assert Response.objects.filter(episode__status=EpisodeStatus.DISCHARGED).count() > 100
    # Every writer can file today's card and has a check-in to answer.
    assert len(census.writers) == WRITERS
    for writer in census.writers:
        episode = writer.episodes.get(status=EpisodeStatus.ACTIVE)
        with time_machine.travel(BENCH_NOW, tick=False):
            assert len(fillable_days(episode)) == 8
        assert Administration.objects.filter(
            participant=writer, status=AdministrationStatus.DUE, instrument_code="PHQ-9"
        ).exists()
    # The harness's page list is complete: every page names a user and a floor it knows.
    for page in harness.PAGES:
        assert page.user in harness.USERS, page.name
        assert page.floor in {p.name for p in harness.FLOORS}, page.name
