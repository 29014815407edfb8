"""Periodic jobs: claimed once per due time, enqueued as tasks, run by a worker, and their last
good run is what health reports."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from openiop.ops.models import PeriodicClaim
from openiop.ops.periodic import (
    _PERIODIC,
    Periodic,
    due_time,
    escalation_late,
    periodic_enqueue_due,
    periodic_health,
    registered_periodic,
)
from tests.taskrun import keep_test_connection

pytestmark = pytest.mark.tasks

ticks: list[datetime] = []


def _tick(now: datetime) -> str:
    ticks.append(now)
    return "ticked"


def _explode(now: datetime) -> str:
    raise RuntimeError("boom")


@pytest.fixture
def only_test_jobs():
    """Run the scheduler with a known set of jobs instead of the product's."""
    saved = dict(_PERIODIC)
    _PERIODIC.clear()
    _PERIODIC["test.tick"] = Periodic("test.tick", timedelta(minutes=5), _tick)
    ticks.clear()
    yield
    _PERIODIC.clear()
    _PERIODIC.update(saved)


def test_every_product_job_is_registered_and_escalation_runs_every_minute() -> None:
    jobs = registered_periodic()
    assert jobs["safety.escalate"].every == timedelta(minutes=1)
    assert {
        "safety.escalate",
        "safety.diary_missing",
        "diary.reminders",
        "scheduling.reminders",
        "scheduling.compliance",
        "measures.make_due",
        "discharge.followups",
        "ops.prune",
    } <= set(jobs)


def test_due_times_are_aligned_so_every_scheduler_computes_the_same() -> None:
    now = datetime(2026, 5, 4, 10, 7, 31, tzinfo=UTC)
    assert due_time(now, timedelta(minutes=5)) == datetime(2026, 5, 4, 10, 5, tzinfo=UTC)
    assert due_time(now, timedelta(minutes=1)) == datetime(2026, 5, 4, 10, 7, tzinfo=UTC)


def test_a_due_time_is_enqueued_once_however_often_the_scheduler_looks(
    db, only_test_jobs, run_tasks, django_capture_on_commit_callbacks
) -> None:
    now = datetime(2026, 5, 4, 10, 7, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic_enqueue_due(now=now, scheduler="a") == ["test.tick"]
        assert periodic_enqueue_due(now=now + timedelta(seconds=40), scheduler="b") == []
    run_tasks()
    assert len(ticks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic_enqueue_due(now=now + timedelta(minutes=5), scheduler="b") == ["test.tick"]
    run_tasks()
    assert len(ticks) == 2
    claims = list(PeriodicClaim.objects.order_by("due_at"))
    assert [c.claimed_by for c in claims] == ["a", "b"]
    assert all(c.ok and c.summary == "ticked" and c.result_id for c in claims)


def test_a_failing_job_is_recorded_as_failed_and_reported_late(
    db, only_test_jobs, run_tasks, django_capture_on_commit_callbacks
) -> None:
    _PERIODIC["test.tick"] = Periodic("test.tick", timedelta(minutes=5), _explode)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        periodic_enqueue_due(now=now)
    run_tasks()
    claim = PeriodicClaim.objects.get()
    assert claim.ok is False
    assert claim.summary == "RuntimeError"
    (health,) = periodic_health(now=now)
    assert health.last_failed is True
    assert health.late is True


def test_health_says_when_each_job_last_ran_and_whether_it_is_late(
    db, only_test_jobs, run_tasks, django_capture_on_commit_callbacks
) -> None:
    now = timezone.now()
    (never,) = periodic_health(now=now)
    assert never.last_ok is None
    assert never.late
    with django_capture_on_commit_callbacks(execute=True):
        periodic_enqueue_due(now=now)
    run_tasks()
    (fresh,) = periodic_health(now=timezone.now())
    assert fresh.last_ok is not None
    assert not fresh.late
    (stale,) = periodic_health(now=timezone.now() + timedelta(minutes=12))
    assert stale.late


def test_escalation_is_late_when_it_has_not_run_within_three_minutes(db) -> None:
    now = timezone.now()
    assert escalation_late(now=now) is None  # never ran
    PeriodicClaim.objects.create(
        name="safety.escalate",
        due_at=now,
        claimed_at=now,
        finished_at=now,
        ok=True,
    )
    assert escalation_late(now=now + timedelta(minutes=2)) is False
    assert escalation_late(now=now + timedelta(minutes=4)) == now


def test_the_commands_enqueue_and_run_the_product_jobs(
    db, django_capture_on_commit_callbacks
) -> None:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("scheduler", "--once", stdout=out)
    assert "safety.escalate every 60 s" in out.getvalue()
    enqueued = set(PeriodicClaim.objects.values_list("name", flat=True))
    assert enqueued == set(registered_periodic())
    with keep_test_connection():
        call_command("worker", "--once", stdout=out)
    assert not PeriodicClaim.objects.filter(ok__isnull=True).exists()
    assert set(PeriodicClaim.objects.filter(ok=True).values_list("name", flat=True)) == enqueued


def test_worker_check_exits_non_zero_until_every_job_has_run(
    db, django_capture_on_commit_callbacks
) -> None:
    out = StringIO()
    with pytest.raises(SystemExit) as late:
        call_command("worker", "--check", stdout=out)
    assert late.value.code == 1
    assert "never ran" in out.getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("scheduler", "--once", stdout=StringIO())
    with keep_test_connection():
        call_command("worker", "--once", stdout=StringIO())
    out = StringIO()
    with pytest.raises(SystemExit) as fine:
        call_command("worker", "--check", stdout=out)
    assert fine.value.code == 0
    assert "safety.escalate" in out.getvalue()
    assert "LATE" not in out.getvalue()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent schedulers need a server database"
)
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_enqueue_each_due_time_once(only_test_jobs) -> None:
    _PERIODIC["test.other"] = Periodic("test.other", timedelta(minutes=1), _tick)
    start = threading.Barrier(4)
    now = datetime(2026, 5, 4, 10, 7, 5, tzinfo=UTC)
    won: dict[str, list[str]] = {}

    def schedule(name: str) -> None:
        start.wait()
        try:
            won[name] = periodic_enqueue_due(now=now, scheduler=name)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=schedule, args=(f"s{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = sorted(name for names in won.values() for name in names)
    assert everything == ["test.other", "test.tick"]
    assert PeriodicClaim.objects.count() == 2
