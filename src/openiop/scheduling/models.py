"""Sessions and their series, rosters, attendance, participants' unavailable times, conflict
overrides and compliance follow-ups.

Times: Session.starts_at/ends_at are aware UTC datetimes. A series stores wall-clock times in
the program's time zone, so a 9:00 group stays at 9:00 across daylight-saving changes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from openiop.lib.models import OrganizationRecord, OrganizationScoped


class SessionSeries(OrganizationRecord):
    """A weekly pattern that generates sessions, usually a track's groups."""

    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    track = models.ForeignKey(
        "programs.Track",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="series",
    )
    session_type = models.ForeignKey("programs.SessionType", on_delete=models.PROTECT)
    topic = models.CharField(max_length=200, blank=True)
    # Weekday numbers (Monday = 0), comma-separated, as on Track.days.
    weekdays = models.CharField(max_length=20)
    start_time = models.TimeField(help_text="Wall-clock time in the program's time zone.")
    end_time = models.TimeField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    room = models.ForeignKey(
        "programs.Room", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    telehealth_url = models.URLField(blank=True)
    capacity = models.PositiveSmallIntegerField(default=12)
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    follows_curriculum = models.BooleanField(
        default=False, help_text="Skills groups: each session takes the curriculum's lesson."
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__lt=F("end_time")), name="series_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="series_dates_ordered"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="series_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.topic or str(self.session_type)

    @property
    def weekday_numbers(self) -> list[int]:
        return [int(d) for d in self.weekdays.split(",") if d != ""]

    @property
    def weekday_labels(self) -> str:
        from openiop.programs.models import Weekday

        return ", ".join(str(Weekday(d).label)[:3] for d in self.weekday_numbers)


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class Session(OrganizationRecord):
    """One occurrence. Group sessions have a roster; individual and family sessions are booked
    for one participant (their roster has that one entry)."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="sessions"
    )
    track = models.ForeignKey(
        "programs.Track",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
    )
    series = models.ForeignKey(
        SessionSeries, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    # Edited on its own: later "edit the rest of the series" leaves it alone.
    detached = models.BooleanField(default=False)
    session_type = models.ForeignKey("programs.SessionType", on_delete=models.PROTECT)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    room = models.ForeignKey(
        "programs.Room", on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    telehealth_url = models.URLField(blank=True)
    topic = models.CharField(max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField(default=12)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_sessions"
    )
    lesson = models.ForeignKey(
        "programs.Lesson",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
    )
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    cancel_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="session_start_before_end"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in SessionStatus]),
                name="session_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "starts_at"]),
            models.Index(fields=["room", "starts_at"]),
            models.Index(fields=["track", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.session_type} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class RosterSource(models.TextChoices):
    TRACK = "track", "Track member"
    BOOKED = "booked", "Booked"


class RosterEntry(OrganizationScoped):
    """A participant expected at a session. Track members are placed and removed by the
    rolling-roster rules; others are booked. Future entries are deleted when a participant
    leaves; past ones stay with their attendance."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="roster")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="roster_entries"
    )
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="roster_entries"
    )
    source = models.CharField(max_length=10, choices=RosterSource.choices)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"], name="roster_once")
        ]
        indexes = [models.Index(fields=["participant", "session"])]

    def __str__(self) -> str:
        return f"{self.participant_id} @ {self.session_id}"


class FamilyAttendee(OrganizationScoped):
    """Family members who attend a family session."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="family")
    contact = models.ForeignKey("participants.FamilyContact", on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "contact"], name="family_attendee_once")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} @ {self.session_id}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    LATE = "late", "Late"
    LEFT_EARLY = "left_early", "Left early"
    ABSENT_EXCUSED = "absent_excused", "Absent (excused)"
    ABSENT_UNEXCUSED = "absent_unexcused", "Absent (unexcused)"
    CANCELLED = "cancelled", "Cancelled by program"


ATTENDED_STATUSES = frozenset(
    {AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY}
)


class Attendance(OrganizationScoped):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="attendance"
    )
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="attendance"
    )
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices)
    arrived_at = models.DateTimeField(null=True, blank=True)
    departed_at = models.DateTimeField(null=True, blank=True)
    minutes = models.PositiveSmallIntegerField(default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"], name="attendance_once"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in AttendanceStatus]),
                name="attendance_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=True)
                | Q(departed_at__isnull=True)
                | Q(arrived_at__lte=F("departed_at")),
                name="attendance_arrive_before_depart",
            ),
        ]
        indexes = [models.Index(fields=["participant", "session"])]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.status}"

    @property
    def attended(self) -> bool:
        return self.status in ATTENDED_STATUSES


class UnavailabilityReason(models.TextChoices):
    WORK = "work", "Work"
    SCHOOL = "school", "School"
    CHILDCARE = "childcare", "Childcare"
    OTHER = "other", "Other"


class WeeklyBlock(models.Model):
    """A recurring weekly time a person cannot attend, in the program's time zone: the day
    (Monday = 0), the hours, why and a note. Told at intake (intake.AvailabilityBlock) and
    kept on the participant once admitted (Unavailability); each names its own constraints
    (start before end, a weekday)."""

    weekday = models.PositiveSmallIntegerField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    reason = models.CharField(max_length=10, choices=UnavailabilityReason.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on day {self.weekday}"

    def block_fields(self) -> dict[str, Any]:
        """The block's own values, to copy it onto another kind of block."""
        return {name: getattr(self, name) for name in WEEKLY_BLOCK_FIELDS}


WEEKLY_BLOCK_FIELDS = ("weekday", "start_time", "end_time", "reason", "note")


class Unavailability(OrganizationRecord, WeeklyBlock):
    """A participant's declared recurring unavailable time (program time zone)."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="unavailability"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__lt=F("end_time")), name="unavailability_ordered"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="unavailability_weekday"),
        ]

    @property
    def weekday_label(self) -> str:
        from openiop.programs.models import Weekday

        return str(Weekday(self.weekday).label)


class ShortfallReason(models.TextChoices):
    FULL = "full", "Session full: on the waiting list"
    CONFLICT = "conflict", "Not placed: a scheduling conflict"


class RosterShortfall(OrganizationScoped):
    """A track member the rolling roster could not place on one of the track's sessions:
    because it was full (the session's waiting list, first waiting first: `detected_at`), or
    because placing them would clash with another of their sessions or a time they declared
    unavailable (`detail` says which). Rolling sync never overbooks and never double-books: a
    freed seat goes to the first member waiting, in the transaction that frees it; the director
    sees the rest on the series list, the session page and the admission page."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="shortfalls")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="+"
    )
    episode = models.ForeignKey("participants.Episode", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(
        max_length=10, choices=ShortfallReason.choices, default=ShortfallReason.FULL
    )
    detail = models.CharField(max_length=300, blank=True)
    # For a full session: when the member started waiting for it (the queue's order).
    detected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["detected_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"], name="shortfall_once"),
            models.CheckConstraint(
                condition=Q(reason__in=["full", "conflict"]), name="shortfall_reason_valid"
            ),
        ]
        indexes = [models.Index(fields=["session", "reason", "detected_at"])]

    def __str__(self) -> str:
        return f"{self.participant_id} not placed @ {self.session_id}"


class ConflictKind(models.TextChoices):
    ROOM = "room", "Room double-booked"
    FACILITATOR = "facilitator", "Facilitator double-booked"
    PARTICIPANT = "participant", "Participant double-booked"
    CAPACITY = "capacity", "Over room capacity"
    ROOM_FEATURE = "room_feature", "Room lacks a needed feature"
    UNAVAILABLE = "unavailable", "Participant declared unavailable"


class ConflictOverride(OrganizationScoped):
    """A director's decision to schedule despite a conflict, with the reason."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="overrides")
    kind = models.CharField(max_length=20, choices=ConflictKind.choices)
    detail = models.CharField(max_length=300)
    reason = models.CharField(max_length=300)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"


class FollowUpKind(models.TextChoices):
    HOURS_BELOW = "hours_below", "Weekly hours below the program minimum"
    NO_INDIVIDUAL = "no_individual", "No individual session this week"
    ABSENCES = "absences", "Two consecutive unexcused absences"


class FollowUpItem(OrganizationRecord):
    """Something the primary clinician should follow up on, raised by the compliance rules."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="follow_ups"
    )
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="follow_ups"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    kind = models.CharField(max_length=20, choices=FollowUpKind.choices)
    week_start = models.DateField(help_text="First day of the program week concerned.")
    detail = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "kind", "week_start"], name="follow_up_once_per_week"
            )
        ]
        indexes = [
            models.Index(
                fields=["assigned_to"],
                condition=Q(resolved_at__isnull=True),
                name="follow_up_open",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


# --- calendars: feeds and reminders (CALENDAR area) --------------------------------------------


class FeedToken(OrganizationScoped):
    """A secret calendar-feed URL for one user. Only a SHA-256 hash of the secret is stored:
    the URL is shown once when created; a leaked database does not leak working feed URLs.
    Revoking makes the URL answer 404."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feed_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"feed token {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ReminderLead(models.IntegerChoices):
    MINUTES_30 = 30, "30 minutes before"
    HOUR_1 = 60, "1 hour before"
    HOURS_2 = 120, "2 hours before"
    DAY_1 = 1440, "1 day before"


class ReminderPreference(OrganizationScoped):
    """How a participant wants to be reminded of their sessions."""

    participant = models.OneToOneField(
        "participants.Participant", on_delete=models.PROTECT, related_name="reminder_preference"
    )
    lead_minutes = models.PositiveSmallIntegerField(
        choices=ReminderLead.choices, default=ReminderLead.HOUR_1
    )
    email_enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(lead_minutes__in=[c.value for c in ReminderLead]),
                name="reminder_lead_valid",
            )
        ]

    def __str__(self) -> str:
        return f"reminders {self.lead_minutes} min"


class SentReminder(OrganizationScoped):
    """One reminder sent for one session to one participant: the unique constraint makes the
    worker's job idempotent even when two workers race."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "participant"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return f"reminder {self.session_id}/{self.participant_id}"


# --- the week planner (PLANNER area: scheduling/planner.py) ------------------------------------


class ClinicianHours(OrganizationScoped):
    """When a clinician works for a program on one weekday (program time zone). The planner
    proposes individual sessions only inside these hours; a clinician with none recorded is
    taken to work the program's default day (planner.DEFAULT_HOURS)."""

    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField()
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__lt=F("end_time")), name="clinician_hours_ordered"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="clinician_hours_weekday"),
        ]

    def __str__(self) -> str:
        return f"hours on day {self.weekday}"

    @property
    def weekday_label(self) -> str:
        from openiop.programs.models import Weekday

        return str(Weekday(self.weekday).label)[:3]


class PlanState(models.TextChoices):
    RUNNING = "running", "Building"
    READY = "ready", "Ready to review"
    FAILED = "failed", "Failed"
    APPLIED = "applied", "Applied"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Re-solved"


class PlanRun(OrganizationRecord):
    """One run of the week planner for a program's week: the director's pins and removals in,
    the solver's proposal out (kept as JSON, names included: it is shown only to the
    program's directors, audited). Nothing is booked until a director applies it."""

    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField(help_text="The Monday of the planned week.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    tracked = models.ForeignKey(
        "ops.TrackedTask", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=12, choices=PlanState.choices, default=PlanState.RUNNING)
    # [{"request", "day", "start", "clinician"}]: the director's pins and removed times.
    pins = models.JSONField(default=list, blank=True)
    forbids = models.JSONField(default=list, blank=True)
    proposal = models.JSONField(null=True, blank=True)
    # Solver keys back to rows: {"participants": {key: pk}, "clinicians": ..., "rooms": ...}.
    keys = models.JSONField(default=dict, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    booked = models.ManyToManyField(Session, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in PlanState]), name="plan_run_state_valid"
            )
        ]
        indexes = [models.Index(fields=["program", "week_start"])]

    def __str__(self) -> str:
        return f"plan {self.week_start} ({self.state})"
