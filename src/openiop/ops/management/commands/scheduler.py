"""`openiop scheduler`: enqueues each periodic job once per due time, and (database backend)
puts tasks whose worker was lost back in the queue.

Running two or more is safe and gives failover: a unique claim row per job and due time lets
exactly one of them enqueue each run.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from openiop.lib.db import OUTAGE_ERRORS, Backoff, reset_connections
from openiop.ops.periodic import host_id, periodic_enqueue_due, registered_periodic
from openiop.ops.queue import uses_database_queue
from openiop.ops.recovery import tasks_recover

log = logging.getLogger("openiop.scheduler")


class Command(BaseCommand):
    help = "Enqueue periodic jobs on time (safe to run on several machines at once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        self._stop = threading.Event()
        if not options["once"]:
            signal.signal(signal.SIGTERM, self._request_stop)
            signal.signal(signal.SIGINT, self._request_stop)
        me = host_id()
        jobs = ", ".join(
            f"{p.name} every {int(p.every.total_seconds())} s"
            for p in sorted(registered_periodic().values(), key=lambda p: p.every)
        )
        self.stdout.write(f"scheduler {me}: {jobs}")
        self.stdout.flush()
        backoff = Backoff(cap=settings.OPENIOP_DB_RETRY_MAX_SECONDS)
        healthy_since: datetime | None = None
        lease = timedelta(seconds=settings.OPENIOP_TASK_LEASE_SECONDS)
        while not self._stop.is_set():
            try:
                now = timezone.now()
                periodic_enqueue_due(now=now, scheduler=me)
                if uses_database_queue():
                    healthy_since = healthy_since or now
                    # After an outage, workers need a lease to report in again before a task
                    # of theirs can be judged lost.
                    if now - healthy_since >= lease:
                        tasks_recover(now=now)
                lasted = backoff.succeeded()
                if lasted is not None:
                    log.warning("scheduler: database reachable again after %.0f s", lasted)
            except OUTAGE_ERRORS as exc:
                healthy_since = None
                reset_connections()
                wait = backoff.failed()
                log.warning(
                    "scheduler: database unavailable (%s); next try in %.0f s",
                    type(exc).__name__,
                    wait,
                )
                if options["once"]:
                    raise
                self._stop.wait(wait)
                continue
            if options["once"]:
                break
            self._stop.wait(settings.OPENIOP_SCHEDULER_TICK_SECONDS)
        self.stdout.write("scheduler stopped")

    def _request_stop(self, signum: int, frame: Any) -> None:
        self._stop.set()
