"""Periodic work for measures, run by `openiop worker`."""

from __future__ import annotations

from datetime import datetime, timedelta

from openiop.measures.services import administrations_make_due
from openiop.ops.periodic import periodic


@periodic("measures.make_due", every=timedelta(minutes=15))
def make_due(now: datetime) -> str:
    # Counts only: the worker's log must not carry PHI.
    return str(administrations_make_due(now=now))
