"""Inquiries and referrals (before anyone is a participant), the intake assessment of an
episode, and the level-of-care rules and decisions that follow from it."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from openiop.lib.models import OrganizationRecord, OrganizationScoped
from openiop.scheduling.models import WeeklyBlock

# --- inquiries ------------------------------------------------------------------------------


class InquiryStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    SCREENING = "screening", "Screening scheduled"
    ASSESSED = "assessed", "Assessed"
    ADMITTED = "admitted", "Admitted"
    REFERRED_OUT = "referred_out", "Referred elsewhere"
    CLOSED = "closed", "Closed"


OUTCOME_STATUSES = frozenset(
    {InquiryStatus.ADMITTED, InquiryStatus.REFERRED_OUT, InquiryStatus.CLOSED}
)

# The pipeline: each open stage may move one step on, or end (referred elsewhere, closed).
INQUIRY_TRANSITIONS: dict[str, frozenset[str]] = {
    InquiryStatus.NEW: frozenset({InquiryStatus.CONTACTED}),
    InquiryStatus.CONTACTED: frozenset({InquiryStatus.SCREENING}),
    InquiryStatus.SCREENING: frozenset({InquiryStatus.ASSESSED}),
    InquiryStatus.ASSESSED: frozenset({InquiryStatus.ADMITTED}),
    InquiryStatus.ADMITTED: frozenset(),
    InquiryStatus.REFERRED_OUT: frozenset(),
    InquiryStatus.CLOSED: frozenset(),
}
for _open in (
    InquiryStatus.NEW,
    InquiryStatus.CONTACTED,
    InquiryStatus.SCREENING,
    InquiryStatus.ASSESSED,
):
    INQUIRY_TRANSITIONS[_open] = INQUIRY_TRANSITIONS[_open] | {
        InquiryStatus.REFERRED_OUT,
        InquiryStatus.CLOSED,
    }


class InquirySource(models.TextChoices):
    WEB = "web", "Web inquiry form"
    SELF = "self", "Self"
    FAMILY = "family", "Family"
    THERAPIST = "therapist", "Therapist"
    STEP_DOWN = "step_down", "PHP or inpatient step-down"
    DETOX = "detox", "Detox"
    SCHOOL = "school", "School"
    EMPLOYER = "employer", "Employer"


# Sources staff choose from when entering a referral (web inquiries arrive on their own).
STAFF_SOURCES = [c for c in InquirySource.choices if c[0] != InquirySource.WEB]


class InquiryFor(models.TextChoices):
    SELF = "self", "Myself"
    FAMILY = "family", "A family member or friend"
    PROFESSIONAL = "professional", "A client or patient (I am a professional)"


class ContactTime(models.TextChoices):
    ANY = "any", "Any time"
    MORNING = "morning", "Morning"
    AFTERNOON = "afternoon", "Afternoon"
    EVENING = "evening", "Evening"


MESSAGE_MAX = 500


class Inquiry(OrganizationRecord):
    """Someone asking about the program, or a referral entered by staff. Not a participant:
    only what is needed to call back. It holds PHI all the same (that a person sought mental
    health or substance-use care), so staff reach it only through intake.access."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="inquiries"
    )
    status = models.CharField(
        max_length=20, choices=InquiryStatus.choices, default=InquiryStatus.NEW
    )
    source = models.CharField(max_length=20, choices=InquirySource.choices)
    name = models.CharField(max_length=100, help_text="First name or initials.")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    contact_time = models.CharField(
        max_length=20, choices=ContactTime.choices, default=ContactTime.ANY
    )
    inquiry_for = models.CharField(
        max_length=20, choices=InquiryFor.choices, default=InquiryFor.SELF
    )
    message = models.TextField(max_length=MESSAGE_MAX, blank=True)
    consent_to_contact = models.BooleanField(default=False)
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_organization = models.CharField(max_length=200, blank=True)
    referrer_phone = models.CharField(max_length=40, blank=True)
    referrer_email = models.EmailField(blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_inquiries",
    )
    follow_up_on = models.DateField(null=True, blank=True)
    outcome_note = models.TextField(blank=True)
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inquiries",
    )
    episode = models.ForeignKey(
        "participants.Episode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inquiries",
    )
    received_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name_plural = "inquiries"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in InquiryStatus]),
                name="inquiry_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=[s.value for s in InquirySource]),
                name="inquiry_source_valid",
            ),
            models.CheckConstraint(
                condition=~Q(phone="", email="") | ~Q(referrer_phone="", referrer_email=""),
                name="inquiry_reachable",
            ),
        ]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"Inquiry {self.public_id} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status not in OUTCOME_STATUSES


class InquiryEvent(OrganizationScoped):
    """One step in an inquiry's history: received, moved, follow-up set, converted."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    summary = models.CharField(max_length=200)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.summary


class InquiryThrottle(models.Model):
    """One row per public form submission attempt, keyed by a keyed hash of the client
    address (the address itself is not kept). In the database so every gunicorn worker and
    every app server counts the same attempts."""

    address_hash = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["address_hash", "at"])]

    def __str__(self) -> str:
        return f"{self.address_hash[:8]} @ {self.at:%Y-%m-%d %H:%M}"


# --- intake assessment ----------------------------------------------------------------------


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMPLETED = "completed", "Completed"


class PriorCare(models.TextChoices):
    NONE = "none", "None"
    OUTPATIENT = "outpatient", "Outpatient therapy"
    IOP = "iop", "Intensive outpatient (IOP)"
    PHP = "php", "Partial hospitalization (PHP)"
    RESIDENTIAL = "residential", "Residential"
    INPATIENT = "inpatient", "Inpatient"
    DETOX = "detox", "Detox / withdrawal management"


class CssrsTier(models.TextChoices):
    NONE = "none", "No risk identified"
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


class IopSignal(models.TextChoices):
    """The seeds' own description of who an IOP is for (clinical.md §4), in our words."""

    MORE_THAN_WEEKLY = "more_than_weekly", "Needs more than weekly therapy"
    STEP_DOWN = "step_down", "Stepping down from PHP or inpatient care"
    STRUCTURE = "structure", "Wants structure around work, school or family"
    SIGNIFICANT = "significant", "Significant symptoms without need for medically managed care"
    DUAL = "dual", "Co-occurring mental health and substance use (dual diagnosis)"
    RELAPSE = "relapse", "Relapsed, or not holding progress"


ASAM_DIMENSIONS = (
    ("asam_1", "1. Intoxication and withdrawal potential"),
    ("asam_2", "2. Biomedical conditions"),
    ("asam_3", "3. Emotional, behavioural or cognitive conditions"),
    ("asam_4", "4. Readiness to change"),
    ("asam_5", "5. Relapse or continued use potential"),
    ("asam_6", "6. Recovery environment"),
)

_rating = [MinValueValidator(0), MaxValueValidator(4)]


class IntakeAssessment(OrganizationRecord):
    """The assessment before treatment begins: one per episode. Saved as a draft until the
    assessor completes it, which marks the episode assessed."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="intake_assessments"
    )
    episode = models.OneToOneField(
        "participants.Episode", on_delete=models.PROTECT, related_name="intake_assessment"
    )
    status = models.CharField(
        max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    presenting_concerns = models.TextField(blank=True)
    triggers = models.TextField(blank=True)
    goals = models.TextField(blank=True)
    underlying_issues = models.TextField(blank=True)
    mental_health_history = models.TextField(blank=True)
    prior_care = models.JSONField(default=list, blank=True)  # PriorCare values
    medical_notes = models.TextField(blank=True)
    medication_notes = models.TextField(blank=True)
    support_system = models.TextField(blank=True)
    constraints = models.TextField(blank=True, help_text="Work, school and family commitments.")
    # 42 CFR Part 2: shown and edited only with SUD access.
    substance_use_history = models.TextField(blank=True)
    substance_use_prior_care = models.JSONField(default=list, blank=True)  # PriorCare values
    # Level-of-care inputs.
    asam_1 = models.PositiveSmallIntegerField(null=True, blank=True, validators=_rating)
    asam_2 = models.PositiveSmallIntegerField(null=True, blank=True, validators=_rating)
    asam_3 = models.PositiveSmallIntegerField(null=True, blank=True, validators=_rating)
    asam_4 = models.PositiveSmallIntegerField(null=True, blank=True, validators=_rating)
    asam_5 = models.PositiveSmallIntegerField(null=True, blank=True, validators=_rating)
    asam_6 = models.PositiveSmallIntegerField(null=True, blank=True, validators=_rating)
    cssrs_tier = models.CharField(max_length=20, choices=CssrsTier.choices, blank=True)
    withdrawal_needs_medical = models.BooleanField(default=False)
    hours_needed = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("80"))],
    )
    daily_medical_oversight = models.BooleanField(default=False)
    able_to_take_part = models.BooleanField(default=True)
    iop_signals = models.JSONField(default=list, blank=True)  # IopSignal values
    # A LOCUS level done elsewhere: recorded, never computed (LOCUS is licensed).
    locus_level = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    locus_on = models.DateField(null=True, blank=True)
    locus_by = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in AssessmentStatus]),
                name="assessment_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=AssessmentStatus.COMPLETED) | Q(completed_at__isnull=False),
                name="assessment_completed_has_time",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__lte": 4}),
                    name=f"assessment_{name}_range",
                )
                for name, _ in ASAM_DIMENSIONS
            ],
            models.CheckConstraint(
                condition=Q(locus_level__isnull=True)
                | Q(locus_level__gte=1, locus_level__lte=6, locus_on__isnull=False),
                name="assessment_locus_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Intake assessment {self.public_id}"

    @property
    def is_completed(self) -> bool:
        return self.status == AssessmentStatus.COMPLETED

    @property
    def dimensions(self) -> tuple[int | None, ...]:
        return tuple(getattr(self, name) for name, _ in ASAM_DIMENSIONS)


class AvailabilityBlock(OrganizationScoped, WeeklyBlock):
    """A recurring time the person cannot attend (program time zone), as told at intake.
    A scheduling.WeeklyBlock like scheduling.Unavailability, so admission copies the rows
    over."""

    assessment = models.ForeignKey(
        IntakeAssessment, on_delete=models.CASCADE, related_name="unavailable"
    )

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__lt=F("end_time")), name="availability_block_ordered"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="availability_block_day"),
        ]


# --- level of care --------------------------------------------------------------------------


class CareLevel(models.TextChoices):
    OUTPATIENT = "outpatient", "Weekly outpatient"
    IOP = "iop", "Intensive outpatient (IOP)"
    PHP = "php", "Partial hospitalization (PHP)"
    RESIDENTIAL = "residential", "Residential or inpatient"
    WITHDRAWAL = "withdrawal", "Medically managed withdrawal"


class RuleSet(OrganizationScoped):
    """A program's thresholds for the level-of-care rules. A program without one uses the
    defaults (the field defaults below), which follow shared/reference/clinical.md §3-4."""

    program = models.OneToOneField(
        "programs.Program", on_delete=models.PROTECT, related_name="loc_rules"
    )
    iop_min_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("9.0"),
        help_text="Below this many hours a week of need, weekly outpatient may be enough.",
    )
    php_min_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("20.0"),
        help_text="Needing this many hours a week or more points to PHP.",
    )
    refer_up_cssrs_tiers = models.JSONField(
        default=list,
        blank=True,
        help_text="C-SSRS tiers that point to residential or inpatient care (default: high).",
    )
    residential_rating = models.PositiveSmallIntegerField(
        default=4,
        validators=_rating,
        help_text="A dimension rated this or higher points to residential or inpatient care.",
    )
    php_rating = models.PositiveSmallIntegerField(
        default=3, validators=_rating, help_text="Rating that counts toward PHP."
    )
    php_dimension_count = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text="How many dimensions at the PHP rating point to PHP.",
    )
    outpatient_max_rating = models.PositiveSmallIntegerField(
        default=1,
        validators=_rating,
        help_text="With no IOP signal, every dimension at or below this fits weekly outpatient.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(iop_min_hours__lt=F("php_min_hours")),
                name="ruleset_hours_ordered",
                violation_error_message="The PHP hours must be above the IOP minimum.",
            ),
            models.CheckConstraint(
                condition=Q(php_rating__lte=F("residential_rating")),
                name="ruleset_ratings_ordered",
                violation_error_message="The PHP rating cannot be above the residential rating.",
            ),
        ]

    def __str__(self) -> str:
        return f"Level-of-care rules for program {self.program_id}"


class LevelOfCareDecision(OrganizationRecord):
    """What the rules recommended (with every rule as evaluated) and what the clinician
    decided. Rows are only added: a later decision supersedes an earlier one."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="+"
    )
    assessment = models.ForeignKey(
        IntakeAssessment, on_delete=models.PROTECT, related_name="decisions"
    )
    recommended_level = models.CharField(max_length=20, choices=CareLevel.choices)
    recommended_track = models.ForeignKey(
        "programs.Track", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rules = models.JSONField()  # [{"name", "inputs", "result", "fired", "level"}]
    inputs = models.JSONField()
    decided_level = models.CharField(max_length=20, choices=CareLevel.choices)
    decided_track = models.ForeignKey(
        "programs.Track", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted = models.BooleanField()
    override_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted=True) | ~Q(override_reason=""),
                name="loc_override_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(accepted=False) | Q(decided_level=F("recommended_level")),
                name="loc_accept_keeps_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decided_level_display()} ({'accepted' if self.accepted else 'override'})"
