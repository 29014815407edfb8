"""Reads of the safety room that other pages share: which alerts a staff member may see, the
open-alerts panel of the staff home, the header's live indicator, the escalation chain shown
on an alert, and the risk events a plan review reports.

Visibility: an alert is clinical content. A user sees the alerts of the participants they may
see (participants.access.participants_for) in the programs they work in; alerts of a
substance-use program are 42 CFR Part 2 records and need SUD access as well.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeGuard

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from openiop.accounts.roles import Perm, Role
from openiop.lib.timezones import local_date
from openiop.participants.access import participants_for, program_ids_for
from openiop.safety.models import (
    UNRESOLVED,
    Alert,
    AlertRecipient,
    AlertStatus,
    AlertStep,
    AlertStepKind,
    CoachingOutcome,
    CoachingRequest,
    RecipientReason,
    RuleKind,
    Severity,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from openiop.accounts.models import User
    from openiop.participants.models import Episode, Participant

SEVERITY_RANK = Case(
    When(severity=Severity.URGENT, then=Value(0)),
    When(severity=Severity.HIGH, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)

# Who answers alerts: the roles the on-call rota and the escalation chain draw from. They get
# the open-alerts panel on their home and the live indicator in the header.
ALERT_ROLES = frozenset({Role.CLINICIAN, Role.DIRECTOR})

HOME_PANEL_LIMIT = 25


def may_see_alerts(user: User | AnonymousUser) -> TypeGuard[User]:
    """Yes only for a signed-in staff member (so the caller may use `user` as a User)."""
    return bool(
        user.is_authenticated
        and user.is_staff_member
        and user.can(Perm.PARTICIPANT_CLINICAL)
        and user.organization_id is not None
    )


def answers_alerts(user: User | AnonymousUser) -> bool:
    """Clinicians and directors: the people an alert can be sent or escalated to."""
    return may_see_alerts(user) and user.role in ALERT_ROLES


def visible_alerts(user: User | AnonymousUser) -> QuerySet[Alert]:
    """Every alert the user may see: their programs, participants they may see, and Part 2
    programs only with SUD access."""
    if not may_see_alerts(user):
        return Alert.objects.none()
    alerts = Alert.objects.filter(
        organization_id=user.organization_id or 0,
        program_id__in=program_ids_for(user),
        participant__in=participants_for(user),
    )
    if not user.can(Perm.PARTICIPANT_SUD):
        alerts = alerts.filter(program__treats_sud=False)
    return alerts


def mine_q(user: User | AnonymousUser) -> Q:
    """An alert is the user's when it was sent to them or when they hold it (acknowledged it):
    an acknowledged alert stays with its holder until it is resolved."""
    return Q(recipients__user=user) | Q(acknowledged_by=user)


# --- the staff home's panel ---------------------------------------------------------------------


@dataclass
class PanelRow:
    alert: Alert
    mine: bool
    sent_to: list[AlertRecipient]

    @property
    def waiting_for(self) -> timedelta:
        return timezone.now() - self.alert.created_at

    @property
    def held_for(self) -> timedelta | None:
        if self.alert.acknowledged_at is None:
            return None
        return timezone.now() - self.alert.acknowledged_at


@dataclass
class AlertPanel:
    rows: list[PanelRow]
    more: bool


def home_panel(user: User | AnonymousUser, *, limit: int = HOME_PANEL_LIMIT) -> AlertPanel:
    """Every unresolved alert of the user's programs, most severe first and oldest first within
    a severity, with who was sent each one and who holds it. Two queries (the alerts, their
    recipients) whatever the number shown."""
    recipients = Prefetch(
        "recipients",
        queryset=AlertRecipient.objects.select_related("user").order_by("added_at", "id"),
    )
    alerts = list(
        visible_alerts(user)
        .filter(status__in=UNRESOLVED)
        .select_related("participant", "rule", "acknowledged_by")
        .prefetch_related(recipients)
        .annotate(rank=SEVERITY_RANK)
        .order_by("rank", "created_at", "id")[: limit + 1]
    )
    rows = []
    for alert in alerts[:limit]:
        sent_to = list(alert.recipients.all())
        mine = alert.acknowledged_by_id == user.pk or any(r.user_id == user.pk for r in sent_to)
        rows.append(PanelRow(alert=alert, mine=mine, sent_to=sent_to))
    return AlertPanel(rows=rows, more=len(alerts) > limit)


# --- the header's live indicator ----------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    """Counts only: no names, no evidence. Safe to poll every few seconds without an access-log
    row, because it shows nothing about any one participant."""

    open: int
    acknowledged: int
    urgent_waiting: int
    high_waiting: int
    signature: str
    newest: int  # epoch seconds of the newest alert's creation, 0 when there is none

    @property
    def total(self) -> int:
        return self.open + self.acknowledged

    @property
    def pressing(self) -> bool:
        """An urgent or high alert nobody has taken yet."""
        return bool(self.urgent_waiting or self.high_waiting)


def indicator_for(user: User | AnonymousUser) -> Indicator:
    """One small query on the unresolved alerts (index program, status)."""
    rows = list(
        visible_alerts(user)
        .filter(status__in=UNRESOLVED)
        .order_by("pk")
        .values_list("pk", "severity", "status", "escalation_level", "created_at")[:500]
    )
    state = ";".join(f"{pk}:{sev}:{status}:{level}" for pk, sev, status, level, _ in rows)
    waiting = [r for r in rows if r[2] == AlertStatus.OPEN]
    newest = max((r[4] for r in rows), default=None)
    return Indicator(
        open=len(waiting),
        acknowledged=len(rows) - len(waiting),
        urgent_waiting=sum(1 for r in waiting if r[1] == Severity.URGENT),
        high_waiting=sum(1 for r in waiting if r[1] == Severity.HIGH),
        signature=hashlib.sha256(state.encode()).hexdigest()[:16],
        newest=int(newest.timestamp()) if newest else 0,
    )


# --- the escalation chain shown on an alert -----------------------------------------------------


@dataclass
class ChainStep:
    level: int
    label: str
    people: str
    at: datetime | None
    state: str  # done | due | later | skipped | not_needed | never

    @property
    def state_label(self) -> str:
        return {
            "done": "Sent",
            "due": "Next if nobody acknowledges",
            "later": "After that",
            "skipped": "Skipped",
            "not_needed": "Not needed",
            "never": "Does not escalate",
        }.get(self.state, self.state)


def _names(recipients: Iterable[AlertRecipient], reasons: set[str]) -> str:
    return ", ".join(
        f"{r.user.full_name} ({r.get_reason_display()})" for r in recipients if r.reason in reasons
    )


def escalation_chain(alert: Alert) -> list[ChainStep]:
    """Who the alert went to when raised, who it goes to next and when, and then who: what the
    program's escalation settings and on-call rota make of this alert (the rule is in
    services.alert_escalate). Steps taken are read from the alert's trail; the ones ahead are
    computed from the alert's next escalation time and the current settings."""
    from openiop.safety.services import directors_of, on_call_for, safety_settings_for

    recipients = list(alert.recipients.select_related("user"))
    escalations = [
        s.at
        for s in AlertStep.objects.filter(alert=alert, kind=AlertStepKind.ESCALATED).order_by(
            "at", "id"
        )
    ]
    minutes = safety_settings_for(alert.program).minutes_for(alert.severity)
    at_raise = [r for r in recipients if r.added_at <= alert.created_at + timedelta(seconds=1)]
    steps = [
        ChainStep(
            0,
            "When raised",
            _names(at_raise, set(RecipientReason.values)) or "nobody",
            alert.created_at,
            "done",
        )
    ]
    if minutes is None and not escalations:
        steps.append(
            ChainStep(1, "Escalation", "this severity stays with the people above", None, "never")
        )
        return steps
    waiting = alert.status == AlertStatus.OPEN
    ahead = "due" if waiting else "not_needed"
    later = "later" if waiting else "not_needed"
    directors = ", ".join(d.full_name for d in directors_of(alert.program)) or (
        "nobody (no director assigned)"
    )
    step = timedelta(minutes=minutes or 0)
    level = alert.escalation_level
    if level == 0:
        first_at = alert.escalate_at or alert.created_at + step
        shift = on_call_for(alert.program, first_at)
        backup = shift.backup if shift is not None else None
        if backup is not None:
            steps.append(ChainStep(1, "On-call backup", backup.full_name, first_at, ahead))
            steps.append(ChainStep(2, "Program director", directors, first_at + step, later))
        else:
            steps.append(
                ChainStep(1, "On-call backup", "no backup on the rota then", None, "skipped")
            )
            steps.append(ChainStep(2, "Program director", directors, first_at, ahead))
        return steps
    backup_names = _names(recipients, {RecipientReason.BACKUP})
    if level == 1:
        steps.append(ChainStep(1, "On-call backup", backup_names, escalations[0], "done"))
        steps.append(ChainStep(2, "Program director", directors, alert.escalate_at, ahead))
        return steps
    if len(escalations) >= 2:
        steps.append(ChainStep(1, "On-call backup", backup_names, escalations[0], "done"))
        steps.append(ChainStep(2, "Program director", directors, escalations[1], "done"))
    else:
        steps.append(ChainStep(1, "On-call backup", "no backup on the rota then", None, "skipped"))
        steps.append(
            ChainStep(
                2, "Program director", directors, escalations[0] if escalations else None, "done"
            )
        )
    return steps


# --- risk events for a plan review --------------------------------------------------------------

# Neutral words for what a risk alert records, for reviews read with the participant present.
RISK_EVENT_LABELS: dict[str, str] = {
    RuleKind.URGE_RISK: "Diary cards with a suicide or self-harm urge at the program's threshold",
    RuleKind.ACTION_SELF_HARM: "Diary cards reporting self-harm",
    RuleKind.URGE_SUBSTANCE: "Diary cards with a substance-use urge at the program's threshold",
    RuleKind.ACTION_SUBSTANCE: "Diary cards reporting substance use",
    RuleKind.PHQ9_ITEM9: "PHQ-9 answers about thoughts of death or self-harm",
    RuleKind.CSSRS_HIGH: "C-SSRS screens at high risk",
    RuleKind.CSSRS_MODERATE: "C-SSRS screens at moderate risk",
    RuleKind.COACHING_URGE: "Coaching requests with a strong urge",
}
CRISIS_LABEL = "Coaching contacts that led to crisis services"


def risk_events(episode: Episode, *, since: date, until: date) -> dict[str, Any]:
    """Risk events of the episode between two program-local days (both included): alerts raised
    by the risk rules (engagement alerts are not risk events) and coaching contacts that ended
    with crisis services, counted by kind with their dates. Two queries."""

    program = episode.program
    by_kind: dict[str, list[date]] = defaultdict(list)
    alerts = (
        Alert.objects.filter(episode=episode, day__gte=since, day__lte=until)
        .exclude(rule__kind=RuleKind.DIARY_MISSING)
        .order_by("day", "id")
        .values_list("rule__kind", "day")
    )
    for kind, day in alerts:
        by_kind[RISK_EVENT_LABELS.get(kind, "Other risk alerts")].append(day)
    crises = CoachingRequest.objects.filter(
        episode=episode, outcome=CoachingOutcome.CRISIS
    ).values_list("requested_at", flat=True)
    for at in crises:
        day = local_date(at, program.time_zone)
        if since <= day <= until:
            by_kind[CRISIS_LABEL].append(day)
    ordered = sorted(by_kind.items(), key=lambda item: (-len(item[1]), item[0]))
    rows: list[dict[str, Any]] = [
        {"label": label, "count": len(days), "dates": sorted({d.isoformat() for d in days})}
        for label, days in ordered
    ]
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "total": sum(len(days) for days in by_kind.values()),
        "kinds": rows,
    }


def chart_open_alerts(user: User, participant: Participant) -> list[Alert]:
    """The chart's open alerts of the viewer's programs (SUD programs only with SUD access),
    most severe first (the names sort "high" < "low" < "urgent": rank them instead)."""
    scope = Q(episode__participant=participant, episode__program_id__in=program_ids_for(user))
    if not user.can(Perm.PARTICIPANT_SUD):
        scope &= Q(episode__program__treats_sud=False)
    return list(
        Alert.objects.filter(scope, participant=participant, status__in=UNRESOLVED)
        .annotate(rank=SEVERITY_RANK)
        .order_by("rank", "created_at")[:10]
    )
