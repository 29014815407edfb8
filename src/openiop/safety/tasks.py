"""The safety room's periodic jobs: escalate unacknowledged alerts every minute (and send any
alert notice that did not go out), and look for participants who have stopped filing diary
cards every hour. The notice task itself is in safety/notices.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from openiop.ops.periodic import periodic
from openiop.safety.notices import alert_notices_catch_up
from openiop.safety.services import alerts_escalate, alerts_for_missing_diaries


@periodic("safety.escalate", every=timedelta(minutes=1))
def escalate(now: datetime) -> str:
    escalated = alerts_escalate(now=now)
    caught_up = alert_notices_catch_up(now=now)
    return f"{escalated} alerts escalated, {caught_up} late notices sent"


@periodic("safety.diary_missing", every=timedelta(hours=1))
def diary_missing(now: datetime) -> str:
    return f"{alerts_for_missing_diaries(now=now)} engagement alerts raised"
