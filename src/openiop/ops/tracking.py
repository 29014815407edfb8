"""Long tasks a person starts and follows on a status page (exports, review packets, solver
runs). The whole API:

    @task(takes_context=True)
    def attendance_export(context: TaskContext, program_id: int) -> None:
        rows = ...
        for n, row in enumerate(rows, 1):
            ...
            progress_report(context, done=n, total=len(rows), note="Writing rows")
        result_link_set(context, url=reverse("reports:download", args=[export.public_id]))

    tracked = task_start(attendance_export, program.pk, requester=request.user,
                         label="Attendance export")
    return redirect(tracked)            # /tasks/<uuid>/: only the requester may open it

Arguments are ids, never PHI (task arguments are stored by the backend and shown to operators),
and so is the label. Progress is written outside the task's own transactions: report it from
code that is not inside `transaction.atomic`, or it shows only when that block commits.
The `openiop task` command prints the same progress on a terminal.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError, transaction
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import TaskContext, TaskResult, TaskResultStatus, task_backends
from django_tasks.base import Task
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks.signals import task_finished, task_started

from openiop.ops.models import TrackedState, TrackedTask

if TYPE_CHECKING:
    from openiop.accounts.models import User

log = logging.getLogger("openiop.tasks")


@transaction.atomic
def task_start(
    task: Task[Any, Any], *args: Any, requester: User, label: str, **kwargs: Any
) -> TrackedTask:
    """Enqueue `task` and record it for its requester's status page."""
    label = label.strip()
    if not label:
        raise ValueError("A tracked task needs a label for its status page")
    result = task.enqueue(*args, **kwargs)
    return TrackedTask.objects.create(
        organization_id=requester.organization_id,
        requester=requester,
        result_id=str(result.id),
        label=label[:200],
    )


def progress_report(
    context: TaskContext, *, done: int, total: int | None = None, note: str = ""
) -> None:
    """Tell the requester how far the task has come (`done` of `total` steps)."""
    if done < 0 or (total is not None and total < 0):
        raise ValueError("Progress counts cannot be negative")
    TrackedTask.objects.filter(result_id=str(context.task_result.id)).update(
        state=TrackedState.RUNNING,
        done=done,
        total=total,
        note=note[:200],
        attempts=context.attempt,
        updated_at=timezone.now(),
    )


def result_link_set(context: TaskContext, *, url: str) -> None:
    """Where the requester opens what the task made (shown once it has finished)."""
    TrackedTask.objects.filter(result_id=str(context.task_result.id)).update(
        result_url=url[:300], updated_at=timezone.now()
    )


def tracked_refresh(tracked: TrackedTask) -> TrackedTask:
    """Bring the row up to date with the backend where the task itself could not (a worker
    killed on the last attempt never reports its failure)."""
    if tracked.is_finished:
        return tracked
    try:
        result = task_backends["default"].get_result(tracked.result_id)
    except TaskResultDoesNotExist:
        return tracked
    state = _STATE[result.status]
    if state != tracked.state or result.attempts != tracked.attempts:
        TrackedTask.objects.filter(pk=tracked.pk).update(
            state=state,
            attempts=result.attempts,
            finished_at=result.finished_at if state in _FINAL else None,
        )
        tracked.refresh_from_db()
    return tracked


_STATE = {
    TaskResultStatus.READY: TrackedState.QUEUED,
    TaskResultStatus.RUNNING: TrackedState.RUNNING,
    TaskResultStatus.SUCCESSFUL: TrackedState.SUCCEEDED,
    TaskResultStatus.FAILED: TrackedState.FAILED,
}
_FINAL = (TrackedState.SUCCEEDED, TrackedState.FAILED)


# The backends send these around every run. A failure here must never change the task's own
# outcome (django-tasks-db would mark a successful task failed), so it is logged and dropped:
# `tracked_refresh` reads the backend's state when the page is opened.


@receiver(task_started)
def _started(sender: Any, task_result: TaskResult[Any], **kwargs: Any) -> None:
    try:
        TrackedTask.objects.filter(result_id=str(task_result.id)).update(
            state=TrackedState.RUNNING,
            started_at=timezone.now(),
            finished_at=None,
            attempts=max(task_result.attempts, 1),
        )
    except DatabaseError as exc:
        log.warning("task status not recorded: %s", type(exc).__name__)


@receiver(task_finished)
def _finished(sender: Any, task_result: TaskResult[Any], **kwargs: Any) -> None:
    try:
        TrackedTask.objects.filter(result_id=str(task_result.id)).update(
            state=_STATE[task_result.status], finished_at=timezone.now()
        )
    except DatabaseError as exc:
        log.warning("task status not recorded: %s", type(exc).__name__)
