"""Periodic work for alumni follow-ups, run by `openiop worker` (ops.apps imports every app's
tasks module)."""

from __future__ import annotations

from datetime import datetime, timedelta

from openiop.discharge.services import followups_run
from openiop.ops.periodic import periodic


@periodic("discharge.followups", every=timedelta(minutes=15))
def followups(now: datetime) -> str:
    # Counts only: the worker's log must not carry PHI.
    return str(followups_run(now=now))
