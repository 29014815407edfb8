"""Skills practice between sessions (issue 20): what a facilitator asks a participant to
practise (an assignment: a skill of the library, a due date, short instructions, from a group
or individual session or from the chart) and what the participant logs about it (done, tried,
not yet; how much it helped, 0-5; a short note).

Skills are named by their library id (openiop.skills), never copied into the database: the
assignment pins the item's content version so the page read later can be told apart from the
one assigned. A program's companion settings (items a director hides, what "my progress" shows) live
here too.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from openiop.lib.models import OrganizationRecord, OrganizationScoped

HELPFUL_MAX = 5
NOTE_MAX = 500


class Assignment(OrganizationRecord):
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="homework"
    )
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="homework"
    )
    skill_id = models.CharField(max_length=60)
    skill_version = models.CharField(max_length=20)
    instructions = models.TextField(blank=True, max_length=NOTE_MAX)
    due_on = models.DateField()
    # The session it was given in (a skills group, an individual session), when it was.
    session = models.ForeignKey(
        "scheduling.Session",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="homework",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["participant", "due_on"])]

    def __str__(self) -> str:
        return f"{self.skill_id} due {self.due_on}"


class Outcome(models.TextChoices):
    DONE = "done", "Done"
    TRIED = "tried", "Tried"
    NOT_YET = "not_yet", "Not yet"


class Practice(OrganizationRecord):
    """One practice the participant logged, of an assignment or of any skill on their own."""

    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="practices"
    )
    episode = models.ForeignKey(
        "participants.Episode", on_delete=models.PROTECT, related_name="practices"
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, null=True, blank=True, related_name="practices"
    )
    skill_id = models.CharField(max_length=60)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    helpful = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(HELPFUL_MAX)],
    )
    note = models.TextField(blank=True, max_length=NOTE_MAX)
    practised_on = models.DateField()
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-practised_on", "-id"]
        indexes = [models.Index(fields=["participant", "practised_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(helpful__isnull=True) | Q(helpful__lte=HELPFUL_MAX),
                name="practice_helpful_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill_id} {self.outcome} on {self.practised_on}"


class CompanionSettings(OrganizationScoped):
    """A program's choices about the participant's companion: the library items its director
    hides, and what "my progress" shows (some clinicians prefer not to show certain scores)."""

    program = models.OneToOneField(
        "programs.Program", on_delete=models.PROTECT, related_name="companion_settings"
    )
    # Library item ids the program hides.
    hidden = models.JSONField(default=list, blank=True)
    # Instrument codes whose scores "my progress" leaves out.
    progress_hidden_measures = models.JSONField(default=list, blank=True)
    progress_shows_scores = models.BooleanField(default=True)
    progress_shows_diary = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Skills of {self.program_id}"


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Español"


class PortalLanguage(models.Model):
    """The language a participant reads the portal in, chosen on their account (portal pages
    and the skills library; staff pages stay English and see answers the same either way)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_language"
    )
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.language
