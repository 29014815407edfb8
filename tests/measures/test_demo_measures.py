"""The demo's synthetic scores: intake batteries and weekly PHQ-9/GAD-7 for active
participants, stored exactly as the engine scores them."""

from __future__ import annotations

import random

from django.utils import timezone

from openiop.demo.measures import build_measures
from openiop.measures.definitions import get_instrument
from openiop.measures.models import Administration, Phase, Response
from openiop.measures.scoring import score


def test_active_participants_get_an_intake_battery_and_weekly_scores(world) -> None:
    count = build_measures(program=world.program, today=timezone.localdate(), rng=random.Random(3))
    responses = Response.objects.filter(participant=world.participant)
    assert count == Response.objects.count() > 0
    intake = set(
        Administration.objects.filter(episode=world.episode, phase=Phase.INTAKE).values_list(
            "instrument_code", flat=True
        )
    )
    assert {"PHQ-9", "GAD-7", "C-SSRS", "AUDIT-C", "DAST-10", "PCL-5"} == intake
    assert responses.filter(instrument_code="PHQ-9").count() >= 2
    for response in responses:
        instrument = get_instrument(response.instrument_code, response.instrument_version)
        assert response.result == score(instrument, response.answers).as_dict()
