from __future__ import annotations

import threading
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from openiop.ops.jobs import (
    job,
    job_claim,
    job_enqueue,
    periodic,
    periodic_run_due,
    slot_of,
    work_once,
)
from openiop.ops.models import Job, JobStatus, PeriodicRun
from openiop.programs.models import Organization

calls: list[dict[str, Any]] = []
ticks: list[Any] = []


@job("test.record")
def _record(payload: dict[str, Any]) -> None:
    calls.append(payload)


@job("test.explode")
def _explode(payload: dict[str, Any]) -> None:
    Organization.objects.create(name=f"half-done {payload['n']}")
    raise RuntimeError("boom")


@periodic("test.tick", every=timedelta(minutes=5))
def _tick(now: Any) -> str:
    ticks.append(now)
    return "ticked"


@pytest.fixture(autouse=True)
def _reset() -> None:
    calls.clear()
    ticks.clear()


def test_a_queued_job_runs_once_and_is_marked_done(db) -> None:
    queued = job_enqueue(name="test.record", payload={"id": "abc"})
    assert work_once() == 1
    assert work_once() == 0
    queued.refresh_from_db()
    assert queued.status == JobStatus.DONE
    assert calls == [{"id": "abc"}]


def test_an_unknown_job_name_is_refused(db) -> None:
    with pytest.raises(ValueError, match="No job named"):
        job_enqueue(name="test.nothing")
    assert not Job.objects.exists()


def test_a_job_waits_for_its_time(db) -> None:
    now = timezone.now()
    job_enqueue(name="test.record", payload={}, run_after=now + timedelta(hours=1))
    assert work_once(now=now) == 0
    assert work_once(now=now + timedelta(hours=1)) == 1


def test_a_failing_job_rolls_back_its_writes_and_retries_with_backoff(db) -> None:
    now = timezone.now()
    queued = job_enqueue(name="test.explode", payload={"n": 1}, max_attempts=2, run_after=now)
    work_once(now=now)
    queued.refresh_from_db()
    assert queued.status == JobStatus.QUEUED
    assert queued.run_after > now
    assert queued.last_error == "RuntimeError: boom"
    assert not Organization.objects.filter(name__startswith="half-done").exists()
    work_once(now=queued.run_after)
    queued.refresh_from_db()
    assert queued.status == JobStatus.FAILED
    assert queued.attempts == 2


def test_a_job_left_running_by_a_dead_worker_is_run_again(db) -> None:
    now = timezone.now()
    queued = job_enqueue(name="test.record", payload={"again": True}, run_after=now)
    assert job_claim(now=now, worker="dead:1") is not None
    assert work_once(now=now + timedelta(minutes=1)) == 0
    assert work_once(now=now + timedelta(minutes=20)) == 1
    queued.refresh_from_db()
    assert queued.status == JobStatus.DONE
    assert queued.attempts == 2


def test_a_periodic_job_runs_once_per_slot_whatever_the_number_of_workers(db) -> None:
    now = timezone.now()
    periodic_run_due(now=now)
    periodic_run_due(now=now + timedelta(seconds=1))  # a second worker, same slot
    assert len(ticks) == 1
    periodic_run_due(now=now + timedelta(minutes=5))
    assert len(ticks) == 2
    run = PeriodicRun.objects.filter(name="test.tick").first()
    assert run is not None
    assert run.ok is True
    assert run.summary == "ticked"


def test_slots_are_aligned_to_the_period() -> None:
    now = timezone.now().replace(minute=7, second=31, microsecond=0)
    assert slot_of(now, timedelta(minutes=5)).minute == 5


def test_the_worker_command_runs_one_pass(db) -> None:
    job_enqueue(name="test.record", payload={"cmd": 1})
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert "ran 1 job(s)" in out.getvalue()
    assert calls == [{"cmd": 1}]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent claims need a server database"
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_claim_the_same_job() -> None:
    for i in range(40):
        job_enqueue(name="test.record", payload={"i": i})
    claimed: dict[str, list[int]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def drain(name: str) -> None:
        start.wait()
        try:
            while (got := job_claim(now=timezone.now(), worker=name)) is not None:
                claimed[name].append(got.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=drain, args=(n,)) for n in claimed]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = claimed["a"] + claimed["b"]
    assert len(everything) == 40
    assert len(set(everything)) == 40
