"""The processes behind `openiop worker`.

Database backend: django-tasks-db's own `Worker` claims and runs the tasks. Around it we add
what it lacks: it survives a database outage (its loop raises on a lost connection; we drop the
connections, wait with a growing pause and start the loop again), and a heartbeat thread tells
the scheduler every few seconds that this worker is alive and which task it runs, so that a
task whose worker died is recognised (ops/recovery.py).

RQ backend: RQ's own worker, which retries through ops/rq.py and reconnects to Redis by itself.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker as DBWorker
from django_tasks_db.models import DBTaskResult

from openiop.lib.db import OUTAGE_ERRORS, Backoff, reset_connections, wait_for_database
from openiop.ops.models import WorkerHeartbeat

log = logging.getLogger("openiop.worker")


def new_worker_id() -> str:
    # django-tasks-db allows 64 characters; the host and pid let an operator find the process.
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(6)}"


class Heartbeat(threading.Thread):
    """Writes this worker's WorkerHeartbeat row every OPENIOP_TASK_HEARTBEAT_SECONDS, on its own
    database connection. A failed beat (database down) is logged once and retried."""

    def __init__(self, worker: ResilientWorker) -> None:
        super().__init__(name="openiop-heartbeat", daemon=True)
        self.worker = worker
        self.stopped = threading.Event()
        self.started_at = timezone.now()
        self.failing = False

    def beat(self) -> None:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker.worker_id,
            defaults={
                "hostname": socket.gethostname()[:100],
                "pid": os.getpid(),
                "started_at": self.started_at,
                "seen_at": timezone.now(),
                "current_task": self.worker.current_task,
            },
        )

    def run(self) -> None:
        interval = settings.OPENIOP_TASK_HEARTBEAT_SECONDS
        try:
            while True:
                try:
                    self.beat()
                    self.failing = False
                except OUTAGE_ERRORS:
                    if not self.failing:
                        log.warning("heartbeat: database unavailable; will keep trying")
                    self.failing = True
                    reset_connections()
                if self.stopped.wait(interval):
                    return
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)
        # If the database is down the row ages out: the scheduler treats the worker as gone
        # after a lease.
        with contextlib.suppress(*OUTAGE_ERRORS):
            WorkerHeartbeat.objects.filter(worker_id=self.worker.worker_id).delete()


class ResilientWorker(DBWorker):
    """django-tasks-db's worker, restarted after a database outage instead of crashing."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.current_task = ""

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.current_task = str(db_task_result.id)
        try:
            super().run_task(db_task_result)
        finally:
            self.current_task = ""

    def run(self) -> None:
        backoff = Backoff(cap=settings.OPENIOP_DB_RETRY_MAX_SECONDS)
        while self.running:
            try:
                super().run()
                return
            except OUTAGE_ERRORS as exc:
                # The task in hand, if any, stays RUNNING in the database; once this worker
                # no longer reports it, the scheduler queues it again (ops/recovery.py).
                self.running_task = False
                self.current_task = ""
                log.warning(
                    "worker %s: lost the database (%s); reconnecting",
                    self.worker_id,
                    type(exc).__name__,
                )
                reset_connections()
                wait_for_database(backoff=backoff, who=f"worker {self.worker_id}")


def run_database_worker(
    *, worker_id: str, interval: float, batch: bool = False, max_tasks: int | None = None
) -> None:
    worker = ResilientWorker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=max_tasks,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    if batch:
        # One pass in this process (tests, `openiop worker --once`): nobody needs to be told
        # it is alive.
        worker.run()
        return
    heartbeat = Heartbeat(worker)
    heartbeat.start()
    worker.configure_signals()
    try:
        worker.run()
    finally:
        heartbeat.stop()
        worker.reset_signals()


def run_rq_worker(*, burst: bool = False) -> None:
    from django_rq import get_worker

    worker = get_worker(
        "default",
        job_class="django_tasks_rq.backend.Job",
        # One pass runs in this process; a long-running worker forks a work-horse per job,
        # so a job that kills its process is seen failing by the worker that forked it.
        worker_class="openiop.ops.rq.OnePassWorker" if burst else None,
        # Abandoned jobs (the whole worker killed) are found by this maintenance pass.
        maintenance_interval=60,
    )
    worker.work(burst=burst, with_scheduler=not burst, logging_level="INFO")
