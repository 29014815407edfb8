"""Typed request for views behind a policy: the middleware guarantees a signed-in user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from openiop.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
