"""The participant record, episodes of care, care teams, family contacts and their consents."""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Participant(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("programs.Organization", on_delete=models.PROTECT)
    # Short human-readable record number for staff (e.g. P-00042); URLs use public_id.
    record_number = models.CharField(max_length=20)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participant",
    )
    legal_first_name = models.CharField(max_length=100)
    legal_last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    date_of_birth = models.DateField()
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_phone = models.CharField(max_length=40, blank=True)
    emergency_contact_relationship = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_last_name", "legal_first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "record_number"], name="participant_record_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "legal_last_name"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.legal_first_name
        return f"{first} {self.legal_last_name}"

    @property
    def legal_name(self) -> str:
        return f"{self.legal_first_name} {self.legal_last_name}"

    def local_today(self) -> date:
        """'Today' for record-level dates (consents, date of birth): in the time zone of the
        participant's most recent episode's program, or the server's when there is none."""
        from openiop.lib.timezones import today_in

        episode = self.episodes.select_related("program").order_by("-inquiry_on", "-id").first()
        return today_in(episode.program.time_zone if episode else settings.TIME_ZONE)

    def age_on(self, day: date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class EpisodeStatus(models.TextChoices):
    INQUIRY = "inquiry", "Inquiry"
    REFERRED = "referred", "Referred"
    ASSESSED = "assessed", "Assessed"
    ADMITTED = "admitted", "Admitted"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    DISCHARGED = "discharged", "Discharged"


# Which status may follow which: the path of an episode from first call to discharge. Any
# open episode may be discharged (also covers "did not admit").
EPISODE_TRANSITIONS: dict[str, frozenset[str]] = {
    EpisodeStatus.INQUIRY: frozenset({EpisodeStatus.REFERRED, EpisodeStatus.DISCHARGED}),
    EpisodeStatus.REFERRED: frozenset({EpisodeStatus.ASSESSED, EpisodeStatus.DISCHARGED}),
    EpisodeStatus.ASSESSED: frozenset({EpisodeStatus.ADMITTED, EpisodeStatus.DISCHARGED}),
    EpisodeStatus.ADMITTED: frozenset({EpisodeStatus.ACTIVE, EpisodeStatus.DISCHARGED}),
    EpisodeStatus.ACTIVE: frozenset({EpisodeStatus.ON_HOLD, EpisodeStatus.DISCHARGED}),
    EpisodeStatus.ON_HOLD: frozenset({EpisodeStatus.ACTIVE, EpisodeStatus.DISCHARGED}),
    EpisodeStatus.DISCHARGED: frozenset(),
}


class DischargeKind(models.TextChoices):
    """Why an episode ended. The free-text `discharge_reason` says more."""

    COMPLETED = "completed", "Completed the program"
    STEPPED_UP = "stepped_up", "Stepped up (PHP, residential or inpatient)"
    STEPPED_DOWN = "stepped_down", "Stepped down (outpatient)"
    AGAINST_ADVICE = "against_advice", "Left against clinical advice"
    ADMINISTRATIVE = "administrative", "Administrative"
    NOT_ADMITTED = "not_admitted", "Not admitted"


OPEN_STATUSES = frozenset(s.value for s in EpisodeStatus if s != EpisodeStatus.DISCHARGED)
IN_TREATMENT_STATUSES = frozenset(
    {EpisodeStatus.ADMITTED, EpisodeStatus.ACTIVE, EpisodeStatus.ON_HOLD}
)


class Episode(models.Model):
    """One stay in a program, from first contact to discharge."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("programs.Organization", on_delete=models.PROTECT)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="episodes")
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="episodes"
    )
    track = models.ForeignKey(
        "programs.Track",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="episodes",
    )
    primary_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="primary_episodes",
    )
    status = models.CharField(
        max_length=20, choices=EpisodeStatus.choices, default=EpisodeStatus.INQUIRY
    )
    inquiry_on = models.DateField()
    referred_on = models.DateField(null=True, blank=True)
    assessed_on = models.DateField(null=True, blank=True)
    admitted_on = models.DateField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True, help_text="First day in program.")
    hold_since = models.DateField(null=True, blank=True)
    discharged_on = models.DateField(null=True, blank=True)
    discharge_reason = models.CharField(max_length=200, blank=True)
    discharge_kind = models.CharField(max_length=20, choices=DischargeKind.choices, blank=True)
    # Planned length, agreed at admission ("determined collaboratively"); extensions move
    # planned_end_on and are recorded with their reasons.
    planned_weeks = models.PositiveSmallIntegerField(null=True, blank=True)
    planned_end_on = models.DateField(null=True, blank=True)
    referral_source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-inquiry_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in EpisodeStatus]),
                name="episode_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=F("inquiry_on")),
                name="episode_discharge_after_inquiry",
            ),
            models.CheckConstraint(
                condition=Q(admitted_on__isnull=True) | Q(admitted_on__gte=F("inquiry_on")),
                name="episode_admit_after_inquiry",
            ),
            models.CheckConstraint(
                condition=~Q(status=EpisodeStatus.DISCHARGED) | Q(discharged_on__isnull=False),
                name="episode_discharged_has_date",
            ),
            models.CheckConstraint(
                condition=Q(discharge_kind="") | Q(discharge_kind__in=DischargeKind.values),
                name="episode_discharge_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(planned_end_on__isnull=True)
                | Q(admitted_on__isnull=True)
                | Q(planned_end_on__gte=F("admitted_on")),
                name="episode_planned_end_after_admission",
            ),
            # One open episode per participant per program.
            models.UniqueConstraint(
                fields=["participant", "program"],
                condition=~Q(status=EpisodeStatus.DISCHARGED),
                name="episode_one_open_per_program",
            ),
        ]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"{self.program} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def week_number(self, today: date) -> int | None:
        """Week of treatment (1-based) on `today`, counted from the first day in program."""
        if self.started_on is None or self.status not in IN_TREATMENT_STATUSES:
            return None
        if today < self.started_on:
            return None
        return (today - self.started_on).days // 7 + 1


class CareTeamRole(models.TextChoices):
    PRIMARY = "primary", "Primary therapist"
    GROUP = "group", "Group facilitator"
    PRESCRIBER = "prescriber", "Prescriber"
    FAMILY = "family", "Family therapist"
    CASE_MANAGER = "case_manager", "Case manager"


class CareTeamMember(models.Model):
    organization = models.ForeignKey("programs.Organization", on_delete=models.PROTECT)
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="care_team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_teams"
    )
    role = models.CharField(max_length=20, choices=CareTeamRole.choices)
    since = models.DateField()
    until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["role", "since"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "user", "role"],
                condition=Q(until__isnull=True),
                name="care_team_member_unique_current",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="care_team_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class FamilyContact(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("programs.Organization", on_delete=models.PROTECT)
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="family_contacts"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="family_contact",
    )
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=60)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    is_emergency_contact = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})"


class ConsentScope(models.TextChoices):
    """What a participant lets a family member see in the family portal."""

    FAMILY_SCHEDULE = "family_schedule", "Family-session schedule"
    ATTENDANCE = "attendance", "Attendance summary"
    PROGRAM_CONTACT = "program_contact", "Program and care-team contact"


class FamilyConsent(models.Model):
    """A participant's written permission for one family contact to see named information.
    Active from `granted_on` until revoked or expired. Fuller consents (42 CFR Part 2
    disclosures) belong to the intake issue."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("programs.Organization", on_delete=models.PROTECT)
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="family_consents"
    )
    contact = models.ForeignKey(FamilyContact, on_delete=models.PROTECT, related_name="consents")
    scope = models.CharField(max_length=30, choices=ConsentScope.choices)
    granted_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    revoked_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("granted_on")),
                name="consent_expires_after_granted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} for {self.contact.name}"

    def is_active_on(self, day: date) -> bool:
        if day < self.granted_on:
            return False
        if self.revoked_on is not None and day >= self.revoked_on:
            return False
        return self.expires_on is None or day <= self.expires_on
