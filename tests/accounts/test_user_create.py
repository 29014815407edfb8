"""An administrator adds a staff account; the person is invited by e-mail."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from openiop.accounts.models import AccountEvent, AccountEventKind, StaffAssignment, User

URL = "/accounts/users/new/"


def _data(world, **overrides):
    data = {
        "email": "New.Person@Example.test",
        "full_name": "Nia Newhire",
        "credentials": "LPC",
        "role": "clinician",
        "programs": [world.program.pk],
    }
    data.update(overrides)
    return data


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return mail.outbox


def test_it_shows_the_form(world, login):
    response = login(world.admin).get(URL)
    assert response.status_code == 200
    assert b"Add a staff member" in response.content
    assert b"Adult DBT IOP" in response.content
    assert b"Elsewhere IOP" not in response.content


def test_it_creates_a_staff_account_with_programs(
    world, login, outbox, django_capture_on_commit_callbacks
):
    client = login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _data(world))
    person = User.objects.get(email="new.person@example.test")
    assert response["Location"] == f"/accounts/users/{person.public_id}/"
    assert person.organization == world.org
    assert person.role == "clinician"
    assert person.credentials == "LPC"
    assert not person.has_usable_password()
    assert list(person.assignments.values_list("program", flat=True)) == [world.program.pk]
    event = AccountEvent.objects.get(subject=person, kind=AccountEventKind.CREATED)
    assert event.actor == world.admin


def test_it_emails_an_invitation_whose_link_sets_a_password(
    world, login, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(world.admin).post(URL, _data(world))
    assert len(outbox) == 1
    message = outbox[0]
    assert message.to == ["new.person@example.test"]
    assert message.subject == "OpenIOP account invitation"
    assert "Nia" not in message.subject
    path = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", message.body)
    assert path
    invited = Client()
    set_url = invited.get(path.group(1), follow=True).redirect_chain[-1][0]
    password = "a long and new passphrase"
    response = invited.post(set_url, {"new_password1": password, "new_password2": password})
    assert response["Location"] == "/accounts/password-reset/done/"
    signed_in = Client()
    login_response = signed_in.post(
        "/accounts/login/", {"username": "new.person@example.test", "password": password}
    )
    assert login_response.status_code == 302
    # A new staff member is sent to set up two-step sign-in before anything else.
    assert signed_in.get("/participants/")["Location"].startswith("/accounts/mfa/setup/")
    assert AccountEvent.objects.filter(kind=AccountEventKind.INVITED).count() == 1


def test_it_refuses_an_email_already_in_use_in_any_case(world, login, outbox):
    before = User.objects.count()
    response = login(world.admin).post(URL, _data(world, email=world.clinician.email.upper()))
    assert response.status_code == 200
    assert b"Another account already uses this e-mail address." in response.content
    assert User.objects.count() == before
    assert outbox == []


def test_it_refuses_an_email_used_in_another_organization(world, login):
    before = User.objects.count()
    response = login(world.admin).post(URL, _data(world, email=world.other_org_clinician.email))
    assert b"Another account already uses this e-mail address." in response.content
    assert User.objects.count() == before


def test_it_refuses_programs_of_another_organization(world, login):
    before = User.objects.count()
    response = login(world.admin).post(URL, _data(world, programs=[world.other_org_program.pk]))
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert User.objects.count() == before
    assert StaffAssignment.objects.filter(program=world.other_org_program).count() == 1


@pytest.mark.parametrize("role", ["participant", "family"])
def test_it_does_not_create_participant_or_family_accounts(world, login, role):
    before = User.objects.count()
    response = login(world.admin).post(URL, _data(world, role=role, programs=[]))
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert User.objects.count() == before


def test_it_does_not_assign_administrators_to_programs(world, login):
    before = User.objects.count()
    response = login(world.admin).post(URL, _data(world, role="administrator"))
    assert b"not assigned to programs" in response.content
    assert User.objects.count() == before


def test_it_requires_a_name_and_a_valid_address(world, login):
    before = User.objects.count()
    response = login(world.admin).post(URL, _data(world, email="not-an-address", full_name=" "))
    assert b"Enter a valid email address." in response.content
    assert b"This field is required." in response.content
    assert User.objects.count() == before


def test_staff_can_be_created_without_programs_yet(world, login):
    response = login(world.admin).post(URL, _data(world, programs=[]))
    assert response.status_code == 302
    assert not User.objects.get(email="new.person@example.test").assignments.exists()


@pytest.mark.parametrize("persona", ["director", "clinician", "billing", "participant_user"])
def test_it_refuses_non_administrators(world, login, persona):
    before = User.objects.count()
    response = login(getattr(world, persona)).post(URL, _data(world))
    assert response.status_code == 403
    assert User.objects.count() == before


def test_anonymous_visitors_are_sent_to_login(world):
    response = Client().post(URL, _data(world))
    assert response["Location"].startswith("/accounts/login/")
    assert not User.objects.filter(email="new.person@example.test").exists()
