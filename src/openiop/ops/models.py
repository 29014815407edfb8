"""Bookkeeping around background work. The queue itself belongs to the task backend
(django-tasks-db or RQ); these tables only record what the backend does not:

- `PeriodicClaim`: one row per periodic job and due time. Its unique constraint is what makes
  each periodic job enqueued once per due time, however many schedulers run.
- `WorkerHeartbeat`: each `openiop worker` (database backend) says every few seconds that it is
  alive and which task it runs, so the scheduler can tell a task whose worker died from a task
  that is merely long.
- `Delivery`: the sent-log of e-mails, keyed by what was sent, checked before sending.
- `TrackedTask`: a task a person started and may follow on its status page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from openiop.lib.models import PublicIdentified


class PeriodicClaim(models.Model):
    name = models.CharField(max_length=100)
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField()
    # hostname:pid of the scheduler that claimed it (for the operator reading the table).
    claimed_by = models.CharField(max_length=100, blank=True)
    # The task backend's id of the enqueued run.
    result_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(null=True)
    # Counts only ("3 reminders sent"), never names: operators read this.
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-due_at"]
        constraints = [
            models.UniqueConstraint(fields=["name", "due_at"], name="periodic_claim_once")
        ]
        indexes = [models.Index(fields=["name", "-finished_at"], name="periodic_claim_last")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.due_at:%Y-%m-%d %H:%M:%S}"


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=100)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()
    # The task result the worker is running now ("" when idle).
    current_task = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return self.worker_id


class DeliveryPolicy(models.TextChoices):
    # Never twice: a message whose send was interrupted before it was marked is not sent again.
    AT_MOST_ONCE = "at_most_once", "At most once"
    # Never lost: a message whose send was interrupted is sent again (with the same Message-ID).
    AT_LEAST_ONCE = "at_least_once", "At least once"


class DeliveryState(models.TextChoices):
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"


class Delivery(models.Model):
    """One row per message that was, or is being, sent. The key names what was sent
    ("session-reminder:<session>:<participant>"), ids only."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=50)
    policy = models.CharField(max_length=20, choices=DeliveryPolicy.choices)
    state = models.CharField(max_length=10, choices=DeliveryState.choices)
    attempts = models.PositiveSmallIntegerField(default=1)
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="delivery_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(policy__in=DeliveryPolicy.values), name="delivery_policy_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["claimed_at"], condition=Q(state="sending"), name="delivery_open")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"


class TrackedState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


class TrackedTask(PublicIdentified):
    """A long task started by a person (an export, a review packet, a solver run), shown to
    them on its status page while it runs."""

    organization = models.ForeignKey(
        "programs.Organization", on_delete=models.PROTECT, null=True, blank=True
    )
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    result_id = models.CharField(max_length=64, unique=True)
    # What the person sees as the page title ("Export of March attendance"): no PHI.
    label = models.CharField(max_length=200)
    state = models.CharField(
        max_length=10, choices=TrackedState.choices, default=TrackedState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    # Where the finished work can be opened (a download), set by the task when it ends.
    result_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=TrackedState.values), name="tracked_task_state_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("ops:task_status", args=[self.public_id])

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))

    @property
    def is_finished(self) -> bool:
        return self.state in (TrackedState.SUCCEEDED, TrackedState.FAILED)
