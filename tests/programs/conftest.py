"""Helpers for the program-configuration tests: the roles that must be refused, and the
login redirect check."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

# Every staff role except the director: none may configure programs.
REFUSED_ROLES = ["clinician", "intake", "billing", "admin"]


def assert_sent_to_login(response: Any) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.fixture
def director(world: SimpleNamespace, login: Any) -> Any:
    return login(world.director)
