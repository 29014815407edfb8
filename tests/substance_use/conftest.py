"""The room's tests: the shared world with its program treating substance use, and a Part 2
consent naming an outside MOUD prescriber."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest

from openiop.lib.timezones import today_in
from openiop.participants import consents
from openiop.participants.models import ConsentExpiry, ConsentInfo, ConsentKind


@pytest.fixture
def sud(world: SimpleNamespace) -> SimpleNamespace:
    world.program.treats_sud = True
    world.program.save(update_fields=["treats_sud"])
    world.today = today_in(world.program.time_zone)
    world.part2 = consents.consent_sign(
        actor=world.clinician,
        participant=world.participant,
        episode=world.episode,
        kind=ConsentKind.PART2,
        typed_name=world.participant.legal_name,
        recipient_name="Dr. Rae Osei",
        recipient_organization="Harbor Family Medicine",
        information=[ConsentInfo.SUD_RECORDS],
        purpose="Coordinating buprenorphine treatment",
        expiry=ConsentExpiry.DATE,
        expires_on=world.today + timedelta(days=180),
    )
    return world
