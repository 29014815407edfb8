"""The append-only access log (HIPAA §164.312(b)) and the participant event timeline.

AccessLog rows are only ever inserted: the model refuses save() on an existing row and
delete(), and on PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from openiop.lib import triggers as guards
from openiop.lib.models import OrganizationRecord, PublicIdentified


class AppendOnlyError(Exception):
    pass


class AccessAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    EXPORT = "export", "Exported"
    PRINT = "print", "Printed"
    DENIED = "denied", "Denied"


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    """Bulk UPDATE and DELETE bypass the model's save() and delete(); refuse them here too so
    that SQLite (which has no trigger) keeps the same promise for application code."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Access log entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Access log entries cannot be deleted.")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AppendOnlyError("Access log entries cannot be changed.")


class AccessLog(PublicIdentified):
    organization = models.ForeignKey(
        "programs.Organization", on_delete=models.PROTECT, null=True, blank=True
    )
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=10, choices=AccessAction.choices)
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # What was touched, by kind and public id: "participant.chart", "episode", ...
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    # Path only (ids are UUIDs; query strings can hold searched names and are never stored).
    path = models.CharField(max_length=300, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        triggers = [guards.append_only()]
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["participant", "at"]),
            models.Index(fields=["actor", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Access log entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Access log entries cannot be deleted.")


class EventKind(models.TextChoices):
    PARTICIPANT_CREATED = "participant_created", "Record created"
    PARTICIPANT_UPDATED = "participant_updated", "Details updated"
    EPISODE_OPENED = "episode_opened", "Episode opened"
    EPISODE_STATUS = "episode_status", "Episode status changed"
    CARE_TEAM = "care_team", "Care team changed"
    FAMILY_CONTACT = "family_contact", "Family contact added"
    CONSENT = "consent", "Consent recorded"
    PORTAL_ACCOUNT = "portal_account", "Portal account"
    DISCLOSURE = "disclosure", "Information disclosed"


class Event(OrganizationRecord):
    """One thing that happened in a participant's care; the chart's timeline. Written only
    through audit.services.event_record."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="events"
    )
    # The program an event belongs to, when it belongs to one: staff see only events of their
    # own programs (enrolment in a substance-use program is itself protected by 42 CFR Part 2).
    # Events without a program (details, family contacts) concern the record as a whole.
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.CharField(max_length=300)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["participant", "at"])]

    def __str__(self) -> str:
        return self.summary
