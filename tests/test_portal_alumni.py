"""A participant's portal account follows the episode's access rules: while any episode is
open every page opens; once all are discharged only what alumni follow-up needs does (home,
alumni check-ins, their own permissions), and the other pages say why they are closed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from openiop.audit.models import AccessAction, AccessLog
from openiop.participants.models import EpisodeStatus

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
    "/me/safety-plan/",
    "/me/week/",
    "/me/calendar/",
    "/me/coaching/",
    "/care/me/plan/",
    "/care/me/relapse-plan/",
]


def _discharge(world) -> None:  # type: ignore[no-untyped-def]
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
    assert "My safety plan" not in text  # no link to a closed page
    assert client.get("/me/permissions/").status_code == 200


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
