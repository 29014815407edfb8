"""A staff account's page: details, access actions and the account history."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from openiop.accounts.models import AccountEvent, AccountEventKind, AppendOnlyError, User


def _url(user: User) -> str:
    return f"/accounts/users/{user.public_id}/"


def test_it_shows_the_account_and_its_history(world, login):
    client = login(world.admin)
    client.post(f"{_url(world.clinician)}deactivate/")
    response = client.get(_url(world.clinician))
    assert response.status_code == 200
    assert b"Casey Clinician, LCSW" in response.content
    assert b"Adult DBT IOP" in response.content
    assert b"Deactivated" in response.content
    assert b"Ada Admin" in response.content
    assert b"Reactivate account" in response.content


def test_it_offers_no_actions_on_the_own_account(world, login):
    response = login(world.admin).get(_url(world.admin))
    assert b"This is your own account." in response.content
    assert b"Deactivate account" not in response.content


def test_it_hides_participant_and_other_organization_accounts(world, login):
    client = login(world.admin)
    assert client.get(_url(world.participant_user)).status_code == 404
    assert client.get(_url(world.other_org_clinician)).status_code == 404
    assert client.get("/accounts/users/not-a-uuid/").status_code == 404


@pytest.mark.parametrize("persona", ["director", "clinician", "billing"])
def test_it_refuses_non_administrators(world, login, persona):
    assert login(getattr(world, persona)).get(_url(world.clinician)).status_code == 403


def test_anonymous_visitors_are_sent_to_login(world):
    assert Client().get(_url(world.clinician))["Location"].startswith("/accounts/login/")


def test_it_sends_the_invitation_again(world, login, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = login(world.admin).post(f"{_url(world.clinician)}invite/", follow=True)
    assert b"A link to choose a password was e-mailed." in response.content
    assert [m.subject for m in mail.outbox] == ["OpenIOP account invitation"]
    assert AccountEvent.objects.get(subject=world.clinician).kind == AccountEventKind.INVITED


def test_it_sends_no_invitation_to_a_deactivated_account(world, login, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = login(world.admin)
    client.post(f"{_url(world.clinician)}deactivate/")
    response = client.post(f"{_url(world.clinician)}invite/", follow=True)
    assert b"Reactivate the account before sending an invitation." in response.content
    assert mail.outbox == []


def test_the_invitation_is_refused_to_non_administrators(world, login, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = login(world.director).post(f"{_url(world.clinician)}invite/")
    assert response.status_code == 403
    assert mail.outbox == []


def test_account_history_is_append_only(world, login):
    login(world.admin).post(f"{_url(world.clinician)}deactivate/")
    event = AccountEvent.objects.get()
    event.summary = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AccountEvent.objects.get().summary == ""
