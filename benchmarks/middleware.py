"""The benchmark's instruments inside the server, outermost in the middleware:

- every response carries X-Bench-CPU-us, the worker's CPU time for the request (the Python side:
  middleware, view, templates; not the time waiting for PostgreSQL). Unlike wall time it hardly
  moves when other processes crowd the machine;
- a request that asks (header X-Bench-Count: 1) gets its SQL query count in X-Bench-Queries.
  Timed requests do not ask.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse

COUNT_HEADER = "X-Bench-Count"
QUERIES_HEADER = "X-Bench-Queries"
CPU_HEADER = "X-Bench-CPU-us"


class QueryCountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.thread_time()
        if request.headers.get(COUNT_HEADER) != "1":
            response = self.get_response(request)
        else:
            count = 0

            def counter(execute: Callable[..., Any], *args: Any) -> Any:
                nonlocal count
                count += 1
                return execute(*args)

            with connection.execute_wrapper(counter):
                response = self.get_response(request)
            response[QUERIES_HEADER] = str(count)
        response[CPU_HEADER] = str(round((time.thread_time() - started) * 1_000_000))
        return response
