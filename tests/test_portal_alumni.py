"""A participant's portal account follows the episode's access rules: while any episode is
open every page opens; once all are discharged only what alumni follow-up needs does (home,
alumni check-ins, their own permissions, the signed safety plan read-only, the accounting of
disclosures), and the other pages say why they are closed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from openiop.audit.models import AccessAction, AccessLog
from openiop.participants.models import EpisodeStatus
from openiop.safety.plans import (
    safety_plan_draft_save,
    safety_plan_sign_clinician,
    safety_plan_sign_participant,
)

OPEN_IN_CARE = [
    "/me/",
    "/me/diary/",
    "/me/safety-plan/",
    "/me/week/",
    "/me/coaching/",
    "/care/me/plan/",
]
CLOSED_FOR_ALUMNI = [
    "/me/diary/",
    "/me/week/",
    "/me/calendar/",
    "/me/coaching/",
    "/care/me/plan/",
    "/care/me/relapse-plan/",
]


def _discharge(world) -> None:
    world.episode.status = EpisodeStatus.DISCHARGED
    world.episode.discharged_on = timezone.localdate()
    world.episode.discharge_reason = "Completed the program"
    world.episode.save()


@pytest.mark.parametrize("path", OPEN_IN_CARE)
def test_a_participant_in_care_reaches_every_portal_page(world, login, path) -> None:
    assert login(world.participant_user).get(path).status_code == 200


@pytest.mark.parametrize("path", CLOSED_FOR_ALUMNI)
def test_an_alumnus_finds_the_care_pages_closed_and_is_told_why(world, login, path) -> None:
    _discharge(world)
    response = login(world.participant_user).get(path)
    text = response.content.decode()
    assert response.status_code == 403
    assert "Your time in the program has ended" in text
    assert "alumni check-ins" in text
    assert 'href="tel:988"' in text  # the crisis banner stays on every page
    assert AccessLog.objects.filter(
        actor=world.participant_user, action=AccessAction.DENIED
    ).exists()


def test_an_alumnus_keeps_home_and_permissions(world, login) -> None:
    _discharge(world)
    client = login(world.participant_user)
    home = client.get("/me/")
    assert home.status_code == 200
    text = home.content.decode()
    assert "My permissions" in text
    assert client.get("/me/permissions/").status_code == 200
    # The accounting of disclosures is a right that outlasts care (HIPAA 164.528, Part 2 2.24).
    assert client.get("/me/disclosures/").status_code == 200
    assert client.get("/me/disclosures.csv").status_code == 200


def test_an_alumnus_keeps_reading_the_signed_safety_plan_but_signs_no_draft(world, login) -> None:
    def save(words: str):
        return safety_plan_draft_save(
            participant=world.participant,
            program=world.program,
            actor=world.clinician,
            sections={"warning_signs": words, "people_to_ask": "My sister"},
        )

    draft = save("Not sleeping")
    safety_plan_sign_clinician(version=draft, actor=world.clinician)
    safety_plan_sign_participant(
        version=draft, participant=world.participant, typed_name="Patricia Example"
    )
    second = save("Skipping meals")
    _discharge(world)
    client = login(world.participant_user)
    assert "My safety plan" in client.get("/me/").content.decode()
    page = client.get("/me/safety-plan/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "My sister" in text
    assert "Not sleeping" in text
    assert "Skipping meals" not in text  # the unsigned draft is not offered
    client.post(
        "/me/safety-plan/", {"version": str(second.public_id), "typed_name": "Patricia Example"}
    )
    second.refresh_from_db()
    assert second.participant_signed_at is None
    assert client.get("/me/safety-plan/print/").status_code == 200


def test_a_new_episode_opens_the_portal_again(world, login) -> None:
    _discharge(world)
    client = login(world.participant_user)
    assert client.get("/me/diary/").status_code == 403
    world.episode.__class__.objects.create(
        organization=world.org,
        participant=world.participant,
        program=world.program,
        status=EpisodeStatus.INQUIRY,
        inquiry_on=timezone.localdate(),
    )
    assert client.get("/me/diary/").status_code == 200
