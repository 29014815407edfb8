"""Builders for the coaching tests: requests through the real write function."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.safety.coaching import Requested, coaching_request_create
from openiop.safety.models import OnCallShift
from tests import factories as f


def on_call(w: SimpleNamespace, name: str = "Oona Oncall") -> User:
    user = f.UserFactory(
        organization=w.org, role=Role.CLINICIAN, programs=[w.program], full_name=name
    )
    today = timezone.localdate()
    OnCallShift.objects.create(
        organization=w.org,
        program=w.program,
        user=user,
        starts_on=today - timedelta(days=2),
        ends_on=today + timedelta(days=2),
        start_hour=0,
        end_hour=24,
        created_by=w.director,
    )
    return user


def ask(w: SimpleNamespace, *, now: datetime | None = None, **overrides: Any) -> Requested:
    values: dict[str, Any] = {
        "situation": "Argument with my sister, I feel like I'm going to explode",
        "urge": 2,
        "skills_tried": ["TIPP"],
        "reach_by": "message",
        "callback_phone": "",
    }
    values.update(overrides)
    return coaching_request_create(
        participant=w.participant,
        episode=w.episode,
        actor=w.participant_user,
        now=now,
        **values,
    )
