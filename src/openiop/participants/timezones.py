"""Show times in the program's time zone.

Times are stored in UTC; a program's zone defines its day. At sign-in we remember the zone of
the user's program (staff: their first assigned program; participants and family: the program
of the participant's latest episode) in the session, and each request activates it, so
templates, `timezone.localdate()` and forms speak the program's clock.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from openiop.participants.models import Episode
from openiop.programs.models import Program

SESSION_KEY = "openiop_tz"


def zone_for(user: Any) -> str | None:
    if user.is_staff_member:
        program = Program.objects.filter(staff_assignments__user=user).order_by("id").first()
        return program.time_zone if program else None
    episodes = Episode.objects.select_related("program").order_by("-inquiry_on", "-id")
    if hasattr(user, "participant"):
        episode = episodes.filter(participant=user.participant).first()
    elif hasattr(user, "family_contact"):
        episode = episodes.filter(participant=user.family_contact.participant).first()
    else:
        episode = None
    return episode.program.time_zone if episode else None


def remember_zone(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """user_logged_in receiver."""
    zone = zone_for(user)
    if zone is not None and request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = zone


class ProgramTimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
