"""The billing room's database fixtures (the pure core's tests need none)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.billing.room import bill_world


@pytest.fixture
def billed(world: SimpleNamespace) -> SimpleNamespace:
    """The world's participant admitted two weeks ago, covered by a payer whose psychiatric
    rule needs 3 h and a signed note by a credentialed clinician, authorized for 10 days."""
    return bill_world(world)
