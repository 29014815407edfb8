"""An administrator resets a staff member's two-step sign-in (a lost phone)."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts.models import AccountEvent, AccountEventKind, User


def _url(user: User) -> str:
    return f"/accounts/users/{user.public_id}/mfa-reset/"


def test_it_removes_the_devices_and_records_who_did_it(world, login):
    TOTPDevice.objects.create(user=world.clinician, name="old phone", confirmed=True)
    response = login(world.admin).post(_url(world.clinician), follow=True)
    assert b"Two-step sign-in reset" in response.content
    assert not TOTPDevice.objects.filter(user=world.clinician).exists()
    event = AccountEvent.objects.get(subject=world.clinician)
    assert (event.kind, event.actor) == (AccountEventKind.MFA_RESET, world.admin)
    assert event.summary == "1 authenticator(s) removed"


def test_the_person_must_enrol_again(world, login):
    clinician_client = login(world.clinician)  # verified with a device
    assert clinician_client.get("/participants/").status_code == 200
    login(world.admin).post(_url(world.clinician))
    response = clinician_client.get("/participants/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/mfa/setup/")


def test_an_administrator_cannot_reset_their_own(world, login):
    client = login(world.admin)
    response = client.post(_url(world.admin), follow=True)
    assert b"Ask another administrator" in response.content
    assert TOTPDevice.objects.filter(user=world.admin).count() == 1
    assert not AccountEvent.objects.exists()


def test_it_hides_accounts_of_other_organizations(world, login):
    TOTPDevice.objects.create(user=world.other_org_clinician, name="phone", confirmed=True)
    response = login(world.admin).post(_url(world.other_org_clinician))
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=world.other_org_clinician).exists()


@pytest.mark.parametrize("persona", ["director", "clinician", "participant_user"])
def test_it_refuses_non_administrators(world, login, persona):
    TOTPDevice.objects.create(user=world.intake, name="phone", confirmed=True)
    response = login(getattr(world, persona)).post(_url(world.intake))
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=world.intake).exists()


def test_anonymous_visitors_are_sent_to_login(world):
    TOTPDevice.objects.create(user=world.intake, name="phone", confirmed=True)
    response = Client().post(_url(world.intake))
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=world.intake).exists()
