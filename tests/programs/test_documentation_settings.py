"""The program's plan and note settings (issue #6): review cadence, expiry, co-signature and
the late-note threshold; only a director of the program may change them."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories as f
from tests.programs.conftest import REFUSED_ROLES


def _url(program: Any) -> str:
    return f"/programs/{program.public_id}/documentation/"


def _data(**overrides: Any) -> dict[str, Any]:
    data = {
        "plan_review_days": "14",
        "plan_valid_days": "60",
        "plan_cosign_required": "on",
        "note_sign_hours": "48",
    }
    return {**data, **overrides}


def test_a_director_sets_the_cadence_and_sees_it_on_the_program(world, director) -> None:
    response = director.post(_url(world.program), _data())
    assert response.status_code == 302
    world.program.refresh_from_db()
    assert world.program.plan_review_days == 14
    assert world.program.plan_valid_days == 60
    assert world.program.plan_cosign_required is True
    assert world.program.note_sign_hours == 48
    body = director.get(f"/programs/{world.program.public_id}/").content.decode()
    assert "every 14 days" in body
    assert "48 h" in body
    assert _url(world.program) in body


def test_unticking_co_signature_turns_it_off(world, director) -> None:
    director.post(_url(world.program), _data())
    data = _data()
    del data["plan_cosign_required"]
    director.post(_url(world.program), data)
    world.program.refresh_from_db()
    assert world.program.plan_cosign_required is False


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"plan_review_days": "90", "plan_valid_days": "60"}, "before the plan expires"),
        ({"plan_review_days": "3"}, "greater than or equal to 7"),
        ({"note_sign_hours": "0"}, "greater than or equal to 1"),
        ({"plan_valid_days": "400"}, "less than or equal to 365"),
    ],
)
def test_bad_values_are_named_and_nothing_changes(world, director, overrides, message) -> None:
    response = director.post(_url(world.program), _data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    world.program.refresh_from_db()
    assert world.program.plan_review_days == 30
    assert world.program.note_sign_hours == 24


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_other_roles_cannot_change_the_settings(world, login, role) -> None:
    user = {
        "clinician": world.clinician,
        "intake": world.intake,
        "billing": world.billing,
        "admin": world.admin,
    }[role]
    response = login(user).post(_url(world.program), _data())
    assert response.status_code in {403, 404}
    world.program.refresh_from_db()
    assert world.program.plan_review_days == 30


def test_a_director_of_another_program_gets_not_found(world, login) -> None:
    other = f.UserFactory(organization=world.org, role="director")
    response = login(other).get(_url(world.program))
    assert response.status_code == 404
