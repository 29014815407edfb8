"""The demo's consents: consent to treatment for everyone admitted, outside-provider
releases, family releases kept (access unchanged); all verifiable."""

from __future__ import annotations

import random

from openiop.demo.intake import build_consents
from openiop.lib.timezones import today_in
from openiop.participants.consents import consent_verified
from openiop.participants.models import Consent, ConsentKind


def test_the_demo_signs_consents_and_keeps_family_access(world, login) -> None:
    before = login(world.family_user).get("/me/family/").content.decode()
    assert 'href="tel:555-0100"' in before
    made = build_consents(
        program=world.program, today=today_in(world.program.time_zone), rng=random.Random(1)
    )
    assert made == Consent.objects.exclude(pk=world.consent.pk).count()
    treatment = Consent.objects.get(participant=world.participant, kind=ConsentKind.TREATMENT)
    assert treatment.signed_on == world.episode.admitted_on
    assert Consent.objects.get(recipient_contact=world.family_contact) == world.consent
    assert all(consent_verified(c) for c in Consent.objects.all())
    after = login(world.family_user).get("/me/family/").content.decode()
    assert 'href="tel:555-0100"' in after
