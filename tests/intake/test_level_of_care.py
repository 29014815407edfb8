"""The recommendation page: rules shown one by one; accept or override with a reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from openiop.intake.models import CareLevel, IntakeAssessment, LevelOfCareDecision, RuleSet
from tests.intake.helpers import referred_episode


def _assessment(world: Any, **kw: Any) -> IntakeAssessment:
    episode = referred_episode(world)
    return IntakeAssessment.objects.create(
        organization=world.org,
        participant=episode.participant,
        episode=episode,
        created_by=world.intake,
        **kw,
    )


def _url(a: IntakeAssessment) -> str:
    return (
        f"/intake/participants/{a.participant.public_id}/episodes/"
        f"{a.episode.public_id}/assessment/level-of-care/"
    )


def test_it_shows_every_rule_and_the_recommendation(world: Any, login: Any) -> None:
    a = _assessment(world, iop_signals=["step_down"])
    response = login(world.intake).get(_url(a))
    text = response.content.decode()
    assert "Recommended: Intensive outpatient (IOP)" in text
    assert "Withdrawal needing medical management" in text
    assert "C-SSRS risk tier" in text
    assert "Track that fits availability" in text


def test_accepting_records_the_rules_and_the_level(world: Any, login: Any) -> None:
    a = _assessment(world, iop_signals=["dual"])
    response = login(world.intake).post(_url(a), {"accept": "1"})
    assert response.status_code == 302
    decision = LevelOfCareDecision.objects.get()
    assert decision.accepted
    assert decision.decided_level == decision.recommended_level == CareLevel.IOP
    assert decision.recommended_track in (world.morning, world.evening)
    assert any(rule["fired"] for rule in decision.rules)
    assert decision.inputs["iop_signals"] == ["dual"]


def test_an_override_needs_a_reason(world: Any, login: Any) -> None:
    a = _assessment(world, iop_signals=["dual"])
    response = login(world.intake).post(_url(a), {"accept": "0", "decided_level": "php"})
    assert "Give the reason for not following the recommendation." in response.content.decode()
    assert LevelOfCareDecision.objects.count() == 0


def test_an_override_with_a_reason_records_both(world: Any, login: Any) -> None:
    a = _assessment(world, iop_signals=["dual"])
    login(world.intake).post(
        _url(a),
        {"accept": "0", "decided_level": "php", "override_reason": "Lives alone; nights worst"},
    )
    decision = LevelOfCareDecision.objects.get()
    assert not decision.accepted
    assert (decision.recommended_level, decision.decided_level) == ("iop", "php")
    assert decision.override_reason == "Lives alone; nights worst"
    assert decision.decided_track is None


def test_a_scored_cssrs_overrides_the_entered_tier(world: Any, login: Any) -> None:
    from django.utils import timezone

    from openiop.measures.models import Response

    a = _assessment(world, cssrs_tier="low")
    Response.objects.create(
        organization=world.org,
        participant=a.participant,
        episode=a.episode,
        instrument_code="C-SSRS",
        instrument_version="1.0",
        answers={},
        result={},
        risk_tier="high",
        entered_by=world.clinician,
        mode="in_session",
        completed_at=timezone.now(),
    )
    text = login(world.intake).get(_url(a)).content.decode()
    assert "tier high (scored C-SSRS)" in text
    assert "Recommended: Residential or inpatient" in text


def test_the_programs_rules_are_used(world: Any, login: Any) -> None:
    RuleSet.objects.create(
        organization=world.org,
        program=world.program,
        php_min_hours=Decimal("25"),
        refer_up_cssrs_tiers=["high"],
    )
    a = _assessment(world, hours_needed=Decimal("22"))
    text = login(world.intake).get(_url(a)).content.decode()
    assert "Needs 25 or more hours a week" in text
    assert "Recommended: Intensive outpatient (IOP)" in text


def test_an_outsider_gets_404_and_billing_403(world: Any, login: Any) -> None:
    a = _assessment(world)
    assert login(world.outsider_clinician).get(_url(a)).status_code == 404
    assert login(world.billing).get(_url(a)).status_code == 403


def test_directors_edit_the_rules(world: Any, login: Any) -> None:
    url = f"/intake/programs/{world.program.public_id}/rules/"
    client = login(world.director)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "iop_min_hours": "9",
            "php_min_hours": "8",
            "refer_up_cssrs_tiers": ["high"],
            "residential_rating": "4",
            "php_rating": "3",
            "php_dimension_count": "2",
            "outpatient_max_rating": "1",
        },
    )
    assert "must be above the IOP minimum" in response.content.decode()
    assert RuleSet.objects.count() == 0
    assert login(world.intake).get(url).status_code == 403
