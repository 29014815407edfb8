"""The worker's safety jobs: escalate unacknowledged alerts every minute, and look for
participants who have stopped filing diary cards every hour."""

from __future__ import annotations

from datetime import datetime, timedelta

from openiop.ops.jobs import periodic
from openiop.safety.services import alerts_escalate, alerts_for_missing_diaries


@periodic("safety.escalate", every=timedelta(minutes=1))
def escalate(now: datetime) -> str:
    return f"{alerts_escalate(now=now)} alerts escalated"


@periodic("safety.diary_missing", every=timedelta(hours=1))
def diary_missing(now: datetime) -> str:
    return f"{alerts_for_missing_diaries(now=now)} engagement alerts raised"
