"""What django-tasks-db leaves to us: a task whose worker was killed (SIGKILL, power loss, out
of memory) or lost the database mid-run stays RUNNING for ever, and a failed task is never
tried again. The scheduler calls `tasks_recover` on every tick (database backend only; RQ
retries by itself, see ops/rq.py):

- A RUNNING task whose worker has not been heard of for OPENIOP_TASK_LEASE_SECONDS, or whose
  worker is alive but has moved on to other work (it lost the database while running it), was
  lost. It is made READY again, or FAILED with `WorkerLost` once it has been attempted
  OPENIOP_TASK_MAX_ATTEMPTS times.
- A task that FAILED with attempts left is made READY again after
  OPENIOP_TASK_RETRY_DELAY_SECONDS times the attempts so far.

Attempts are counted by the backend itself: each claim adds the worker's id to the result's
`worker_ids`. Every change is a conditional UPDATE on the state that was read, so two
schedulers never act twice on one task. Tasks must be idempotent or commit their effect with
their mark (docs/architecture.md), since a lost task may have done part of its work.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from openiop.ops.models import WorkerHeartbeat

log = logging.getLogger("openiop.scheduler")

WORKER_LOST = "openiop.ops.recovery.WorkerLost"
# Failed tasks older than this are history, not candidates for another attempt.
RETRY_WINDOW = timedelta(hours=1)


class WorkerLost(Exception):
    """The worker running the task stopped before the task finished."""


@dataclass(frozen=True)
class Recovered:
    retried: int = 0
    failed: int = 0


def _lease() -> timedelta:
    return timedelta(seconds=settings.OPENIOP_TASK_LEASE_SECONDS)


def tasks_recover(*, now: datetime) -> Recovered:
    lost_retried, lost_failed = _recover_lost(now)
    return Recovered(retried=lost_retried + _retry_failed(now), failed=lost_failed)


def _recover_lost(now: datetime) -> tuple[int, int]:
    lease = _lease()
    # A task started less than a lease ago may not show in its worker's heartbeat yet.
    running = list(
        DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=now - lease
        ).only("id", "worker_ids", "started_at", "task_path")
    )
    if not running:
        return 0, 0
    beats = {
        b.worker_id: b
        for b in WorkerHeartbeat.objects.filter(
            worker_id__in={r.worker_ids[-1] for r in running if r.worker_ids}
        )
    }
    retried = failed = 0
    cap = settings.OPENIOP_TASK_MAX_ATTEMPTS
    for result in running:
        beat = beats.get(result.worker_ids[-1]) if result.worker_ids else None
        if beat is not None and beat.seen_at >= now - lease and beat.current_task == str(result.id):
            continue  # its worker is alive and still on it: a long task, not a lost one
        attempts = len(result.worker_ids)
        same = DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
        )
        if attempts < cap:
            if same.update(status=TaskResultStatus.READY, run_after=now):
                retried += 1
                log.warning(
                    "task %s (%s) lost its worker after attempt %s of %s; queued again",
                    result.pk,
                    result.task_path.rsplit(".", 1)[-1],
                    attempts,
                    cap,
                )
        elif same.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=WORKER_LOST,
            traceback=(
                f"{WORKER_LOST}: the worker stopped during attempt {attempts} of {cap}; "
                "no attempts left."
            ),
            return_value=None,
        ):
            failed += 1
            log.error(
                "task %s (%s) lost its worker on its last attempt (%s of %s); failed",
                result.pk,
                result.task_path.rsplit(".", 1)[-1],
                attempts,
                cap,
            )
    return retried, failed


def _retry_failed(now: datetime) -> int:
    cap = settings.OPENIOP_TASK_MAX_ATTEMPTS
    if cap <= 1:
        return 0
    delay = timedelta(seconds=settings.OPENIOP_TASK_RETRY_DELAY_SECONDS)
    candidates = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__gte=now - RETRY_WINDOW
    ).exclude(exception_class_path=WORKER_LOST)
    retried = 0
    for result in candidates.only("id", "worker_ids", "finished_at", "task_path"):
        attempts = len(result.worker_ids)
        if attempts >= cap or result.finished_at is None:
            continue
        when = result.finished_at + delay * attempts
        if when > now:
            continue
        if DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.FAILED, finished_at=result.finished_at
        ).update(status=TaskResultStatus.READY, run_after=now, finished_at=None):
            retried += 1
            log.warning(
                "task %s (%s) failed on attempt %s of %s; queued again",
                result.pk,
                result.task_path.rsplit(".", 1)[-1],
                attempts,
                cap,
            )
    return retried
