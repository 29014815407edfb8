"""The demo writes signed safety plans, the portal participant's first."""

from __future__ import annotations

import random
from types import SimpleNamespace

from django.utils import timezone

from openiop.demo.safety import build_safety_plans
from openiop.safety.models import PlanStatus, SafetyPlanVersion


def test_the_demo_signs_a_plan_for_the_portal_participant(world: SimpleNamespace) -> None:
    written = build_safety_plans(
        program=world.program, today=timezone.localdate(), rng=random.Random(1)
    )
    plan = SafetyPlanVersion.objects.get(participant=world.participant)
    assert written == 1
    assert plan.status == PlanStatus.SIGNED
    assert plan.is_intact
    assert "988" in plan.professionals
