"""Deactivating and reactivating staff accounts. Accounts are never deleted: notes, signatures
and the audit log refer to them."""

from __future__ import annotations

import pytest
from django.test import Client

from openiop.accounts.models import AccountEvent, AccountEventKind, User
from openiop.accounts.services import user_deactivate
from tests import factories as f


def _url(user: User, action: str) -> str:
    return f"/accounts/users/{user.public_id}/{action}/"


def test_it_deactivates_and_signs_the_person_out(world, login):
    clinician_client = login(world.clinician)
    assert clinician_client.get("/participants/").status_code == 200
    response = login(world.admin).post(_url(world.clinician, "deactivate"), follow=True)
    assert b"Account deactivated" in response.content
    world.clinician.refresh_from_db()
    assert not world.clinician.is_active
    assert User.objects.filter(pk=world.clinician.pk).exists()
    after = clinician_client.get("/participants/")
    assert after.status_code == 302
    assert after["Location"].startswith("/accounts/login/")
    event = AccountEvent.objects.get(subject=world.clinician)
    assert (event.kind, event.actor) == (AccountEventKind.DEACTIVATED, world.admin)


def test_a_deactivated_person_cannot_sign_in(world, login):
    login(world.admin).post(_url(world.clinician, "deactivate"))
    response = Client().post(
        "/accounts/login/",
        {"username": world.clinician.email, "password": "correct horse battery staple"},
    )
    assert response.status_code == 200
    assert b"did not match an active account" in response.content


def test_it_reactivates(world, login):
    client = login(world.admin)
    client.post(_url(world.clinician, "deactivate"))
    response = client.post(_url(world.clinician, "reactivate"), follow=True)
    assert b"Account reactivated." in response.content
    world.clinician.refresh_from_db()
    assert world.clinician.is_active
    kinds = list(
        AccountEvent.objects.filter(subject=world.clinician)
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == [AccountEventKind.DEACTIVATED, AccountEventKind.REACTIVATED]


def test_an_administrator_cannot_deactivate_themselves(world, login):
    response = login(world.admin).post(_url(world.admin, "deactivate"), follow=True)
    assert b"You cannot deactivate your own account." in response.content
    world.admin.refresh_from_db()
    assert world.admin.is_active
    assert not AccountEvent.objects.exists()


def test_deactivating_twice_says_so_and_records_nothing_more(world, login):
    client = login(world.admin)
    client.post(_url(world.clinician, "deactivate"))
    response = client.post(_url(world.clinician, "deactivate"), follow=True)
    assert b"already deactivated" in response.content
    assert AccountEvent.objects.count() == 1


def test_it_only_accepts_post(world, login):
    response = login(world.admin).get(_url(world.clinician, "deactivate"))
    assert response.status_code == 405
    world.clinician.refresh_from_db()
    assert world.clinician.is_active


def test_it_hides_accounts_of_other_organizations(world, login):
    response = login(world.admin).post(_url(world.other_org_clinician, "deactivate"))
    assert response.status_code == 404
    world.other_org_clinician.refresh_from_db()
    assert world.other_org_clinician.is_active


def test_it_hides_participant_accounts(world, login):
    response = login(world.admin).post(_url(world.participant_user, "deactivate"))
    assert response.status_code == 404
    world.participant_user.refresh_from_db()
    assert world.participant_user.is_active


@pytest.mark.parametrize("persona", ["director", "clinician", "billing", "family_user"])
def test_it_refuses_non_administrators(world, login, persona):
    response = login(getattr(world, persona)).post(_url(world.intake, "deactivate"))
    assert response.status_code == 403
    world.intake.refresh_from_db()
    assert world.intake.is_active


def test_anonymous_visitors_are_sent_to_login(world):
    response = Client().post(_url(world.intake, "deactivate"))
    assert response.status_code == 302
    world.intake.refresh_from_db()
    assert world.intake.is_active


def test_the_service_refuses_an_administrator_of_another_organization(world):
    foreign_admin = f.UserFactory(organization=world.other_org, role="administrator")
    with pytest.raises(Exception, match="not managed here"):
        user_deactivate(actor=foreign_admin, user=world.clinician)
    world.clinician.refresh_from_db()
    assert world.clinician.is_active
