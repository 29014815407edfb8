"""DBT diary cards (shared/reference/clinical.md §2): one card per participant per program-local
day, the targets a program or clinician adds, the program's emotion list and each
participant's reminder time.

A filed card is a clinical record: it is never edited or deleted through the UI. A day missed
can be filed later; `filled_late` records that it was.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from openiop.lib.models import OrganizationRecord, OrganizationScoped

URGE_MAX = 5
EMOTION_MAX = 5
SKILL_MAX = 7

DEFAULT_EMOTIONS: tuple[str, ...] = ("sadness", "anger", "fear", "shame", "joy", "anxiety")

# Our own anchor wording for the 0-7 skills scale (the common scale's wording is not shipped).
SKILL_ANCHORS: tuple[tuple[int, str], ...] = (
    (0, "Didn't think about skills or use them"),
    (1, "Thought about them, didn't want to use them"),
    (2, "Thought about them, wanted to, didn't use them"),
    (3, "Tried, but couldn't use them"),
    (4, "Used them with effort; they didn't help"),
    (5, "Used them with effort; they helped"),
    (6, "Used them without much effort; they didn't help"),
    (7, "Used them without much effort; they helped"),
)

URGE_ANCHORS: tuple[tuple[int, str], ...] = (
    (0, "None"),
    (1, "Slight"),
    (2, "Mild"),
    (3, "Moderate"),
    (4, "Strong"),
    (5, "Strongest"),
)


class Hierarchy(models.TextChoices):
    """The DBT treatment target hierarchy, in the order a session takes them."""

    LIFE_THREATENING = "life_threatening", "Life-threatening behaviour"
    THERAPY_INTERFERING = "therapy_interfering", "Therapy-interfering behaviour"
    QUALITY_OF_LIFE = "quality_of_life", "Quality-of-life-interfering behaviour"


HIERARCHY_ORDER = {
    Hierarchy.LIFE_THREATENING: 0,
    Hierarchy.THERAPY_INTERFERING: 1,
    Hierarchy.QUALITY_OF_LIFE: 2,
}


class Medication(models.TextChoices):
    TAKEN = "taken", "Yes, as prescribed"
    PARTLY = "partly", "Some of them"
    NOT_TAKEN = "not_taken", "No"
    NONE_PRESCRIBED = "none", "I don't take any"


class DiaryTarget(OrganizationRecord):
    """An extra row on the card: added by the program for everyone in it (participant null) or
    by a clinician for one participant. Each has an urge rating, an action yes/no, or both."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="diary_targets"
    )
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="diary_targets",
    )
    name = models.CharField(
        max_length=80, help_text="In the participant's words, e.g. 'Binge eating'."
    )
    hierarchy = models.CharField(
        max_length=30, choices=Hierarchy.choices, default=Hierarchy.QUALITY_OF_LIFE
    )
    rates_urge = models.BooleanField(default=True)
    records_action = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hierarchy__in=[h.value for h in Hierarchy]),
                name="diary_target_hierarchy_valid",
            ),
            models.CheckConstraint(
                condition=Q(rates_urge=True) | Q(records_action=True),
                name="diary_target_rates_something",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DiarySettings(OrganizationScoped):
    """A program's diary configuration: the emotions its card asks about."""

    program = models.OneToOneField(
        "programs.Program", on_delete=models.PROTECT, related_name="diary_settings"
    )
    emotions = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return ", ".join(self.emotions)


def _rating(maximum: int) -> list[MinValueValidator | MaxValueValidator]:
    return [MinValueValidator(0), MaxValueValidator(maximum)]


class DiaryCard(OrganizationRecord):
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="diary_cards"
    )
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="diary_cards"
    )
    day = models.DateField(help_text="The program-local day the card describes.")
    # The day's highest urge, 0-5.
    urge_suicide = models.PositiveSmallIntegerField(validators=_rating(URGE_MAX))
    urge_self_harm = models.PositiveSmallIntegerField(validators=_rating(URGE_MAX))
    urge_substance = models.PositiveSmallIntegerField(validators=_rating(URGE_MAX))
    action_self_harm = models.BooleanField()
    action_substance = models.BooleanField()
    substance_what = models.CharField(max_length=120, blank=True)
    substance_amount = models.CharField(max_length=120, blank=True)
    # {"<target public id>": {"urge": 0-5 | null, "action": true | false | null}}
    targets = models.JSONField(default=dict)
    # {"sadness": 0-5, ...}: the program's emotion list at the time of filing.
    emotions = models.JSONField(default=dict)
    medication = models.CharField(max_length=20, choices=Medication.choices)
    # {"mindfulness": 0-7, ...} per skills module.
    skills = models.JSONField(default=dict)
    note = models.TextField(blank=True, max_length=2000)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filled_late = models.BooleanField(default=False)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "day"], name="diary_card_one_per_day"),
            models.CheckConstraint(
                condition=Q(urge_suicide__lte=URGE_MAX)
                & Q(urge_self_harm__lte=URGE_MAX)
                & Q(urge_substance__lte=URGE_MAX),
                name="diary_card_urges_range",
            ),
            models.CheckConstraint(
                condition=Q(medication__in=[m.value for m in Medication]),
                name="diary_card_medication_valid",
            ),
            models.CheckConstraint(
                condition=Q(action_substance=True)
                | (Q(substance_what="") & Q(substance_amount="")),
                name="diary_card_substance_detail_only_if_used",
            ),
        ]
        indexes = [models.Index(fields=["episode", "day"])]

    def __str__(self) -> str:
        return f"Diary card {self.day:%Y-%m-%d}"

    @property
    def risk_urge(self) -> int:
        return max(self.urge_suicide, self.urge_self_harm)


class DiaryReminder(OrganizationScoped):
    """A participant's daily reminder: off unless they turn it on (an e-mail about treatment
    can disclose it to whoever shares the inbox)."""

    participant = models.OneToOneField(
        "participants.Participant", on_delete=models.CASCADE, related_name="diary_reminder"
    )
    enabled = models.BooleanField(default=False)
    at = models.TimeField(default=time(20, 0), help_text="Local time in the program's time zone.")
    # The program-local day the last reminder went out; the worker's claim is a conditional
    # UPDATE on it, so a day gets at most one reminder however many workers run.
    last_sent_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Diary reminder at {self.at:%H:%M}"
