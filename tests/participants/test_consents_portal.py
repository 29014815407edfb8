"""My permissions: the participant reads their own consents in the portal and stops a release,
a Part 2 consent or the follow-up consent themselves; it takes effect at once. Consent to
treatment is not stopped there. Deny paths for every page."""

from __future__ import annotations

from typing import Any

from django.contrib.messages import get_messages
from django.test import Client

from openiop.audit.models import AccessAction, AccessLog, Event
from openiop.lib.timezones import today_in
from openiop.participants.consents import consent_revoke
from openiop.participants.models import (
    Consent,
    ConsentInfo,
    ConsentKind,
    ConsentRevokedHow,
    EpisodeStatus,
)
from openiop.participants.services import episode_transition
from tests.participants.consent_support import family_member, sign, sud_world

LIST = "/me/permissions/"
PHONE = 'href="tel:555-0100"'  # the program's phone, shown to family under "program contact"


def _stop(consent: Consent) -> str:
    return f"/me/permissions/{consent.public_id}/stop/"


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _family_page(client: Client) -> str:
    response = client.get("/me/family/")
    assert response.status_code == 200
    return response.content.decode()


def _discharge(world: Any) -> None:
    episode_transition(
        actor=world.clinician,
        episode=world.episode,
        to_status=EpisodeStatus.DISCHARGED,
        on=today_in(world.program.time_zone),
        discharge_reason="Completed",
    )


def test_the_list_shows_my_consents_in_plain_words(world, login) -> None:
    sign(world.episode, world.clinician, information=[ConsentInfo.ATTENDANCE])
    response = login(world.participant_user).get(LIST)
    assert response.status_code == 200
    text = response.content.decode()
    assert "My permissions" in text
    assert "Adult DBT IOP may share attendance and hours with Dr. Rivera, Northside Clinic." in text
    assert "To coordinate my care" in text
    assert "you leave the program" in text
    assert 'class="badge active">Active<' in text
    assert 'href="tel:988"' in text  # the crisis banner of every portal page


def test_the_list_shows_only_mine(world, login) -> None:
    sign(world.episode, world.clinician, recipient_name="Mine Clinic")
    theirs = sign(
        world.other_episode, world.outsider_clinician, recipient_name="Their Secret Clinic"
    )
    text = login(world.participant_user).get(LIST).content.decode()
    assert "Mine Clinic" in text
    assert "Their Secret Clinic" not in text
    assert str(theirs.public_id) not in text


def test_current_permissions_come_before_ended_ones(world, login) -> None:
    stopped = sign(world.episode, world.clinician, recipient_name="Stopped Clinic")
    consent_revoke(actor=world.clinician, consent=stopped, how=ConsentRevokedHow.WRITING)
    sign(world.episode, world.clinician, recipient_name="Current Clinic")
    text = login(world.participant_user).get(LIST).content.decode()
    assert text.index("Current Clinic") < text.index("Stopped Clinic")
    assert 'class="badge discharged">Revoked<' in text


def test_the_list_keeps_to_a_query_budget(world, login, django_assert_max_num_queries) -> None:
    for n in range(6):
        sign(world.episode, world.clinician, recipient_name=f"Clinic {n}")
    sign(world.episode, world.clinician, ConsentKind.FOLLOWUP)
    client = login(world.participant_user)
    with django_assert_max_num_queries(12):
        assert client.get(LIST).status_code == 200


def test_a_release_is_stopped_and_the_family_member_loses_access_at_once(world, login) -> None:
    robin = family_member(world.episode)
    consent = sign(
        world.episode,
        world.clinician,
        recipient_contact=robin,
        information=[ConsentInfo.PROGRAM_CONTACT],
    )
    family = login(robin.user)
    assert PHONE in _family_page(family)

    client = login(world.participant_user)
    assert _stop(consent) in client.get(LIST).content.decode()
    page = client.get(_stop(consent)).content.decode()
    assert (
        "After you stop this permission, Robin Example (Parent) will no longer receive program "
        "and care-team contact from Adult DBT IOP." in page
    )
    assert "Information already shared cannot be called back." in page
    response = client.post(_stop(consent))
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert _messages(response) == ["You stopped this permission. It ends now."]

    consent.refresh_from_db()
    assert consent.revoked_at is not None
    assert consent.revoked_how == ConsentRevokedHow.PORTAL
    assert consent.revoked_by == world.participant_user
    text = _family_page(family)
    assert PHONE not in text
    assert world.participant.display_name not in text
    listed = client.get(LIST).content.decode()
    assert 'class="badge discharged">Revoked<' in listed
    assert _stop(consent) not in listed


def test_a_part2_consent_and_the_followup_consent_can_be_stopped(world, login) -> None:
    _, sud_episode = sud_world(world)
    part2 = sign(sud_episode, world.clinician, ConsentKind.PART2)
    followup = sign(world.episode, world.clinician, ConsentKind.FOLLOWUP)
    client = login(world.participant_user)
    page = client.get(_stop(followup)).content.decode()
    assert "Adult DBT IOP will no longer contact you after you leave the program." in page
    for consent in (part2, followup):
        assert client.post(_stop(consent)).status_code == 302
        consent.refresh_from_db()
        assert consent.revoked_how == ConsentRevokedHow.PORTAL


def test_consent_to_treatment_cannot_be_stopped_in_the_portal(world, login) -> None:
    treatment = sign(world.episode, world.clinician, ConsentKind.TREATMENT)
    client = login(world.participant_user)
    text = client.get(LIST).content.decode()
    assert "You agreed to take part in Adult DBT IOP." in text
    assert "Talk to your therapist if you want to stop treatment." in text
    assert _stop(treatment) not in text
    # Only the family release of the shared world offers to stop.
    assert text.count("Stop this permission") == text.count(_stop(world.consent)) == 1

    response = client.post(_stop(treatment))
    assert response.status_code == 302
    assert "Talk to your therapist if you want to stop treatment." in _messages(response)[0]
    treatment.refresh_from_db()
    assert treatment.revoked_at is None
    assert AccessLog.objects.filter(
        actor=world.participant_user,
        action=AccessAction.DENIED,
        object_id=str(treatment.public_id),
    ).exists()
    assert client.get(_stop(treatment)).status_code == 302


def test_another_participants_consent_is_not_found(world, login) -> None:
    theirs = sign(world.other_episode, world.outsider_clinician)
    client = login(world.participant_user)
    assert client.get(_stop(theirs)).status_code == 404
    assert client.post(_stop(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_an_already_stopped_permission_says_so_and_changes_nothing(world, login) -> None:
    consent = sign(world.episode, world.clinician)
    consent_revoke(actor=world.clinician, consent=consent, how=ConsentRevokedHow.WRITING)
    consent.refresh_from_db()
    before = (consent.revoked_at, consent.revoked_by_id, consent.revoked_how)
    events = Event.objects.filter(participant=world.participant).count()

    response = login(world.participant_user).post(_stop(consent))
    assert response.status_code == 302
    [message] = _messages(response)
    assert message.startswith("This permission was already stopped on ")
    assert message.endswith("Nothing has changed.")
    consent.refresh_from_db()
    assert (consent.revoked_at, consent.revoked_by_id, consent.revoked_how) == before
    assert Event.objects.filter(participant=world.participant).count() == events


def test_an_ended_permission_cannot_be_stopped(world, login) -> None:
    consent = sign(world.episode, world.clinician)  # ends on discharge
    _discharge(world)
    client = login(world.participant_user)
    text = client.get(LIST).content.decode()
    assert 'class="badge discharged">Ended<' in text
    assert _stop(consent) not in text
    response = client.post(_stop(consent))
    assert _messages(response) == ["This permission has already ended. Nothing has changed."]
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_a_discharged_participant_finds_the_page_from_home(world, login) -> None:
    sign(world.episode, world.clinician, ConsentKind.FOLLOWUP)
    _discharge(world)
    client = login(world.participant_user)
    assert 'href="/me/permissions/"' in client.get("/me/").content.decode()
    assert "Stop this permission" in client.get(LIST).content.decode()


def test_pages_and_the_revocation_are_audited(world, login) -> None:
    consent = sign(world.episode, world.clinician)
    client = login(world.participant_user)
    client.get(LIST)
    client.get(_stop(consent))
    client.post(_stop(consent))
    rows = AccessLog.objects.filter(actor=world.participant_user, participant=world.participant)
    assert rows.filter(action=AccessAction.VIEW, object_type="portal.permissions").exists()
    assert rows.filter(
        action=AccessAction.VIEW, object_type="consent", object_id=str(consent.public_id)
    ).exists()
    assert rows.filter(
        action=AccessAction.UPDATE, object_type="consent", object_id=str(consent.public_id)
    ).exists()
    event = Event.objects.filter(participant=world.participant).order_by("-at", "-id").first()
    assert event is not None
    assert event.actor == world.participant_user
    assert event.summary == (
        "Release of information to Dr. Rivera, Northside Clinic revoked "
        "(by the participant in the portal)"
    )


def test_staff_and_family_are_refused(world, login) -> None:
    consent = sign(world.episode, world.clinician)
    for user in (world.clinician, world.director, world.family_user):
        client = login(user)
        assert client.get(LIST).status_code == 403
        assert client.post(_stop(consent)).status_code == 403
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_signing_in_is_required(world, client) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_stopped_permission_reads_in_the_past(world, login) -> None:
    consent = sign(world.episode, world.clinician, information=[ConsentInfo.ATTENDANCE])
    consent_revoke(actor=world.clinician, consent=consent, how=ConsentRevokedHow.VERBAL)
    text = login(world.participant_user).get(LIST).content.decode()
    assert "Adult DBT IOP was allowed to share attendance and hours with Dr. Rivera" in text
    assert "Stopped on" in text
