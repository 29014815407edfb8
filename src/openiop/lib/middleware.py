"""Middleware of the whole site that belongs to no room."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openiop.lib.forms import NUL, has_nul


class RejectNulQueryMiddleware:
    """A NUL character in a query string (a search, a filter, a week) is never something a
    person typed: answer 400 with a clear page before any view reads it (a NUL in a database
    lookup fails on PostgreSQL instead of finding nothing). Form fields are checked by the
    form bases (lib/forms.py), where the error can be shown on the field."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.GET
        if any(NUL in key or has_nul(query.getlist(key)) for key in query):
            return render(request, "400_nul.html", status=400)
        return self.get_response(request)
