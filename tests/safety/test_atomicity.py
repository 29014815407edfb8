"""No path stores a triggering answer without its alert."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from openiop.diary.models import DiaryCard
from openiop.measures.models import CriticalFinding, Response
from openiop.safety import services as safety_services
from openiop.safety.models import Alert, AlertStatus, RuleKind
from openiop.safety.services import alert_raise, rules_for
from tests.diary.helpers import file_card, post_data, today
from tests.measures.helpers import PHQ9_ITEM9, record


class Injected(Exception):
    pass


def _fail(alert: Alert) -> Alert:
    raise Injected("the alert insert failed")


def test_a_failed_alert_insert_saves_no_diary_card(world, monkeypatch) -> None:
    monkeypatch.setattr(safety_services, "_alert_insert", _fail)
    with pytest.raises(Injected):
        file_card(world, urge_self_harm=5)
    assert DiaryCard.objects.count() == 0
    assert Alert.objects.count() == 0


def test_a_failed_alert_insert_through_the_portal_saves_nothing(world, login, monkeypatch) -> None:
    monkeypatch.setattr(safety_services, "_alert_insert", _fail)
    client = login(world.participant_user)
    with pytest.raises(Injected):
        client.post("/me/diary/", post_data(today(world), urge_self_harm=5))
    assert DiaryCard.objects.count() == 0


def test_a_failed_alert_insert_saves_no_questionnaire_response(world, monkeypatch) -> None:
    monkeypatch.setattr(safety_services, "_alert_insert", _fail)
    with pytest.raises(Injected):
        record(world, "PHQ-9", PHQ9_ITEM9)
    assert Response.objects.count() == 0
    assert CriticalFinding.objects.count() == 0


def test_a_card_that_fires_is_always_saved_with_its_alert(world) -> None:
    filed = file_card(world, urge_suicide=5)
    assert Alert.objects.filter(source_id=filed.card.public_id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_alert_cannot_be_raised_outside_the_answer_transaction(world) -> None:
    rule = rules_for(world.program)[RuleKind.URGE_RISK]
    with pytest.raises(RuntimeError):
        alert_raise(
            rule=rule,
            participant=world.participant,
            episode=world.episode,
            day=today(world),
            evidence="x",
        )


def test_the_database_keeps_one_unresolved_alert_per_rule_and_day(world) -> None:
    filed = file_card(world, urge_suicide=5)
    first = filed.alerts[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(
            organization=world.org,
            participant=world.participant,
            episode=world.episode,
            program=world.program,
            rule=first.rule,
            severity=first.severity,
            source=first.source,
            day=first.day,
            evidence="again",
            status=AlertStatus.OPEN,
            created_at=timezone.now(),
        )


def test_a_second_high_answer_the_same_day_adds_no_second_alert(world) -> None:
    record(world, "PHQ-9", PHQ9_ITEM9)
    record(world, "PHQ-9", PHQ9_ITEM9)
    assert Response.objects.count() == 2
    assert Alert.objects.count() == 1
