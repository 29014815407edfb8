"""`openiop worker`: runs background tasks until stopped; `--check` tells a process supervisor
whether the periodic jobs run on time.

Run one or more per machine, on as many machines as needed: with the database backend workers
claim tasks with SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL) or an exclusive transaction
(SQLite); with RQ, Redis hands each job to one worker. Periodic jobs are enqueued by
`openiop scheduler`.
"""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from openiop.lib.db import OUTAGE_ERRORS
from openiop.ops.periodic import periodic_health, registered_periodic
from openiop.ops.queue import uses_database_queue
from openiop.ops.workers import new_worker_id, run_database_worker, run_rq_worker


def _ago(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


class Command(BaseCommand):
    help = (
        "Run background tasks (alert escalation, reminders, due check-ins, long jobs). "
        "--check: exit 0 when every periodic job ran on time, 1 when one is late, 2 when the "
        "database does not answer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is ready, then exit.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Print when each periodic job last ran; exit status for a supervisor.",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds an idle worker waits before looking for tasks again (database backend).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            sys.exit(self._check())
        backend = "database" if uses_database_queue() else f"RQ ({settings.OPENIOP_REDIS_URL})"
        jobs = ", ".join(sorted(registered_periodic()))
        if uses_database_queue():
            worker_id = new_worker_id()
            self.stdout.write(
                f"worker {worker_id}: running tasks from the {backend} queue "
                f"(periodic jobs, enqueued by openiop scheduler: {jobs})"
            )
            self.stdout.flush()
            run_database_worker(
                worker_id=worker_id, interval=options["interval"], batch=options["once"]
            )
        else:
            self.stdout.write(f"worker: running tasks from {backend}")
            self.stdout.flush()
            run_rq_worker(burst=options["once"])
        self.stdout.write("worker stopped")

    def _check(self) -> int:
        now = timezone.now()
        try:
            health = periodic_health(now=now)
        except OUTAGE_ERRORS as exc:
            self.stderr.write(f"database unavailable: {type(exc).__name__}")
            return 2
        late = False
        for job in health:
            if job.last_ok is None:
                when = "never ran"
            else:
                when = f"last ran {_ago((now - job.last_ok).total_seconds())}"
            state = "LATE" if job.late else "ok"
            if job.last_failed:
                state += ", last run failed"
            every = int(job.every.total_seconds())
            self.stdout.write(f"{job.name:<24} every {every:>5} s  {when:<22} {state}")
            late = late or job.late
        return 1 if late else 0
