"""The floor: what a page costs when it does nothing but pass the middleware (sessions, CSRF,
authentication, MFA, idle timeout, access policy, CSP...). Served only by the benchmark's
settings."""

from __future__ import annotations

from django.db import connection, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openiop.accounts.policy import authenticated
from openiop.lib.http import AuthedRequest


@authenticated
@require_http_methods(["GET"])
def floor(request: AuthedRequest) -> HttpResponse:
    return HttpResponse("<!doctype html><title>Floor</title><p>ok</p>")


@authenticated
@require_http_methods(["POST"])
def floor_write(request: AuthedRequest) -> HttpResponse:
    """One row inserted in its own transaction, then a redirect, as the real writes do."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_floor_row (user_id, at, note) VALUES (%s, %s, %s)",
            [request.user.pk, timezone.now(), request.POST.get("note", "")[:100]],
        )
    return redirect("bench_floor")
