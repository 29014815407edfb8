"""Escalation by the worker's periodic job, with a frozen `now` handed to it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from openiop.accounts.roles import Role
from openiop.audit.models import Event
from openiop.safety.models import AlertStep, AlertStepKind, OnCallShift, RecipientReason
from openiop.safety.services import alert_acknowledge
from openiop.safety.tasks import escalate
from tests import factories as f
from tests.diary.helpers import file_card


def _rota(world, *, backup=None):
    on_call = f.UserFactory(
        organization=world.org,
        role=Role.CLINICIAN,
        programs=[world.program],
        full_name="Oona Oncall",
    )
    today = timezone.localdate()
    OnCallShift.objects.create(
        organization=world.org,
        program=world.program,
        user=on_call,
        backup=backup,
        starts_on=today - timedelta(days=2),
        ends_on=today + timedelta(days=2),
        start_hour=0,
        end_hour=24,
        created_by=world.director,
    )
    return on_call


def _reasons(alert) -> dict[str, str]:
    return {r.user.full_name: r.reason for r in alert.recipients.select_related("user")}


@pytest.mark.tasks
def test_an_alert_goes_to_the_primary_and_the_on_call_clinician(
    world, django_capture_on_commit_callbacks, run_tasks
) -> None:
    _rota(world)
    with django_capture_on_commit_callbacks(execute=True):
        alert = file_card(world, urge_self_harm=5).alerts[0]
    assert mail.outbox == []  # the worker sends them
    run_tasks()
    assert _reasons(alert) == {
        "Casey Clinician": RecipientReason.PRIMARY,
        "Oona Oncall": RecipientReason.ON_CALL,
    }
    assert len(mail.outbox) == 2
    assert all(m.subject == "OpenIOP: an alert needs your attention" for m in mail.outbox)
    assert all("Pat" not in m.body and "Example" not in m.body for m in mail.outbox)


def test_an_unacknowledged_high_alert_goes_to_the_backup_then_the_director(world) -> None:
    # The default for high alerts: 30 minutes a step (SafetySettings.high_escalate_minutes).
    backup = f.UserFactory(
        organization=world.org,
        role=Role.CLINICIAN,
        programs=[world.program],
        full_name="Bea Backup",
    )
    _rota(world, backup=backup)
    now = timezone.now()
    alert = file_card(world, urge_self_harm=5, now=now).alerts[0]
    escalate(now + timedelta(minutes=29))
    alert.refresh_from_db()
    assert alert.escalation_level == 0
    escalate(now + timedelta(minutes=30))
    alert.refresh_from_db()
    assert alert.escalation_level == 1
    assert _reasons(alert)["Bea Backup"] == RecipientReason.BACKUP
    escalate(now + timedelta(minutes=59))
    alert.refresh_from_db()
    assert alert.escalation_level == 1
    escalate(now + timedelta(minutes=60))
    alert.refresh_from_db()
    assert alert.escalation_level == 2
    assert _reasons(alert)["Dana Director"] == RecipientReason.DIRECTOR
    assert alert.escalate_at is None
    assert AlertStep.objects.filter(alert=alert, kind=AlertStepKind.ESCALATED).count() == 2
    assert Event.objects.filter(summary__startswith="Risk alert escalated").count() == 2


def test_without_a_backup_the_director_is_next(world) -> None:
    _rota(world)
    now = timezone.now()
    alert = file_card(world, action_self_harm=True, now=now).alerts[0]
    escalate(now + timedelta(hours=2))
    alert.refresh_from_db()
    assert _reasons(alert)["Dana Director"] == RecipientReason.DIRECTOR


def test_an_acknowledged_alert_does_not_escalate(world) -> None:
    now = timezone.now()
    alert = file_card(world, urge_self_harm=5, now=now).alerts[0]
    alert_acknowledge(alert=alert, actor=world.clinician, now=now + timedelta(minutes=5))
    escalate(now + timedelta(hours=5))
    alert.refresh_from_db()
    assert alert.escalation_level == 0
    assert "Dana Director" not in _reasons(alert)
