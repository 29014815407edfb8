"""Staying up while the database is not: the worker and the scheduler catch the errors a
lost connection raises, drop their connections and try again with a growing pause."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError, connections

log = logging.getLogger("openiop.db")

# What a database that is down, restarting or unreachable raises. Other DatabaseErrors
# (IntegrityError, ProgrammingError) are bugs or races and must not be retried blindly.
OUTAGE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def reset_connections() -> None:
    """Close this thread's connections, whatever state they are in; the next query opens a
    fresh one."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except DatabaseError:
            # A connection that died mid-transaction can refuse even to close; forget it.
            conn.connection = None
            conn.in_atomic_block = False
            conn.needs_rollback = False
            conn.savepoint_ids = []


class Backoff:
    """1, 2, 4 ... seconds up to `cap`, reset after a success."""

    def __init__(self, *, cap: float, first: float = 1.0) -> None:
        self.first = min(first, cap)
        self.cap = cap
        self.delay = self.first
        self.down_since: float | None = None

    def failed(self) -> float:
        """Record a failure; returns how long to wait before the next try."""
        if self.down_since is None:
            self.down_since = time.monotonic()
        wait = self.delay
        self.delay = min(self.delay * 2, self.cap)
        return wait

    def succeeded(self) -> float | None:
        """Record a success; returns how long the outage lasted, if there was one."""
        self.delay = self.first
        if self.down_since is None:
            return None
        lasted = time.monotonic() - self.down_since
        self.down_since = None
        return lasted


def wait_for_database(
    *, backoff: Backoff, who: str, sleep: Callable[[float], None] = time.sleep
) -> None:
    """Block until the default database answers, logging each failed try."""
    while True:
        try:
            connections["default"].ensure_connection()
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT 1")
        except OUTAGE_ERRORS as exc:
            reset_connections()
            wait = backoff.failed()
            log.warning(
                "%s: database unavailable (%s); next try in %.0f s", who, type(exc).__name__, wait
            )
            sleep(wait)
            continue
        lasted = backoff.succeeded()
        if lasted is not None:
            log.warning("%s: database reachable again after %.0f s", who, lasted)
        return
