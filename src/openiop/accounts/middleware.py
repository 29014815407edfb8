from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.middleware import is_verified

from openiop.accounts.policy import MFA_EXEMPT_ATTR, is_passive, policy_of

LAST_SEEN_SESSION_KEY = "openiop_last_seen"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _client_redirect(location: str) -> HttpResponse:
    """An htmx request that must leave the page (signed out) navigates the whole window, rather
    than swapping the sign-in page into a fragment."""
    response = HttpResponse(status=200)
    response["HX-Redirect"] = location
    return response


class IdleTimeoutMiddleware:
    """Signs a user out after a period without requests: staff 15 minutes by default,
    participants and family 30 (OPENIOP_STAFF_IDLE_MINUTES / OPENIOP_PORTAL_IDLE_MINUTES).
    Requests a page makes by itself (views marked `passive`, such as the alert indicator's poll)
    do not count as activity; when one finds the session expired, the page goes to sign-in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            _is_htmx(request)
            and response.status_code in (301, 302)
            and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL))
        ):
            return _client_redirect(response["Location"])
        return response

    # The check runs in process_view rather than __call__ because MessageMiddleware sits
    # later in MIDDLEWARE: only once every middleware has seen the request can the
    # "you were signed out" message be stored.
    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            return None
        minutes = (
            settings.OPENIOP_STAFF_IDLE_MINUTES
            if user.is_staff_member
            else settings.OPENIOP_PORTAL_IDLE_MINUTES
        )
        now = time.time()
        last_seen = request.session.get(LAST_SEEN_SESSION_KEY)
        if last_seen is not None and now - float(last_seen) > minutes * 60:
            logout(request)
            messages.info(request, "You were signed out after a period of inactivity.")
            if _is_htmx(request):
                return _client_redirect(reverse(settings.LOGIN_URL))
            return HttpResponseRedirect(reverse(settings.LOGIN_URL))
        if not is_passive(view_func):
            request.session[LAST_SEEN_SESSION_KEY] = now
        return None


class AccessPolicyMiddleware:
    """Deny by default: a view without a declared policy is a configuration error, and staff
    who have not completed MFA reach only the MFA pages and sign-out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        module = getattr(view_func, "__module__", "")
        if policy_of(view_func) is None and not module.startswith("django.views.static"):
            raise ImproperlyConfigured(f"View {module}.{view_func.__name__} declares no policy")
        user = request.user
        if (
            settings.OPENIOP_REQUIRE_MFA
            and user.is_authenticated
            and user.is_staff_member
            and not getattr(view_func, MFA_EXEMPT_ATTR, False)
            and not is_verified(user)
        ):
            from django_otp import devices_for_user

            has_device = any(True for _ in devices_for_user(user, confirmed=True))
            target = "accounts:mfa_verify" if has_device else "accounts:mfa_setup"
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(target)}?{query}")
        return None
