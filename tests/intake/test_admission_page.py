"""The admission page: decision, consents, the admit form; afterwards what admission did."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django.utils import timezone

from openiop.lib.timezones import today_in
from openiop.participants.models import (
    ConsentKind,
    Episode,
    EpisodeStatus,
    InvitationStatus,
    PortalInvitation,
)
from tests import factories as f
from tests.participants.consent_support import sign


def _assessed(world: Any) -> Episode:
    participant = f.ParticipantFactory(organization=world.org, legal_last_name="Newcomer")
    return f.EpisodeFactory(
        participant=participant,
        program=world.program,
        status=EpisodeStatus.ASSESSED,
        track=None,
        inquiry_on=timezone.localdate() - dt.timedelta(days=6),
        assessed_on=timezone.localdate() - dt.timedelta(days=1),
        admitted_on=None,
        started_on=None,
    )


def _url(episode: Episode) -> str:
    return (
        f"/intake/participants/{episode.participant.public_id}/episodes/{episode.public_id}/admit/"
    )


def _post(world: Any) -> dict[str, str]:
    return {
        "track": str(world.morning.public_id),
        "primary_clinician": str(world.clinician.public_id),
        "start_on": today_in(world.program.time_zone).isoformat(),
        "planned_weeks": "10",
    }


def test_the_page_asks_for_consent_to_treatment_first(world, login) -> None:
    episode = _assessed(world)
    client = login(world.intake)
    text = client.get(_url(episode)).content.decode()
    assert "Consent to treatment is needed before admission." in text
    assert "?kind=treatment&amp;episode=" in text
    response = client.post(_url(episode), _post(world))
    assert response.status_code == 200
    assert "Consent to treatment is not signed" in response.content.decode()
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ASSESSED


def test_it_admits_and_shows_what_follows(world, login) -> None:
    episode = _assessed(world)
    sign(episode, world.intake, ConsentKind.TREATMENT)
    client = login(world.intake)
    response = client.post(_url(episode), _post(world), follow=True)
    text = response.content.decode()
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ADMITTED
    assert "First treatment plan due by" in text
    assert "On the schedule" in text
    assert "Intake check-ins due" in text
    assert "PHQ-9" in text
    assert f"/schedule/week/participant/{episode.participant.public_id}/" in text


def test_bad_input_changes_nothing(world, login) -> None:
    episode = _assessed(world)
    sign(episode, world.intake, ConsentKind.TREATMENT)
    data = _post(world)
    data["start_on"] = (today_in(world.program.time_zone) - dt.timedelta(days=2)).isoformat()
    response = login(world.intake).post(_url(episode), data)
    assert "cannot be in the past" in response.content.decode()
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ASSESSED


def test_the_chart_links_an_assessed_episode_to_admission(world, login) -> None:
    episode = _assessed(world)
    text = login(world.intake).get(f"/participants/{episode.participant.public_id}/").content
    assert _url(episode).encode() in text


def test_an_episode_not_yet_assessed_goes_back_to_the_chart(world, login) -> None:
    episode = _assessed(world)
    Episode.objects.filter(pk=episode.pk).update(status=EpisodeStatus.REFERRED)
    response = login(world.intake).get(_url(episode))
    assert response.status_code == 302


def test_deny_paths(world, login) -> None:
    episode = _assessed(world)
    url = _url(episode)
    assert login(world.billing).get(url).status_code == 403
    assert login(world.outsider_clinician).get(url).status_code == 404
    assert login(world.other_org_clinician).get(url).status_code == 404
    assert login(world.participant_user).get(url).status_code == 403
    sign(episode, world.intake, ConsentKind.TREATMENT)
    assert login(world.billing).post(url, _post(world)).status_code == 403
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ASSESSED


# --- the portal step ---------------------------------------------------------------------------


def test_admission_offers_the_portal_and_emails_the_invitation(
    world, login, django_capture_on_commit_callbacks
) -> None:
    episode = _assessed(world)
    participant = episode.participant
    participant.email = "newcomer@example.test"
    participant.save()
    sign(episode, world.intake, ConsentKind.TREATMENT)
    client = login(world.intake)
    form = client.get(_url(episode)).content.decode()
    assert "E-mail an invitation to the portal" in form
    assert 'name="invite_to_portal"' in form
    assert "checked" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(episode), {**_post(world), "invite_to_portal": "on"}, follow=True
        )
    text = response.content.decode()
    assert "Portal invitation e-mailed to newcomer@example.test." in text
    assert "Invitation sent" in text
    assert "Revoke invitation" in text
    invitation = PortalInvitation.objects.get(participant=participant)
    assert invitation.status == InvitationStatus.PENDING
    assert [m.to for m in mail.outbox] == [["newcomer@example.test"]]


def test_admission_without_the_box_sends_nothing_and_offers_it_afterwards(world, login) -> None:
    episode = _assessed(world)
    episode.participant.email = "newcomer@example.test"
    episode.participant.save()
    sign(episode, world.intake, ConsentKind.TREATMENT)
    response = login(world.intake).post(_url(episode), _post(world), follow=True)
    text = response.content.decode()
    assert not PortalInvitation.objects.exists()
    assert "Not invited" in text
    assert "Invite to the portal" in text


def test_admission_says_why_it_cannot_invite(world, login) -> None:
    episode = _assessed(world)
    text = login(world.intake).get(_url(episode)).content.decode()
    assert 'name="invite_to_portal"' not in text
    assert "Portal invitation: Add an e-mail address first." in text
