"""The billing room's database fixtures (the pure core's tests need none)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.billing.room import authorize, cover, make_payer, monday_weeks_ago


@pytest.fixture
def billed(world: SimpleNamespace) -> SimpleNamespace:
    """The world's participant admitted two weeks ago, covered by a payer whose psychiatric
    rule needs 3 h and a signed note by a credentialed clinician, authorized for 10 days."""
    ep = world.episode
    start = monday_weeks_ago(ep, 2)
    ep.admitted_on = start
    ep.started_on = start
    ep.save(update_fields=["admitted_on", "started_on"])
    world.payer = make_payer(world.org)
    world.coverage = cover(ep, world.payer, world.billing, since=start)
    world.auth = authorize(ep, world.payer, world.billing, start=start, units=10)
    world.start = start
    return world
