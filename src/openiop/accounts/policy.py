"""Every view declares who may reach it. AccessPolicyMiddleware refuses any view without a
declared policy, and tests/test_url_policies.py walks the URLconf to prove each one has one.

Policies:
- `public`: anyone, signed in or not (login, password reset).
- `signed_in`: any signed-in user, even before MFA (logout, MFA enrolment).
- `authenticated`: any signed-in user; staff must have completed MFA.
- `staff(perm)`: a staff role holding `perm`, with MFA verified.
- `portal`: a participant, for their own pages.
- `family`: a family member, for what a consent grants.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from openiop.accounts.roles import Perm, Role

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

POLICY_ATTR = "openiop_policy"
MFA_EXEMPT_ATTR = "openiop_mfa_exempt"
PASSIVE_ATTR = "openiop_passive"


def _mark(view: Callable[..., Any], policy: str, *, mfa_exempt: bool = False) -> None:
    setattr(view, POLICY_ATTR, policy)
    setattr(view, MFA_EXEMPT_ATTR, mfa_exempt)


def public(view: View) -> View:
    wrapped = login_not_required(view)
    _mark(wrapped, "public", mfa_exempt=True)
    return wrapped


def signed_in(view: View) -> View:
    _mark(view, "signed_in", mfa_exempt=True)
    return view


def authenticated(view: View) -> View:
    _mark(view, "authenticated")
    return view


def staff(perm: Perm) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not (user.is_authenticated and user.is_staff_member and user.can(perm)):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        _mark(wrapper, f"staff:{perm}")
        return cast(View, wrapper)  # wraps() kept the view's signature and attributes

    return decorator


def _role_only(role: str, perm: Perm, name: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not (user.is_authenticated and user.role == role and user.can(perm)):
                raise PermissionDenied("This page is for participants and their families.")
            return view(request, *args, **kwargs)

        _mark(wrapper, name)
        return cast(View, wrapper)  # wraps() kept the view's signature and attributes

    return decorator


portal = _role_only(Role.PARTICIPANT, Perm.PORTAL_SELF, "portal")
family = _role_only(Role.FAMILY, Perm.PORTAL_FAMILY, "family")


def passive(view: View) -> View:
    """A request the page makes on its own, such as a poll for new alerts: it is not the user's
    activity, so an open page cannot keep an idle session from timing out (IdleTimeoutMiddleware
    neither counts it nor saves the session for it). Combine with a policy decorator."""
    setattr(view, PASSIVE_ATTR, True)
    return view


def is_passive(view: Callable[..., Any]) -> bool:
    return bool(getattr(view, PASSIVE_ATTR, False))


def policy_of(view: Callable[..., Any]) -> str | None:
    # Class-based views expose the original class on `view_class`; function views carry it.
    policy = getattr(view, POLICY_ATTR, None)
    if policy is None and hasattr(view, "view_class"):
        policy = getattr(view.view_class, POLICY_ATTR, None)
    return policy
