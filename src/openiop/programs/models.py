"""Organization → site → program → tracks, rooms and session types."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from openiop.lib.models import OrganizationRecord, PublicIdentified


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. America/Chicago).")


class Organization(PublicIdentified):
    name = models.CharField(max_length=200, unique=True)
    phone = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return self.name


class Site(OrganizationRecord):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="site_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Program(OrganizationRecord):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="programs"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="programs")
    name = models.CharField(max_length=200)
    time_zone = models.CharField(
        max_length=64,
        default="America/Chicago",
        validators=[validate_time_zone],
        help_text="Defines the program's 'today' and its weeks for hours.",
    )
    weekly_hours_min = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("9.0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    weekly_hours_max = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("19.0"),
        validators=[MaxValueValidator(Decimal("60"))],
    )
    billable_day_hours = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        default=Decimal("3.0"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("12"))],
        help_text="Attended hours that make a billable program day.",
    )
    individual_weekly_required = models.BooleanField(
        default=True, help_text="Each participant should have an individual session every week."
    )
    planned_weeks = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="Planned length of an episode in weeks.",
    )
    phone = models.CharField(
        max_length=40, blank=True, help_text="Shown to participants as the program's contact."
    )
    treats_sud = models.BooleanField(
        default=False,
        help_text="Substance use treatment: its records fall under 42 CFR Part 2.",
    )
    plan_review_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(7), MaxValueValidator(180)],
        help_text="Treatment plans are reviewed this many days after they take effect.",
    )
    safety_plan_due_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="The chart flags a participant without a signed safety plan this many days "
        "after admission.",
    )
    plan_valid_days = models.PositiveSmallIntegerField(
        default=60,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text="A plan expires (recertification) this many days after it takes effect.",
    )
    plan_cosign_required = models.BooleanField(
        default=False,
        help_text="Treatment plans need a supervisor's co-signature before they take effect.",
    )
    note_sign_hours = models.PositiveSmallIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text="Unsigned notes older than this are listed for the author and director.",
    )
    is_active = models.BooleanField(default=True)
    curriculum_starts_on = models.DateField(
        null=True,
        blank=True,
        help_text="First day of the skills rotation's week 1; the rotation repeats from here.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="program_name_unique"),
            models.CheckConstraint(
                condition=Q(weekly_hours_min__lte=F("weekly_hours_max")),
                name="program_hours_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.weekly_hours_min is not None
            and self.weekly_hours_max is not None
            and self.weekly_hours_min > self.weekly_hours_max
        ):
            raise ValidationError(
                {"weekly_hours_max": "The weekly maximum must not be below the minimum."}
            )


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Track(OrganizationRecord):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="tracks")
    name = models.CharField(max_length=100)
    # Weekday numbers (Monday = 0) as a comma-separated string: portable across SQLite and
    # PostgreSQL and easy to read in exports.
    days = models.CharField(max_length=20, help_text="Days the track meets.")
    start_time = models.TimeField()
    end_time = models.TimeField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["start_time", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="track_name_unique"),
            models.CheckConstraint(
                condition=Q(start_time__lt=F("end_time")), name="track_start_before_end"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weekdays(self) -> list[int]:
        return [int(d) for d in self.days.split(",") if d != ""]

    @property
    def days_label(self) -> str:
        return ", ".join(Weekday(d).label[:3] for d in self.weekdays)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        try:
            days = self.weekdays
        except ValueError:
            days = [-1]
        if not days:
            errors["days"] = "Choose at least one day the track meets."
        elif any(d not in Weekday.values for d in days) or len(set(days)) != len(days):
            errors["days"] = "Days must be distinct weekdays (Monday = 0 to Sunday = 6)."
        if self.start_time and self.end_time and self.start_time >= self.end_time:
            errors["end_time"] = "The track must end after it starts."
        if errors:
            raise ValidationError(errors)


class RoomFeature(models.TextChoices):
    PET_FRIENDLY = "pet_friendly", "Pet-friendly"
    WHEELCHAIR = "wheelchair", "Wheelchair-accessible"
    TELEHEALTH = "telehealth", "Telehealth"


class Room(OrganizationRecord):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=100)
    capacity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    pet_friendly = models.BooleanField(default=False)
    wheelchair_accessible = models.BooleanField(default=False)
    telehealth = models.BooleanField(
        default=False, help_text="A virtual room: sessions here take place by video."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="room_name_unique"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="room_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def features(self) -> list[str]:
        flags = [
            (self.pet_friendly, RoomFeature.PET_FRIENDLY),
            (self.wheelchair_accessible, RoomFeature.WHEELCHAIR),
            (self.telehealth, RoomFeature.TELEHEALTH),
        ]
        return [str(feature.label) for on, feature in flags if on]


class SessionCategory(models.TextChoices):
    SKILLS_GROUP = "skills_group", "DBT skills group"
    PROCESS_GROUP = "process_group", "Process group"
    INDIVIDUAL = "individual", "Individual therapy"
    FAMILY = "family", "Family session"
    PSYCHOEDUCATION = "psychoeducation", "Psychoeducation"
    EXPRESSIVE = "expressive", "Expressive therapy"
    MINDFULNESS = "mindfulness", "Mindfulness"
    OTHER = "other", "Other"


class SessionType(OrganizationRecord):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="session_types")
    name = models.CharField(max_length=100)
    category = models.CharField(max_length=20, choices=SessionCategory.choices)
    default_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    counts_toward_hours = models.BooleanField(
        default=True, help_text="Attended time counts toward the program's weekly hours."
    )
    billing_code = models.CharField(
        max_length=20, blank=True, help_text="CPT/HCPCS code, e.g. 90853 or G0410."
    )
    is_group = models.BooleanField(default=True)
    needs_pet_friendly_room = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="session_type_name_unique"),
            models.CheckConstraint(
                condition=Q(default_minutes__gte=5, default_minutes__lte=480),
                name="session_type_minutes_range",
            ),
            models.CheckConstraint(
                condition=Q(category__in=[c.value for c in SessionCategory]),
                name="session_type_category_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SkillsModule(models.TextChoices):
    MINDFULNESS = "mindfulness", "Mindfulness"
    DISTRESS_TOLERANCE = "distress_tolerance", "Distress tolerance"
    EMOTION_REGULATION = "emotion_regulation", "Emotion regulation"
    INTERPERSONAL = "interpersonal", "Interpersonal effectiveness"


class CurriculumBlock(OrganizationRecord):
    """One block of a program's skills rotation, in order: e.g. mindfulness 2 weeks, then
    interpersonal effectiveness 5 weeks (shared/reference/clinical.md §2)."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="curriculum")
    position = models.PositiveSmallIntegerField()
    module = models.CharField(max_length=20, choices=SkillsModule.choices)
    weeks = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["program", "position"]
        constraints = [
            models.UniqueConstraint(fields=["program", "position"], name="curriculum_block_order"),
            models.CheckConstraint(condition=Q(weeks__gte=1), name="curriculum_block_weeks"),
        ]

    def __str__(self) -> str:
        return f"{self.get_module_display()} ({self.weeks} wk)"


class Lesson(OrganizationRecord):
    """A lesson taught in one week of a curriculum block."""

    block = models.ForeignKey(CurriculumBlock, on_delete=models.PROTECT, related_name="lessons")
    week = models.PositiveSmallIntegerField(help_text="Week within the block, from 1.")
    position = models.PositiveSmallIntegerField(default=1, help_text="Order within the week.")
    title = models.CharField(max_length=200)
    skills = models.CharField(
        max_length=300, blank=True, help_text="Skills taught, e.g. STOP, TIPP."
    )

    class Meta:
        ordering = ["block__position", "week", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["block", "week", "position"], name="lesson_order_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title
