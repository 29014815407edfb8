"""The rule engine and the alert write functions.

Contract with the apps whose answers can trigger an alert: they call one of the
`alerts_from_*` functions inside their own write transaction, before it commits. An answer and
its alert are therefore saved together or not at all. Coaching contacts (issue 5 point 6)
will call `alerts_from_coaching(...)` the same way.

Timeline entries name what kind of thing happened ("High-risk diary entry"), never the answer:
the timeline is shown to everyone who may see the participant, billing included.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from openiop.accounts.roles import Role
from openiop.audit.services import event_record
from openiop.lib.timezones import local_date, today_in
from openiop.participants.models import Episode, EpisodeStatus
from openiop.safety.models import (
    HIGH_ESCALATE_MAX,
    LOW_ESCALATE_MAX,
    RULE_SOURCE,
    THRESHOLD_RANGE,
    UNRESOLVED,
    URGENT_ESCALATE_MAX,
    Alert,
    AlertRecipient,
    AlertStatus,
    AlertStep,
    AlertStepKind,
    OnCallShift,
    RecipientReason,
    Resolution,
    RiskRule,
    RuleKind,
    SafetySettings,
    Severity,
)
from openiop.safety.notices import alert_notices_enqueue

if TYPE_CHECKING:
    from openiop.accounts.models import User
    from openiop.diary.models import DiaryCard
    from openiop.measures.models import Response
    from openiop.participants.models import Participant
    from openiop.programs.models import Program

log = logging.getLogger("openiop.safety")

EVENT_ALERT = "risk_alert"


@dataclass(frozen=True)
class DefaultRule:
    kind: str
    severity: str
    threshold: int | None = None
    is_active: bool = True


DEFAULT_RULES: tuple[DefaultRule, ...] = (
    DefaultRule(RuleKind.URGE_RISK, Severity.HIGH, threshold=4),
    DefaultRule(RuleKind.ACTION_SELF_HARM, Severity.HIGH),
    DefaultRule(RuleKind.PHQ9_ITEM9, Severity.HIGH),
    DefaultRule(RuleKind.CSSRS_HIGH, Severity.URGENT),
    DefaultRule(RuleKind.CSSRS_MODERATE, Severity.HIGH),
    DefaultRule(RuleKind.DIARY_MISSING, Severity.LOW, threshold=3),
    # Present but off until a program chooses them.
    DefaultRule(RuleKind.URGE_SUBSTANCE, Severity.LOW, threshold=5, is_active=False),
    DefaultRule(RuleKind.ACTION_SUBSTANCE, Severity.LOW, is_active=False),
    DefaultRule(RuleKind.COACHING_URGE, Severity.HIGH, threshold=4),
)

# Where each finding kind of the measures app goes in the rule catalogue.
FINDING_RULES: dict[str, str] = {
    "phq9_item9": RuleKind.PHQ9_ITEM9,
    "cssrs_high": RuleKind.CSSRS_HIGH,
    "cssrs_moderate": RuleKind.CSSRS_MODERATE,
}

TIMELINE_RAISED: dict[str, str] = {
    "diary": "High-risk diary entry",
    "measure": "Questionnaire answer flagged for the care team",
    "engagement": "Diary cards missing",
    "coaching": "Coaching contact flagged for the care team",
}


def _error(message: str, field: str | None = None) -> ValidationError:
    return ValidationError({field: message} if field else message)


# --- configuration ------------------------------------------------------------------------------


def rules_for(program: Program) -> dict[str, RiskRule]:
    """The program's rules by kind, creating any default the program does not have yet."""
    rules = {r.kind: r for r in RiskRule.objects.filter(program=program)}
    missing = [d for d in DEFAULT_RULES if d.kind not in rules]
    if missing:
        RiskRule.objects.bulk_create(
            [
                RiskRule(
                    organization_id=program.organization_id,
                    program=program,
                    kind=d.kind,
                    source=RULE_SOURCE[d.kind],
                    threshold=d.threshold,
                    severity=d.severity,
                    is_active=d.is_active,
                )
                for d in missing
            ],
            ignore_conflicts=True,
        )
        rules = {r.kind: r for r in RiskRule.objects.filter(program=program)}
    return rules


def safety_settings_for(program: Program) -> SafetySettings:
    found = SafetySettings.objects.filter(program=program).first()
    if found is not None:
        return found
    return SafetySettings(organization_id=program.organization_id, program=program)


@transaction.atomic
def risk_rule_update(
    *, rule: RiskRule, actor: User, severity: str, is_active: bool, threshold: int | None
) -> RiskRule:
    if severity not in Severity.values:
        raise _error("Choose a severity.", "severity")
    bounds = THRESHOLD_RANGE.get(rule.kind)
    if bounds is None:
        threshold = None
    elif threshold is None or not bounds[0] <= threshold <= bounds[1]:
        raise _error(f"The threshold must be between {bounds[0]} and {bounds[1]}.", "threshold")
    rule.severity = severity
    rule.is_active = is_active
    rule.threshold = threshold
    rule.updated_by = actor
    rule.full_clean()
    rule.save(update_fields=["severity", "is_active", "threshold", "updated_by", "updated_at"])
    return rule


@transaction.atomic
def safety_settings_update(
    *,
    program: Program,
    actor: User,
    urgent_escalate_minutes: int,
    high_escalate_minutes: int,
    low_escalate_minutes: int | None,
) -> SafetySettings:
    """Escalation times per severity. Urgent and high alerts always escalate, within ceilings a
    careful clinical lead would accept; an urgent alert never waits longer than a high one."""
    errors: dict[str, str] = {}
    if urgent_escalate_minutes is None or not 1 <= urgent_escalate_minutes <= URGENT_ESCALATE_MAX:
        errors["urgent_escalate_minutes"] = (
            f"An urgent alert escalates after 1 to {URGENT_ESCALATE_MAX} minutes."
        )
    if high_escalate_minutes is None or not 1 <= high_escalate_minutes <= HIGH_ESCALATE_MAX:
        errors["high_escalate_minutes"] = (
            f"A high alert escalates after 1 to {HIGH_ESCALATE_MAX} minutes."
        )
    if low_escalate_minutes is not None and not 1 <= low_escalate_minutes <= LOW_ESCALATE_MAX:
        errors["low_escalate_minutes"] = (
            f"Leave blank for never, or 1 to {LOW_ESCALATE_MAX} minutes (a week)."
        )
    if not errors and urgent_escalate_minutes > high_escalate_minutes:
        errors["urgent_escalate_minutes"] = "An urgent alert must not wait longer than a high one."
    if errors:
        raise ValidationError(errors)
    found, _ = SafetySettings.objects.select_for_update().get_or_create(
        program=program, defaults={"organization_id": program.organization_id}
    )
    found.urgent_escalate_minutes = urgent_escalate_minutes
    found.high_escalate_minutes = high_escalate_minutes
    found.low_escalate_minutes = low_escalate_minutes
    found.full_clean()
    found.save()
    return found


def _eligible_staff(program: Program) -> Q:
    return Q(
        assignments__program=program,
        assignments__on_call_eligible=True,
        role__in=[Role.CLINICIAN, Role.DIRECTOR],
        is_active=True,
    )


@transaction.atomic
def on_call_shift_add(
    *,
    program: Program,
    actor: User,
    user: User,
    backup: User | None,
    starts_on: date,
    ends_on: date,
    start_hour: int,
    end_hour: int,
) -> OnCallShift:
    from openiop.accounts.models import User as UserModel

    people = [u for u in (user, backup) if u is not None]
    eligible = set(
        UserModel.objects.filter(
            _eligible_staff(program), pk__in=[u.pk for u in people]
        ).values_list("pk", flat=True)
    )
    if user.pk not in eligible:
        raise _error(
            "The on-call clinician must be a clinician or director of this program.", "user"
        )
    if backup is not None and (backup.pk not in eligible or backup.pk == user.pk):
        raise _error("The backup must be another clinician or director of this program.", "backup")
    if ends_on < starts_on:
        raise _error("The last day must not be before the first.", "ends_on")
    if not 0 <= start_hour < end_hour <= 24:
        raise _error("The shift must end after it starts, between 0 and 24 h.", "end_hour")
    shift = OnCallShift(
        organization_id=program.organization_id,
        program=program,
        user=user,
        backup=backup,
        starts_on=starts_on,
        ends_on=ends_on,
        start_hour=start_hour,
        end_hour=end_hour,
        created_by=actor,
    )
    shift.full_clean()
    shift.save()
    return shift


@transaction.atomic
def on_call_shift_remove(*, shift: OnCallShift, actor: User) -> None:
    # A rota entry is scheduling, not a clinical record: removing it is allowed.
    OnCallShift.objects.filter(pk=shift.pk).delete()


def on_call_for(program: Program, at: datetime) -> OnCallShift | None:
    """The shift covering `at` in the program's time zone; the most recently entered wins where
    two overlap (a swap entered on top of the regular rota)."""
    local = at.astimezone(zoneinfo.ZoneInfo(program.time_zone))
    return (
        OnCallShift.objects.filter(
            program=program,
            starts_on__lte=local.date(),
            ends_on__gte=local.date(),
            start_hour__lte=local.hour,
            end_hour__gt=local.hour,
        )
        .select_related("user", "backup")
        .order_by("-created_at", "-id")
        .first()
    )


# --- raising --------------------------------------------------------------------------------------


def _step(
    alert: Alert, kind: str, at: datetime, actor: User | None = None, detail: str = ""
) -> None:
    AlertStep.objects.create(
        organization_id=alert.organization_id,
        alert=alert,
        kind=kind,
        at=at,
        actor=actor,
        detail=detail[:300],
    )


def _add_recipients(alert: Alert, people: Iterable[tuple[User, str]], at: datetime) -> list[User]:
    """Adds who is not yet on the alert; returns them (for the e-mail)."""
    already = set(alert.recipients.values_list("user_id", flat=True))
    added: list[User] = []
    for user, reason in people:
        if user.pk in already or not user.is_active:
            continue
        already.add(user.pk)
        AlertRecipient.objects.create(
            organization_id=alert.organization_id,
            alert=alert,
            user=user,
            reason=reason,
            added_at=at,
        )
        added.append(user)
    if added:
        names = ", ".join(
            f"{u.full_name} ({RecipientReason(r).label})" for u, r in people if u in added
        )
        _step(alert, AlertStepKind.SENT, at, detail=f"Sent to {names}")
        # E-mailed by the worker once this transaction commits (safety/notices.py).
        alert_notices_enqueue(alert.pk)
    return added


def _escalate_at(alert: Alert, now: datetime) -> datetime | None:
    minutes = safety_settings_for(alert.program).minutes_for(alert.severity)
    return now + timedelta(minutes=minutes) if minutes else None


def _first_recipients(episode: Episode, program: Program, now: datetime) -> list[tuple[User, str]]:
    people: list[tuple[User, str]] = []
    if episode.primary_clinician is not None:
        people.append((episode.primary_clinician, RecipientReason.PRIMARY))
    shift = on_call_for(program, now)
    if shift is not None:
        people.append((shift.user, RecipientReason.ON_CALL))
    if not people:
        # Nobody named: an alert must still reach someone at once.
        people = [(d, RecipientReason.DIRECTOR) for d in directors_of(program)]
    return people


def directors_of(program: Program) -> list[User]:
    from openiop.accounts.models import User as UserModel

    return list(
        UserModel.objects.filter(
            assignments__program=program, role=Role.DIRECTOR, is_active=True
        ).order_by("full_name", "id")
    )


def _alert_insert(alert: Alert) -> Alert:
    """The alert's INSERT, on its own so tests can inject a failure between an answer and its
    alert (and see that neither is saved)."""
    alert.save(force_insert=True)
    return alert


def alert_raise(
    *,
    rule: RiskRule,
    participant: Participant,
    episode: Episode,
    day: date,
    evidence: str,
    source_type: str = "",
    source_id: UUID | None = None,
    now: datetime | None = None,
) -> Alert | None:
    """Raise an alert for a rule that fired, unless the same rule already has an unresolved
    alert for this participant and day (returns None then). Must run inside the transaction
    that writes the triggering answer."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("alert_raise must run inside the triggering answer's transaction")
    now = now or timezone.now()
    program = episode.program
    alert = Alert(
        organization_id=participant.organization_id,
        participant=participant,
        episode=episode,
        program=program,
        rule=rule,
        severity=rule.severity,
        source=rule.source,
        day=day,
        evidence=evidence[:300],
        source_type=source_type,
        source_id=source_id,
        status=AlertStatus.OPEN,
        created_at=now,
    )
    alert.escalate_at = _escalate_at(alert, now)
    if Alert.objects.filter(
        participant=participant, rule=rule, day=day, status__in=UNRESOLVED
    ).exists():
        return None
    try:
        with transaction.atomic():
            _alert_insert(alert)
    except IntegrityError:
        # Another request raised the same alert a moment ago (the partial unique index).
        return None
    _step(alert, AlertStepKind.RAISED, now, detail=rule.describe())
    _add_recipients(alert, _first_recipients(episode, program, now), now)
    event_record(
        participant=participant,
        kind=EVENT_ALERT,
        summary=f"{TIMELINE_RAISED.get(rule.source, 'Risk alert')}: alert sent to the care team",
        actor=None,
        program=program,
        at=now,
    )
    log.info("alert raised %s severity=%s rule=%s", alert.public_id, alert.severity, rule.kind)
    return alert


def _active(rules: dict[str, RiskRule], kind: str) -> RiskRule | None:
    rule = rules.get(kind)
    return rule if rule is not None and rule.is_active else None


def diary_rules_fired(card: DiaryCard, rules: dict[str, RiskRule]) -> list[tuple[RiskRule, str]]:
    """(rule, evidence) for each active diary rule the card meets. Pure: no writes."""
    fired: list[tuple[RiskRule, str]] = []
    rule = _active(rules, RuleKind.URGE_RISK)
    if rule is not None and rule.threshold is not None:
        parts = []
        if card.urge_suicide >= rule.threshold:
            parts.append(f"suicide urge {card.urge_suicide}/5")
        if card.urge_self_harm >= rule.threshold:
            parts.append(f"self-harm urge {card.urge_self_harm}/5")
        if parts:
            fired.append((rule, "Diary card: " + ", ".join(parts)))
    rule = _active(rules, RuleKind.ACTION_SELF_HARM)
    if rule is not None and card.action_self_harm:
        fired.append((rule, "Diary card: self-harm action reported"))
    rule = _active(rules, RuleKind.URGE_SUBSTANCE)
    if rule is not None and rule.threshold is not None and card.urge_substance >= rule.threshold:
        fired.append((rule, f"Diary card: substance-use urge {card.urge_substance}/5"))
    rule = _active(rules, RuleKind.ACTION_SUBSTANCE)
    if rule is not None and card.action_substance:
        fired.append((rule, "Diary card: substance use reported"))
    return fired


def alerts_from_diary_card(card: DiaryCard, *, now: datetime | None = None) -> list[Alert]:
    """Run the diary rules over a card being filed, in the card's transaction."""
    rules = rules_for(card.episode.program)
    raised = []
    for rule, evidence in diary_rules_fired(card, rules):
        alert = alert_raise(
            rule=rule,
            participant=card.participant,
            episode=card.episode,
            day=card.day,
            evidence=evidence,
            source_type="diary_card",
            source_id=card.public_id,
            now=now,
        )
        if alert is not None:
            raised.append(alert)
    return raised


def diary_card_alerts_raise(card: DiaryCard, now: datetime) -> list[Alert]:
    """Receiver of diary's `card_filed` hook (safety/apps.py)."""
    return alerts_from_diary_card(card, now=now)


def alerts_from_measure_response(response: Response, *, now: datetime | None = None) -> list[Alert]:
    """Turn a response's critical findings into alerts, in the response's transaction. The
    measures service calls this right after it writes the findings."""
    findings = list(response.findings.all())
    if not findings:
        return []
    episode = Episode.objects.select_related("program", "primary_clinician").get(
        pk=response.episode_id
    )
    rules = rules_for(episode.program)
    day = local_date(response.completed_at, episode.program.time_zone)
    raised = []
    for finding in findings:
        kind = FINDING_RULES.get(finding.kind)
        rule = _active(rules, kind) if kind else None
        if rule is None:
            continue
        alert = alert_raise(
            rule=rule,
            participant=response.participant,
            episode=episode,
            day=day,
            evidence=f"{response.instrument_code}: {finding.get_kind_display()}",
            source_type="measure_response",
            source_id=response.public_id,
            now=now,
        )
        if alert is not None:
            raised.append(alert)
    return raised


def measure_response_alerts_raise(response: Response, now: datetime) -> list[Alert]:
    """Receiver of measures' `response_recorded` hook (safety/apps.py)."""
    return alerts_from_measure_response(response, now=now)


def alerts_from_coaching(
    *,
    participant: Participant,
    episode: Episode,
    urge: int,
    source_id: UUID | None = None,
    now: datetime | None = None,
) -> list[Alert]:
    """For the coaching log (issue 5 point 6): a request with a high urge feeds the same
    engine. Call inside the transaction that saves the contact."""
    now = now or timezone.now()
    rule = _active(rules_for(episode.program), RuleKind.COACHING_URGE)
    if rule is None or rule.threshold is None or urge < rule.threshold:
        return []
    alert = alert_raise(
        rule=rule,
        participant=participant,
        episode=episode,
        day=today_in(episode.program.time_zone, now=now),
        evidence=f"Coaching request: urge {urge}/5",
        source_type="coaching_contact",
        source_id=source_id,
        now=now,
    )
    return [alert] if alert else []


@transaction.atomic
def alerts_for_missing_diaries(*, now: datetime) -> int:
    """Engagement alerts: an episode in treatment with no diary card for the rule's number of
    complete program days (yesterday and the days before it). One unresolved alert per
    participant at a time; returns how many were raised."""
    from openiop.diary.models import DiaryCard

    episodes = list(
        Episode.objects.filter(status=EpisodeStatus.ACTIVE, started_on__isnull=False)
        .select_related("program", "participant", "primary_clinician")
        .order_by("program_id", "id")
    )
    last_cards = dict(
        DiaryCard.objects.filter(episode__in=episodes)
        .values("episode_id")
        .annotate(last=Max("day"))
        .values_list("episode_id", "last")
    )
    rules_cache: dict[int, dict[str, RiskRule]] = {}
    raised = 0
    for episode in episodes:
        program = episode.program
        if program.pk not in rules_cache:
            rules_cache[program.pk] = rules_for(program)
        rule = _active(rules_cache[program.pk], RuleKind.DIARY_MISSING)
        if rule is None or rule.threshold is None:
            continue
        today = today_in(program.time_zone, now=now)
        first_missing = max(
            (last_cards.get(episode.pk) or date.min) + timedelta(days=1),
            episode.started_on or today,
        )
        days_missing = (today - first_missing).days
        if days_missing < rule.threshold:
            continue
        if Alert.objects.filter(
            participant=episode.participant, rule=rule, status__in=UNRESOLVED
        ).exists():
            continue
        alert = alert_raise(
            rule=rule,
            participant=episode.participant,
            episode=episode,
            day=today,
            evidence=f"No diary card for {days_missing} days (since {first_missing:%b %-d})",
            now=now,
        )
        raised += alert is not None
    return raised


# --- handling -------------------------------------------------------------------------------------


def _timeline(alert: Alert, summary: str, actor: User | None, at: datetime) -> None:
    event_record(
        participant=alert.participant,
        kind=EVENT_ALERT,
        summary=summary,
        actor=actor,
        program=alert.program,
        at=at,
    )


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor: User, now: datetime | None = None) -> Alert:
    """Claim an open alert. The conditional UPDATE lets exactly one of two clinicians
    acknowledging at once succeed; the other is told who already has it."""
    now = now or timezone.now()
    claimed = Alert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(
        status=AlertStatus.ACKNOWLEDGED,
        acknowledged_at=now,
        acknowledged_by=actor,
        escalate_at=None,
    )
    if not claimed:
        current = Alert.objects.select_related("acknowledged_by").get(pk=alert.pk)
        who = current.acknowledged_by.full_name if current.acknowledged_by else "someone"
        raise _error(f"This alert was already acknowledged by {who}.")
    alert.refresh_from_db()
    _step(alert, AlertStepKind.ACKNOWLEDGED, now, actor=actor)
    _timeline(alert, "Risk alert acknowledged", actor, now)
    return alert


@transaction.atomic
def alert_resolve(
    *, alert: Alert, actor: User, resolution: str, note: str, now: datetime | None = None
) -> Alert:
    now = now or timezone.now()
    note = (note or "").strip()
    if resolution not in Resolution.values:
        raise _error("Choose what was done.", "resolution")
    if resolution == Resolution.NO_ACTION and not note:
        raise _error("Say why no action was needed.", "note")
    done = Alert.objects.filter(pk=alert.pk, status=AlertStatus.ACKNOWLEDGED).update(
        status=AlertStatus.RESOLVED,
        resolved_at=now,
        resolved_by=actor,
        resolution=resolution,
        resolution_note=note[:2000],
        escalate_at=None,
    )
    if not done:
        current = Alert.objects.get(pk=alert.pk)
        if current.status == AlertStatus.OPEN:
            raise _error("Acknowledge the alert before resolving it.")
        raise _error("This alert is already resolved.")
    alert.refresh_from_db()
    _step(alert, AlertStepKind.RESOLVED, now, actor=actor, detail=alert.get_resolution_display())
    _timeline(alert, "Risk alert resolved", actor, now)
    return alert


def _next_level(alert: Alert, now: datetime) -> list[tuple[User, str]]:
    """Level 1: the on-call backup (skipped when there is none); level 2: the directors."""
    if alert.escalation_level == 0:
        shift = on_call_for(alert.program, now)
        if shift is not None and shift.backup is not None:
            return [(shift.backup, RecipientReason.BACKUP)]
        alert.escalation_level = 1
    return [(d, RecipientReason.DIRECTOR) for d in directors_of(alert.program)]


def alert_escalate(*, alert: Alert, now: datetime) -> bool:
    """Send one unacknowledged alert to the next person. Conditional on the level and status
    read, so two workers never escalate the same step twice."""
    level = alert.escalation_level
    people = _next_level(alert, now)
    new_level = alert.escalation_level + 1
    final = new_level >= 2
    minutes = safety_settings_for(alert.program).minutes_for(alert.severity)
    moved = Alert.objects.filter(
        pk=alert.pk, status=AlertStatus.OPEN, escalation_level=level
    ).update(
        escalation_level=new_level,
        escalate_at=None if final or not minutes else now + timedelta(minutes=minutes),
    )
    if not moved:
        return False
    alert.refresh_from_db()
    names = ", ".join(u.full_name for u, _ in people) or "nobody (no director assigned)"
    _step(alert, AlertStepKind.ESCALATED, now, detail=f"Not acknowledged in time; sent to {names}")
    _add_recipients(alert, people, now)
    _timeline(alert, "Risk alert escalated (not acknowledged in time)", None, now)
    return True


@transaction.atomic
def alerts_escalate(*, now: datetime) -> int:
    due = list(
        Alert.objects.filter(status=AlertStatus.OPEN, escalate_at__lte=now)
        .select_related("program", "participant")
        .order_by("escalate_at", "id")[:200]
    )
    return sum(alert_escalate(alert=a, now=now) for a in due)
