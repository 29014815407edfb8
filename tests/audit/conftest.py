"""Audit entries written straight into the log, as the scoping getters would have written
them, so review tests control who, when and about whom."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone

from openiop.audit.models import AccessAction, AccessLog


@pytest.fixture
def entry(db) -> Callable[..., AccessLog]:
    def make(
        *,
        actor: Any,
        participant: Any = None,
        action: str = AccessAction.VIEW,
        at: datetime | None = None,
        object_type: str = "participant.chart",
        address: str = "198.51.100.7",
    ) -> AccessLog:
        return AccessLog.objects.create(
            organization_id=participant.organization_id if participant else actor.organization_id,
            at=at or timezone.now(),
            actor=actor,
            actor_role=actor.role,
            action=action,
            participant=participant,
            object_type=object_type,
            object_id=str(participant.public_id) if participant else "",
            path=f"/participants/{participant.public_id}/" if participant else "/",
            address=address,
        )

    return make
