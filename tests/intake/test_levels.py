"""Each level-of-care rule, the choice of the most intensive level, and the track rule."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from openiop.intake import levels
from openiop.intake.levels import Block, Inputs, Thresholds, TrackTimes
from openiop.intake.models import CareLevel, IopSignal

T = Thresholds()
MORNING = TrackTimes("m", "Morning", (0, 2, 4), time(9), time(12))
EVENING = TrackTimes("e", "Evening", (1, 3), time(17), time(20))


def _fired(inputs: Inputs) -> dict[str, bool]:
    return {r.name: r.fired for r in levels.recommend(inputs, T, [MORNING, EVENING]).rules}


def test_nothing_of_concern_recommends_weekly_outpatient() -> None:
    rec = levels.recommend(Inputs(dimensions=(0, 1, 1, 0, 0, 1)), T, [MORNING])
    assert rec.level == CareLevel.OUTPATIENT
    assert rec.track_key is None


def test_a_seed_signal_recommends_iop() -> None:
    rec = levels.recommend(Inputs(iop_signals=frozenset({IopSignal.STEP_DOWN})), T, [MORNING])
    assert rec.level == CareLevel.IOP
    assert levels.rule_iop_fit(Inputs(iop_signals=frozenset({"step_down"})), T).fired


def test_hours_between_iop_and_php_recommend_iop() -> None:
    assert levels.rule_iop_fit(Inputs(hours_needed=Decimal("12")), T).fired
    assert not levels.rule_iop_fit(Inputs(hours_needed=Decimal("6")), T).fired
    assert levels.rule_outpatient(Inputs(hours_needed=Decimal("6")), T).fired


def test_a_dimension_above_the_outpatient_rating_recommends_iop() -> None:
    assert levels.rule_iop_fit(Inputs(dimensions=(0, 0, 2, 0, 0, 0)), T).fired
    assert not levels.rule_outpatient(Inputs(dimensions=(0, 0, 2, 0, 0, 0)), T).fired


def test_withdrawal_needing_medical_management_comes_first() -> None:
    inputs = Inputs(withdrawal_needs_medical=True, cssrs_tier="high")
    assert levels.rule_withdrawal(inputs, T).fired
    assert levels.recommend(inputs, T).level == CareLevel.WITHDRAWAL


def test_cssrs_high_risk_refers_up() -> None:
    assert levels.rule_cssrs(Inputs(cssrs_tier="high"), T).fired
    assert not levels.rule_cssrs(Inputs(cssrs_tier="moderate"), T).fired
    assert levels.recommend(Inputs(cssrs_tier="high"), T).level == CareLevel.RESIDENTIAL


def test_cssrs_refer_up_tiers_are_configurable() -> None:
    strict = Thresholds(refer_up_cssrs_tiers=("moderate", "high"))
    assert levels.rule_cssrs(Inputs(cssrs_tier="moderate"), strict).fired


def test_daily_medical_oversight_refers_up() -> None:
    assert levels.rule_medical_oversight(Inputs(daily_medical_oversight=True), T).fired
    assert not levels.rule_medical_oversight(Inputs(), T).fired
    assert levels.recommend(Inputs(daily_medical_oversight=True), T).level == "residential"


def test_not_able_to_take_part_refers_up() -> None:
    assert levels.rule_able_to_take_part(Inputs(able_to_take_part=False), T).fired
    assert levels.recommend(Inputs(able_to_take_part=False), T).level == "residential"


def test_a_dimension_rated_four_refers_to_residential() -> None:
    result = levels.rule_severe_dimension(Inputs(dimensions=(0, 0, 4, 0, 0, 0)), T)
    assert result.fired
    assert "Emotional" in result.result
    assert not levels.rule_severe_dimension(Inputs(dimensions=(3, 3, 3, 3, 3, 3)), T).fired


def test_twenty_hours_a_week_points_to_php() -> None:
    assert levels.rule_php_hours(Inputs(hours_needed=Decimal("20")), T).fired
    assert not levels.rule_php_hours(Inputs(hours_needed=Decimal("19.5")), T).fired
    assert levels.recommend(Inputs(hours_needed=Decimal("22")), T).level == CareLevel.PHP


def test_two_dimensions_rated_three_point_to_php() -> None:
    assert levels.rule_php_dimensions(Inputs(dimensions=(0, 3, 3, 0, 0, 0)), T).fired
    assert not levels.rule_php_dimensions(Inputs(dimensions=(0, 3, 2, 0, 0, 0)), T).fired


def test_unrated_dimensions_fire_nothing() -> None:
    fired = _fired(Inputs())
    assert fired["Weekly outpatient is enough"] is True
    assert sum(fired.values()) == 1


def test_every_rule_is_reported_whether_it_fired_or_not() -> None:
    rec = levels.recommend(Inputs(iop_signals=frozenset({"dual"})), T, [MORNING])
    names = [r.name for r in rec.rules]
    assert len(names) == len(levels.RULES) + 1  # plus the track rule for IOP
    assert all(r.inputs and r.result for r in rec.rules)
    assert rec.rules_json()[0]["name"] == "Withdrawal needing medical management"


def test_the_track_is_the_first_that_fits_availability() -> None:
    work_mornings = (Block(0, time(8), time(17)), Block(2, time(8), time(17)))
    inputs = Inputs(iop_signals=frozenset({"structure"}), unavailable=work_mornings)
    rec = levels.recommend(inputs, T, [MORNING, EVENING])
    assert rec.level == CareLevel.IOP
    assert rec.track_name == "Evening"
    track_rule = rec.rules[-1]
    assert "Morning: conflicts on Mon, Wed" in track_rule.result


def test_no_fitting_track_leaves_the_track_open() -> None:
    busy = tuple(Block(d, time(0), time(23, 59)) for d in range(7))
    rec = levels.recommend(Inputs(iop_signals=frozenset({"dual"}), unavailable=busy), T, [MORNING])
    assert rec.level == CareLevel.IOP
    assert rec.track_key is None
    assert rec.rules[-1].fired is False


def test_thresholds_from_the_program_change_the_outcome() -> None:
    lenient = Thresholds(php_min_hours=Decimal("25"))
    assert not levels.rule_php_hours(Inputs(hours_needed=Decimal("22")), lenient).fired
