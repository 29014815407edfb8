"""`{% attendance_block session %}`: lets the session page include the attendance block with
nothing more than the session in its context."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django import template

from openiop.scheduling.models import Session

register = template.Library()


@register.inclusion_tag("scheduling/_attendance_block.html", takes_context=True)
def attendance_block(context: template.Context, session: Session) -> dict[str, Any]:
    from openiop.scheduling.views_attendance import attendance_context

    data = attendance_context(context["request"], session)
    # The block's forms need the CSRF token and the page's user, which an inclusion tag
    # does not pass on by itself.
    data["csrf_token"] = context.get("csrf_token")
    data["request"] = context["request"]
    data["user"] = context.get("user")
    return data


@register.filter
def local_clock(value: Any, tz_name: str) -> str:
    """An aware datetime as HH:MM in the program's time zone ('' for none)."""
    if not isinstance(value, datetime):
        return ""
    return str(value.astimezone(zoneinfo.ZoneInfo(tz_name)).strftime("%H:%M"))
