from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from openiop.accounts.roles import Perm


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the navigation shell shows, decided from the role table, not from templates."""
    user = getattr(request, "user", None)
    nav: list[tuple[str, str]] = []
    if user is not None and user.is_authenticated and user.is_staff_member:
        nav.append(("home", "Home"))
        if user.can(Perm.PARTICIPANT_EXISTS):
            nav.append(("participants:list", "Participants"))
        if user.can(Perm.PROGRAM_CONFIGURE):
            nav.append(("programs:list", "Programs"))
        if user.can(Perm.AUDIT_REVIEW):
            nav.append(("audit:log", "Audit log"))
        if user.can(Perm.USER_MANAGE):
            nav.append(("accounts:users", "Users"))
    return {
        "nav_items": nav,
        "demo_mode": settings.DEMO_MODE,
        "local_emergency_number": settings.OPENIOP_LOCAL_EMERGENCY_NUMBER,
    }
