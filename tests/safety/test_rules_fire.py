"""Each default rule fires on its boundary and not below it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from openiop.safety.models import Alert, AlertStatus, RiskRule, RuleKind, Severity
from openiop.safety.services import alerts_for_missing_diaries, rules_for
from tests.diary.helpers import file_card
from tests.measures.helpers import PHQ9_ITEM9, PHQ9_MILD, record

CSSRS_HIGH = [1, 1, 0, 1, 0, 0, 0]
CSSRS_MODERATE = [1, 1, 1, 0, 0, 0, 0]
CSSRS_LOW = [1, 0, 0, 0, 0, 0, 0]


@pytest.mark.parametrize("field", ["urge_suicide", "urge_self_harm"])
def test_a_risk_urge_of_4_raises_a_high_alert(world, field) -> None:
    filed = file_card(world, **{field: 4})
    [alert] = filed.alerts
    assert alert.severity == Severity.HIGH
    assert alert.rule.kind == RuleKind.URGE_RISK
    assert alert.source_id == filed.card.public_id
    assert "4/5" in alert.evidence


@pytest.mark.parametrize("field", ["urge_suicide", "urge_self_harm"])
def test_a_risk_urge_of_3_raises_nothing(world, field) -> None:
    filed = file_card(world, **{field: 3})
    assert filed.alerts == []
    assert Alert.objects.count() == 0


def test_any_self_harm_action_raises_a_high_alert(world) -> None:
    filed = file_card(world, action_self_harm=True)
    assert [a.rule.kind for a in filed.alerts] == [RuleKind.ACTION_SELF_HARM]
    assert filed.alerts[0].severity == Severity.HIGH


def test_no_self_harm_action_and_low_urges_raise_nothing(world) -> None:
    file_card(
        world,
        action_self_harm=False,
        urge_substance=5,
        action_substance=True,
        substance_what="beer",
    )
    # The substance rules ship switched off.
    assert Alert.objects.count() == 0


def test_a_rule_switched_off_does_not_fire(world) -> None:
    rule = rules_for(world.program)[RuleKind.URGE_RISK]
    RiskRule.objects.filter(pk=rule.pk).update(is_active=False)
    assert file_card(world, urge_suicide=5).alerts == []


def test_a_director_threshold_is_honoured(world) -> None:
    rule = rules_for(world.program)[RuleKind.URGE_RISK]
    RiskRule.objects.filter(pk=rule.pk).update(threshold=5)
    assert file_card(world, urge_suicide=4).alerts == []


def test_phq9_item9_at_1_raises_a_high_alert(world) -> None:
    response = record(world, "PHQ-9", PHQ9_ITEM9)
    alert = Alert.objects.get()
    assert alert.severity == Severity.HIGH
    assert alert.rule.kind == RuleKind.PHQ9_ITEM9
    assert alert.source_id == response.public_id


def test_phq9_item9_at_0_raises_nothing(world) -> None:
    record(world, "PHQ-9", PHQ9_MILD)
    assert Alert.objects.count() == 0


@pytest.mark.parametrize(
    ("answers", "severity", "kind"),
    [
        (CSSRS_HIGH, Severity.URGENT, RuleKind.CSSRS_HIGH),
        (CSSRS_MODERATE, Severity.HIGH, RuleKind.CSSRS_MODERATE),
    ],
)
def test_cssrs_tiers_raise_their_severity(world, answers, severity, kind) -> None:
    record(world, "C-SSRS", answers)
    alert = Alert.objects.get()
    assert (alert.severity, alert.rule.kind) == (severity, kind)


def test_cssrs_low_raises_nothing(world) -> None:
    record(world, "C-SSRS", CSSRS_LOW)
    assert Alert.objects.count() == 0


def _noon(world, days_from_start: int) -> datetime:
    import zoneinfo

    start = world.episode.started_on
    day = start + timedelta(days=days_from_start)
    return datetime(day.year, day.month, day.day, 12, tzinfo=zoneinfo.ZoneInfo("America/Chicago"))


def test_three_days_without_a_card_raise_a_low_engagement_alert(world) -> None:
    file_card(world, day=world.episode.started_on, now=_noon(world, 0))
    # Cards missing on days 1, 2 and 3; on day 4 three whole days have passed.
    alerts_for_missing_diaries(now=_noon(world, 4))
    alert = Alert.objects.get(participant=world.participant)
    assert alert.severity == Severity.LOW
    assert alert.rule.kind == RuleKind.DIARY_MISSING
    assert alert.escalate_at is None


def test_two_days_without_a_card_raise_nothing(world) -> None:
    file_card(world, day=world.episode.started_on, now=_noon(world, 0))
    alerts_for_missing_diaries(now=_noon(world, 3))
    assert not Alert.objects.filter(participant=world.participant).exists()


def test_an_engagement_alert_is_not_repeated_while_unresolved(world) -> None:
    file_card(world, day=world.episode.started_on, now=_noon(world, 0))
    alerts_for_missing_diaries(now=_noon(world, 4))
    alerts_for_missing_diaries(now=_noon(world, 5))
    assert Alert.objects.filter(participant=world.participant, status=AlertStatus.OPEN).count() == 1
