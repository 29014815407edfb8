"""Risk rules, alerts with their escalation, and the on-call rota.

An alert is written in the same transaction as the answer that triggers it (services). Each
alert moves open → acknowledged → resolved, by conditional UPDATEs so two clinicians acting at
once leave one acknowledgement; a partial unique index keeps one unresolved alert per
participant, rule and day so a flood of answers cannot bury the team.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from openiop.lib.models import OrganizationRecord, OrganizationScoped, SignedDocument


class Source(models.TextChoices):
    """Where a rule looks. Coaching contacts (issue 5 point 6) feed the same engine."""

    DIARY = "diary", "Diary card"
    MEASURE = "measure", "Questionnaire"
    ENGAGEMENT = "engagement", "Engagement"
    COACHING = "coaching", "Coaching contact"


class RuleKind(models.TextChoices):
    URGE_RISK = "urge_risk", "Suicide or self-harm urge at or above the threshold"
    URGE_SUBSTANCE = "urge_substance", "Substance-use urge at or above the threshold"
    ACTION_SELF_HARM = "action_self_harm", "Any self-harm action"
    ACTION_SUBSTANCE = "action_substance", "Any substance use"
    PHQ9_ITEM9 = "phq9_item9", "PHQ-9 item 9 (thoughts of death or self-harm) at 1 or more"
    CSSRS_HIGH = "cssrs_high", "C-SSRS screener: high risk"
    CSSRS_MODERATE = "cssrs_moderate", "C-SSRS screener: moderate risk"
    DIARY_MISSING = "diary_missing", "No diary card for this many days"
    COACHING_URGE = "coaching_urge", "Coaching request with an urge at or above the threshold"


RULE_SOURCE: dict[str, str] = {
    RuleKind.URGE_RISK: Source.DIARY,
    RuleKind.URGE_SUBSTANCE: Source.DIARY,
    RuleKind.ACTION_SELF_HARM: Source.DIARY,
    RuleKind.ACTION_SUBSTANCE: Source.DIARY,
    RuleKind.PHQ9_ITEM9: Source.MEASURE,
    RuleKind.CSSRS_HIGH: Source.MEASURE,
    RuleKind.CSSRS_MODERATE: Source.MEASURE,
    RuleKind.DIARY_MISSING: Source.ENGAGEMENT,
    RuleKind.COACHING_URGE: Source.COACHING,
}

# Kinds whose threshold means something, with its range.
THRESHOLD_RANGE: dict[str, tuple[int, int]] = {
    RuleKind.URGE_RISK: (1, 5),
    RuleKind.URGE_SUBSTANCE: (1, 5),
    RuleKind.DIARY_MISSING: (1, 14),
    RuleKind.COACHING_URGE: (1, 5),
}


class Severity(models.TextChoices):
    URGENT = "urgent", "Urgent"
    HIGH = "high", "High"
    LOW = "low", "Low (engagement)"


SEVERITY_ORDER = {Severity.URGENT: 0, Severity.HIGH: 1, Severity.LOW: 2}


class RiskRule(OrganizationRecord):
    """One rule of a program's catalogue. Directors change thresholds, severities and whether
    a rule is on; the catalogue itself (one rule per kind) comes from services.DEFAULT_RULES."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="risk_rules"
    )
    kind = models.CharField(max_length=30, choices=RuleKind.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["program", "source", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["program", "kind"], name="risk_rule_one_per_kind"),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in RuleKind]), name="risk_rule_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=[s.value for s in Source]), name="risk_rule_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(severity__in=[s.value for s in Severity]),
                name="risk_rule_severity_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        label = str(RuleKind(self.kind).label)
        if self.threshold is not None and self.kind in THRESHOLD_RANGE:
            unit = " days" if self.kind == RuleKind.DIARY_MISSING else ""
            return f"{label}: {self.threshold}{unit}"
        return label


# Escalation: how long an alert nobody has acknowledged waits before it goes to the next
# person (the on-call backup, then the program's directors). The defaults are what the
# clinician and director guides explain; a program's clinical lead may shorten them, and the
# ceilings keep an urgent or high alert from waiting longer than a careful lead would accept.
URGENT_ESCALATE_DEFAULT = 10
HIGH_ESCALATE_DEFAULT = 30
URGENT_ESCALATE_MAX = 30
HIGH_ESCALATE_MAX = 60
LOW_ESCALATE_MAX = 7 * 24 * 60


class SafetySettings(OrganizationScoped):
    """How long an unacknowledged alert waits before it goes to the next person, per severity.
    Urgent and high alerts always escalate; engagement (low) alerts only when a time is set."""

    program = models.OneToOneField(
        "programs.Program", on_delete=models.PROTECT, related_name="safety_settings"
    )
    urgent_escalate_minutes = models.PositiveIntegerField(
        default=URGENT_ESCALATE_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(URGENT_ESCALATE_MAX)],
    )
    high_escalate_minutes = models.PositiveIntegerField(
        default=HIGH_ESCALATE_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(HIGH_ESCALATE_MAX)],
    )
    low_escalate_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=None,
        validators=[MinValueValidator(1), MaxValueValidator(LOW_ESCALATE_MAX)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(urgent_escalate_minutes__gte=1)
                & Q(urgent_escalate_minutes__lte=URGENT_ESCALATE_MAX),
                name="safety_urgent_escalation_bounded",
            ),
            models.CheckConstraint(
                condition=Q(high_escalate_minutes__gte=1)
                & Q(high_escalate_minutes__lte=HIGH_ESCALATE_MAX),
                name="safety_high_escalation_bounded",
            ),
            models.CheckConstraint(
                condition=Q(urgent_escalate_minutes__lte=F("high_escalate_minutes")),
                name="safety_urgent_not_slower_than_high",
            ),
        ]

    def __str__(self) -> str:
        return f"Escalation for {self.program_id}"

    def minutes_for(self, severity: str) -> int | None:
        minutes: dict[str, int | None] = {
            Severity.URGENT: self.urgent_escalate_minutes,
            Severity.HIGH: self.high_escalate_minutes,
            Severity.LOW: self.low_escalate_minutes,
        }
        return minutes.get(severity)


class OnCallShift(OrganizationRecord):
    """Who answers alerts for a program on the days from `starts_on` to `ends_on`, between
    `start_hour` and `end_hour` program-local time (0-24; an overnight cover is two shifts).
    `backup` is the next person an unacknowledged alert goes to."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="on_call_shifts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_shifts"
    )
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="backup_shifts",
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    start_hour = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(23)])
    end_hour = models.PositiveSmallIntegerField(
        default=24, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "start_hour", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="on_call_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(start_hour__lt=F("end_hour")) & Q(end_hour__lte=24),
                name="on_call_hours_ordered",
            ),
        ]
        indexes = [models.Index(fields=["program", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"On call {self.starts_on}-{self.ends_on} {self.start_hour:02d}-{self.end_hour:02d}"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


UNRESOLVED = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class Resolution(models.TextChoices):
    CONTACTED = "contacted", "Contacted the participant"
    SAFETY_PLAN = "safety_plan", "Reviewed the safety plan with the participant"
    REFERRED = "referred", "Referred to a higher level of care"
    NO_ACTION = "no_action", "No action needed"


class Alert(OrganizationRecord):
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="alerts"
    )
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="alerts"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(RiskRule, on_delete=models.PROTECT, related_name="alerts")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    # The program-local day the evidence belongs to (the card's day, the response's day).
    day = models.DateField()
    # What fired, in words for the care team (clinical content: never on the timeline).
    evidence = models.CharField(max_length=300)
    # The record that fired it: "diary_card" or "measure_response" and its public id.
    source_type = models.CharField(max_length=30, blank=True)
    source_id = models.UUIDField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    created_at = models.DateTimeField()
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalate_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["status", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "rule", "day"],
                condition=Q(status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]),
                name="alert_one_unresolved_per_rule_day",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in AlertStatus]), name="alert_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=AlertStatus.OPEN) | Q(acknowledged_at__isnull=False),
                name="alert_acknowledged_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=AlertStatus.RESOLVED)
                | (Q(resolved_at__isnull=False) & ~Q(resolution="")),
                name="alert_resolved_has_action",
            ),
            models.CheckConstraint(
                condition=~Q(resolution=Resolution.NO_ACTION) | ~Q(resolution_note=""),
                name="alert_no_action_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "escalate_at"]),
            models.Index(fields=["participant", "created_at"]),
            models.Index(fields=["program", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} alert ({self.get_status_display()})"

    @property
    def is_unresolved(self) -> bool:
        return self.status in UNRESOLVED


class RecipientReason(models.TextChoices):
    PRIMARY = "primary", "Primary clinician"
    ON_CALL = "on_call", "On call"
    BACKUP = "backup", "Backup on call"
    DIRECTOR = "director", "Program director"


class AlertRecipient(OrganizationScoped):
    """Who an alert has gone to, and why: the staff home lists a user's unresolved alerts."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="recipients")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alert_recipients"
    )
    reason = models.CharField(max_length=20, choices=RecipientReason.choices)
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "user"], name="alert_recipient_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ({self.reason})"


class AlertStepKind(models.TextChoices):
    RAISED = "raised", "Raised"
    SENT = "sent", "Sent"
    ESCALATED = "escalated", "Escalated"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class AlertStepError(Exception):
    pass


class AlertStep(OrganizationScoped):
    """Every step in an alert's life, append-only: the alert's own audit trail."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(max_length=20, choices=AlertStepKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AlertStepError("Alert history cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AlertStepError("Alert history cannot be deleted.")


# --- coaching log (issue 5 point 6) -------------------------------------------------------------


class CoachingSettings(OrganizationScoped):
    """Per-program coaching rules. Some protocols (the adolescent DBT protocol uses 24 hours)
    pause coaching for a while after self-harm; 0 means coaching is never paused."""

    program = models.OneToOneField(
        "programs.Program", on_delete=models.PROTECT, related_name="coaching_settings"
    )
    pause_hours_after_self_harm = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(168)]
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Coaching settings for {self.program_id}"


class CoachingStatus(models.TextChoices):
    OPEN = "open", "Waiting"
    CLAIMED = "claimed", "Being answered"
    CLOSED = "closed", "Answered"


class ReachBy(models.TextChoices):
    CALLBACK = "callback", "Call me back"
    MESSAGE = "message", "Send me a message"


class CoachingOutcome(models.TextChoices):
    SKILL_HELPED = "skill_helped", "Used a skill and the urge came down"
    SAFETY_PLAN = "safety_plan", "Safety plan used"
    CRISIS = "crisis", "Escalated to crisis services"
    NO_ANSWER = "no_answer", "No answer on callback"
    OTHER = "other", "Other"


class CoachingRequest(OrganizationRecord):
    """One between-session coaching contact: the participant's request and the answer.
    Claimed by a conditional UPDATE so two clinicians never answer the same request."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="coaching_requests"
    )
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="coaching_requests"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    situation = models.CharField(max_length=500)
    urge = models.PositiveSmallIntegerField(validators=[MaxValueValidator(5)])
    skills_tried = models.JSONField(default=list, blank=True)
    reach_by = models.CharField(max_length=10, choices=ReachBy.choices)
    callback_phone = models.CharField(max_length=40, blank=True)
    # Who it was routed to when it arrived: the on-call clinician, else the primary clinician.
    routed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=CoachingStatus.choices, default=CoachingStatus.OPEN
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    responder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    response_method = models.CharField(max_length=10, choices=ReachBy.choices, blank=True)
    reply = models.TextField(blank=True, max_length=2000)
    skills_suggested = models.JSONField(default=list, blank=True)
    outcome = models.CharField(max_length=20, choices=CoachingOutcome.choices, blank=True)
    outcome_note = models.TextField(blank=True, max_length=2000)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(condition=Q(urge__lte=5), name="coaching_urge_range"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in CoachingStatus]),
                name="coaching_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=CoachingStatus.CLOSED)
                | (Q(closed_at__isnull=False) & Q(responded_at__isnull=False) & ~Q(outcome="")),
                name="coaching_closed_has_outcome",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "status"]),
            models.Index(fields=["participant", "requested_at"]),
        ]

    def __str__(self) -> str:
        return f"Coaching request ({self.get_status_display()})"

    @property
    def minutes_to_response(self) -> float | None:
        if self.responded_at is None:
            return None
        return (self.responded_at - self.requested_at).total_seconds() / 60


# --- Safety plans (issue 5 point 5) ------------------------------------------------------------
# The six steps of safety planning, in our own words. A plan is written together, in the
# participant's words; it is never a promise not to act ("no-suicide contract").


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    SUPERSEDED = "superseded", "Replaced by a newer version"


# (field name, heading the participant reads, prompt for writing it together)
PLAN_SECTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "warning_signs",
        "Signs that a hard time is starting",
        "Thoughts, feelings, situations or things I do that tell me a crisis may be coming.",
    ),
    (
        "coping_alone",
        "Things I can do on my own to cope",
        "What helps me get through the moment without needing anyone else.",
    ),
    (
        "distractions",
        "People and places that take my mind off things",
        "Company and places where I feel a little better, even without talking about it.",
    ),
    (
        "people_to_ask",
        "People I can ask for help",
        "Who I can tell that I am struggling, and how to reach them.",
    ),
    (
        "professionals",
        "Professionals and crisis services",
        "My care team, the program's phone, and crisis lines that answer any time.",
    ),
    (
        "safer_surroundings",
        "Making my surroundings safer",
        "Steps that put time and distance between me and the things I could hurt myself with.",
    ),
)
PLAN_FIELDS: tuple[str, ...] = tuple(name for name, _, _ in PLAN_SECTIONS)


class PlanLockedError(Exception):
    pass


class SafetyPlanVersion(OrganizationRecord, SignedDocument):
    """One version of a participant's safety plan in one program. Each section is a list, one
    item per line. Once both have signed, the version is locked: its content hash is stored,
    `save` refuses content changes, and a later edit starts a new draft version. Versions are
    numbered per program; each program has at most one draft and one plan in force."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="safety_plans"
    )
    # The episode it was written in; `program` is that episode's program, kept on the row so
    # the database can hold "one draft and one signed version per program".
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="safety_plans"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    warning_signs = models.TextField(blank=True, max_length=4000)
    coping_alone = models.TextField(blank=True, max_length=4000)
    distractions = models.TextField(blank=True, max_length=4000)
    people_to_ask = models.TextField(blank=True, max_length=4000)
    professionals = models.TextField(blank=True, max_length=4000)
    safer_surroundings = models.TextField(blank=True, max_length=4000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    participant_signed_at = models.DateTimeField(null=True, blank=True)
    participant_signed_name = models.CharField(max_length=200, blank=True)
    clinician_signed_at = models.DateTimeField(null=True, blank=True)
    clinician_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["participant", "program", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "program", "version"],
                name="safety_plan_version_unique_in_program",
            ),
            models.UniqueConstraint(
                fields=["participant", "program"],
                condition=Q(status="draft"),
                name="safety_plan_one_draft_in_program",
            ),
            models.UniqueConstraint(
                fields=["participant", "program"],
                condition=Q(status="signed"),
                name="safety_plan_one_signed_in_program",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "signed", "superseded"]),
                name="safety_plan_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (
                    Q(participant_signed_at__isnull=False)
                    & Q(clinician_signed_at__isnull=False)
                    & Q(signed_at__isnull=False)
                    & ~Q(content_hash="")
                ),
                name="safety_plan_signed_by_both",
            ),
        ]

    def __str__(self) -> str:
        return f"Safety plan version {self.version} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and self.content_hash and not self.hash_matches():
            raise PlanLockedError("A signed safety plan cannot be changed; edit a new version.")
        super().save(*args, **kwargs)

    def signed_content(self) -> dict[str, Any]:
        payload: dict[str, Any] = {name: getattr(self, name) for name in PLAN_FIELDS}
        payload["version"] = self.version
        payload["participant"] = str(self.participant_id)
        payload["participant_signed_name"] = self.participant_signed_name
        return payload

    @property
    def is_locked(self) -> bool:
        return self.status != PlanStatus.DRAFT

    @property
    def is_intact(self) -> bool:
        """False when a locked version's stored content no longer matches what was signed."""
        return not self.is_locked or self.hash_matches()

    def sections(self) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "heading": heading,
                "prompt": prompt,
                "items": [
                    line.strip() for line in getattr(self, name).splitlines() if line.strip()
                ],
            }
            for name, heading, prompt in PLAN_SECTIONS
        ]
