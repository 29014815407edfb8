"""The medication list and its reconciliations.

A `Medication` is one entry on an episode's list: recording only, OpenIOP never prescribes.
Edits change the entry (the reconciliation that follows names the change); a mistake is marked
entered in error, never deleted. A `MedicationReconciliation` is the signed step at admission,
at a plan review or at discharge: it keeps the list as reviewed (`entries`, the next
reconciliation's "before"), the changes in words and the signature's hash, and never changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from openiop.lib.models import OrganizationRecord, SignedDocument
from openiop.substance_use.core.draws import SpecimenType
from openiop.substance_use.core.medications import Occasion, PrescriberKind, Route, Source
from openiop.substance_use.core.results import Method, Outcome, Reason, ResultValue

ROUTE_LABELS = {
    Route.ORAL: "By mouth",
    Route.SUBLINGUAL: "Under the tongue",
    Route.BUCCAL: "Inside the cheek",
    Route.TRANSDERMAL: "Skin patch",
    Route.INTRAMUSCULAR: "Injection into a muscle",
    Route.SUBCUTANEOUS: "Injection under the skin",
    Route.INTRAVENOUS: "Intravenous",
    Route.INHALED: "Inhaled",
    Route.NASAL: "In the nose",
    Route.TOPICAL: "On the skin",
    Route.RECTAL: "Rectal",
    Route.OTHER: "Other",
}
PRESCRIBER_LABELS = {
    PrescriberKind.PROGRAM: "A clinician of the program",
    PrescriberKind.OUTSIDE: "An outside prescriber",
    PrescriberKind.OTP: "An opioid treatment program (OTP)",
    PrescriberKind.NOT_KNOWN: "Not known",
}
SOURCE_LABELS = {
    Source.PARTICIPANT: "The participant's own report",
    Source.PHARMACY: "A pharmacy record",
    Source.PRESCRIBER: "The prescriber",
}
OCCASION_LABELS = {
    Occasion.ADMISSION: "Admission",
    Occasion.PLAN_REVIEW: "Plan review",
    Occasion.DISCHARGE: "Discharge",
}

ROUTE_CHOICES = [(r.value, ROUTE_LABELS[r]) for r in Route]
PRESCRIBER_CHOICES = [(k.value, PRESCRIBER_LABELS[k]) for k in PrescriberKind]
SOURCE_CHOICES = [(s.value, SOURCE_LABELS[s]) for s in Source]
OCCASION_CHOICES = [(o.value, OCCASION_LABELS[o]) for o in Occasion]


class MedicationStatus(models.TextChoices):
    RECORDED = "recorded", "Recorded"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


class Medication(OrganizationRecord):
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="+"
    )
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="medications"
    )
    # The episode's program, kept on the row so every list filters on it directly.
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    dose = models.CharField(max_length=200, blank=True)
    route = models.CharField(max_length=20, choices=ROUTE_CHOICES, default=Route.ORAL.value)
    frequency = models.CharField(max_length=200, blank=True)
    indication = models.CharField(max_length=200, blank=True)
    prescriber_kind = models.CharField(max_length=20, choices=PRESCRIBER_CHOICES)
    # A clinician of the program (prescriber_kind "program").
    prescriber_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # An outside prescriber or OTP, as the chart shows it.
    prescriber_name = models.CharField(max_length=200, blank=True)
    prescriber_phone = models.CharField(max_length=40, blank=True)
    # The Part 2 consent (of the episode's program) naming the outside prescriber or OTP, which
    # allows coordinating care with them. Without one the entry is recorded, not coordinated.
    coordination_consent = models.ForeignKey(
        "participants.Consent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(max_length=20, choices=SOURCE_CHOICES)
    start_on = models.DateField(null=True, blank=True)
    stop_on = models.DateField(null=True, blank=True)
    stop_reason = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=MedicationStatus.choices, default=MedicationStatus.RECORDED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["episode", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(stop_on__isnull=True)
                | Q(start_on__isnull=True)
                | Q(stop_on__gte=models.F("start_on")),
                name="medication_stop_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(prescriber_kind="program") | Q(prescriber_user__isnull=False),
                name="medication_program_prescriber_named",
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="medication_has_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MedicationReconciliation(OrganizationRecord, SignedDocument):
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="+"
    )
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="medication_reviews"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    occasion = models.CharField(max_length=20, choices=OCCASION_CHOICES)
    reviewed_on = models.DateField()
    reviewed_with_participant = models.BooleanField()
    note = models.CharField(max_length=500, blank=True)
    # The list as reviewed (medication_snapshot rows): the next reconciliation's "before".
    entries = models.JSONField(default=list)
    changes = models.JSONField(default=list)  # the changes in words
    summary = models.TextField()
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["-signed_at", "-id"]
        constraints = [
            # One admission and one discharge reconciliation per episode; plan reviews recur.
            models.UniqueConstraint(
                fields=["episode", "occasion"],
                condition=Q(occasion__in=["admission", "discharge"]),
                name="medication_reconciliation_once_per_episode",
            ),
            models.CheckConstraint(
                condition=~Q(content_hash=""), name="medication_reconciliation_signed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_occasion_display()} {self.reviewed_on}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("A signed reconciliation never changes; sign a new one.")
        super().save(*args, **kwargs)

    def signed_content(self) -> Mapping[str, Any]:
        return {
            "participant": str(self.participant.public_id),
            "episode": str(self.episode.public_id),
            "occasion": self.occasion,
            "reviewed_on": self.reviewed_on.isoformat(),
            "reviewed_with_participant": self.reviewed_with_participant,
            "note": self.note,
            "entries": self.entries,
            "changes": self.changes,
            "summary": self.summary,
            "signed_by": str(self.signed_by.public_id),
        }


# --- drug and alcohol testing ------------------------------------------------------------------
#
# Results are 42 CFR Part 2 records: they are read at the SUD level of the program that
# collected them, and leave it only under a Part 2 consent. A result row is never changed: a
# confirmatory laboratory result, or a corrected report, is a new row naming the row it
# replaces (`supersedes`), so the history reads "presumptive positive, confirmed negative".

SPECIMEN_CHOICES = [
    (SpecimenType.URINE.value, "Urine"),
    (SpecimenType.ORAL_FLUID.value, "Oral fluid"),
    (SpecimenType.BREATH.value, "Breath"),
]
REASON_CHOICES = [
    (Reason.RANDOM.value, "Random selection"),
    (Reason.SCHEDULED.value, "Scheduled testing"),
    (Reason.CLINICAL.value, "Asked for by a clinician or the participant"),
    (Reason.ADMISSION.value, "Admission"),
]
OUTCOME_CHOICES = [
    (Outcome.COLLECTED.value, "Collected"),
    (Outcome.REFUSED.value, "Declined by the participant"),
    (Outcome.NOT_COLLECTED.value, "Not collected"),
]
VALUE_CHOICES = [(v.value, v.value.capitalize()) for v in ResultValue]
METHOD_CHOICES = [
    (Method.PRESUMPTIVE.value, "Presumptive (point of care or immunoassay)"),
    (Method.CONFIRMATORY.value, "Confirmed by the laboratory"),
]


class DrugTest(OrganizationRecord):
    """One specimen asked for: collected, declined, or not collected."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="+"
    )
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="drug_tests"
    )
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    custody_id = models.CharField(max_length=60)  # the chain-of-custody id on the requisition
    specimen = models.CharField(max_length=20, choices=SPECIMEN_CHOICES)
    reason = models.CharField(max_length=20, choices=REASON_CHOICES)
    outcome = models.CharField(max_length=20, choices=OUTCOME_CHOICES)
    observed = models.BooleanField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    collected_at = models.DateTimeField()
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-collected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "custody_id"], name="drug_test_custody_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(outcome="collected", observed__isnull=False)
                | (~Q(outcome="collected") & Q(observed__isnull=True) & ~Q(note="")),
                name="drug_test_outcome_consistent",
            ),
        ]

    def __str__(self) -> str:
        return self.custody_id


class DrugTestResult(OrganizationRecord):
    """One result for one substance; appended, never changed."""

    test = models.ForeignKey(DrugTest, on_delete=models.PROTECT, related_name="results")
    substance = models.CharField(max_length=60)
    value = models.CharField(max_length=20, choices=VALUE_CHOICES)
    method = models.CharField(max_length=20, choices=METHOD_CHOICES)
    reported_at = models.DateTimeField()
    # Who recorded it by hand, or the lab file it came from (its SHA-256).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    import_digest = models.CharField(max_length=64, blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    cutoff = models.CharField(max_length=40, blank=True)
    lab = models.CharField(max_length=200, blank=True)
    reported_as = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["reported_at", "id"]

    def __str__(self) -> str:
        return f"{self.substance} {self.value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("A result is never changed; record the one that replaces it.")
        super().save(*args, **kwargs)


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Talked over"
    NO_LONGER_APPLIES = "withdrawn", "No longer applies"


class TestFollowUp(OrganizationRecord):
    """A neutral clinical follow-up for the primary clinician: an unexpected positive, a
    positive a medication may cause, a declined test, a daily MOUD not found."""

    __test__ = False  # not a pytest class, whatever its name

    test = models.ForeignKey(DrugTest, on_delete=models.PROTECT, related_name="follow_ups")
    episode = models.ForeignKey("participants.Episode", on_delete=models.PROTECT, related_name="+")
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=200)  # the core's follow-up key, unique per test
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    text = models.TextField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closing_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["test", "key"], name="test_follow_up_once"),
        ]

    def __str__(self) -> str:
        return self.title


# --- testing policy and the weekly random draw ---------------------------------------------------


class TestingPolicy(OrganizationRecord):
    """What a program that treats substance use tests, on which days, and the share of
    eligible participants the week's random draw selects. Set by the program director."""

    __test__ = False

    program = models.OneToOneField(
        "programs.Program", on_delete=models.PROTECT, related_name="testing_policy"
    )
    specimen_types = models.JSONField(default=list)  # SpecimenType values
    testing_days = models.JSONField(default=list)  # weekdays, Monday 0
    weekly_rate_percent = models.PositiveSmallIntegerField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(weekly_rate_percent__gte=1, weekly_rate_percent__lte=100),
                name="testing_policy_rate_is_a_percent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.weekly_rate_percent}%"


class TestingDraw(OrganizationRecord):
    """One week's random draw as the core recorded it (`record`, sealed by `digest`). Never
    changed; a re-draw is a new row naming the one it replaces, with its reason."""

    __test__ = False

    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField()
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField()
    record = models.JSONField()  # core.draws.Draw.content()
    digest = models.CharField(max_length=64, unique=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-week_start", "-drawn_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "week_start"],
                condition=Q(supersedes__isnull=True),
                name="testing_draw_once_a_week",
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(reason=""),
                name="testing_redraw_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.week_start}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("A draw is never changed; a re-draw is a new record.")
        super().save(*args, **kwargs)
