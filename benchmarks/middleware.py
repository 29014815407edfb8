"""Counts the SQL queries of one request, when the request asks (header X-Bench-Count: 1), and
answers in the X-Bench-Queries header. Timed requests do not ask, so they pay one header
lookup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse

COUNT_HEADER = "X-Bench-Count"
QUERIES_HEADER = "X-Bench-Queries"


class QueryCountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.headers.get(COUNT_HEADER) != "1":
            return self.get_response(request)
        count = 0

        def counter(execute: Callable[..., Any], *args: Any) -> Any:
            nonlocal count
            count += 1
            return execute(*args)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response[QUERIES_HEADER] = str(count)
        return response
