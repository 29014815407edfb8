"""The administrator's list of staff accounts."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories as f

URL = "/accounts/users/"


def test_it_lists_staff_of_the_administrators_organization(world, login):
    response = login(world.admin).get(URL)
    assert response.status_code == 200
    assert b"Casey Clinician, LCSW" in response.content
    assert b"Dana Director" in response.content
    assert b"Fran Faraway" not in response.content


def test_it_leaves_out_participant_and_family_accounts(world, login):
    # An administrator has no participant access; a list of portal accounts would say who
    # is in treatment.
    response = login(world.admin).get(URL)
    assert world.participant_user.email.encode() not in response.content
    assert world.family_user.email.encode() not in response.content
    assert b"Sam Family" not in response.content


def test_it_shows_whether_mfa_is_set_up(world, login):
    response = login(world.admin).get(URL)
    # login() enrolled the administrator; nobody else has a device.
    assert response.content.count(b"<td>Set up</td>") == 1
    assert b"<td>Not set up</td>" in response.content


@pytest.mark.parametrize("persona", ["director", "clinician", "intake", "billing"])
def test_it_refuses_other_staff_roles(world, login, persona):
    assert login(getattr(world, persona)).get(URL).status_code == 403


@pytest.mark.parametrize("persona", ["participant_user", "family_user"])
def test_it_refuses_participants_and_family(world, login, persona):
    assert login(getattr(world, persona)).get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_login(world):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_keeps_a_query_budget(world, login, django_assert_max_num_queries):
    for _ in range(15):
        f.UserFactory(organization=world.org, role="clinician", programs=[world.program])
    client = login(world.admin)
    with django_assert_max_num_queries(10):
        response = client.get(URL)
    assert response.status_code == 200
