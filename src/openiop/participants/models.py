"""The participant record, episodes of care, care teams, family contacts and their consents."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from openiop.lib import triggers as guards
from openiop.lib.models import OrganizationRecord, OrganizationScoped, SignedDocument


def _name_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


class Participant(OrganizationRecord):
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

    def is_legal_name(self, typed: str) -> bool:
        """Whether `typed` is the legal name on record, whatever its case and spacing."""
        return _name_key(typed) == _name_key(self.legal_name)

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


class Episode(OrganizationRecord):
    """One stay in a program, from first contact to discharge."""

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


class CareTeamMember(OrganizationScoped):
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


class FamilyContact(OrganizationRecord):
    """A person in the participant's life, as recorded by one program. Contacts belong to the
    program that recorded them (docs/architecture.md, "What belongs to the person"): they are
    the recipients of that program's releases and family-portal access, and a contact recorded
    by a substance-use program is itself a 42 CFR Part 2 record. The same relative known to two
    programs is recorded in each."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="family_contacts"
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="family_contacts"
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


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", "Consent to treatment"
    RELEASE = "release", "Release of information"
    PART2 = "part2", "42 CFR Part 2 consent to disclose"
    FOLLOWUP = "followup", "Follow-up contact after discharge"


class ConsentInfo(models.TextChoices):
    """What a release or Part 2 consent lets the program disclose. The first three are also
    what the family portal shows when the recipient is a family contact."""

    FAMILY_SCHEDULE = "family_schedule", "Family-session schedule"
    ATTENDANCE = "attendance", "Attendance and hours"
    PROGRAM_CONTACT = "program_contact", "Program and care-team contact"
    DIAGNOSIS_PLAN = "diagnosis_plan", "Diagnosis and treatment plan"
    ASSESSMENTS = "assessments", "Assessments and scores"
    DISCHARGE_SUMMARY = "discharge_summary", "Discharge summary"
    SUD_RECORDS = "sud_records", "Substance-use treatment records"
    SUD_COUNSELING_NOTES = "sud_counseling_notes", "Substance-use counseling notes"


class ConsentExpiry(models.TextChoices):
    NONE = "none", "Until revoked"
    DATE = "date", "On a date"
    DISCHARGE = "discharge", "On discharge from this episode"


class ConsentRevokedHow(models.TextChoices):
    WRITING = "writing", "In writing"
    VERBAL = "verbal", "Verbally, noted by staff"
    PORTAL = "portal", "By the participant in the portal"
    # Only for releases carried over from the single-scope family permissions staff recorded
    # before consents were signed (migration 0008): their revocation was a date staff entered.
    STAFF = "staff", "Recorded by staff"


# The signature of a release carried over from a family permission staff recorded before
# consents were signed (migration 0008): nobody typed a name for it.
STAFF_RECORDED_SIGNATURE = "recorded by staff before signed releases"


# Fields a signed consent may still change: revocation is a status, nothing else moves.
CONSENT_REVOCATION_FIELDS = frozenset({"revoked_at", "revoked_on", "revoked_by", "revoked_how"})


class Consent(OrganizationRecord, SignedDocument):
    """A consent the participant signed electronically (typed name, recorded by staff or in
    the portal). Append-only: the statement they signed is stored with its SHA-256, and the
    only later change is revocation, which takes effect the moment it is recorded."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="consents")
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    # The disclosing program (Part 2: "who discloses").
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    recipient_contact = models.ForeignKey(
        FamilyContact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_consents",
    )
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_organization = models.CharField(max_length=200, blank=True)
    recipient_address = models.CharField(max_length=300, blank=True)
    information = models.JSONField(default=list, blank=True)
    purpose = models.CharField(max_length=300, blank=True)
    expiry = models.CharField(max_length=20, choices=ConsentExpiry.choices)
    expires_on = models.DateField(null=True, blank=True)
    typed_name = models.CharField(max_length=200)
    signed_on = models.DateField()
    signed_at = models.DateTimeField()
    # The staff member who witnessed and recorded it; null when signed in the portal.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    statement = models.TextField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_on = models.DateField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_how = models.CharField(max_length=20, choices=ConsentRevokedHow.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ConsentKind.values), name="consent_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(expiry__in=ConsentExpiry.values), name="consent_expiry_valid"
            ),
            models.CheckConstraint(
                condition=(Q(expiry=ConsentExpiry.DATE) & Q(expires_on__isnull=False))
                | (~Q(expiry=ConsentExpiry.DATE) & Q(expires_on__isnull=True)),
                name="consent_expiry_date_iff_dated",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=F("signed_on")),
                name="consent_expires_after_signed",
            ),
            # Releases and Part 2 consents name an expiry date or event.
            models.CheckConstraint(
                condition=~Q(kind__in=[ConsentKind.RELEASE, ConsentKind.PART2])
                | ~Q(expiry=ConsentExpiry.NONE),
                name="consent_disclosure_expires",
            ),
            # ... a recipient and a purpose.
            models.CheckConstraint(
                condition=~Q(kind__in=[ConsentKind.RELEASE, ConsentKind.PART2])
                | (
                    (Q(recipient_contact__isnull=False) | ~Q(recipient_name=""))
                    & ~Q(purpose="")
                    & ~Q(information=[])
                ),
                name="consent_disclosure_names_recipient",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ConsentKind.PART2) | Q(program__isnull=False),
                name="consent_part2_names_program",
            ),
            models.CheckConstraint(condition=~Q(typed_name=""), name="consent_signed"),
            models.CheckConstraint(condition=~Q(content_hash=""), name="consent_hash_present"),
            models.CheckConstraint(
                condition=(
                    Q(revoked_at__isnull=True)
                    & Q(revoked_on__isnull=True)
                    & Q(revoked_how="")
                    & Q(revoked_by__isnull=True)
                )
                | (
                    Q(revoked_at__isnull=False)
                    & Q(revoked_on__isnull=False)
                    & Q(revoked_how__in=ConsentRevokedHow.values)
                ),
                name="consent_revocation_complete",
            ),
        ]
        indexes = [models.Index(fields=["participant", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.signed_on:%Y-%m-%d})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A signed consent never changes, except to record its revocation.
        if self.pk is not None and not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= CONSENT_REVOCATION_FIELDS:
                raise ValueError("A signed consent cannot be edited; revoke it instead.")
        super().save(*args, **kwargs)

    def signed_content(self) -> dict[str, Any]:
        """The elements and the statement."""
        assert self.program is not None
        return {
            "kind": self.kind,
            "participant": str(self.participant.public_id),
            "program": str(self.program.public_id),
            "episode": str(self.episode.public_id) if self.episode else "",
            "recipient": self.recipient_label,
            "recipient_address": self.recipient_address,
            "information": list(self.information),
            "purpose": self.purpose,
            "expiry": self.expiry,
            "expires_on": self.expires_on.isoformat() if self.expires_on else "",
            "typed_name": self.typed_name,
            "signed_at": self.signed_at.astimezone(UTC).isoformat(),
            "statement": self.statement,
        }

    @property
    def information_labels(self) -> list[str]:
        labels = dict(ConsentInfo.choices)
        return [str(labels.get(value, value)) for value in self.information]

    @property
    def recipient_label(self) -> str:
        if self.recipient_contact_id is not None:
            contact = self.recipient_contact
            assert contact is not None
            return f"{contact.name} ({contact.relationship})"
        parts = [self.recipient_name, self.recipient_organization]
        return ", ".join(p for p in parts if p)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def recorded_before_signing(self) -> bool:
        """A family permission staff recorded before consents were signed, carried over as a
        release (migration 0008): nobody typed a name."""
        return self.typed_name == STAFF_RECORDED_SIGNATURE

    def is_active_on(self, day: date) -> bool:
        """Signed, not revoked (revocation counts from the moment it is recorded), not past
        its expiry date, and, for consents that end on discharge, the episode still open."""
        if self.revoked_at is not None or day < self.signed_on:
            return False
        if self.expiry == ConsentExpiry.DATE:
            return self.expires_on is not None and day <= self.expires_on
        if self.expiry == ConsentExpiry.DISCHARGE:
            episode = self.episode
            return episode is not None and episode.status != EpisodeStatus.DISCHARGED
        return True

    def status_label(self, day: date) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        if self.is_active_on(day):
            return "Active"
        if day < self.signed_on:
            return "Not yet active"
        return "Expired"


class DisclosureChannel(models.TextChoices):
    """How the information left the program."""

    PDF = "pdf", "PDF handed over"
    PRINT = "print", "Printed copy handed over"
    FHIR = "fhir", "FHIR export"
    FAMILY_PORTAL = "family_portal", "Seen in the family portal"
    REVIEW_PACKET = "review_packet", "Review packet to a payer"
    BULK_FHIR = "bulk_fhir", "Bulk FHIR export"


class DisclosureAppendOnlyError(Exception):
    pass


class DisclosureQuerySet(models.QuerySet["Disclosure"]):
    """The accounting of disclosures is a legal record: bulk changes are refused here, and by
    the database (a trigger on PostgreSQL and SQLite)."""

    def update(self, **kwargs: Any) -> int:
        raise DisclosureAppendOnlyError("Disclosures cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise DisclosureAppendOnlyError("Disclosures cannot be deleted.")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise DisclosureAppendOnlyError("Disclosures cannot be changed.")


class Disclosure(OrganizationRecord):
    """One disclosure of a participant's information outside the program that holds it: who
    received it, under which consent, what, when, how and who handed it over. The participant's
    accounting of disclosures (42 CFR 2.24 as revised in 2024; HIPAA 164.528) is the list of
    these rows. Written only by participants.disclosures.disclosure_record; append-only."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="disclosures"
    )
    # The program that disclosed (its records left it).
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The consent used. A family-portal permission recorded before consents were signed has
    # none; `basis` then says which permission it was.
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    basis = models.CharField(max_length=300)
    # Who received it, as the consent named them at the time.
    recipient = models.CharField(max_length=600)
    recipient_contact = models.ForeignKey(
        FamilyContact, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    information = models.JSONField(default=list)
    description = models.CharField(max_length=300)
    channel = models.CharField(max_length=20, choices=DisclosureChannel.choices)
    # The record that left, by kind and public id ("discharge.summary", ...), when one did.
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    disclosed_at = models.DateTimeField()
    # The program-local day: family-portal views are counted once a day per consent.
    disclosed_on = models.DateField()
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Whether the 42 CFR Part 2 redisclosure notice went with it.
    redisclosure_notice = models.BooleanField(default=False)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        triggers = [guards.append_only()]
        ordering = ["-disclosed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=DisclosureChannel.values), name="disclosure_channel_valid"
            ),
            models.CheckConstraint(
                condition=~Q(recipient="") & ~Q(basis="") & ~Q(information=[]),
                name="disclosure_names_recipient_basis_information",
            ),
            models.UniqueConstraint(
                fields=["consent", "recipient_contact", "disclosed_on"],
                condition=Q(channel="family_portal"),
                name="disclosure_family_portal_once_a_day",
            ),
        ]
        indexes = [models.Index(fields=["participant", "disclosed_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} ({self.disclosed_on:%Y-%m-%d})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise DisclosureAppendOnlyError("Disclosures cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise DisclosureAppendOnlyError("Disclosures cannot be deleted.")

    @property
    def information_labels(self) -> list[str]:
        labels = dict(ConsentInfo.choices)
        return [str(labels.get(value, value)) for value in self.information]


# --- portal accounts -------------------------------------------------------------------------


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Sent, not yet accepted"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"
    REPLACED = "replaced", "Replaced by a newer invitation"


class PortalInvitation(OrganizationRecord):
    """An e-mailed invitation to set up a portal account: for the participant (no contact)
    or for one of their family contacts. The link carries a random token; only its SHA-256 is
    stored, so the table cannot be used to accept an invitation. A link works once, until
    `expires_at`, and only while the invitation is pending: accepting, revoking or sending a
    newer one ends it. The account is created (or reactivated) when the person chooses their
    password, not before."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="portal_invitations"
    )
    contact = models.ForeignKey(
        FamilyContact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portal_invitations",
    )
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=20, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField()
    # When the e-mail was handed to the mail server, or when that failed (then the chart
    # asks staff to send it again).
    sent_at = models.DateTimeField(null=True, blank=True)
    send_failed_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=InvitationStatus.values), name="invitation_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="invitation_expires_later"
            ),
            models.CheckConstraint(
                condition=~Q(status=InvitationStatus.ACCEPTED)
                | (Q(accepted_at__isnull=False) & Q(user__isnull=False)),
                name="invitation_accepted_has_account",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[InvitationStatus.REVOKED, InvitationStatus.REPLACED])
                | Q(ended_at__isnull=False),
                name="invitation_ended_has_time",
            ),
            # One live invitation per person: a resend replaces the one before.
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(status=InvitationStatus.PENDING, contact__isnull=True),
                name="invitation_one_pending_per_participant",
            ),
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(status=InvitationStatus.PENDING, contact__isnull=False),
                name="invitation_one_pending_per_contact",
            ),
        ]
        indexes = [models.Index(fields=["participant", "created_at"])]

    def __str__(self) -> str:
        return f"Portal invitation ({self.get_status_display()})"

    @property
    def for_family(self) -> bool:
        return self.contact_id is not None

    def is_usable_at(self, moment: datetime) -> bool:
        return self.status == InvitationStatus.PENDING and moment < self.expires_at
