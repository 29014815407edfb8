"""Accepting a portal invitation: the e-mailed link, choosing a password, and every way a link
can no longer be used (expired, used, revoked, replaced, release ended, address taken)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.audit.models import AccessAction, AccessLog, Event
from openiop.participants.consents import consent_revoke
from openiop.participants.invitations import (
    InvitationUnusable,
    portal_account_turn_off,
    portal_invitation_accept,
    portal_invitation_revoke,
)
from openiop.participants.models import ConsentRevokedHow, InvitationStatus, PortalInvitation
from tests import factories as f
from tests.participants.invitation_support import (
    PASSWORD,
    invite,
    newcomer,
    relative,
    release_to,
)


def _open(client: Client, key: str) -> Client:
    response = client.get(f"/welcome/?key={key}")
    assert response.status_code == 302
    assert response["Location"] == "/welcome/"  # the key leaves the address bar at once
    return client


def _signed_in(email: str, password: str = PASSWORD) -> Client:
    """Signed in through the real sign-in form (django-axes watches it)."""
    client = Client()
    response = client.post("/accounts/login/", {"username": email, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def _choose(client: Client, password: str = PASSWORD):
    return client.post("/welcome/", {"new_password1": password, "new_password2": password})


def test_a_participant_chooses_a_password_and_reaches_their_portal(world) -> None:
    person = newcomer(world)
    invitation, key = invite(world.intake, person)
    client = _open(Client(), key)
    page = client.get("/welcome/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "newcomer@example.test" in text
    assert person.legal_last_name not in text
    assert world.program.name not in text
    assert page["Referrer-Policy"] == "same-origin"  # "no-referrer" would break the form's CSRF
    assert Client().get("/welcome/?key=wrong")["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page["Cache-Control"]

    response = _choose(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    person.refresh_from_db()
    account = person.user
    assert account is not None
    assert (account.role, account.email, account.is_active) == (
        Role.PARTICIPANT,
        "newcomer@example.test",
        True,
    )
    assert account.organization == world.org
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.user == account
    assert Event.objects.filter(
        participant=person,
        actor=account,
        summary="Portal invitation accepted; account created",
    ).exists()
    row = AccessLog.objects.get(participant=person, object_type="portal.account")
    assert (row.action, row.actor) == (AccessAction.CREATE, account)
    assert key not in row.path

    signed_in = _signed_in("newcomer@example.test")
    home = signed_in.get("/me/")
    assert home.status_code == 200
    assert "Hi, Noor" in home.content.decode()


def test_a_link_works_once_even_when_the_email_is_opened_again(world) -> None:
    person = newcomer(world)
    _, key = invite(world.clinician, person)
    _choose(_open(Client(), key))
    accounts = User.objects.count()
    again = Client().get(f"/welcome/?key={key}")
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert User.objects.count() == accounts


def test_a_page_opened_before_acceptance_cannot_accept_twice(world) -> None:
    person = newcomer(world)
    _, key = invite(world.clinician, person)
    first, second = _open(Client(), key), _open(Client(), key)
    assert _choose(first).status_code == 302
    response = _choose(second, "another long passphrase here")
    assert response.status_code == 410
    person.refresh_from_db()
    assert person.user is not None
    assert person.user.check_password(PASSWORD)
    assert not person.user.check_password("another long passphrase here")


def test_an_expired_link_gets_a_clear_page_and_creates_nothing(world) -> None:
    person = newcomer(world)
    invitation, key = invite(world.clinician, person)
    past = timezone.now() - dt.timedelta(hours=1)
    PortalInvitation.objects.filter(pk=invitation.pk).update(
        created_at=past - dt.timedelta(hours=72), expires_at=past
    )
    response = Client().get(f"/welcome/?key={key}")
    assert response.status_code == 410
    text = response.content.decode()
    assert "This link has expired" in text
    assert "No account was created." in text
    assert 'href="tel:988"' in text
    person.refresh_from_db()
    assert person.user is None


def test_a_link_that_expires_while_the_page_is_open_creates_nothing(world) -> None:
    person = newcomer(world)
    invitation, key = invite(world.clinician, person)
    client = _open(Client(), key)
    PortalInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    response = _choose(client)
    assert response.status_code == 410
    person.refresh_from_db()
    assert person.user is None


def test_a_revoked_link_is_dead(world) -> None:
    person = newcomer(world)
    invitation, key = invite(world.clinician, person)
    client = _open(Client(), key)
    portal_invitation_revoke(actor=world.clinician, invitation=invitation)
    assert _choose(client).status_code == 410
    response = Client().get(f"/welcome/?key={key}")
    assert "This invitation was withdrawn" in response.content.decode()
    person.refresh_from_db()
    assert person.user is None


def test_only_the_newest_link_works_after_sending_again(world) -> None:
    person = newcomer(world)
    _, old_key = invite(world.clinician, person)
    _, new_key = invite(world.clinician, person)
    assert (
        "A newer invitation was sent" in Client().get(f"/welcome/?key={old_key}").content.decode()
    )
    assert _choose(_open(Client(), new_key)).status_code == 302


def test_an_unknown_or_missing_key_gets_a_clear_page(world) -> None:
    for url in ("/welcome/?key=not-a-key", "/welcome/", "/welcome/?key=" + "x" * 500):
        response = Client().get(url)
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()


def test_a_weak_password_is_refused_and_nothing_is_created(world) -> None:
    person = newcomer(world)
    invitation, key = invite(world.clinician, person)
    client = _open(Client(), key)
    for weak in ("short", "password1234", "newcomer@example.test"):
        response = _choose(client, weak)
        assert response.status_code == 200
        assert 'class="error"' in response.content.decode()
    mismatch = client.post("/welcome/", {"new_password1": PASSWORD, "new_password2": "other"})
    assert "didn\u2019t match" in mismatch.content.decode()
    person.refresh_from_db()
    invitation.refresh_from_db()
    assert person.user is None
    assert invitation.status == InvitationStatus.PENDING


def test_someone_signed_in_is_asked_to_sign_out_first(world, login) -> None:
    person = newcomer(world)
    _, key = invite(world.clinician, person)
    client = _open(login(world.participant_user), key)
    response = _choose(client)
    assert response.status_code == 200
    assert "Sign out first" in response.content.decode()
    person.refresh_from_db()
    assert person.user is None


def test_an_address_taken_since_the_invitation_is_refused(world) -> None:
    person = newcomer(world)
    _, key = invite(world.clinician, person)
    f.UserFactory(organization=world.org, email="newcomer@example.test")
    response = _choose(_open(Client(), key))
    assert response.status_code == 410
    assert "already has an account" in response.content.decode()
    person.refresh_from_db()
    assert person.user is None


def test_a_turned_off_account_is_set_up_again_with_a_new_password(world) -> None:
    account = world.participant_user
    world.participant.email = account.email
    world.participant.save()
    portal_account_turn_off(actor=world.clinician, participant=world.participant)
    _, key = invite(world.clinician, world.participant)
    _choose(_open(Client(), key))
    account.refresh_from_db()
    world.participant.refresh_from_db()
    assert world.participant.user == account  # the same account, history kept
    assert account.is_active
    assert account.check_password(PASSWORD)
    assert Event.objects.filter(summary="Portal invitation accepted; account set up again").exists()


# --- family members -----------------------------------------------------------------------------


def test_a_family_member_accepts_and_reaches_their_page(world) -> None:
    person = newcomer(world)
    contact = relative(person)
    release_to(world, contact)
    _, key = invite(world.clinician, person, contact)
    assert _choose(_open(Client(), key)).status_code == 302
    contact.refresh_from_db()
    assert contact.user is not None
    assert contact.user.role == Role.FAMILY
    assert contact.user.full_name == "Quinn Newcomer"
    client = _signed_in("quinn@example.test")
    assert client.get("/").headers["Location"] == "/me/family/"
    page = client.get("/me/family/").content.decode()
    assert person.display_name in page


def test_a_release_revoked_before_acceptance_makes_the_link_unusable(world) -> None:
    person = newcomer(world)
    contact = relative(person)
    release = release_to(world, contact)
    _, key = invite(world.clinician, person, contact)
    client = _open(Client(), key)
    consent_revoke(actor=world.clinician, consent=release, how=ConsentRevokedHow.VERBAL)
    response = _choose(client)
    assert response.status_code == 410
    assert "cannot be used now" in response.content.decode()
    contact.refresh_from_db()
    assert contact.user is None


def test_a_family_account_shows_nothing_once_the_release_ends(world, login) -> None:
    person = newcomer(world)
    contact = relative(person)
    release = release_to(world, contact)
    _, key = invite(world.clinician, person, contact)
    _choose(_open(Client(), key))
    contact.refresh_from_db()
    family = _signed_in("quinn@example.test")
    assert person.display_name in family.get("/me/family/").content.decode()
    consent_revoke(actor=world.clinician, consent=release, how=ConsentRevokedHow.WRITING)
    assert person.display_name not in family.get("/me/family/").content.decode()
    chart = login(world.clinician).get(f"/participants/{person.public_id}/").content.decode()
    assert "Paused: no active release" in chart


# --- races ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_acceptances_at_once_make_one_account(world) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    person = newcomer(world)
    invitation, _ = invite(world.clinician, person)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(password: str) -> None:
        try:
            barrier.wait()
            portal_invitation_accept(
                invitation=PortalInvitation.objects.get(pk=invitation.pk), password=password
            )
            outcomes.append("ok")
        except (InvitationUnusable, ValidationError):
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=accept, args=(p,))
        for p in ("first long passphrase", "second long passphrase")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert User.objects.filter(email="newcomer@example.test").count() == 1
