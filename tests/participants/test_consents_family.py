"""A family member sees exactly what active consents to them grant, and loses it the moment a
consent is revoked or ends."""

from __future__ import annotations

from typing import Any

from django.test import Client

from openiop.lib.timezones import today_in
from openiop.participants.consents import consent_revoke
from openiop.participants.models import ConsentInfo, ConsentKind, ConsentRevokedHow, EpisodeStatus
from openiop.participants.services import episode_transition
from tests.participants.consent_support import family_member, sign, sud_world

PHONE = 'href="tel:555-0100"'  # the program's phone, shown under "program contact"
SCHEDULE = "Family sessions you are invited to"


def _family_page(client: Client) -> str:
    response = client.get("/me/family/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_family_member_sees_only_the_granted_scope(world, login) -> None:
    robin = family_member(world.episode)
    sign(
        world.episode,
        world.clinician,
        recipient_contact=robin,
        information=[ConsentInfo.FAMILY_SCHEDULE, ConsentInfo.DIAGNOSIS_PLAN],
    )
    text = _family_page(login(robin.user))
    assert world.participant.display_name in text
    assert SCHEDULE in text
    assert PHONE not in text
    assert "Attendance" not in text


def test_program_contact_is_shown_only_when_granted(world, login) -> None:
    robin = family_member(world.episode)
    sign(
        world.episode,
        world.clinician,
        recipient_contact=robin,
        information=[ConsentInfo.PROGRAM_CONTACT],
    )
    text = _family_page(login(robin.user))
    assert PHONE in text
    assert SCHEDULE not in text


def test_nothing_is_shown_without_a_family_portal_scope(world, login) -> None:
    robin = family_member(world.episode)
    sign(
        world.episode,
        world.clinician,
        recipient_contact=robin,
        information=[ConsentInfo.DIAGNOSIS_PLAN],
    )
    text = _family_page(login(robin.user))
    assert world.participant.display_name not in text
    assert "Nothing has been shared with you yet." in text


def test_a_release_to_an_outside_provider_grants_no_family_access(world, login) -> None:
    robin = family_member(world.episode)
    sign(world.episode, world.clinician, information=[ConsentInfo.PROGRAM_CONTACT])
    assert world.participant.display_name not in _family_page(login(robin.user))


def test_revocation_takes_effect_on_the_next_request(world, login) -> None:
    robin = family_member(world.episode)
    consent = sign(
        world.episode,
        world.clinician,
        recipient_contact=robin,
        information=[ConsentInfo.PROGRAM_CONTACT],
    )
    family = login(robin.user)
    assert PHONE in _family_page(family)
    url = f"/participants/{world.participant.public_id}/consents/{consent.public_id}/revoke/"
    response = login(world.clinician).post(url, {"how": ConsentRevokedHow.VERBAL})
    assert response.status_code == 302
    text = _family_page(family)
    assert PHONE not in text
    assert world.participant.display_name not in text


def test_revoking_one_consent_leaves_another(world, login) -> None:
    robin = family_member(world.episode)
    first = sign(
        world.episode,
        world.clinician,
        recipient_contact=robin,
        information=[ConsentInfo.PROGRAM_CONTACT],
    )
    sign(
        world.episode,
        world.clinician,
        recipient_contact=robin,
        information=[ConsentInfo.FAMILY_SCHEDULE],
    )
    consent_revoke(actor=world.clinician, consent=first, how=ConsentRevokedHow.WRITING)
    text = _family_page(login(robin.user))
    assert SCHEDULE in text
    assert PHONE not in text


def test_a_consent_ending_on_discharge_ends_with_the_episode(world, login) -> None:
    robin = family_member(world.episode)
    sign(
        world.episode,
        world.clinician,
        recipient_contact=robin,
        information=[ConsentInfo.FAMILY_SCHEDULE],
    )
    family = login(robin.user)
    assert SCHEDULE in _family_page(family)
    episode_transition(
        actor=world.clinician,
        episode=world.episode,
        to_status=EpisodeStatus.DISCHARGED,
        on=today_in(world.program.time_zone),
        discharge_reason="Completed",
    )
    assert SCHEDULE not in _family_page(family)


def test_a_grant_names_one_participant_only(world, login) -> None:
    robin = family_member(world.episode)
    sign(
        world.episode,
        world.clinician,
        recipient_contact=robin,
        information=[ConsentInfo.FAMILY_SCHEDULE],
    )
    text = _family_page(login(robin.user))
    assert world.other_participant.display_name not in text


def test_a_part2_consent_to_a_family_member_grants_in_a_sud_program(world, login) -> None:
    _, episode = sud_world(world)
    robin = family_member(episode)
    sign(
        episode,
        world.clinician,
        ConsentKind.PART2,
        recipient_contact=robin,
        information=[ConsentInfo.FAMILY_SCHEDULE],
    )
    assert SCHEDULE in _family_page(login(robin.user))


def test_the_family_page_is_audited_per_participant(world, login) -> None:
    from openiop.audit.models import AccessLog

    robin = family_member(world.episode)
    sign(
        world.episode,
        world.clinician,
        recipient_contact=robin,
        information=[ConsentInfo.FAMILY_SCHEDULE, ConsentInfo.PROGRAM_CONTACT],
    )
    _family_page(login(robin.user))
    rows: Any = AccessLog.objects.filter(actor=robin.user, object_type="family.home")
    assert [r.participant_id for r in rows] == [world.participant.pk]
