"""Directors configure rules, escalation times and the on-call rota."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from openiop.safety.models import OnCallShift, RiskRule, RuleKind, SafetySettings
from openiop.safety.services import rules_for


def _url(world, page: str = "rules") -> str:
    return f"/safety/programs/{world.program.public_id}/{page}/"


def test_the_director_sees_the_default_rules(world, login) -> None:
    body = login(world.director).get(_url(world)).content.decode()
    assert "Suicide or self-harm urge at or above the threshold" in body
    assert RiskRule.objects.filter(program=world.program).count() == 9


def test_the_director_changes_a_threshold(world, login) -> None:
    rule = rules_for(world.program)[RuleKind.URGE_RISK]
    prefix = f"rule-{rule.public_id}"
    response = login(world.director).post(
        _url(world),
        {
            "rule": str(rule.public_id),
            f"{prefix}-severity": "urgent",
            f"{prefix}-threshold": "3",
            f"{prefix}-is_active": "on",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.threshold, rule.severity) == (3, "urgent")


def test_an_out_of_range_threshold_is_refused(world, login) -> None:
    rule = rules_for(world.program)[RuleKind.URGE_RISK]
    prefix = f"rule-{rule.public_id}"
    response = login(world.director).post(
        _url(world),
        {
            "rule": str(rule.public_id),
            f"{prefix}-severity": "high",
            f"{prefix}-threshold": "9",
            f"{prefix}-is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Between 1 and 5." in response.content.decode()
    assert RiskRule.objects.get(pk=rule.pk).threshold == 4


def test_the_director_sets_escalation_times(world, login) -> None:
    login(world.director).post(
        _url(world),
        {
            "escalation": "1",
            "urgent_escalate_minutes": "10",
            "high_escalate_minutes": "60",
            "low_escalate_minutes": "",
        },
    )
    found = SafetySettings.objects.get(program=world.program)
    assert (found.urgent_escalate_minutes, found.high_escalate_minutes) == (10, 60)


def test_clinicians_cannot_configure_rules(world, login) -> None:
    assert login(world.clinician).get(_url(world)).status_code == 403
    assert login(world.clinician).get(_url(world, "on-call")).status_code == 403


def test_a_director_of_another_program_gets_404(world, login) -> None:
    from openiop.accounts.roles import Role
    from tests import factories as f

    other = f.UserFactory(
        organization=world.org, role=Role.DIRECTOR, programs=[world.other_program]
    )
    assert login(other).get(_url(world)).status_code == 404


def test_the_director_adds_and_removes_an_on_call_shift(world, login) -> None:
    client = login(world.director)
    today = timezone.localdate()
    response = client.post(
        _url(world, "on-call"),
        {
            "user": str(world.clinician.public_id),
            "backup": str(world.director.public_id),
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=6)).isoformat(),
            "start_hour": "8",
            "end_hour": "20",
        },
    )
    assert response.status_code == 302
    shift = OnCallShift.objects.get()
    assert shift.user == world.clinician
    assert shift.backup == world.director
    client.post(_url(world, "on-call"), {"remove": str(shift.public_id)})
    assert OnCallShift.objects.count() == 0


def test_a_shift_ending_before_it_starts_is_refused(world, login) -> None:
    today = timezone.localdate()
    response = login(world.director).post(
        _url(world, "on-call"),
        {
            "user": str(world.clinician.public_id),
            "starts_on": today.isoformat(),
            "ends_on": (today - timedelta(days=1)).isoformat(),
            "start_hour": "8",
            "end_hour": "20",
        },
    )
    assert response.status_code == 200
    assert "The last day must not be before the first." in response.content.decode()
    assert OnCallShift.objects.count() == 0
