"""Adding and editing session types: category, length, program hours, billing code."""

from __future__ import annotations

from typing import Any

import pytest

from openiop.programs.models import SessionCategory, SessionType
from tests import factories as f
from tests.programs.conftest import REFUSED_ROLES, assert_sent_to_login


def _new(program) -> str:
    return f"/programs/{program.public_id}/session-types/new/"


def _edit(session_type) -> str:
    return f"/programs/session-types/{session_type.public_id}/edit/"


def _data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Mindfulness practice",
        "category": SessionCategory.MINDFULNESS,
        "default_minutes": "45",
        "counts_toward_hours": "on",
        "billing_code": " g0410 ",
        "is_group": "on",
    }
    return {**data, **overrides}


def test_it_adds_a_session_type(world, director) -> None:
    response = director.post(_new(world.program), _data())
    assert response.status_code == 302
    kind = SessionType.objects.get(program=world.program, name="Mindfulness practice")
    assert (kind.default_minutes, kind.billing_code, kind.counts_toward_hours) == (
        45,
        "G0410",
        True,
    )
    assert kind.organization == world.org


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"default_minutes": "4"}, "A session lasts between 5 and 480 minutes."),
        ({"default_minutes": "481"}, "A session lasts between 5 and 480 minutes."),
        ({"category": "massage"}, "Select a valid choice"),
        ({"name": ""}, "This field is required."),
    ],
)
def test_invalid_input_is_explained_and_saves_nothing(
    world, director, overrides: dict[str, Any], message: str
) -> None:
    before = SessionType.objects.count()
    response = director.post(_new(world.program), _data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert SessionType.objects.count() == before


def test_a_duplicate_name_in_the_program_is_refused(world, director) -> None:
    f.SessionTypeFactory(program=world.program, name="Mindfulness practice")
    before = SessionType.objects.count()
    response = director.post(_new(world.program), _data())
    assert "already has a session type named" in response.content.decode()
    assert SessionType.objects.count() == before


def test_the_same_name_in_another_program_is_fine(world, director) -> None:
    f.SessionTypeFactory(program=world.other_program, name="Mindfulness practice")
    assert director.post(_new(world.program), _data()).status_code == 302


def test_it_edits_and_deactivates_a_session_type(world, director) -> None:
    kind = f.SessionTypeFactory(program=world.program, name="Skills")
    response = director.post(_edit(kind), _data(name="Skills", counts_toward_hours=""))
    assert response.status_code == 302
    kind.refresh_from_db()
    assert (kind.category, kind.counts_toward_hours, kind.is_active) == (
        SessionCategory.MINDFULNESS,
        False,
        False,
    )


def test_it_is_404_for_session_types_not_mine(world, director) -> None:
    theirs = f.SessionTypeFactory(program=world.other_program, name="Theirs")
    before = SessionType.objects.count()
    assert director.post(_new(world.other_org_program), _data()).status_code == 404
    assert director.post(_edit(theirs), _data(is_active="on")).status_code == 404
    assert SessionType.objects.count() == before
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


@pytest.mark.parametrize("persona", REFUSED_ROLES)
def test_it_refuses_other_staff_roles(world, login, persona: str) -> None:
    client = login(getattr(world, persona))
    kind = f.SessionTypeFactory(program=world.program)
    before = SessionType.objects.count()
    assert client.post(_new(world.program), _data()).status_code == 403
    assert client.get(_edit(kind)).status_code == 403
    assert SessionType.objects.count() == before


def test_it_sends_anonymous_visitors_to_sign_in(client, world) -> None:
    assert_sent_to_login(client.get(_new(world.program)))
