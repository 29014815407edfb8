from __future__ import annotations

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes, rounded up, so a lockout never reads as shorter than it is."""
    if not value:
        return 0
    return -(-int(value.total_seconds()) // 60)
