"""Running background tasks inside a test, on whichever backend the run is configured for
(./run test runs the tests marked `tasks` a second time on RQ with Redis)."""

from __future__ import annotations

from django.conf import settings

from openiop.ops.queue import uses_database_queue


def on_rq() -> bool:
    return settings.OPENIOP_TASKS_BACKEND == "rq"


def run_tasks() -> None:
    """Run every task that is ready, in this process, as a worker would, until none is left."""
    if uses_database_queue():
        from openiop.ops.workers import run_database_worker

        run_database_worker(worker_id="test-worker", interval=0, batch=True)
        return
    from django_rq import get_connection, get_queue
    from rq import SimpleWorker

    queue = get_queue("default", job_class="django_tasks_rq.backend.Job")
    SimpleWorker(
        [queue], connection=get_connection("default"), job_class="django_tasks_rq.backend.Job"
    ).work(burst=True, with_scheduler=False)


def redis_flush() -> None:
    """Empty this run's own Redis database (OPENIOP_REDIS_URL names its number)."""
    from django_rq import get_connection

    get_connection("default").flushdb()
