"""The demo's coaching contacts: a dozen, one still waiting, the rest answered promptly."""

from __future__ import annotations

import random

from django.utils import timezone

from openiop.demo.coaching import build_coaching
from openiop.safety.models import CoachingRequest, CoachingStatus


def test_the_demo_writes_a_dozen_contacts_with_one_open(world) -> None:
    written = build_coaching(
        program=world.program, today=timezone.localdate(), rng=random.Random(1)
    )
    assert written == 12
    rows = list(CoachingRequest.objects.all())
    assert sum(r.status == CoachingStatus.OPEN for r in rows) == 1
    answered = [r.minutes_to_response for r in rows if r.minutes_to_response is not None]
    assert len(answered) == 11
    assert sum(10 <= m <= 40 for m in answered) >= 10
