"""The staff header's warning when alert escalation is late (directors and administrators:
the people who can get the worker and scheduler looked at)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from openiop.accounts.roles import Role
from openiop.lib.db import OUTAGE_ERRORS
from openiop.ops.periodic import escalation_late

CACHE_KEY = "openiop.ops.escalation_late"
# One query per process every half minute, not one per page.
CACHE_SECONDS = 30
WARNED_ROLES = (Role.DIRECTOR, Role.ADMINISTRATOR)


def _late() -> dict[str, Any]:
    found = cache.get(CACHE_KEY)
    if found is None:
        try:
            last: datetime | bool | None = escalation_late(now=timezone.now())
        except OUTAGE_ERRORS:
            return {}
        found = {"late": last is not False, "last": last if isinstance(last, datetime) else None}
        cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found


def task_health(request: HttpRequest) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role not in WARNED_ROLES:
        return {}
    found = _late()
    if not found.get("late"):
        return {}
    return {"escalation_late": True, "escalation_last_ran": found.get("last")}
