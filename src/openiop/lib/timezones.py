"""A program's time zone defines its 'today': the one place that turns a moment into a program's
calendar day."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

from django.utils import timezone


def local_date(moment: datetime, tz_name: str) -> date:
    """The calendar day an aware moment falls on in the time zone."""
    return moment.astimezone(zoneinfo.ZoneInfo(tz_name)).date()


def today_in(tz_name: str, *, now: datetime | None = None) -> date:
    """Today in the time zone (usually a program's `time_zone`); `now` pins the clock for a
    caller that reads it once for a whole batch."""
    return local_date(now or timezone.now(), tz_name)
