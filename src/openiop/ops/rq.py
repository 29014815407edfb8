"""RQ's side of the retry policy (only used with OPENIOP_TASKS_BACKEND=rq).

django-tasks-rq creates every job through the queue's `create_job`; this queue gives each job
RQ's own `Retry`, so a job whose work-horse is killed, or that fails, runs again up to
OPENIOP_TASK_MAX_ATTEMPTS times in all, then stays in RQ's failed registry. RQ does the
retrying; we only choose the numbers.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_rq.queues import DjangoRQ
from rq import SimpleWorker
from rq.job import Job, Retry


class RetryingQueue(DjangoRQ):
    def create_job(self, *args: Any, **kwargs: Any) -> Job:
        retries = settings.OPENIOP_TASK_MAX_ATTEMPTS - 1
        if kwargs.get("retry") is None and retries > 0:
            delay = settings.OPENIOP_TASK_RETRY_DELAY_SECONDS
            kwargs["retry"] = Retry(
                max=retries, interval=[delay * n for n in range(1, retries + 1)]
            )
        day = 24 * 60 * 60
        kwargs.setdefault("result_ttl", day)
        kwargs.setdefault("failure_ttl", 7 * day)
        return super().create_job(*args, **kwargs)


class OnePassWorker(SimpleWorker):
    """`openiop worker --once` on RQ: runs what is queued in this process and exits. It does
    not listen for commands from other processes (RQ's pub/sub thread would hold the exit for up
    to a minute)."""

    def subscribe(self) -> None:
        return None
