"""Inviting participants and family members to the portal: from the chart and a family
contact, the e-mail it sends, resending, revoking, turning an account off, and who may."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from openiop.accounts.roles import Role
from openiop.audit.models import AccessAction, AccessLog, Event, EventKind
from openiop.participants import invitations
from openiop.participants.invitations import (
    INVITATIONS_PER_DAY,
    invitation_problem,
    portal_account_turn_off,
    portal_invitation_revoke,
    portal_invitation_send,
)
from openiop.participants.models import ConsentInfo, InvitationStatus, PortalInvitation
from tests import factories as f
from tests.participants.invitation_support import (
    SITE,
    invite,
    key_from,
    newcomer,
    relative,
    release_to,
)


def _url(participant, action: str = "invite") -> str:
    return f"/participants/{participant.public_id}/portal/{action}/"


def _family_url(contact, action: str = "invite") -> str:
    return (
        f"/participants/{contact.participant.public_id}/family/{contact.public_id}/portal/{action}/"
    )


# --- inviting from the chart -------------------------------------------------------------------


def test_the_chart_invites_a_new_participant(
    world, login, django_capture_on_commit_callbacks
) -> None:
    person = newcomer(world)
    client = login(world.intake)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(person), {"next": f"/participants/{person.public_id}/"})
    assert response.status_code == 302
    assert response["Location"] == f"/participants/{person.public_id}/"
    invitation = PortalInvitation.objects.get(participant=person)
    assert invitation.status == InvitationStatus.PENDING
    assert invitation.contact is None
    assert invitation.email == "newcomer@example.test"
    assert invitation.sent_at is not None
    assert invitation.created_by == world.intake
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newcomer@example.test"]
    # Only the token's hash is kept: the table cannot be used to accept an invitation.
    key = key_from(mail.outbox[0])
    assert invitation.token_hash == invitations.token_hash(key)
    assert key not in invitation.token_hash
    assert Event.objects.filter(
        participant=person, kind=EventKind.PORTAL_ACCOUNT, summary="Portal invitation sent"
    ).exists()
    assert AccessLog.objects.filter(
        participant=person, action=AccessAction.UPDATE, object_type="portal.invitation"
    ).exists()


def test_the_email_names_nobody_and_no_program(world) -> None:
    person = newcomer(world)
    invite(world.intake, person)
    message = mail.outbox[-1]
    assert message.subject == "Set up your account"
    shown = f"{message.subject}\n{message.body}".lower()
    for secret in (
        person.legal_first_name,
        person.legal_last_name,
        world.program.name,
        world.org.name,
        "iop",
        "treatment",
        "therapy",
        world.intake.full_name,
    ):
        assert secret.lower() not in shown, secret
    assert "works once, for 72 hours" in message.body


def test_the_chart_shows_the_pending_invitation_and_its_actions(world, login) -> None:
    person = newcomer(world)
    client = login(world.clinician)
    text = client.get(f"/participants/{person.public_id}/").content.decode()
    assert "Not invited" in text
    assert "Invite to the portal" in text
    invite(world.clinician, person)
    text = client.get(f"/participants/{person.public_id}/").content.decode()
    assert "Invitation sent" in text
    assert "newcomer@example.test" in text
    assert "Send again" in text
    assert "Revoke invitation" in text
    assert "Invite to the portal" not in text


def test_billing_sees_the_state_but_no_buttons(world, login) -> None:
    person = newcomer(world)
    invite(world.clinician, person)
    text = login(world.billing).get(f"/participants/{person.public_id}/").content.decode()
    assert "Invitation sent" in text
    assert "Revoke invitation" not in text
    assert "Send again" not in text


def test_sending_again_replaces_the_earlier_link(world) -> None:
    person = newcomer(world)
    first, _ = invite(world.clinician, person)
    second, _ = invite(world.clinician, person)
    first.refresh_from_db()
    assert first.status == InvitationStatus.REPLACED
    assert first.ended_by == world.clinician
    assert invitation_problem(first, first.created_at) == "replaced"
    assert second.status == InvitationStatus.PENDING
    assert Event.objects.filter(participant=person, summary="Portal invitation sent again").exists()


def test_invitations_to_one_person_are_limited_per_day(world) -> None:
    person = newcomer(world)
    for _ in range(INVITATIONS_PER_DAY):
        invite(world.clinician, person)
    with pytest.raises(ValidationError, match="in the last 24 hours"):
        portal_invitation_send(actor=world.clinician, participant=person, site_url=SITE)
    assert PortalInvitation.objects.filter(participant=person).count() == INVITATIONS_PER_DAY


def test_an_address_another_account_uses_is_refused_without_saying_whose(world, login) -> None:
    person = newcomer(world, email=world.director.email.upper())
    response = login(world.clinician).post(_url(person), follow=True)
    text = response.content.decode()
    assert "cannot be used for a new portal account" in text
    assert world.director.full_name not in text.split("<main")[1]
    assert not PortalInvitation.objects.filter(participant=person).exists()
    assert mail.outbox == []


def test_an_address_pending_for_someone_else_is_refused(world) -> None:
    person = newcomer(world)
    invite(world.clinician, person)
    contact = relative(person, email="newcomer@example.test")
    release_to(world, contact)
    with pytest.raises(ValidationError, match="cannot be used"):
        portal_invitation_send(
            actor=world.clinician, participant=person, contact=contact, site_url=SITE
        )


def test_without_an_email_address_nothing_is_sent(world, login) -> None:
    person = newcomer(world, email="")
    client = login(world.clinician)
    text = client.get(f"/participants/{person.public_id}/").content.decode()
    assert "Add an e-mail address first." in text
    assert "Invite to the portal" not in text
    response = client.post(_url(person), follow=True)
    assert "Add an e-mail address first." in response.content.decode()
    assert not PortalInvitation.objects.exists()


def test_someone_with_an_active_account_is_not_invited(world) -> None:
    with pytest.raises(ValidationError, match="already has an active portal account"):
        portal_invitation_send(actor=world.clinician, participant=world.participant, site_url=SITE)


def test_a_discharged_participant_can_be_invited_for_alumni_follow_up(world) -> None:
    person = newcomer(world)
    person.episodes.update(status="discharged", discharged_on=person.episodes.get().admitted_on)
    invitation, _ = invite(world.clinician, person)
    assert invitation.status == InvitationStatus.PENDING


# --- revoking and turning off ------------------------------------------------------------------


def test_revoking_ends_the_link_at_once(world, login) -> None:
    person = newcomer(world)
    invitation, _ = invite(world.clinician, person)
    response = login(world.clinician).post(_url(person, "revoke"))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    assert invitation.ended_by == world.clinician
    assert invitation_problem(invitation, invitation.created_at) == "revoked"
    assert Event.objects.filter(participant=person, summary="Portal invitation revoked").exists()
    with pytest.raises(ValidationError, match="no longer pending"):
        portal_invitation_revoke(actor=world.clinician, invitation=invitation)


def test_a_new_invitation_after_revoking_works(world) -> None:
    person = newcomer(world)
    first, _ = invite(world.clinician, person)
    portal_invitation_revoke(actor=world.clinician, invitation=first)
    second, _ = invite(world.clinician, person)
    assert second.status == InvitationStatus.PENDING
    first.refresh_from_db()
    assert first.status == InvitationStatus.REVOKED


def test_turning_an_account_off_signs_the_person_out(world, login) -> None:
    portal = login(world.participant_user)
    assert portal.get("/me/").status_code == 200
    response = login(world.clinician).post(_url(world.participant, "turn-off"))
    assert response.status_code == 302
    world.participant_user.refresh_from_db()
    assert not world.participant_user.is_active
    assert portal.get("/me/").status_code == 302  # back to sign-in
    assert Event.objects.filter(
        participant=world.participant, summary="Portal account turned off"
    ).exists()
    with pytest.raises(ValidationError, match="no active portal account"):
        portal_account_turn_off(actor=world.clinician, participant=world.participant)


# --- family members ----------------------------------------------------------------------------


def test_a_family_member_is_invited_only_under_an_active_release(world, login) -> None:
    person = newcomer(world)
    contact = relative(person)
    client = login(world.clinician)
    text = client.get(f"/participants/{person.public_id}/").content.decode()
    assert "only while an active release to them" in text
    response = client.post(_family_url(contact), follow=True)
    assert "only while an active release" in response.content.decode()
    assert not PortalInvitation.objects.exists()

    # A release that names nothing the family portal shows is not enough.
    release_to(world, contact, ConsentInfo.DIAGNOSIS_PLAN)
    with pytest.raises(ValidationError, match="active release"):
        portal_invitation_send(
            actor=world.clinician, participant=person, contact=contact, site_url=SITE
        )

    release_to(world, contact, ConsentInfo.ATTENDANCE)
    invitation, _ = invite(world.clinician, person, contact)
    assert invitation.contact == contact
    assert mail.outbox[-1].to == ["quinn@example.test"]
    assert contact.name not in mail.outbox[-1].body
    assert Event.objects.filter(
        participant=person,
        summary="Portal invitation sent for Quinn Newcomer (Sibling, family)",
    ).exists()


def test_the_family_contact_shows_its_invitation(world, login) -> None:
    person = newcomer(world)
    contact = relative(person)
    release_to(world, contact)
    invite(world.clinician, person, contact)
    text = login(world.clinician).get(f"/participants/{person.public_id}/").content.decode()
    assert "Family portal:" in text
    assert "quinn@example.test" in text
    assert 'Revoke invitation<span class="sr-only"> for Quinn Newcomer' in text


def test_a_contact_of_someone_else_cannot_be_named(world, login) -> None:
    person = newcomer(world)
    stranger = relative(world.participant, email="stranger@example.test")
    url = f"/participants/{person.public_id}/family/{stranger.public_id}/portal/invite/"
    assert login(world.clinician).post(url).status_code == 404


# --- who may ------------------------------------------------------------------------------------


def test_an_outsider_gets_404_and_nothing_is_sent(world, login) -> None:
    person = newcomer(world)
    assert login(world.outsider_clinician).post(_url(person)).status_code == 404
    assert login(world.other_org_clinician).post(_url(person)).status_code == 404
    assert not PortalInvitation.objects.exists()


def test_a_role_without_write_access_gets_403(world, login) -> None:
    person = newcomer(world)
    assert login(world.billing).post(_url(person)).status_code == 403
    assert login(world.admin).post(_url(person)).status_code == 403
    assert login(world.participant_user).post(_url(person)).status_code == 403
    assert not PortalInvitation.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(world, client) -> None:
    person = newcomer(world)
    response = client.post(_url(person))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_only_post_and_known_actions(world, login) -> None:
    person = newcomer(world)
    client = login(world.clinician)
    assert client.get(_url(person)).status_code == 405
    assert client.post(_url(person, "delete")).status_code == 404


def test_the_write_function_checks_the_actor_itself(world) -> None:
    person = newcomer(world)
    with pytest.raises(PermissionDenied):
        portal_invitation_send(actor=world.outsider_clinician, participant=person, site_url=SITE)
    with pytest.raises(PermissionDenied):
        portal_invitation_send(actor=world.billing, participant=person, site_url=SITE)
    user = f.UserFactory(organization=world.org, role=Role.FAMILY)
    with pytest.raises(PermissionDenied):
        portal_invitation_send(actor=user, participant=person, site_url=SITE)


def test_an_email_that_could_not_be_sent_is_shown_on_the_chart(world, login, monkeypatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("mail server unreachable")

    monkeypatch.setattr(invitations, "send_mail", refuse)
    person = newcomer(world)
    with TestCase.captureOnCommitCallbacks(execute=True):
        invitation = portal_invitation_send(
            actor=world.clinician, participant=person, site_url=SITE
        )
    invitation.refresh_from_db()
    assert invitation.sent_at is None
    assert invitation.send_failed_at is not None
    text = login(world.clinician).get(f"/participants/{person.public_id}/").content.decode()
    assert "The e-mail could not be sent" in text
    assert "Send again" in text
