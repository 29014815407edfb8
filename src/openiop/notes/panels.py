"""What this app adds to shared pages: the participant chart, the staff home and the portal
home. Each function returns a template context (empty when there is nothing to show)."""

from __future__ import annotations

from datetime import date
from typing import Any

from openiop.lib.http import AuthedRequest
from openiop.participants.models import Episode, Participant


def chart_context(
    request: AuthedRequest, participant: Participant, current: Episode | None, today: date
) -> dict[str, Any]:
    return {}


def home_context(request: AuthedRequest) -> dict[str, Any]:
    return {}


def portal_context(request: AuthedRequest, participant: Participant) -> dict[str, Any]:
    return {}
