from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from openiop.accounts.roles import Perm, Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the navigation shell shows, decided from the role table, not from templates."""
    user: Any = getattr(request, "user", None)
    nav: list[tuple[str, str]] = []
    signed_in = user is not None and user.is_authenticated
    # Before two-step sign-in is complete every staff link would bounce back to it.
    mfa_done = signed_in and (not settings.OPENIOP_REQUIRE_MFA or user.is_verified())
    if signed_in and user.is_staff_member and mfa_done:
        nav.append(("home", "Home"))
        if user.can(Perm.PARTICIPANT_EXISTS):
            nav.append(("participants:list", "Participants"))
        if user.can(Perm.PARTICIPANT_CLINICAL):
            nav.append(("safety:alerts", "Alerts"))
            nav.append(("safety:coaching_list", "Coaching"))
        if user.can(Perm.PARTICIPANT_CREATE):
            nav.append(("intake:board", "Intake"))
        if user.can(Perm.PROGRAM_CONFIGURE):
            nav.append(("programs:list", "Programs"))
            nav.append(("scheduling:series_list", "Schedule setup"))
        if user.can(Perm.PARTICIPANT_EXISTS):
            nav.append(("scheduling:week_mine", "Schedule"))
        if user.can(Perm.PROGRAM_CONFIGURE):
            nav.append(("notes:overdue", "Late notes"))
        if user.can(Perm.PARTICIPANT_CLINICAL):
            nav.append(("discharge:outcomes", "Outcomes"))
        if user.can(Perm.BILLING_MANAGE):
            nav.append(("billing:worklist", "Billing"))
        if user.can(Perm.AUDIT_REVIEW):
            nav.append(("audit:log", "Audit log"))
        if user.can(Perm.USER_MANAGE):
            nav.append(("staff:users", "Users"))
    portal_user = signed_in and user.role in (Role.PARTICIPANT, Role.FAMILY)
    # The live alert indicator in the header: for the people alerts are sent to.
    alert_indicator = bool(
        mfa_done
        and user.is_staff_member
        and user.role in (Role.CLINICIAN, Role.DIRECTOR)
        and user.can(Perm.PARTICIPANT_CLINICAL)
    )
    return {
        "nav_items": nav,
        # Error pages and shared templates extend this: participants and family always keep
        # the portal's frame, with its crisis banner.
        "base_template": "portal/base.html" if portal_user else "base.html",
        "portal_home": (
            ("portal:family_home" if user.role == Role.FAMILY else "portal:home")
            if portal_user
            else "home"
        ),
        "demo_mode": settings.DEMO_MODE,
        "alert_indicator": alert_indicator,
        "local_emergency_number": settings.OPENIOP_LOCAL_EMERGENCY_NUMBER,
    }
