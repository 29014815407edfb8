"""Write functions for diary cards, targets, the program's emotion list and reminders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from openiop.audit.services import event_record
from openiop.diary import hooks
from openiop.diary.models import (
    DEFAULT_EMOTIONS,
    EMOTION_MAX,
    SKILL_MAX,
    URGE_MAX,
    DiaryCard,
    DiaryReminder,
    DiarySettings,
    DiaryTarget,
    Hierarchy,
    Medication,
)
from openiop.lib.timezones import today_in
from openiop.participants.models import IN_TREATMENT_STATUSES, Episode
from openiop.programs.models import SkillsModule

if TYPE_CHECKING:
    from openiop.accounts.models import User
    from openiop.participants.models import Participant
    from openiop.programs.models import Program
    from openiop.safety.models import Alert

EVENT_DIARY = "diary_card"
# How far back a missed day may still be filed.
LATE_FILING_DAYS = 7


def _error(message: str, field_name: str | None = None) -> ValidationError:
    return ValidationError({field_name: message} if field_name else message)


def emotions_for(program: Program) -> list[str]:
    found = DiarySettings.objects.filter(program=program).values_list("emotions", flat=True).first()
    return list(found) if found else list(DEFAULT_EMOTIONS)


@transaction.atomic
def diary_emotions_set(*, program: Program, actor: User, emotions: list[str]) -> DiarySettings:
    cleaned: list[str] = []
    for raw in emotions:
        name = raw.strip().lower()
        if name and name not in cleaned:
            cleaned.append(name[:40])
    if not 1 <= len(cleaned) <= 12:
        raise _error("List between 1 and 12 emotions, one per line.", "emotions")
    found, _ = DiarySettings.objects.select_for_update().get_or_create(
        program=program, defaults={"organization_id": program.organization_id}
    )
    found.emotions = cleaned
    found.save(update_fields=["emotions", "updated_at"])
    return found


def targets_for(episode: Episode) -> QuerySet[DiaryTarget]:
    """The program's own targets and this participant's, active ones only."""
    return DiaryTarget.objects.filter(
        Q(participant__isnull=True) | Q(participant_id=episode.participant_id),
        program_id=episode.program_id,
        is_active=True,
    ).order_by("participant_id", "name", "id")


@transaction.atomic
def diary_target_add(
    *,
    program: Program,
    actor: User,
    name: str,
    hierarchy: str,
    rates_urge: bool,
    records_action: bool,
    participant: Participant | None = None,
) -> DiaryTarget:
    name = (name or "").strip()
    if not name:
        raise _error("Name the target.", "name")
    if hierarchy not in Hierarchy.values:
        raise _error("Choose where the target sits in the hierarchy.", "hierarchy")
    if not (rates_urge or records_action):
        raise _error("A target needs an urge rating, an action, or both.", "rates_urge")
    target = DiaryTarget(
        organization_id=program.organization_id,
        program=program,
        participant=participant,
        name=name,
        hierarchy=hierarchy,
        rates_urge=rates_urge,
        records_action=records_action,
        created_by=actor,
    )
    target.full_clean()
    target.save()
    if participant is not None:
        event_record(
            participant=participant,
            kind=EVENT_DIARY,
            summary="Diary card target added",
            actor=actor,
            program=program,
        )
    return target


@transaction.atomic
def diary_target_retire(*, target: DiaryTarget, actor: User) -> DiaryTarget:
    # Retired, not deleted: past cards still name it.
    target.is_active = False
    target.save(update_fields=["is_active"])
    return target


def current_episode(participant: Participant) -> Episode | None:
    return (
        participant.episodes.filter(status__in=IN_TREATMENT_STATUSES)
        .select_related("program", "primary_clinician")
        .order_by("-inquiry_on", "-id")
        .first()
    )


def fillable_days(episode: Episode, now: datetime | None = None) -> list[date]:
    """Today and the missed days a participant may still file, newest first."""
    today = today_in(episode.program.time_zone, now=now)
    start = max(today - timedelta(days=LATE_FILING_DAYS), episode.started_on or today)
    filed = set(
        DiaryCard.objects.filter(participant_id=episode.participant_id, day__gte=start).values_list(
            "day", flat=True
        )
    )
    days = [today - timedelta(days=n) for n in range((today - start).days + 1)]
    return [d for d in days if d not in filed]


@dataclass
class CardAnswers:
    """What the participant entered, already parsed by the form."""

    urge_suicide: int
    urge_self_harm: int
    urge_substance: int
    action_self_harm: bool
    action_substance: bool
    medication: str
    substance_what: str = ""
    substance_amount: str = ""
    emotions: dict[str, int] = field(default_factory=dict)
    skills: dict[str, int] = field(default_factory=dict)
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    note: str = ""


def _check_rating(value: Any, maximum: int, label: str, field_name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= maximum:
        raise _error(f"{label}: choose a number from 0 to {maximum}.", field_name)
    return value


def _validated(answers: CardAnswers, episode: Episode) -> dict[str, Any]:
    for name, label in (
        ("urge_suicide", "Urge to die by suicide"),
        ("urge_self_harm", "Urge to self-harm"),
        ("urge_substance", "Urge to use"),
    ):
        _check_rating(getattr(answers, name), URGE_MAX, label, name)
    if answers.medication not in Medication.values:
        raise _error("Say whether you took your medication.", "medication")
    what = answers.substance_what.strip()[:120]
    amount = answers.substance_amount.strip()[:120]
    if answers.action_substance and not what:
        raise _error("Say what you used (and how much, if you can).", "substance_what")
    if not answers.action_substance:
        what = amount = ""
    allowed_emotions = emotions_for(episode.program)
    emotions: dict[str, int] = {}
    for name, value in answers.emotions.items():
        if name not in allowed_emotions:
            raise _error(f"Unknown emotion {name!r}.")
        emotions[name] = _check_rating(value, EMOTION_MAX, name.capitalize(), f"emotion_{name}")
    skills: dict[str, int] = {}
    for module, value in answers.skills.items():
        if module not in SkillsModule.values:
            raise _error(f"Unknown skills module {module!r}.")
        skills[module] = _check_rating(value, SKILL_MAX, "Skills", f"skill_{module}")
    targets = {str(t.public_id): t for t in targets_for(episode)}
    entries: dict[str, dict[str, Any]] = {}
    for key, entry in answers.targets.items():
        target = targets.get(key)
        if target is None:
            raise _error("One of the card's targets is no longer on your card; reload the page.")
        urge = entry.get("urge")
        action = entry.get("action")
        if target.rates_urge and urge is not None:
            _check_rating(urge, URGE_MAX, target.name, f"target_{key}_urge")
        entries[key] = {
            "urge": urge if target.rates_urge else None,
            "action": bool(action) if target.records_action and action is not None else None,
        }
    return {
        "urge_suicide": answers.urge_suicide,
        "urge_self_harm": answers.urge_self_harm,
        "urge_substance": answers.urge_substance,
        "action_self_harm": bool(answers.action_self_harm),
        "action_substance": bool(answers.action_substance),
        "substance_what": what,
        "substance_amount": amount,
        "medication": answers.medication,
        "emotions": emotions,
        "skills": skills,
        "targets": entries,
        "note": answers.note.strip()[:2000],
    }


@dataclass(frozen=True)
class Filed:
    card: DiaryCard
    alerts: list[Alert]

    @property
    def needs_support(self) -> bool:
        return any(a.severity in ("urgent", "high") for a in self.alerts)


@transaction.atomic
def diary_card_submit(
    *,
    participant: Participant,
    day: date,
    answers: CardAnswers,
    actor: User,
    now: datetime | None = None,
) -> Filed:
    """File one day's card and, in the same transaction, any alert it triggers: a card that
    fires a rule is never saved without its alert."""
    now = now or timezone.now()
    episode = current_episode(participant)
    if episode is None:
        raise _error("You are not in a program right now, so there is no card to fill.")
    if actor.role == "participant" and participant.user_id != actor.pk:
        raise _error("You can only fill your own diary card.")
    today = today_in(episode.program.time_zone, now=now)
    if day > today:
        raise _error("You can't fill a card for a day that hasn't happened yet.", "day")
    if day < today - timedelta(days=LATE_FILING_DAYS):
        raise _error(f"Cards can be filled up to {LATE_FILING_DAYS} days late.", "day")
    if episode.started_on is not None and day < episode.started_on:
        raise _error("That day is before you started the program.", "day")
    data = _validated(answers, episode)
    card = DiaryCard(
        organization_id=participant.organization_id,
        participant=participant,
        episode=episode,
        day=day,
        submitted_at=now,
        submitted_by=actor,
        filled_late=day < today,
        **data,
    )
    try:
        with transaction.atomic():
            card.save(force_insert=True)
    except IntegrityError:
        raise _error("The card for this day is already filled in.", "day") from None
    # Same transaction: safety's risk rules raise their alerts (safety/apps.py).
    alerts = [alert for raised in hooks.card_filed.fire(card, now) for alert in raised]
    event_record(
        participant=participant,
        kind=EVENT_DIARY,
        summary="Diary card filled late" if card.filled_late else "Diary card filled",
        actor=actor,
        program=episode.program,
        at=now,
    )
    return Filed(card=card, alerts=alerts)


@transaction.atomic
def diary_reminder_set(
    *, participant: Participant, actor: User, enabled: bool, at: time
) -> DiaryReminder:
    if enabled and not (participant.email or (participant.user and participant.user.email)):
        raise _error("We have no e-mail address for you; ask the program to add one.", "enabled")
    reminder, _ = DiaryReminder.objects.select_for_update().get_or_create(
        participant=participant, defaults={"organization_id": participant.organization_id}
    )
    reminder.enabled = enabled
    reminder.at = at.replace(second=0, microsecond=0)
    reminder.save(update_fields=["enabled", "at", "updated_at"])
    return reminder
