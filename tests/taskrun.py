"""Running background tasks inside a test, on whichever backend the run is configured for
(./run test runs the tests marked `tasks` a second time on RQ with Redis)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from unittest.mock import patch

from django.conf import settings

from openiop.ops.queue import uses_database_queue


def on_rq() -> bool:
    return settings.OPENIOP_TASKS_BACKEND == "rq"


def keep_test_connection() -> AbstractContextManager[object]:
    """The database worker drops connections between tasks, as a request would; inside a
    test's transaction on PostgreSQL that would close the transaction the test runs in."""
    return patch("django_tasks_db.management.commands.db_worker.close_old_connections")


def run_tasks() -> None:
    """Run every task that is ready, in this process, as a worker would, until none is left."""
    if uses_database_queue():
        from openiop.ops.workers import run_database_worker

        with keep_test_connection():
            run_database_worker(worker_id="test-worker", interval=0, batch=True)
        return
    from openiop.ops.workers import run_rq_worker

    run_rq_worker(burst=True)


def redis_flush() -> None:
    """Empty this run's own Redis database (OPENIOP_REDIS_URL names its number)."""
    from django_rq import get_connection

    get_connection("default").flushdb()
