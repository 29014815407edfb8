from __future__ import annotations

import sys
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache

from openiop.accounts.policy import authenticated, public
from openiop.lib.db import OUTAGE_ERRORS
from openiop.lib.http import AuthedRequest
from openiop.ops.delivery import uncertain_count
from openiop.ops.helpline import help_phones_read
from openiop.ops.models import TrackedTask, WorkerHeartbeat
from openiop.ops.periodic import periodic_health
from openiop.ops.queue import uses_database_queue
from openiop.ops.tracking import tracked_refresh


def _tracked_for(request: AuthedRequest, public_id: UUID) -> TrackedTask:
    # Only the person who started it: anyone else gets the same 404 as for a task that does
    # not exist.
    tracked = TrackedTask.objects.filter(public_id=public_id, requester=request.user).first()
    if tracked is None:
        raise Http404
    return tracked_refresh(tracked)


@authenticated
@never_cache
def task_status(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    tracked = _tracked_for(request, public_id)
    template = "ops/_task_progress.html" if request.htmx else "ops/task_status.html"
    return render(request, template, {"tracked": tracked})


@public
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when the database answers and every periodic
    job ran on time, 503 otherwise. Job names and times only; nothing about anyone."""
    now = timezone.now()
    try:
        jobs = periodic_health(now=now)
        uncertain = uncertain_count(now=now)
        workers = None
        if uses_database_queue():
            lease = timedelta(seconds=settings.OPENIOP_TASK_LEASE_SECONDS)
            workers = WorkerHeartbeat.objects.filter(seen_at__gte=now - lease).count()
    except OUTAGE_ERRORS:
        return JsonResponse({"database": "unavailable"}, status=503)
    late = [j.name for j in jobs if j.late]
    body = {
        "database": "ok",
        "tasks_backend": settings.OPENIOP_TASKS_BACKEND,
        "workers_seen": workers,
        "late": late,
        "uncertain_deliveries": uncertain,
        "periodic": {
            j.name: {
                "every_seconds": int(j.every.total_seconds()),
                "last_ok": j.last_ok.isoformat() if j.last_ok else None,
                "last_run_failed": j.last_failed,
                "late": j.late,
            }
            for j in jobs
        },
    }
    return JsonResponse(body, status=503 if late else 200)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500. Must work with the database down: no session, no user, no
    context processors, nothing but settings and a small file (ops/helpline.py)."""
    exc = sys.exc_info()[1]
    outage = isinstance(exc, OUTAGE_ERRORS)
    body = loader.render_to_string(
        "500.html",
        {
            "outage": outage,
            "phones": help_phones_read(),
            "local_emergency_number": settings.OPENIOP_LOCAL_EMERGENCY_NUMBER,
        },
    )
    response = HttpResponse(body, status=503 if outage else 500)
    # Never kept by a browser or proxy cache: the page is about this moment.
    response["Cache-Control"] = "no-store"
    if outage:
        response["Retry-After"] = "30"
    return response
