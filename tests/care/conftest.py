"""The care tests' world: the shared personas, with the director as the clinician's
clinical supervisor."""

from __future__ import annotations

from types import SimpleNamespace

import pytest


@pytest.fixture
def care(world: SimpleNamespace) -> SimpleNamespace:
    world.supervisor = world.director
    world.clinician.supervisor = world.director
    world.clinician.save(update_fields=["supervisor"])
    return world
