"""Acknowledging and resolving: one acknowledgement however many clinicians press at once."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from openiop.accounts.roles import Role
from openiop.audit.models import Event
from openiop.safety.models import Alert, AlertStatus, AlertStep, AlertStepKind, Resolution
from openiop.safety.services import alert_acknowledge, alert_resolve
from tests import factories as f
from tests.diary.helpers import file_card


def _alert(world) -> Alert:
    return file_card(world, urge_self_harm=5).alerts[0]


def test_the_second_acknowledgement_is_refused_and_names_the_first(world) -> None:
    alert = _alert(world)
    other = f.UserFactory(organization=world.org, role=Role.CLINICIAN, programs=[world.program])
    alert_acknowledge(alert=alert, actor=world.clinician)
    with pytest.raises(ValidationError, match="already acknowledged by Casey Clinician"):
        alert_acknowledge(alert=Alert.objects.get(pk=alert.pk), actor=other)
    alert.refresh_from_db()
    assert alert.acknowledged_by == world.clinician
    assert AlertStep.objects.filter(alert=alert, kind=AlertStepKind.ACKNOWLEDGED).count() == 1
    assert Event.objects.filter(summary="Risk alert acknowledged").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_clinicians_acknowledging_at_once_leave_one_acknowledgement(world) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    alert = _alert(world)
    other = f.UserFactory(organization=world.org, role=Role.CLINICIAN, programs=[world.program])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def press(user) -> None:
        try:
            barrier.wait()
            alert_acknowledge(alert=Alert.objects.get(pk=alert.pk), actor=user)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(u,)) for u in (world.clinician, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert AlertStep.objects.filter(alert=alert, kind=AlertStepKind.ACKNOWLEDGED).count() == 1


def test_an_open_alert_must_be_acknowledged_before_it_is_resolved(world) -> None:
    alert = _alert(world)
    with pytest.raises(ValidationError, match="Acknowledge the alert"):
        alert_resolve(alert=alert, actor=world.clinician, resolution=Resolution.CONTACTED, note="")
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_no_action_needs_a_reason(world) -> None:
    alert = _alert(world)
    alert_acknowledge(alert=alert, actor=world.clinician)
    with pytest.raises(ValidationError, match="Say why"):
        alert_resolve(alert=alert, actor=world.clinician, resolution=Resolution.NO_ACTION, note=" ")
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.ACKNOWLEDGED


def test_resolving_records_the_action_and_the_timeline(world) -> None:
    alert = _alert(world)
    alert_acknowledge(alert=alert, actor=world.clinician)
    alert_resolve(
        alert=alert, actor=world.clinician, resolution=Resolution.SAFETY_PLAN, note="Called."
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    assert alert.resolution == Resolution.SAFETY_PLAN
    summaries = list(Event.objects.filter(kind="risk_alert").values_list("summary", flat=True))
    assert "Risk alert resolved" in summaries
    # The timeline never carries the card's content.
    assert not any("5/5" in s or "urge" in s.lower() for s in summaries)
