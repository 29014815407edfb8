"""An administrator changes a staff member's details, role and programs."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from openiop.accounts.models import AccountEvent, AccountEventKind, User
from tests import factories as f


def _url(user: User) -> str:
    return f"/accounts/users/{user.public_id}/edit/"


def _data(world, user, **overrides):
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "credentials": user.credentials,
        "role": user.role,
        "programs": [a.program_id for a in user.assignments.all()],
    }
    data.update(overrides)
    return data


def test_it_shows_the_current_values(world, login):
    response = login(world.admin).get(_url(world.clinician))
    assert response.status_code == 200
    assert b'value="Casey Clinician"' in response.content
    boxes = re.findall(rb"<input type=\"checkbox\" name=\"programs\"[^>]*>", response.content)
    checked = [b for b in boxes if b" checked" in b]
    assert len(boxes) == 2
    assert checked == [b for b in boxes if f'value="{world.program.pk}"'.encode() in b]


def test_it_changes_role_and_programs_and_records_who(world, login):
    client = login(world.admin)
    response = client.post(
        _url(world.clinician),
        _data(world, world.clinician, role="director", programs=[world.other_program.pk]),
    )
    assert response["Location"] == f"/accounts/users/{world.clinician.public_id}/"
    world.clinician.refresh_from_db()
    assert world.clinician.role == "director"
    assert list(world.clinician.assignments.values_list("program", flat=True)) == [
        world.other_program.pk
    ]
    event = AccountEvent.objects.get(subject=world.clinician, kind=AccountEventKind.UPDATED)
    assert event.actor == world.admin
    assert "Role: Clinician → Program director" in event.summary
    assert "left Adult DBT IOP" in event.summary
    assert "joined Adolescent IOP" in event.summary


def test_the_new_role_applies_at_the_next_request(world, login):
    clinician_client = login(world.clinician)
    assert clinician_client.get("/participants/").status_code == 200
    login(world.admin).post(
        _url(world.clinician),
        _data(world, world.clinician, role="administrator", programs=[]),
    )
    assert clinician_client.get("/participants/").status_code == 403


def test_it_refuses_an_address_another_account_uses(world, login):
    response = login(world.admin).post(
        _url(world.clinician), _data(world, world.clinician, email=world.director.email.upper())
    )
    assert b"Another account already uses this e-mail address." in response.content
    world.clinician.refresh_from_db()
    assert world.clinician.email != world.director.email


def test_it_keeps_the_own_address_when_only_its_case_changes(world, login):
    response = login(world.admin).post(
        _url(world.clinician), _data(world, world.clinician, email=world.clinician.email.upper())
    )
    assert response.status_code == 302


def test_it_refuses_to_turn_staff_into_a_participant(world, login):
    response = login(world.admin).post(
        _url(world.clinician), _data(world, world.clinician, role="participant", programs=[])
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    world.clinician.refresh_from_db()
    assert world.clinician.role == "clinician"


def test_it_refuses_programs_of_another_organization(world, login):
    response = login(world.admin).post(
        _url(world.clinician),
        _data(world, world.clinician, programs=[world.other_org_program.pk]),
    )
    assert b"Select a valid choice" in response.content
    assert list(world.clinician.assignments.values_list("program", flat=True)) == [world.program.pk]


def test_an_administrator_cannot_change_their_own_role(world, login):
    f.UserFactory(organization=world.org, role="administrator")
    response = login(world.admin).post(
        _url(world.admin), _data(world, world.admin, role="clinician")
    )
    assert b"You cannot change your own role." in response.content
    world.admin.refresh_from_db()
    assert world.admin.role == "administrator"
    assert not AccountEvent.objects.exists()


def test_an_administrator_may_demote_another_administrator(world, login):
    other_admin = f.UserFactory(organization=world.org, role="administrator")
    response = login(world.admin).post(_url(other_admin), _data(world, other_admin, role="billing"))
    assert response.status_code == 302
    other_admin.refresh_from_db()
    assert other_admin.role == "billing"


def test_it_hides_accounts_of_other_organizations(world, login):
    response = login(world.admin).get(_url(world.other_org_clinician))
    assert response.status_code == 404


def test_it_hides_participant_and_family_accounts(world, login):
    client = login(world.admin)
    assert client.get(_url(world.participant_user)).status_code == 404
    assert client.get(_url(world.family_user)).status_code == 404


@pytest.mark.parametrize("persona", ["director", "clinician", "intake"])
def test_it_refuses_non_administrators(world, login, persona):
    response = login(getattr(world, persona)).post(
        _url(world.billing), _data(world, world.billing, role="director")
    )
    assert response.status_code == 403
    world.billing.refresh_from_db()
    assert world.billing.role == "billing"


def test_anonymous_visitors_are_sent_to_login(world):
    response = Client().get(_url(world.clinician))
    assert response["Location"].startswith("/accounts/login/")
