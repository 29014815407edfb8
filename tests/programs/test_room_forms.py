"""Adding and editing rooms: capacity and features."""

from __future__ import annotations

from typing import Any

import pytest

from openiop.programs.models import Room
from tests import factories as f
from tests.programs.conftest import REFUSED_ROLES, assert_sent_to_login


def _new(site) -> str:
    return f"/programs/sites/{site.public_id}/rooms/new/"


def _edit(room) -> str:
    return f"/programs/rooms/{room.public_id}/edit/"


def _data(**overrides: Any) -> dict[str, Any]:
    data = {"name": "Willow", "capacity": "10", "features": ["pet_friendly", "telehealth"]}
    return {**data, **overrides}


def test_it_adds_a_room_with_its_features(world, director) -> None:
    response = director.post(_new(world.site), _data())
    assert response.status_code == 302
    assert response["Location"] == f"/programs/#site-{world.site.public_id}"
    room = Room.objects.get(site=world.site, name="Willow")
    assert (room.pet_friendly, room.wheelchair_accessible, room.telehealth) == (True, False, True)
    assert room.organization == world.org


def test_it_returns_to_the_program_page_it_came_from(world, director) -> None:
    url = f"{_new(world.site)}?program={world.program.public_id}"
    response = director.post(url, _data())
    assert response["Location"] == f"/programs/{world.program.public_id}/"


def test_it_ignores_a_program_to_return_to_that_is_not_mine(world, director) -> None:
    url = f"{_new(world.site)}?program={world.other_program.public_id}"
    response = director.post(url, _data())
    assert response["Location"] == f"/programs/#site-{world.site.public_id}"


def test_the_features_are_checkboxes_in_a_group(world, director) -> None:
    body = director.get(_new(world.site)).content.decode()
    assert body.count('type="checkbox" name="features"') == 3
    assert "Wheelchair-accessible" in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"capacity": "0"}, "A room must hold at least one person."),
        ({"capacity": ""}, "This field is required."),
        ({"features": ["sauna"]}, "Select a valid choice"),
    ],
)
def test_invalid_input_is_explained_and_saves_nothing(
    world, director, overrides: dict[str, Any], message: str
) -> None:
    before = Room.objects.count()
    response = director.post(_new(world.site), _data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Room.objects.count() == before


def test_a_duplicate_room_name_at_the_site_is_refused(world, director) -> None:
    f.RoomFactory(site=world.site, name="Willow")
    before = Room.objects.count()
    response = director.post(_new(world.site), _data(name="WILLOW"))
    assert "already has a room named" in response.content.decode()
    assert Room.objects.count() == before


def test_it_edits_and_deactivates_a_room(world, director) -> None:
    room = f.RoomFactory(site=world.site, name="Oak", wheelchair_accessible=True)
    body = director.get(_edit(room)).content.decode()
    assert 'value="wheelchair_accessible" id="id_features_1" checked>' in body
    assert 'value="pet_friendly" id="id_features_0">' in body
    response = director.post(_edit(room), _data(name="Oak", capacity="6", features=[]))
    assert response.status_code == 302
    room.refresh_from_db()
    assert (room.capacity, room.wheelchair_accessible, room.is_active) == (6, False, False)


def test_it_is_404_for_rooms_at_sites_not_mine(world, director) -> None:
    far_room = f.RoomFactory(site=world.other_org_program.site, name="Far")
    before = Room.objects.count()
    assert director.post(_new(world.other_org_program.site), _data()).status_code == 404
    assert director.post(_edit(far_room), _data(is_active="on")).status_code == 404
    assert Room.objects.count() == before
    far_room.refresh_from_db()
    assert far_room.name == "Far"


@pytest.mark.parametrize("persona", REFUSED_ROLES)
def test_it_refuses_other_staff_roles(world, login, persona: str) -> None:
    client = login(getattr(world, persona))
    room = f.RoomFactory(site=world.site)
    before = Room.objects.count()
    assert client.post(_new(world.site), _data()).status_code == 403
    assert client.get(_edit(room)).status_code == 403
    assert Room.objects.count() == before


def test_it_sends_anonymous_visitors_to_sign_in(client, world) -> None:
    assert_sent_to_login(client.get(_new(world.site)))
    assert_sent_to_login(client.get(_edit(f.RoomFactory(site=world.site))))
