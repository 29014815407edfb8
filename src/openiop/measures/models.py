"""Batteries (which instruments a program gives, and when), administrations (a check-in that is
due), responses (immutable, scored answers) and the critical findings the safety work will
turn into alerts.

A Response never changes after it is saved: the model refuses save() on an existing row except
the one transition `response_mark_entered_in_error` makes (final → entered-in-error), and on
PostgreSQL a trigger refuses any other UPDATE (RESPONSE_IMMUTABLE). A correction is a new Response
that names the one it replaces.
"""

from __future__ import annotations

from typing import Any

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from openiop.lib import triggers as guards
from openiop.lib.models import OrganizationRecord, OrganizationScoped


class ImmutableResponseError(Exception):
    pass


class Phase(models.TextChoices):
    INTAKE = "intake", "Intake"
    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"
    DISCHARGE = "discharge", "Discharge"
    FOLLOWUP = "followup", "Follow-up"


# How many program weeks lie between two administrations of a repeating battery.
PHASE_CADENCE_WEEKS: dict[str, int] = {Phase.WEEKLY: 1, Phase.BIWEEKLY: 2}


class Battery(OrganizationRecord):
    """The instruments a program gives in one phase of an episode. One per program and phase;
    a program with no batteries configured uses services.DEFAULT_BATTERIES."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="batteries"
    )
    phase = models.CharField(max_length=20, choices=Phase.choices)
    # Instrument codes in the order they are offered ("PHQ-9", "GAD-7", ...).
    instruments = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["program", "phase"]
        constraints = [
            models.UniqueConstraint(fields=["program", "phase"], name="battery_one_per_phase"),
            models.CheckConstraint(
                condition=Q(phase__in=[p.value for p in Phase]), name="battery_phase_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()}: {', '.join(self.instruments) or 'none'}"

    @property
    def cadence_weeks(self) -> int | None:
        return PHASE_CADENCE_WEEKS.get(self.phase)


class AdministrationStatus(models.TextChoices):
    DUE = "due", "Due"
    COMPLETED = "completed", "Completed"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


class Administration(OrganizationRecord):
    """One instrument due for one participant: made by the worker from a battery, completed by
    a Response. `period_start` (the program-local day the period began) makes it idempotent:
    one administration per episode, instrument, phase and period."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="administrations"
    )
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="administrations"
    )
    instrument_code = models.CharField(max_length=20)
    phase = models.CharField(max_length=20, choices=Phase.choices)
    battery = models.ForeignKey(
        Battery, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    period_start = models.DateField()
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=AdministrationStatus.choices, default=AdministrationStatus.DUE
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "instrument_code", "phase", "period_start"],
                name="administration_once_per_period",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in AdministrationStatus]),
                name="administration_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["participant", "status"]),
            models.Index(fields=["status", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} ({self.get_phase_display()}, {self.get_status_display()})"


class ResponseMode(models.TextChoices):
    PORTAL = "portal", "Portal (self-report)"
    IN_SESSION = "in_session", "Entered in session"


class ResponseStatus(models.TextChoices):
    FINAL = "final", "Final"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


class ResponseQuerySet(models.QuerySet["Response"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableResponseError(
            "Responses are not changed in bulk; use response_mark_entered_in_error."
        )

    def final(self) -> ResponseQuerySet:
        return self.filter(status=ResponseStatus.FINAL)


# The database keeps responses immutable too: the only UPDATE it allows is final ->
# entered-in-error (with its reason, time and who), and it refuses DELETE.
RESPONSE_IMMUTABLE = guards.Guard(
    name="response_immutable",
    operation=pgtrigger.Update | pgtrigger.Delete,
    func="""
    IF TG_OP = 'UPDATE' AND OLD.status = 'final' AND NEW.status = 'entered_in_error'
       AND (to_jsonb(NEW) - ARRAY['status', 'error_reason', 'error_marked_at',
                                  'error_marked_by_id'])
         = (to_jsonb(OLD) - ARRAY['status', 'error_reason', 'error_marked_at',
                                  'error_marked_by_id']) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'measures_response rows are never deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RAISE EXCEPTION 'measures_response is immutable: only final -> entered_in_error is allowed'
        USING ERRCODE = 'insufficient_privilege';
    """,
)


class Response(OrganizationRecord):
    """A completed instrument: the answers as given, the instrument version they answered and
    the engine's result at the time. Never edited."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="responses"
    )
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="responses"
    )
    administration = models.ForeignKey(
        Administration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
    )
    instrument_code = models.CharField(max_length=20)
    instrument_version = models.CharField(max_length=20)
    answers = models.JSONField()
    result = models.JSONField()
    total = models.FloatField(null=True, blank=True)
    severity = models.CharField(max_length=60, blank=True)
    flags = models.JSONField(default=dict)
    critical = models.BooleanField(default=False)
    critical_items = models.JSONField(default=list)
    risk_tier = models.CharField(max_length=20, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(max_length=20, choices=ResponseMode.choices)
    status = models.CharField(
        max_length=20, choices=ResponseStatus.choices, default=ResponseStatus.FINAL
    )
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    completed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    error_reason = models.CharField(max_length=300, blank=True)
    error_marked_at = models.DateTimeField(null=True, blank=True)
    error_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ResponseQuerySet.as_manager()

    # Only services.response_mark_entered_in_error sets this, for its single UPDATE.
    _error_transition = False
    ERROR_FIELDS = ("status", "error_reason", "error_marked_at", "error_marked_by")

    class Meta:
        triggers = [RESPONSE_IMMUTABLE]
        ordering = ["-completed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ResponseStatus]),
                name="response_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=[m.value for m in ResponseMode]), name="response_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=ResponseStatus.FINAL)
                | (~Q(error_reason="") & Q(error_marked_at__isnull=False)),
                name="response_error_has_reason",
            ),
            # A response is replaced at most once; the replacement may itself be replaced.
            models.UniqueConstraint(
                fields=["corrects"],
                condition=Q(corrects__isnull=False),
                name="response_corrected_once",
            ),
        ]
        indexes = [
            models.Index(fields=["participant", "instrument_code", "completed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.completed_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if not (self._error_transition and fields and set(fields) <= set(self.ERROR_FIELDS)):
                raise ImmutableResponseError(
                    "A response cannot be changed; mark it entered in error and enter a new one."
                )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableResponseError("Responses are never deleted; mark them entered in error.")

    @property
    def is_final(self) -> bool:
        return self.status == ResponseStatus.FINAL


class FindingKind(models.TextChoices):
    PHQ9_ITEM9 = "phq9_item9", "PHQ-9 item 9 (thoughts of death or self-harm)"
    CSSRS_MODERATE = "cssrs_moderate", "C-SSRS moderate risk"
    CSSRS_HIGH = "cssrs_high", "C-SSRS high risk"
    CRITICAL_ITEM = "critical_item", "Critical item answered"


class FindingStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class CriticalFinding(OrganizationRecord):
    """A critical answer, recorded in the same transaction as its response. The risk-alert
    work (diary/safety) consumes open findings; nothing here raises an alert itself."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="critical_findings"
    )
    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="findings")
    kind = models.CharField(max_length=20, choices=FindingKind.choices)
    detail = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "kind"], name="finding_once_per_kind"),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in FindingKind]), name="finding_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in FindingStatus]),
                name="finding_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["participant"],
                condition=Q(status="open"),
                name="finding_open_by_participant",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class DraftResponse(OrganizationScoped):
    """A participant's answers so far, so a check-in can be finished later on any device."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="+"
    )
    administration = models.OneToOneField(
        Administration, on_delete=models.CASCADE, related_name="draft"
    )
    answers = models.JSONField(default=dict)  # {"item number": value}
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Draft for {self.administration}"
