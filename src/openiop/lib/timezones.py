"""A program's time zone defines its 'today'."""

from __future__ import annotations

import zoneinfo
from datetime import date

from django.utils import timezone


def today_in(tz_name: str) -> date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(tz_name)).date()
