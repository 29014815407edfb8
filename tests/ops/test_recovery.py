"""The scheduler's recovery of tasks django-tasks-db would leave RUNNING for ever (a worker killed
mid-task) or FAILED after one try: capped attempts, then a visible failed state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from openiop.ops.models import WorkerHeartbeat
from openiop.ops.recovery import WORKER_LOST, tasks_recover

pytestmark = pytest.mark.django_db

done: list[int] = []


@task()
def record(n: int) -> int:
    done.append(n)
    return n


@pytest.fixture(autouse=True)
def _short(settings):
    settings.OPENIOP_TASK_LEASE_SECONDS = 30
    settings.OPENIOP_TASK_MAX_ATTEMPTS = 3
    settings.OPENIOP_TASK_RETRY_DELAY_SECONDS = 10
    done.clear()


def _claimed_by(worker: str, *, minutes_ago: float) -> DBTaskResult:
    record.enqueue(7)
    row = DBTaskResult.objects.get()
    row.claim(worker)
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    row.refresh_from_db()
    return row


def _beat(worker: str, *, seconds_ago: float, current: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id=worker,
        hostname="test",
        pid=1,
        started_at=now - timedelta(hours=1),
        seen_at=now - timedelta(seconds=seconds_ago),
        current_task=current,
    )


def test_a_task_whose_worker_went_silent_is_queued_again_and_then_runs(run_tasks) -> None:
    row = _claimed_by("dead", minutes_ago=2)
    _beat("dead", seconds_ago=90, current=str(row.pk))
    assert tasks_recover(now=timezone.now()).retried == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY
    run_tasks()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == ["dead", "test-worker"]  # two attempts, counted by the backend
    assert done == [7]


def test_a_long_task_of_a_live_worker_is_left_alone() -> None:
    row = _claimed_by("alive", minutes_ago=20)
    _beat("alive", seconds_ago=3, current=str(row.pk))
    assert tasks_recover(now=timezone.now()).retried == 0
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING


def test_a_task_left_behind_by_a_worker_that_lost_the_database_is_queued_again() -> None:
    _claimed_by("survivor", minutes_ago=2)
    _beat("survivor", seconds_ago=3, current="")  # alive, but no longer on it
    assert tasks_recover(now=timezone.now()).retried == 1


def test_a_task_just_started_is_not_judged_before_its_worker_could_report_it() -> None:
    row = _claimed_by("new", minutes_ago=0.1)
    assert tasks_recover(now=timezone.now()).retried == 0
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING


def test_after_the_last_attempt_a_lost_task_fails_visibly() -> None:
    row = _claimed_by("w3", minutes_ago=2)
    DBTaskResult.objects.filter(pk=row.pk).update(worker_ids=["w1", "w2", "w3"])
    result = tasks_recover(now=timezone.now())
    assert (result.retried, result.failed) == (0, 1)
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == WORKER_LOST
    assert "attempt 3 of 3" in row.traceback
    assert row.task_result.errors[0].exception_class.__name__ == "WorkerLost"
    # and it stays failed
    assert tasks_recover(now=timezone.now() + timedelta(minutes=5)).retried == 0


def test_two_schedulers_recover_a_lost_task_once() -> None:
    _claimed_by("gone", minutes_ago=2)
    now = timezone.now()
    assert tasks_recover(now=now).retried == 1
    assert tasks_recover(now=now).retried == 0


def test_a_failed_task_is_tried_again_after_its_delay_until_the_cap() -> None:
    row = _claimed_by("w1", minutes_ago=1)
    finished = timezone.now()
    row.set_failed(RuntimeError("mail server down"))
    DBTaskResult.objects.filter(pk=row.pk).update(finished_at=finished)
    assert tasks_recover(now=finished + timedelta(seconds=5)).retried == 0
    assert tasks_recover(now=finished + timedelta(seconds=11)).retried == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY
    DBTaskResult.objects.filter(pk=row.pk).update(
        status=TaskResultStatus.FAILED, worker_ids=["w1", "w2", "w3"], finished_at=finished
    )
    assert tasks_recover(now=finished + timedelta(minutes=5)).retried == 0
