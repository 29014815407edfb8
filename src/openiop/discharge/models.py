"""Transitions (holds, extensions, steps up and down), discharge summaries and alumni
follow-ups.

- EpisodeChange is the log of every transition with its reason: the episode row only keeps the
  latest state, the log keeps why each change was made.
- DischargeSummary is drafted from the record at discharge (a `facts` snapshot plus editable
  sections). Once signed it is locked: the content hash is stored and `save` refuses any change
  of the signed content; a raw UPDATE that bypasses `save` is caught by `is_intact`.
- FollowUp is one alumni check-in (30, 90 or 180 days after discharge), only with the
  participant's consent (AlumniConsent). When due, its questionnaires are measures
  Administrations of the "followup" phase with period_start = due_on.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from openiop.lib.models import OrganizationRecord, SignatureStatus, SignedDocument

# --- transitions ---------------------------------------------------------------------------


class ChangeKind(models.TextChoices):
    HOLD = "hold", "Put on hold"
    RESUME = "resume", "Resumed"
    EXTENSION = "extension", "Planned length extended"
    STEP_UP = "step_up", "Stepped up"
    STEP_DOWN = "step_down", "Stepped down"
    DISCHARGE = "discharge", "Discharged"


class Destination(models.TextChoices):
    """Where a participant goes when they leave: levels above IOP (step up) and below it."""

    PHP = "php", "Partial hospitalization (PHP)"
    RESIDENTIAL = "residential", "Residential treatment"
    INPATIENT = "inpatient", "Inpatient psychiatric unit"
    WITHDRAWAL = "withdrawal", "Medically managed withdrawal"
    OUTPATIENT = "outpatient", "Weekly outpatient therapy"
    OUTPATIENT_GROUP = "outpatient_group", "Outpatient group (e.g. DBT skills group)"
    PRIMARY_CARE = "primary_care", "Primary care follow-up"
    NONE = "none", "No further treatment arranged"


STEP_UP_DESTINATIONS = (
    Destination.PHP,
    Destination.RESIDENTIAL,
    Destination.INPATIENT,
    Destination.WITHDRAWAL,
)
STEP_DOWN_DESTINATIONS = (
    Destination.OUTPATIENT,
    Destination.OUTPATIENT_GROUP,
    Destination.PRIMARY_CARE,
)


class EpisodeChange(OrganizationRecord):
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="episode_changes"
    )
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="changes"
    )
    kind = models.CharField(max_length=12, choices=ChangeKind.choices)
    on = models.DateField()
    reason = models.TextField(max_length=2000)
    destination = models.CharField(max_length=20, choices=Destination.choices, blank=True)
    destination_provider = models.CharField(max_length=200, blank=True)
    from_planned_end = models.DateField(null=True, blank=True)
    to_planned_end = models.DateField(null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-on", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in ChangeKind]), name="change_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="change_has_reason"),
            models.CheckConstraint(
                condition=~Q(kind="extension")
                | (
                    Q(to_planned_end__isnull=False)
                    & (
                        Q(from_planned_end__isnull=True)
                        | Q(to_planned_end__gt=F("from_planned_end"))
                    )
                ),
                name="change_extension_moves_end_later",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["step_up", "step_down"]) | ~Q(destination=""),
                name="change_step_has_destination",
            ),
        ]
        indexes = [models.Index(fields=["episode", "on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on}"


# --- discharge summary ---------------------------------------------------------------------


SummaryStatus = SignatureStatus


# (field, heading, prompt). Record sections are prefilled from the record; narrative ones are
# written by the clinician. All are editable while the summary is a draft.
SUMMARY_SECTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "course_of_treatment",
        "Course of treatment",
        "What brought the participant to the program, what the work focused on and how they "
        "are leaving. In your own words.",
    ),
    ("dates", "Dates", "Admission, first day, discharge; planned and actual length."),
    ("attendance", "Attendance and hours", "Sessions attended and scheduled, total hours."),
    ("curriculum", "Skills curriculum completed", "Modules and lessons attended."),
    ("scores", "Scores at intake and discharge", "Per questionnaire, with the outcome class."),
    ("goals", "Treatment plan goals", "Goals of the current plan and whether they were met."),
    ("risk_events", "Risk events", "Safety alerts and critical answers during the episode."),
    ("referrals", "Referrals", "Who the participant is referred to, with contact details."),
    ("appointments", "Aftercare appointments", "First appointments already booked, with dates."),
    (
        "medication_followup",
        "Medication follow-up",
        "Who prescribes after discharge and when; write 'No medications' if none.",
    ),
    (
        "relapse_prevention",
        "Relapse prevention plan",
        "The current plan version and whether it was reviewed before discharge.",
    ),
    ("crisis_plan", "Crisis plan", "The signed safety plan version and crisis contacts."),
)
SUMMARY_FIELDS: tuple[str, ...] = tuple(name for name, _, _ in SUMMARY_SECTIONS)
# Sections a clinician writes; "refresh from record" never overwrites them.
NARRATIVE_FIELDS: frozenset[str] = frozenset(
    {"course_of_treatment", "referrals", "appointments", "medication_followup"}
)
# A summary cannot be signed while any of these is empty.
REQUIRED_FIELDS: tuple[str, ...] = (
    "course_of_treatment",
    "referrals",
    "appointments",
    "medication_followup",
    "crisis_plan",
)


class SummaryLockedError(Exception):
    pass


class DischargeSummary(OrganizationRecord, SignedDocument):
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="discharge_summaries"
    )
    episode = models.OneToOneField(
        "participants.Episode", on_delete=models.PROTECT, related_name="discharge_summary"
    )
    status = models.CharField(
        max_length=10, choices=SummaryStatus.choices, default=SummaryStatus.DRAFT
    )
    # What the record said when the draft was made or last refreshed (dates, counts, scores).
    facts = models.JSONField(default=dict)
    course_of_treatment = models.TextField(blank=True, max_length=8000)
    dates = models.TextField(blank=True, max_length=4000)
    attendance = models.TextField(blank=True, max_length=4000)
    curriculum = models.TextField(blank=True, max_length=4000)
    scores = models.TextField(blank=True, max_length=4000)
    goals = models.TextField(blank=True, max_length=4000)
    risk_events = models.TextField(blank=True, max_length=4000)
    referrals = models.TextField(blank=True, max_length=4000)
    appointments = models.TextField(blank=True, max_length=4000)
    medication_followup = models.TextField(blank=True, max_length=4000)
    relapse_prevention = models.TextField(blank=True, max_length=4000)
    crisis_plan = models.TextField(blank=True, max_length=4000)
    drafted_at = models.DateTimeField()
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    refreshed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-drafted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "signed"]), name="summary_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (
                    Q(signed_at__isnull=False)
                    & Q(signed_by__isnull=False)
                    & ~Q(content_hash="")
                    & ~Q(course_of_treatment="")
                ),
                name="summary_signed_complete",
            ),
        ]
        indexes = [models.Index(fields=["status", "drafted_by"])]

    def __str__(self) -> str:
        return f"Discharge summary ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and self.content_hash and not self.hash_matches():
            raise SummaryLockedError(
                "A signed discharge summary cannot be changed; add an addendum."
            )
        super().save(*args, **kwargs)

    def signed_content(self) -> dict[str, Any]:
        """Everything a signature covers."""
        return {
            "episode": str(self.episode_id),
            "participant": str(self.participant_id),
            "facts": self.facts,
            "sections": {name: getattr(self, name) for name in SUMMARY_FIELDS},
            "signed_by": self.signed_by_id,
            "signed_at": self.signed_at.astimezone(UTC).isoformat() if self.signed_at else None,
        }

    @property
    def is_signed(self) -> bool:
        return self.status == SummaryStatus.SIGNED

    @property
    def is_intact(self) -> bool:
        """False when a signed summary's stored content no longer matches what was signed."""
        return not self.is_signed or self.hash_matches()

    def sections(self) -> list[dict[str, str]]:
        return [
            {"name": name, "heading": heading, "prompt": prompt, "text": getattr(self, name)}
            for name, heading, prompt in SUMMARY_SECTIONS
        ]

    def missing_required(self) -> list[str]:
        labels = {name: heading for name, heading, _ in SUMMARY_SECTIONS}
        return [labels[name] for name in REQUIRED_FIELDS if not getattr(self, name).strip()]


class SummaryAddendum(OrganizationRecord):
    """Something added to a signed summary: the summary itself never changes."""

    summary = models.ForeignKey(DischargeSummary, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField(max_length=4000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="summary_addendum_has_text")
        ]

    def __str__(self) -> str:
        return f"Addendum {self.created_at:%Y-%m-%d}"


# --- alumni follow-up ----------------------------------------------------------------------


class ConsentHow(models.TextChoices):
    IN_PERSON = "in_person", "In person at discharge"
    PHONE = "phone", "By phone"
    WRITTEN = "written", "In writing"
    PORTAL = "portal", "In the portal"


class AlumniConsent(OrganizationRecord):
    """Whether the participant agreed to alumni check-ins after this episode, when and how.
    Withdrawing (declining further check-ins) keeps the row and sets `withdrawn_at`."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="alumni_consents"
    )
    episode = models.OneToOneField(
        "participants.Episode", on_delete=models.PROTECT, related_name="alumni_consent"
    )
    agreed = models.BooleanField()
    how = models.CharField(max_length=12, choices=ConsentHow.choices)
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(how__in=[h.value for h in ConsentHow]), name="alumni_consent_how_valid"
            )
        ]

    def __str__(self) -> str:
        return "Agreed to alumni check-ins" if self.is_active else "No alumni check-ins"

    @property
    def is_active(self) -> bool:
        return self.agreed and self.withdrawn_at is None


FOLLOWUP_DAYS: tuple[int, ...] = (30, 90, 180)


class FollowUpStatus(models.TextChoices):
    PENDING = "pending", "Scheduled"
    DUE = "due", "Due"
    COMPLETED = "completed", "Answered"
    MISSED = "missed", "Not answered"
    DECLINED = "declined", "Declined"


OPEN_FOLLOWUP_STATUSES = (FollowUpStatus.PENDING, FollowUpStatus.DUE)


class FollowUp(OrganizationRecord):
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="followups"
    )
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="followups"
    )
    day_offset = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.PENDING
    )
    # The measures Administration(s) made when it fell due (followup phase, period = due_on).
    administration = models.ForeignKey(
        "measures.Administration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    made_due_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "day_offset"], name="followup_once"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in FollowUpStatus]),
                name="followup_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(day_offset__in=list(FOLLOWUP_DAYS)), name="followup_day_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.day_offset}-day check-in ({self.get_status_display()})"
