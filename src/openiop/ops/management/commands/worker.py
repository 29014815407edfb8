"""`openiop worker`: runs queued and periodic background jobs until stopped.

Run one per machine (or several): claims are safe across workers on PostgreSQL.
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from openiop.ops.jobs import registered_jobs, registered_periodic, work_once, worker_id


class Command(BaseCommand):
    help = "Run background jobs (reminders, alert escalation, due check-ins, nightly figures)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument(
            "--sleep", type=float, default=5.0, help="Seconds to wait when there is no work."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self._stop = False
        signal.signal(signal.SIGTERM, self._request_stop)
        signal.signal(signal.SIGINT, self._request_stop)
        me = worker_id()
        self.stdout.write(
            f"worker {me}: {len(registered_jobs())} job kinds, "
            f"periodic: {', '.join(sorted(registered_periodic())) or 'none'}"
        )
        while not self._stop:
            ran = work_once(worker=me)
            if ran:
                self.stdout.write(f"ran {ran} job(s)")
            if options["once"]:
                break
            if not ran:
                time.sleep(options["sleep"])
            # Between passes, as a request would: drop connections the database has closed.
            close_old_connections()
        self.stdout.write("worker stopped")

    def _request_stop(self, signum: int, frame: Any) -> None:
        self._stop = True
