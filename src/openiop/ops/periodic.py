"""Periodic jobs: registered here by each room's `tasks` module, enqueued by the scheduler as
Django tasks, exactly once per due time however many schedulers run.

    @periodic("safety.escalate", every=timedelta(minutes=1))
    def escalate(now: datetime) -> str:
        return f"{alerts_escalate(now=now)} alerts escalated"   # counts only: no PHI

A job is a plain function of the current time. It works on everything that is due by `now`, so
a missed due time (scheduler stopped, database down) is caught up by the next one. It commits
its own work: each effect together with its mark, or idempotently, because a run can be
repeated when its worker dies.

Each due time is claimed by inserting a `PeriodicClaim` row (unique per job and due time); only
the scheduler whose insert succeeds enqueues the run. With the database backend the claim and
the enqueued task commit in one transaction. With RQ the task is enqueued once the claim has
committed: a scheduler that dies between the two loses that one due time, which the next one
catches up.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django_tasks import task

from openiop.ops.models import PeriodicClaim
from openiop.ops.queue import enqueue_with_commit

log = logging.getLogger("openiop.scheduler")

PeriodicJob = Callable[[datetime], str]
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    job: PeriodicJob

    @property
    def late_after(self) -> timedelta:
        """A job whose last good run is older than this is late (health, the staff header)."""
        return 2 * self.every + timedelta(minutes=1)


_PERIODIC: dict[str, Periodic] = {}


def periodic(name: str, *, every: timedelta) -> Callable[[PeriodicJob], PeriodicJob]:
    if every < timedelta(seconds=10):
        raise ValueError("Periodic jobs run at most every 10 seconds")

    def register(job: PeriodicJob) -> PeriodicJob:
        seconds = settings.OPENIOP_PERIODIC_EVERY.get(name)
        _PERIODIC[name] = Periodic(
            name=name, every=timedelta(seconds=seconds) if seconds else every, job=job
        )
        return job

    return register


def registered_periodic() -> dict[str, Periodic]:
    return dict(_PERIODIC)


def due_time(now: datetime, every: timedelta) -> datetime:
    """The latest due time at or before `now`: due times are multiples of `every` from a
    fixed epoch, so every scheduler computes the same ones."""
    return EPOCH + ((now - EPOCH) // every) * every


def host_id() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


@task()
def run_periodic(name: str, due: str) -> str:
    """The one task every periodic job runs as: looks the job up, runs it at the current time
    and records the outcome on its claim."""
    spec = _PERIODIC.get(name)
    if spec is None:
        raise LookupError(f"No periodic job named {name!r} is registered")
    due_at = datetime.fromisoformat(due)
    claim = PeriodicClaim.objects.filter(name=name, due_at=due_at)
    claim.update(started_at=timezone.now())
    try:
        summary = spec.job(timezone.now()) or ""
    except Exception as exc:
        claim.update(finished_at=timezone.now(), ok=False, summary=type(exc).__name__)
        raise
    claim.update(finished_at=timezone.now(), ok=True, summary=summary[:300])
    log.info("%s: %s", name, summary or "done")
    return summary


def periodic_enqueue_due(*, now: datetime, scheduler: str | None = None) -> list[str]:
    """Claim and enqueue every periodic job whose current due time nobody has claimed.
    Returns the names this call enqueued."""
    scheduler = scheduler or host_id()
    specs = list(_PERIODIC.values())
    dues = {spec.name: due_time(now, spec.every) for spec in specs}
    taken = set(
        PeriodicClaim.objects.filter(
            name__in=list(dues), due_at__gte=min(dues.values(), default=now)
        ).values_list("name", "due_at")
    )
    enqueued = []
    for spec in specs:
        due = dues[spec.name]
        if (spec.name, due) in taken:
            continue
        try:
            with transaction.atomic():
                claim = PeriodicClaim.objects.create(
                    name=spec.name, due_at=due, claimed_at=now, claimed_by=scheduler[:100]
                )
                _enqueue(claim)
        except IntegrityError:
            continue  # another scheduler claimed this due time first
        enqueued.append(spec.name)
    if enqueued:
        log.info("enqueued %s", ", ".join(enqueued))
    return enqueued


def _enqueue(claim: PeriodicClaim) -> None:
    def remember(result_id: str) -> None:
        PeriodicClaim.objects.filter(pk=claim.pk).update(result_id=result_id)

    enqueue_with_commit(run_periodic, claim.name, claim.due_at.isoformat(), then=remember)


@dataclass(frozen=True)
class JobHealth:
    name: str
    every: timedelta
    last_ok: datetime | None
    last_run: datetime | None
    last_failed: bool
    late: bool


def periodic_health(*, now: datetime) -> list[JobHealth]:
    """When each registered periodic job last finished, and whether it is late: two queries
    whatever the number of jobs."""
    names = list(_PERIODIC)
    last_ok = dict(
        PeriodicClaim.objects.filter(name__in=names, ok=True)
        .values("name")
        .annotate(last=Max("finished_at"))
        .values_list("name", "last")
    )
    last_run = dict(
        PeriodicClaim.objects.filter(name__in=names, finished_at__isnull=False)
        .values("name")
        .annotate(last=Max("finished_at"))
        .values_list("name", "last")
    )
    found = []
    for spec in sorted(_PERIODIC.values(), key=lambda s: (s.every, s.name)):
        ok_at = last_ok.get(spec.name)
        run_at = last_run.get(spec.name)
        found.append(
            JobHealth(
                name=spec.name,
                every=spec.every,
                last_ok=ok_at,
                last_run=run_at,
                last_failed=run_at is not None and (ok_at is None or run_at > ok_at),
                late=ok_at is None or now - ok_at > spec.late_after,
            )
        )
    return found


ESCALATION_JOB = "safety.escalate"


def escalation_late(*, now: datetime) -> datetime | bool | None:
    """False when alert escalation ran on time; otherwise when it last ran well (None: never)."""
    spec = _PERIODIC.get(ESCALATION_JOB)
    if spec is None:
        return False
    last = (
        PeriodicClaim.objects.filter(name=ESCALATION_JOB, ok=True)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    if last is not None and now - last <= spec.late_after:
        return False
    return last
