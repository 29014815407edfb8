"""The database-backed job queue: no broker to run, and on PostgreSQL several workers on
several machines claim work safely (SELECT … FOR UPDATE SKIP LOCKED, then a conditional
UPDATE that also protects SQLite)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Job(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Which organization's data the job touches, when it touches one (sharding by organization).
    organization = models.ForeignKey(
        "programs.Organization", on_delete=models.PROTECT, null=True, blank=True
    )
    name = models.CharField(max_length=100)
    # Ids only (UUIDs, numbers): payloads are visible to operators and must hold no PHI.
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    run_after = models.DateTimeField(db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Exception class and message of the last failure; our messages carry ids, not PHI.
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["run_after", "id"],
                condition=Q(status="queued"),
                name="job_queued_due",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in JobStatus]), name="job_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"


class PeriodicRun(models.Model):
    """One row per periodic job per time slot: the unique constraint makes sure exactly one
    worker runs each slot, however many are polling."""

    name = models.CharField(max_length=100)
    slot = models.DateTimeField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(null=True)
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-slot"]
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="periodic_run_once")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M}"
