"""Enqueueing that keeps faith with the caller's transaction.

With the database backend the task row is written in the caller's transaction: the task exists
if and only if the work that asked for it commits (an alert and its notification e-mail, a
claim and its run). With RQ the job is pushed to Redis once the transaction has committed, so a
worker never runs a task whose data a rollback removed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django_tasks import TaskResult, task_backends
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

log = logging.getLogger("openiop.tasks")


def uses_database_queue(alias: str = "default") -> bool:
    return isinstance(task_backends[alias], DatabaseBackend)


def enqueue_with_commit(
    task: Task[Any, Any],
    *args: Any,
    then: Callable[[str], None] | None = None,
    **kwargs: Any,
) -> TaskResult[Any] | None:
    """Enqueue `task(*args, **kwargs)` as part of the current transaction. `then(result_id)`
    runs once the id is known. Returns the result when it is enqueued at once (database
    backend), None when it waits for the commit (RQ)."""
    if uses_database_queue(task.backend):
        result = task.enqueue(*args, **kwargs)
        if then is not None:
            then(str(result.id))
        return result

    def push() -> None:
        try:
            result = task.enqueue(*args, **kwargs)
        except Exception as exc:
            # Redis unreachable: the caller's work is committed; periodic jobs and the
            # delivery sweep pick the work up again.
            log.warning("could not enqueue %s: %s", task.name, type(exc).__name__)
            return
        if then is not None:
            then(str(result.id))

    transaction.on_commit(push)
    return None
