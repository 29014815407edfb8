"""The intake assessment: drafts, the Part 2 section, availability rows, completion, deny paths."""

from __future__ import annotations

from typing import Any

from django.test import Client

from openiop.audit.models import AccessLog
from openiop.intake.models import (
    AssessmentStatus,
    CareLevel,
    InquiryStatus,
    IntakeAssessment,
    LevelOfCareDecision,
)
from openiop.intake.services import unavailability_for_admission
from openiop.participants.models import EpisodeStatus
from tests.intake.helpers import make_inquiry, referred_episode


def _url(episode: Any, rest: str = "") -> str:
    return (
        f"/intake/participants/{episode.participant.public_id}/episodes/"
        f"{episode.public_id}/assessment/{rest}"
    )


def _form(**kw: Any) -> dict[str, Any]:
    data = {
        "presenting_concerns": "Low mood, panic at work",
        "goals": "Return to work steadily",
        "prior_care": ["outpatient"],
        "asam_3": "2",
        "able_to_take_part": "on",
        "iop_signals": ["more_than_weekly"],
        "block-TOTAL_FORMS": "1",
        "block-INITIAL_FORMS": "0",
        "block-MIN_NUM_FORMS": "0",
        "block-MAX_NUM_FORMS": "21",
        "block-0-weekday": "0",
        "block-0-start_time": "08:00",
        "block-0-end_time": "13:00",
        "block-0-reason": "work",
        "block-0-note": "",
    }
    data.update(kw)
    return data


def test_a_draft_is_saved_with_its_unavailable_times(world: Any, login: Any) -> None:
    episode = referred_episode(world)
    response = login(world.intake).post(_url(episode), _form())
    assert response.status_code == 302
    assessment = IntakeAssessment.objects.get(episode=episode)
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.prior_care == ["outpatient"]
    assert assessment.asam_3 == 2
    rows = unavailability_for_admission(assessment)
    assert [(r.weekday, r.reason) for r in rows] == [(0, "work")]
    assert rows[0].participant_id == episode.participant_id


def test_bad_times_save_nothing(world: Any, login: Any) -> None:
    episode = referred_episode(world)
    response = login(world.intake).post(_url(episode), _form(**{"block-0-end_time": "07:00"}))
    assert "must end after it starts" in response.content.decode()
    assert IntakeAssessment.objects.count() == 0


def test_a_rating_out_of_range_saves_nothing(world: Any, login: Any) -> None:
    episode = referred_episode(world)
    response = login(world.intake).post(_url(episode), _form(asam_2="7"))
    assert "Select a valid choice" in response.content.decode()
    assert IntakeAssessment.objects.count() == 0


def test_the_coordinator_without_sud_access_does_not_see_the_sud_section(
    world: Any, login: Any
) -> None:
    episode = referred_episode(world)
    IntakeAssessment.objects.create(
        organization=world.org,
        participant=episode.participant,
        episode=episode,
        created_by=world.clinician,
        substance_use_history="Daily alcohol use for two years",
    )
    text = login(world.intake).get(_url(episode)).content.decode()
    assert "Daily alcohol use" not in text
    assert "42 CFR Part 2" not in text
    assert not AccessLog.objects.filter(object_type="intake.assessment.sud").exists()


def test_a_clinician_with_sud_access_sees_it_and_that_is_logged(world: Any, login: Any) -> None:
    episode = referred_episode(world)
    IntakeAssessment.objects.create(
        organization=world.org,
        participant=episode.participant,
        episode=episode,
        created_by=world.clinician,
        substance_use_history="Daily alcohol use for two years",
    )
    text = login(world.clinician).get(_url(episode)).content.decode()
    assert "Daily alcohol use" in text
    assert AccessLog.objects.filter(object_type="intake.assessment.sud").count() == 1


def test_saving_without_sud_access_keeps_the_sud_section(world: Any, login: Any) -> None:
    episode = referred_episode(world)
    assessment = IntakeAssessment.objects.create(
        organization=world.org,
        participant=episode.participant,
        episode=episode,
        created_by=world.clinician,
        substance_use_history="Kept",
    )
    login(world.intake).post(_url(episode), _form(substance_use_history="Overwritten"))
    assessment.refresh_from_db()
    assert assessment.substance_use_history == "Kept"
    assert assessment.presenting_concerns.startswith("Low mood")


def test_an_outsider_gets_404(world: Any, login: Any) -> None:
    episode = referred_episode(world)
    assert login(world.outsider_clinician).get(_url(episode)).status_code == 404


def test_billing_gets_403(world: Any, login: Any) -> None:
    episode = referred_episode(world)
    assert login(world.billing).get(_url(episode)).status_code == 403


def test_anonymous_is_sent_to_sign_in(world: Any) -> None:
    episode = referred_episode(world)
    assert "/accounts/login/" in Client().get(_url(episode))["Location"]


def test_completing_needs_a_level_of_care_decision(world: Any, login: Any) -> None:
    episode = referred_episode(world)
    client = login(world.intake)
    client.post(_url(episode), _form())
    response = client.post(_url(episode, "complete/"), follow=True)
    assert "Record the level-of-care decision" in response.content.decode()
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.REFERRED


def test_completing_marks_the_episode_and_the_inquiry_assessed(world: Any, login: Any) -> None:
    episode = referred_episode(world)
    inquiry = make_inquiry(
        world.program,
        status=InquiryStatus.SCREENING,
        participant=episode.participant,
        episode=episode,
    )
    client = login(world.intake)
    client.post(_url(episode), _form())
    client.post(_url(episode, "level-of-care/"), {"accept": "1"})
    response = client.post(_url(episode, "complete/"))
    assert response.status_code == 302
    episode.refresh_from_db()
    inquiry.refresh_from_db()
    assessment = IntakeAssessment.objects.get(episode=episode)
    assert episode.status == EpisodeStatus.ASSESSED
    assert inquiry.status == InquiryStatus.ASSESSED
    assert assessment.status == AssessmentStatus.COMPLETED
    # A completed assessment no longer changes.
    client.post(_url(episode), _form(goals="Changed"))
    assessment.refresh_from_db()
    assert assessment.goals == "Return to work steadily"


def test_the_intake_battery_status_is_shown(world: Any, login: Any) -> None:
    from datetime import date

    from django.utils import timezone

    from openiop.measures.models import Administration, Phase

    episode = referred_episode(world)
    Administration.objects.create(
        organization=world.org,
        participant=episode.participant,
        episode=episode,
        instrument_code="PHQ-9",
        phase=Phase.INTAKE,
        period_start=date(2026, 1, 1),
        due_at=timezone.now(),
    )
    client = login(world.intake)
    client.post(_url(episode), _form())
    text = client.get(_url(episode)).content.decode()
    assert "Intake battery" in text
    assert "PHQ-9" in text


def test_a_locus_level_needs_its_date(world: Any, login: Any) -> None:
    episode = referred_episode(world)
    response = login(world.intake).post(_url(episode), _form(locus_level="3"))
    assert "Give the date the LOCUS level was determined." in response.content.decode()
    assert not IntakeAssessment.objects.filter(locus_level=3).exists()
    assert LevelOfCareDecision.objects.count() == 0
    assert CareLevel.IOP  # the enum imports: decisions are tested in test_level_of_care
