"""Typed request for views behind a policy, and the one safe "return to" for redirects that
come from user input."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from uuid import UUID

from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from openiop.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails


MAX_RETURN_TO = 2000


def safe_return_to(request: HttpRequest, fallback: str, *, field: str = "next") -> str:
    """Where to send the user back to after a form: the `field` value (form first, then the
    query string) when it names a page of this site, as a path, else `fallback`.

    A page of this site is a path that starts with a single "/" (or a full URL of this very
    host, which is reduced to its path), holds no control characters and resolves to one of our
    URLs; anything else ("-1", "NaN", "9999-12-31", another host, "javascript:...", a NUL byte)
    is ignored, so the write the form made is never followed by an error or an open redirect.
    The result is always a path, never a view name for `redirect()` to look up."""
    value = request.POST.get(field) or request.GET.get(field) or ""
    return _local_path(request, value) or fallback


def _local_path(request: HttpRequest, value: str) -> str:
    if not value or len(value) > MAX_RETURN_TO:
        return ""
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return ""
    if not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        # A full URL of this host (url_has_allowed_host_and_scheme checked the host): its path.
        value = parts.path + (f"?{parts.query}" if parts.query else "")
        parts = urlsplit(value)
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        return ""
    try:
        resolve(parts.path)
    except Resolver404:
        return ""
    return value


# Looked up in place of a malformed id: matches nothing.
NO_SUCH_ID = UUID(int=0)


def uuid_or_none(value: object) -> UUID | None:
    """A UUID typed in a form field, or None for anything else (a lookup with a malformed id
    must find nothing, not fail)."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return UUID(value)
    except ValueError:
        return None
