"""Treatment plans (problems → goals → objectives → interventions), their reviews, and relapse
prevention plans.

A plan is versioned: each version is a complete copy. A draft can change; once every required
signature is on it (participant, clinician, and supervisor where the program requires) it
becomes current, its content hash is stored and the previous current version is superseded.
Reviews record progress per objective and produce the next version. Objectives keep a
`lineage` id across versions so progress can be followed from one version to the next.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from openiop.lib.models import OrganizationRecord, OrganizationScoped, SignedDocument, VersionStatus

PlanStatus = VersionStatus


class TreatmentPlan(OrganizationRecord, SignedDocument):
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="treatment_plans"
    )
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="treatment_plans"
    )
    version = models.PositiveSmallIntegerField()
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    diagnosis = models.CharField(max_length=300, blank=True)
    # The participant's own words: what they want from the program.
    participant_goals = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    # Type, amount, frequency and duration of services (Medicare plan of care).
    services_summary = models.TextField(blank=True)
    effective_on = models.DateField(null=True, blank=True)
    review_due_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    participant_signed_at = models.DateTimeField(null=True, blank=True)
    participant_signed_name = models.CharField(max_length=200, blank=True)
    clinician_signed_at = models.DateTimeField(null=True, blank=True)
    clinician_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supervisor_signed_at = models.DateTimeField(null=True, blank=True)
    supervisor_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    took_effect_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "version"], name="plan_version_unique"),
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(status="current"),
                name="plan_one_current_per_episode",
            ),
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(status="draft"),
                name="plan_one_draft_per_episode",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "current", "superseded"]),
                name="plan_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(content_hash=""),
                name="plan_signed_has_hash",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(effective_on__isnull=True)
                | Q(expires_on__gte=F("effective_on")),
                name="plan_expires_after_effective",
            ),
        ]

    def __str__(self) -> str:
        return f"Treatment plan v{self.version}"

    def is_expired_on(self, day: date) -> bool:
        return self.expires_on is not None and day > self.expires_on

    def signed_content(self) -> dict[str, Any]:
        """Everything a signature covers, in a stable order. Each level's Meta ordering is
        (position, id), so `.all()` keeps the order and uses a prefetch when there is one
        (selectors.plan_tree)."""
        problems = []
        for problem in self.problems.all():
            goals = []
            for goal in problem.goals.all():
                objectives = []
                for objective in goal.objectives.all():
                    objectives.append(
                        {
                            "lineage": str(objective.lineage),
                            "description": objective.description,
                            "target_on": objective.target_on.isoformat()
                            if objective.target_on
                            else None,
                            "measure_kind": objective.measure_kind,
                            "instrument_code": objective.instrument_code,
                            "threshold": str(objective.threshold)
                            if objective.threshold is not None
                            else None,
                            "direction": objective.direction,
                            "target_text": objective.target_text,
                            "diary_key": objective.diary_key,
                            "status": objective.status,
                            "interventions": [
                                {
                                    "modality": i.modality,
                                    "description": i.description,
                                    "frequency": i.frequency,
                                    "responsible": i.responsible_id,
                                }
                                for i in objective.interventions.all()
                            ],
                        }
                    )
                goals.append(
                    {
                        "description": goal.description,
                        "status": goal.status,
                        "objectives": objectives,
                    }
                )
            problems.append({"description": problem.description, "goals": goals})
        return {
            "version": self.version,
            "diagnosis": self.diagnosis,
            "participant_goals": self.participant_goals,
            "strengths": self.strengths,
            "services_summary": self.services_summary,
            "effective_on": self.effective_on.isoformat() if self.effective_on else None,
            "review_due_on": self.review_due_on.isoformat() if self.review_due_on else None,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "problems": problems,
        }


class PlanProblem(OrganizationRecord):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="problems")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.TextField()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class GoalStatus(models.TextChoices):
    ACTIVE = "active", "Working on it"
    MET = "met", "Met"
    PARTLY_MET = "partly_met", "Partly met"
    NOT_MET = "not_met", "Not met"
    DISCONTINUED = "discontinued", "Discontinued"


class PlanGoal(OrganizationRecord):
    problem = models.ForeignKey(PlanProblem, on_delete=models.PROTECT, related_name="goals")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.TextField()
    status = models.CharField(max_length=14, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class MeasureKind(models.TextChoices):
    SCORE = "score", "Questionnaire score"
    ATTENDANCE = "attendance", "Attendance"
    DIARY = "diary", "Diary-card target"
    BEHAVIOUR = "behaviour", "Described behaviour"


class Direction(models.TextChoices):
    AT_MOST = "at_most", "at most"
    AT_LEAST = "at_least", "at least"


class PlanObjective(OrganizationRecord):
    """A measurable step toward a goal. `measure_kind` says how progress is measured:
    a score threshold (instrument_code + direction + threshold), attendance (threshold is a
    percentage of scheduled sessions attended), a diary-card target (target_text names it,
    threshold is days a week or a rating), or a described behaviour (target_text)."""

    lineage = models.UUIDField(default=uuid.uuid4, db_index=True)
    goal = models.ForeignKey(PlanGoal, on_delete=models.PROTECT, related_name="objectives")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.TextField()
    target_on = models.DateField(null=True, blank=True)
    measure_kind = models.CharField(max_length=12, choices=MeasureKind.choices)
    instrument_code = models.CharField(max_length=20, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices, blank=True)
    threshold = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    target_text = models.CharField(max_length=300, blank=True)
    # For a diary-card objective: which row of the card is followed (care.diary_measures).
    diary_key = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=14, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(measure_kind="diary") | ~Q(diary_key=""),
                name="objective_diary_has_key",
            ),
            models.CheckConstraint(
                condition=Q(measure_kind__in=["score", "attendance", "diary", "behaviour"]),
                name="objective_measure_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(measure_kind="score")
                | (~Q(instrument_code="") & Q(threshold__isnull=False) & ~Q(direction="")),
                name="objective_score_has_threshold",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def threshold_text(self) -> str:
        if self.threshold is None:
            return ""
        value = self.threshold
        return str(int(value)) if value == value.to_integral_value() else str(value)

    @property
    def measure_summary(self) -> str:
        """How progress is measured, in plain words (staff pages and the portal)."""
        direction = self.get_direction_display() if self.direction else ""
        if self.measure_kind == MeasureKind.SCORE:
            return f"{self.instrument_code} score {direction} {self.threshold_text}"
        if self.measure_kind == MeasureKind.ATTENDANCE:
            return f"Attends {direction} {self.threshold_text}% of scheduled sessions"
        if self.measure_kind == MeasureKind.DIARY:
            unit = diary_unit(self.diary_key)
            return f"Diary card, {self.target_text}: {direction} {self.threshold_text} ({unit})"
        return self.target_text


def diary_unit(key: str) -> str:
    """The unit a diary-card objective's threshold is in (care.figures computes the values)."""
    if key == "skills":
        return "weekly mean, 0-7"
    if key.startswith("action") or key.endswith(":action"):
        return "days a week"
    return "weekly mean rating, 0-5"


class Modality(models.TextChoices):
    DBT = "dbt", "DBT"
    CBT = "cbt", "CBT"
    ACT = "act", "ACT"
    TRAUMA = "trauma", "Trauma-focused"
    MINDFULNESS = "mindfulness", "Mindfulness"
    FAMILY = "family", "Family"
    MI = "mi", "Motivational interviewing"
    PSYCHOEDUCATION = "psychoeducation", "Psychoeducation"
    MEDICATION = "medication", "Medication management"


class PlanIntervention(OrganizationRecord):
    objective = models.ForeignKey(
        PlanObjective, on_delete=models.PROTECT, related_name="interventions"
    )
    position = models.PositiveSmallIntegerField(default=0)
    modality = models.CharField(max_length=20, choices=Modality.choices)
    description = models.CharField(max_length=300)
    frequency = models.CharField(max_length=100, help_text="e.g. 3 groups a week")
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.get_modality_display()}: {self.description[:60]}"


class ReviewReason(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled review"
    RECERTIFICATION = "recertification", "Recertification"
    CHANGE = "change", "Change in condition or goals"


class PlanReview(OrganizationRecord):
    """A review of a current plan: progress per objective (with the figures pulled from the
    record at the time) and the changes made; it produces the plan's next version."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="reviews")
    new_plan = models.OneToOneField(
        TreatmentPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="from_review",
    )
    reviewed_on = models.DateField()
    reason = models.CharField(
        max_length=20, choices=ReviewReason.choices, default=ReviewReason.SCHEDULED
    )
    changes = models.TextField(help_text="What changed in the plan and why.")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Attendance, hours and diary figures over the review period, as they were at review.
    pulled = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=["scheduled", "recertification", "change"]),
                name="plan_review_reason_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan review {self.reviewed_on}"


class ObjectiveProgress(models.TextChoices):
    MET = "met", "Met"
    PROGRESSING = "progressing", "Progressing"
    NO_CHANGE = "no_change", "No change"
    WORSE = "worse", "Worse"


class PlanReviewItem(OrganizationScoped):
    review = models.ForeignKey(PlanReview, on_delete=models.PROTECT, related_name="items")
    objective = models.ForeignKey(PlanObjective, on_delete=models.PROTECT, related_name="+")
    progress = models.CharField(max_length=12, choices=ObjectiveProgress.choices)
    pulled = models.JSONField(default=dict)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "objective"], name="review_item_unique")
        ]

    def __str__(self) -> str:
        return self.get_progress_display()


# --- relapse prevention ------------------------------------------------------------------

# The sections of a relapse prevention plan (clinical.md §5), with prompts in our own words.
RELAPSE_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("reasons", "My reasons for recovery", "What matters to me about staying well."),
    (
        "external_triggers",
        "Outside triggers",
        "People, places, times and things that raise my risk.",
    ),
    (
        "internal_triggers",
        "Inside triggers",
        "Feelings, thoughts and body states that raise my risk.",
    ),
    ("early_signs", "Early warning signs", "The first small changes I or others notice."),
    ("middle_signs", "Middle warning signs", "Signs that things are getting harder."),
    ("late_signs", "Late warning signs", "Signs that a lapse is close."),
    ("coping", "What I do in high-risk situations", "Skills and actions that help me through."),
    (
        "refusal",
        "Saying no and keeping boundaries",
        "What I say and do to turn down offers or pressure.",
    ),
    ("supports", "People I can contact", "Names and numbers of people who support my recovery."),
    (
        "lapse_plan",
        "If I lapse",
        "The steps I take right away so a lapse does not become a relapse.",
    ),
)
RELAPSE_SECTION_KEYS = tuple(key for key, _, _ in RELAPSE_SECTIONS)


RelapsePlanStatus = VersionStatus


class RelapsePreventionPlan(OrganizationRecord, SignedDocument):
    """One version of a participant's relapse prevention plan, in their words. Sections are
    stored as a JSON object keyed by RELAPSE_SECTION_KEYS."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="relapse_plans"
    )
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="relapse_plans"
    )
    version = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=12, choices=RelapsePlanStatus.choices, default=RelapsePlanStatus.DRAFT
    )
    sections = models.JSONField(default=dict)
    review_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Reviewed before discharge (issue #6 point 5).
    discharge_reviewed_at = models.DateTimeField(null=True, blank=True)
    discharge_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "version"], name="relapse_plan_version_unique"
            ),
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(status="current"),
                name="relapse_plan_one_current",
            ),
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(status="draft"),
                name="relapse_plan_one_draft",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(content_hash=""),
                name="relapse_plan_agreed_has_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"Relapse prevention plan v{self.version}"

    def signed_content(self) -> dict[str, Any]:
        return {
            "sections": {k: self.sections.get(k, "") for k in RELAPSE_SECTION_KEYS},
            "review_on": self.review_on.isoformat() if self.review_on else None,
        }


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the team"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Not taken up"


class RelapsePlanProposal(OrganizationRecord):
    """A change the participant proposes from the portal to one section of their current
    plan. A clinician accepts it (which makes a new version) or declines it with a reason."""

    plan = models.ForeignKey(
        RelapsePreventionPlan, on_delete=models.PROTECT, related_name="proposals"
    )
    section = models.CharField(max_length=30)
    text = models.TextField()
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "declined"]),
                name="relapse_proposal_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="relapse_proposal_decided_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Proposal for {self.section} ({self.get_status_display()})"
