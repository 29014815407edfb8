"""Deny by default: every URL in the project resolves to a view that declares its policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from openiop.accounts.middleware import AccessPolicyMiddleware
from openiop.accounts.policy import policy_of

KNOWN_POLICIES = ("public", "signed_in", "authenticated", "staff:", "portal", "family")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_url_declares_a_policy() -> None:
    missing = [route for route, view in _walk(get_resolver().url_patterns) if not policy_of(view)]
    assert missing == []


def test_every_policy_is_a_known_one() -> None:
    policies = {route: policy_of(view) for route, view in _walk(get_resolver().url_patterns)}
    unknown = {r: p for r, p in policies.items() if not str(p).startswith(KNOWN_POLICIES)}
    assert unknown == {}


def test_the_walk_finds_the_core_pages() -> None:
    routes = {route for route, _ in _walk(get_resolver().url_patterns)}
    assert "participants/<uuid:public_id>/" in routes
    assert "accounts/login/" in routes
    assert len(routes) >= 10


def test_only_sign_in_pages_are_public() -> None:
    public = sorted(
        route for route, view in _walk(get_resolver().url_patterns) if policy_of(view) == "public"
    )
    # Sign-in pages, the intake "contact us" form (rate-limited, spam-resistant), the
    # calendar feed, whose path carries its own secret token (no session, no PHI), the
    # health check for load balancers and monitoring (job names and times only), and the
    # portal invitation page, which opens only with a single-use key and names nobody; the
    # portal's service worker and manifest (no participant data: portal/views_offline.py).
    allowed = (
        "accounts/",
        "contact/",
        "schedule/feed/",
        "health/",
        "welcome/",
        "me/sw.js",
        "me/manifest.webmanifest",
    )
    assert public
    assert all(route.startswith(allowed) for route in public)


def test_the_middleware_refuses_a_view_without_a_policy() -> None:
    def undeclared(request: Any) -> None:
        return None

    middleware = AccessPolicyMiddleware(lambda request: None)
    request = RequestFactory().get("/")
    with pytest.raises(ImproperlyConfigured):
        middleware.process_view(request, undeclared, (), {})
