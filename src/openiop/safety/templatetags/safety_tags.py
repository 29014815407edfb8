"""Small display helpers for alerts: durations in words and the trail's recipient reasons."""

from __future__ import annotations

import re
from datetime import timedelta

from django import template

from openiop.safety.models import RecipientReason

register = template.Library()

# Trail entries written before the reasons were stored in words read "(on_call)".
_RAW_REASON = re.compile(r"\((" + "|".join(RecipientReason.values) + r")\)")


@register.filter
def minutes_text(value: timedelta | None) -> str:
    """12 min, 1 h 05 min, 2 days 3 h."""
    if value is None:
        return ""
    minutes = max(0, int(value.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} day{'s' if days != 1 else ''} {hours} h"


@register.filter
def trail_detail(detail: str) -> str:
    """A trail entry with recipient reasons in words, whenever it was written."""
    return _RAW_REASON.sub(lambda m: f"({RecipientReason(m.group(1)).label})", detail or "")
