"""Background work: jobs queued in the database and periodic jobs, both run by
`openiop worker`.

    @job("reminders.send")
    def send_reminder(payload: dict[str, Any]) -> None: ...

    job_enqueue(name="reminders.send", payload={"session": str(uuid)}, run_after=when)

    @periodic("alerts.escalate", every=timedelta(minutes=1))
    def escalate(now: datetime) -> str: ...   # returns a short summary (no PHI) for the log

Handlers must be idempotent: a job whose worker died mid-run is run again.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from openiop.ops.models import Job, JobStatus, PeriodicRun

log = logging.getLogger("openiop.worker")

JobHandler = Callable[[dict[str, Any]], None]
PeriodicHandler = Callable[[datetime], str | None]

_JOBS: dict[str, JobHandler] = {}


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    handler: PeriodicHandler


_PERIODIC: dict[str, Periodic] = {}

# A RUNNING job older than this is taken to belong to a dead worker and is queued again.
STALE_AFTER = timedelta(minutes=15)


def job(name: str) -> Callable[[JobHandler], JobHandler]:
    def register(handler: JobHandler) -> JobHandler:
        if name in _JOBS and _JOBS[name] is not handler:
            raise ValueError(f"A job named {name!r} is registered twice")
        _JOBS[name] = handler
        return handler

    return register


def periodic(name: str, *, every: timedelta) -> Callable[[PeriodicHandler], PeriodicHandler]:
    if every < timedelta(seconds=10):
        raise ValueError("Periodic jobs run at most every 10 seconds")

    def register(handler: PeriodicHandler) -> PeriodicHandler:
        _PERIODIC[name] = Periodic(name=name, every=every, handler=handler)
        return handler

    return register


def registered_jobs() -> dict[str, JobHandler]:
    return dict(_JOBS)


def registered_periodic() -> dict[str, Periodic]:
    return dict(_PERIODIC)


def job_enqueue(
    *,
    name: str,
    payload: dict[str, Any] | None = None,
    run_after: datetime | None = None,
    organization_id: int | None = None,
    max_attempts: int = 5,
) -> Job:
    """Queue a job. Inside a transaction the job is only visible once it commits, so a
    rolled-back write never leaves work behind."""
    if name not in _JOBS:
        raise ValueError(f"No job named {name!r} is registered")
    return Job.objects.create(
        name=name,
        payload=payload or {},
        run_after=run_after or timezone.now(),
        organization_id=organization_id,
        max_attempts=max_attempts,
    )


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def job_claim(*, now: datetime, worker: str) -> Job | None:
    with transaction.atomic():
        due = Job.objects.filter(status=JobStatus.QUEUED, run_after__lte=now).order_by(
            "run_after", "id"
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        candidate = due.first()
        if candidate is None:
            return None
        # The conditional UPDATE is what makes the claim safe where SKIP LOCKED is missing.
        claimed = Job.objects.filter(pk=candidate.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING,
            claimed_by=worker,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
        if not claimed:
            return None
    candidate.refresh_from_db()
    return candidate


def job_run(claimed: Job, *, now: datetime) -> bool:
    handler = _JOBS.get(claimed.name)
    try:
        if handler is None:
            raise LookupError(f"no handler registered for {claimed.name}")
        with transaction.atomic():
            handler(claimed.payload)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
        retry = claimed.attempts < claimed.max_attempts and handler is not None
        backoff = timedelta(seconds=30 * 2 ** max(claimed.attempts - 1, 0))
        Job.objects.filter(pk=claimed.pk).update(
            status=JobStatus.QUEUED if retry else JobStatus.FAILED,
            run_after=now + backoff if retry else claimed.run_after,
            last_error=error,
            finished_at=None if retry else now,
        )
        log.warning(
            "job %s %s failed (attempt %s): %s",
            claimed.name,
            claimed.public_id,
            claimed.attempts,
            type(exc).__name__,
        )
        log.debug("".join(traceback.format_exception(exc)))
        return False
    Job.objects.filter(pk=claimed.pk).update(status=JobStatus.DONE, finished_at=now)
    return True


def jobs_requeue_stale(*, now: datetime) -> int:
    return Job.objects.filter(status=JobStatus.RUNNING, claimed_at__lt=now - STALE_AFTER).update(
        status=JobStatus.QUEUED, claimed_by="", claimed_at=None
    )


def slot_of(now: datetime, every: timedelta) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=now.tzinfo)
    slots = (now - epoch) // every
    return epoch + slots * every


def periodic_run_due(*, now: datetime) -> list[str]:
    """Run each periodic job whose current slot nobody has run yet. Returns the names run."""
    ran = []
    for spec in _PERIODIC.values():
        slot = slot_of(now, spec.every)
        try:
            with transaction.atomic():
                run = PeriodicRun.objects.create(name=spec.name, slot=slot, started_at=now)
        except IntegrityError:
            continue  # another worker has this slot
        try:
            with transaction.atomic():
                summary = spec.handler(now) or ""
            ok = True
        except Exception as exc:
            summary = f"{type(exc).__name__}"
            ok = False
            log.warning("periodic %s failed: %s", spec.name, type(exc).__name__)
            log.debug("".join(traceback.format_exception(exc)))
        PeriodicRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(), ok=ok, summary=summary[:300]
        )
        ran.append(spec.name)
    return ran


def work_once(*, now: datetime | None = None, worker: str | None = None, limit: int = 100) -> int:
    """One pass: requeue stale jobs, run due periodic jobs, then up to `limit` queued jobs.
    Returns how many queued jobs ran."""
    now = now or timezone.now()
    worker = worker or worker_id()
    jobs_requeue_stale(now=now)
    periodic_run_due(now=now)
    done = 0
    while done < limit:
        claimed = job_claim(now=now, worker=worker)
        if claimed is None:
            break
        job_run(claimed, now=now)
        done += 1
    return done
