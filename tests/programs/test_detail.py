"""A program's page: its settings, tracks, session types and the site's rooms, with links."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.programs.conftest import REFUSED_ROLES, assert_sent_to_login


def _url(program) -> str:
    return f"/programs/{program.public_id}/"


def test_it_shows_the_program_with_edit_and_add_links(world, director) -> None:
    kind = f.SessionTypeFactory(
        program=world.program, name="Process group", counts_toward_hours=False
    )
    room = f.RoomFactory(site=world.site, name="Zoom room", telehealth=True)
    body = director.get(_url(world.program)).content.decode()
    assert "Adult DBT IOP" in body
    assert "America/Chicago" in body
    assert f"/programs/{world.program.public_id}/edit/" in body
    assert f"/programs/{world.program.public_id}/tracks/new/" in body
    assert f"/programs/{world.program.public_id}/session-types/new/" in body
    assert f"/programs/tracks/{world.morning.public_id}/edit/" in body
    assert f"/programs/session-types/{kind.public_id}/edit/" in body
    assert f"/programs/rooms/{room.public_id}/edit/?program={world.program.public_id}" in body
    assert "Telehealth" in body
    assert "Does not count" in body


def test_it_is_404_for_an_unassigned_program_of_my_organization(world, director) -> None:
    assert director.get(_url(world.other_program)).status_code == 404


def test_it_is_404_for_another_organizations_program(world, director) -> None:
    assert director.get(_url(world.other_org_program)).status_code == 404


def test_a_director_of_another_organization_cannot_open_it(world, login) -> None:
    far_director = f.UserFactory(
        organization=world.other_org, role="director", programs=[world.other_org_program]
    )
    client = login(far_director)
    assert client.get(_url(world.other_org_program)).status_code == 200
    assert client.get(_url(world.program)).status_code == 404


@pytest.mark.parametrize("persona", REFUSED_ROLES)
def test_it_refuses_other_staff_roles(world, login, persona: str) -> None:
    assert login(getattr(world, persona)).get(_url(world.program)).status_code == 403


def test_it_sends_anonymous_visitors_to_sign_in(client, world) -> None:
    assert_sent_to_login(client.get(_url(world.program)))
