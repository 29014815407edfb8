"""The billing room's tables: payers and their rules, coverage, diagnoses, authorizations.

Every threshold a payer decides is a column of `PayerRule`, never a constant: `engine.py`
turns a row into the pure core's `DayRule` (dayrules.py) and the room computes billable days
and authorization usage live, at request time, from attendance and notes (never stored, never
a nightly batch). See docs/billing-engine.md for the rules and docs/billing.md for the room.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q

from openiop.billing.dayrules import NoteRequirement, PartialWeeks
from openiop.billing.payers import ClaimFormat, FilingIndicator, ProgramKind
from openiop.lib.models import OrganizationRecord


def _choices(enum: type) -> list[tuple[str, str]]:
    return [(m.value, m.name.replace("_", " ").capitalize()) for m in enum]  # type: ignore[attr-defined]


class Payer(OrganizationRecord):
    """A payer the organization bills, with its claim settings and warning thresholds."""

    name = models.CharField(max_length=200)
    payer_id = models.CharField(
        max_length=80, help_text="The payer's electronic id, from its companion guide."
    )
    claim_format = models.CharField(
        max_length=10,
        choices=[(ClaimFormat.X12_837I.value, "ANSI X12 837I"), (ClaimFormat.NONE.value, "None")],
        default=ClaimFormat.X12_837I.value,
    )
    filing_indicator = models.CharField(
        max_length=2,
        choices=[(f.value, f.name.replace("_", " ").title()) for f in FilingIndicator],
        default=FilingIndicator.COMMERCIAL.value,
        help_text="Claim filing indicator (837I SBR09).",
    )
    review_contact = models.CharField(
        max_length=300, blank=True, help_text="Who receives concurrent reviews, and how."
    )
    bill_type = models.CharField(
        max_length=3,
        default="131",
        validators=[RegexValidator(r"^\d{3}$", "Three digits, e.g. 131.")],
    )
    condition_codes = models.CharField(
        max_length=40, blank=True, help_text="Claim condition codes, separated by spaces."
    )
    # When this payer's authorizations start warning (authorizations.WarningPolicy).
    days_left_threshold = models.PositiveSmallIntegerField(default=3)
    review_due_within_days = models.PositiveSmallIntegerField(default=2)
    review_cadence_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Concurrent review every N days (blank: no cadence).",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="billing_payer_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PayerRule(OrganizationRecord):
    """One payer's billable-day rule for one kind of program (dayrules.DayRule)."""

    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="rules")
    program_kind = models.CharField(
        max_length=20,
        choices=[
            (ProgramKind.PSYCHIATRIC.value, "Psychiatric"),
            (ProgramKind.SUBSTANCE_USE.value, "Substance use"),
        ],
    )
    revenue_code = models.CharField(
        max_length=4, validators=[RegexValidator(r"^\d{4}$", "Four digits, e.g. 0905.")]
    )
    hcpcs = models.CharField(max_length=5, help_text="HCPCS or CPT, e.g. S9480 or H0015.")
    modifiers = models.CharField(max_length=20, blank=True, help_text="Up to four, with spaces.")
    counted_categories = models.JSONField(
        default=list, help_text="Session categories whose attended time counts."
    )
    min_hours_per_day = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal("24"))],
        help_text="Attended hours that make a day (blank: no daily minimum).",
    )
    min_days_per_week = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(7)],
        help_text="Qualifying days a week needs (blank: no weekly minimum).",
    )
    partial_weeks = models.CharField(
        max_length=10, choices=_choices(PartialWeeks), default=PartialWeeks.EXEMPT.value
    )
    note_requirement = models.CharField(
        max_length=20,
        choices=[
            (NoteRequirement.NONE.value, "No note needed"),
            (NoteRequirement.DAY.value, "A signed note by a credentialed clinician that day"),
            (NoteRequirement.EACH_SESSION.value, "Every counted session signed"),
        ],
        default=NoteRequirement.DAY.value,
    )
    units_per_day = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    requires_authorization = models.BooleanField(default=True)
    # The fee schedule: what one unit is charged on a claim line.
    charge_per_unit = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["payer__name", "program_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["payer", "program_kind"], name="billing_rule_one_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(program_kind__in=[k.value for k in ProgramKind]),
                name="billing_rule_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payer}: {self.revenue_code}/{self.hcpcs}"


class CoverageRank(models.TextChoices):
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"


class Relationship(models.TextChoices):
    """The patient's relationship to the subscriber (837I SBR02 / PAT01)."""

    SELF = "18", "Self"
    SPOUSE = "01", "Spouse"
    CHILD = "19", "Child"
    OTHER = "G8", "Other"


class Sex(models.TextChoices):
    """Administrative sex as the payer has it on the claim (837I DMG03)."""

    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Unknown"


class Coverage(OrganizationRecord):
    """A participant's insurance with one payer. It belongs to the person (like their address),
    so staff of any of their programs who work on billing see it."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="coverages"
    )
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="coverages")
    rank = models.CharField(max_length=10, choices=CoverageRank.choices)
    member_id = models.CharField(max_length=80)
    group_number = models.CharField(max_length=80, blank=True)
    subscriber_name = models.CharField(
        max_length=200, blank=True, help_text="Blank when the participant is the subscriber."
    )
    relationship = models.CharField(
        max_length=2, choices=Relationship.choices, default=Relationship.SELF
    )
    effective_from = models.DateField()
    effective_until = models.DateField(null=True, blank=True)
    # The subscriber's demographics as the payer holds them (the claim's subscriber loop).
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    street = models.CharField(max_length=55, blank=True)
    city = models.CharField(max_length=30, blank=True)
    state = models.CharField(max_length=2, blank=True)
    postal_code = models.CharField(max_length=9, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rank", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_until__gte=F("effective_from")),
                name="billing_coverage_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["participant", "rank"])]

    def __str__(self) -> str:
        return f"{self.payer} ({self.get_rank_display()})"


class Diagnosis(OrganizationRecord):
    """An ICD-10-CM diagnosis on an episode, chosen from the CMS release (icd10.py). The code,
    its description and the release are kept as they were when recorded. Removing one is a
    status (`removed_at`), never a delete."""

    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="diagnoses"
    )
    code = models.CharField(max_length=8)
    description = models.CharField(max_length=300)
    release = models.CharField(max_length=60, help_text="e.g. ICD-10-CM, April 2026 release")
    is_primary = models.BooleanField(default=False)
    onset_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-is_primary", "recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(is_primary=True, removed_at__isnull=True),
                name="billing_one_primary_diagnosis",
            ),
            models.UniqueConstraint(
                fields=["episode", "code"],
                condition=Q(removed_at__isnull=True),
                name="billing_diagnosis_once",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Authorization(OrganizationRecord):
    """A payer's authorization for an episode. Days used and left are never stored: they are
    computed from billable days (selectors.episode_billing)."""

    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="authorizations"
    )
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="authorizations")
    number = models.CharField(max_length=80)
    level_of_care = models.CharField(max_length=100, default="Intensive outpatient")
    approved_units = models.PositiveSmallIntegerField()
    start_on = models.DateField()
    end_on = models.DateField()
    reviewer = models.CharField(max_length=200, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_on", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__gte=F("start_on")), name="billing_authorization_dates"
            ),
            models.UniqueConstraint(
                fields=["payer", "number"], name="billing_authorization_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ReviewOutcome(models.TextChoices):
    APPROVED = "approved", "Approved more days"
    DENIED = "denied", "Denied"
    PEER_TO_PEER = "peer_to_peer", "Peer-to-peer requested"
    PENDING = "pending", "Pending"


class Review(OrganizationRecord):
    """A concurrent review of an authorization and its outcome. An approval adds units and may
    move the end date: it is the authorization's extension (dayrules.AuthorizationExtension)."""

    authorization = models.ForeignKey(
        Authorization, on_delete=models.PROTECT, related_name="reviews"
    )
    reviewed_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices)
    additional_units = models.PositiveSmallIntegerField(default=0)
    new_end_on = models.DateField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    reviewer = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reviewed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="approved") | Q(additional_units=0, new_end_on__isnull=True),
                name="billing_review_only_approval_extends",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authorization} {self.outcome}"


# --- claims ---------------------------------------------------------------------------------


class BillingProfile(OrganizationRecord):
    """The organization as a billing provider and submitter (837I loops 1000A, 1000B, 2010AA)."""

    name = models.CharField(max_length=60)
    npi = models.CharField(max_length=10, verbose_name="Billing NPI")
    tax_id = models.CharField(max_length=9, help_text="Employer identification number.")
    taxonomy = models.CharField(max_length=10, blank=True)
    street = models.CharField(max_length=55)
    city = models.CharField(max_length=30)
    state = models.CharField(max_length=2)
    postal_code = models.CharField(max_length=9, help_text="Nine digits.")
    submitter_id = models.CharField(max_length=80)
    contact_name = models.CharField(max_length=60)
    contact_phone = models.CharField(max_length=10)
    receiver_name = models.CharField(max_length=60)
    receiver_id = models.CharField(max_length=80)
    production = models.BooleanField(
        default=False, help_text="Send production files (ISA15 P) once the payer approved."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="billing_profile_one_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class ClinicianNpi(OrganizationRecord):
    """A clinician's NPI for the attending and rendering loops of a claim."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="billing_npi"
    )
    npi = models.CharField(max_length=10)
    taxonomy = models.CharField(max_length=10, blank=True)

    def __str__(self) -> str:
        return self.npi


class ClaimBatch(OrganizationRecord):
    """One 837I interchange for one payer, one program and one period."""

    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="batches")
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    interchange_number = models.PositiveIntegerField()
    x12 = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Batch {self.interchange_number}"


class ClaimOutcome(models.TextChoices):
    AWAITING = "awaiting", "Awaiting remittance"
    PAID = "paid", "Paid"
    PARTLY_DENIED = "partly_denied", "Partly denied"
    DENIED = "denied", "Denied"
    REVERSED = "reversed", "Reversed"
    PENDED = "pended", "Pended"


class Claim(OrganizationRecord):
    """One claim of a batch: one episode's billable days in the period, one line a day. It
    holds codes, dates, amounts and identifiers; never a note's text."""

    batch = models.ForeignKey(ClaimBatch, on_delete=models.PROTECT, related_name="claims")
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="claims"
    )
    control_number = models.CharField(max_length=20, unique=True)
    charge = models.DecimalField(max_digits=10, decimal_places=2)
    # [{"day": "2026-01-05", "revenue_code": "0905", "hcpcs": "S9480", "units": 1,
    #   "charge": "350.00", "line": "L1"}]
    lines = models.JSONField(default=list)
    diagnoses = models.JSONField(default=list)
    prior_authorization = models.CharField(max_length=80, blank=True)
    # Reconciliation with the 835 (remit.reconcile), kept current by each import.
    outcome = models.CharField(
        max_length=20, choices=ClaimOutcome.choices, default=ClaimOutcome.AWAITING
    )
    paid = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    adjusted = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    denied = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    patient_responsibility = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0")
    )
    balance = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    reasons = models.JSONField(default=list)  # "CO-50": group and CARC
    remarks = models.JSONField(default=list)  # RARC
    reconciled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["control_number"]

    def __str__(self) -> str:
        return self.control_number


class RemittanceImport(OrganizationRecord):
    """An 835 file imported: what it paid and how many of our claims it named."""

    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="remittances")
    trace_numbers = models.CharField(max_length=300)
    total_paid = models.DecimalField(max_digits=12, decimal_places=2)
    claims_matched = models.PositiveIntegerField()
    claims_unmatched = models.PositiveIntegerField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return self.trace_numbers
