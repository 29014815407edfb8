"""My progress (issue 20): the participant's own check-ins, diary targets, practice and hours,
in plain words, only of their current program, only what the program shows, and audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from openiop.audit.models import AccessAction, AccessLog
from openiop.diary.services import diary_target_add
from openiop.homework.models import CompanionSettings
from openiop.homework.services import practice_log
from openiop.measures.models import ResponseMode
from openiop.measures.services import response_record
from tests import factories as f
from tests.diary.helpers import file_card, today

pytestmark = pytest.mark.django_db

URL = "/me/progress/"


def _phq9(w, total_each: int, days_ago: int, episode=None):
    return response_record(
        participant=w.participant,
        episode=episode or w.episode,
        instrument_code="PHQ-9",
        answers=[total_each] * 9,
        entered_by=w.clinician,
        mode=ResponseMode.IN_SESSION,
        completed_at=timezone.now() - timedelta(days=days_ago),
    )


def test_progress_is_in_plain_words_and_audited(world, login) -> None:
    _phq9(world, 2, days_ago=20)
    _phq9(world, 1, days_ago=2)
    practice_log(episode=world.episode, skill_id="stop", outcome="done", practised_on=today(world))
    response = login(world.participant_user).get(URL)
    text = response.content.decode()
    assert response.status_code == 200
    assert "your answers point to feeling better" in text
    assert "<meter" in text
    assert "STOP (1)" in text
    # No clinical arithmetic or severity labels.
    for jargon in ("reliable", "RCI", "Moderate", "severity"):
        assert jargon not in text
    assert AccessLog.objects.filter(
        actor=world.participant_user, action=AccessAction.VIEW, object_type="portal.progress"
    ).exists()


def test_progress_shows_only_the_current_programs_records(world, login) -> None:
    past = f.EpisodeFactory(
        participant=world.participant,
        program=world.other_program,
        status="discharged",
        inquiry_on=today(world) - timedelta(days=300),
        admitted_on=today(world) - timedelta(days=290),
        started_on=today(world) - timedelta(days=290),
        discharged_on=today(world) - timedelta(days=100),
    )
    _phq9(world, 3, days_ago=200, episode=past)
    text = login(world.participant_user).get(URL).content.decode()
    assert "No check-ins yet." in text
    assert world.other_program.name not in text
    # Another participant's records are never there.
    _phq9(world, 3, days_ago=1)
    other = login(world.other_participant_user).get(URL)
    assert "PHQ" not in other.content.decode()


def test_diary_target_trend(world, login) -> None:
    target = diary_target_add(
        program=world.program,
        actor=world.clinician,
        name="Skipping meals",
        hierarchy="quality_of_life",
        rates_urge=True,
        records_action=True,
        participant=world.participant,
    )
    key = str(target.public_id)
    day = today(world)
    file_card(
        world,
        day=day - timedelta(days=14),
        now=timezone.now() - timedelta(days=14),
        targets={key: {"urge": 4, "action": True}},
    )
    file_card(world, day=day, targets={key: {"urge": 1, "action": False}})
    text = login(world.participant_user).get(URL).content.decode()
    assert "Skipping meals" in text
    assert "Your urges have been lower lately" in text
    assert "2 cards filled in" in text


def test_a_program_chooses_what_progress_shows(world, login) -> None:
    _phq9(world, 2, days_ago=3)
    settings = CompanionSettings.objects.create(
        organization=world.org, program=world.program, progress_hidden_measures=["PHQ-9"]
    )
    text = login(world.participant_user).get(URL).content.decode()
    assert "Patient Health" not in text
    assert "No check-ins yet." in text
    settings.progress_shows_scores = False
    settings.progress_shows_diary = False
    settings.save()
    text = login(world.participant_user).get(URL).content.decode()
    assert "My check-ins" not in text
    assert "My diary card" not in text
    assert "This week" in text
