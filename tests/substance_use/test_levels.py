"""Continued-stay re-ratings: trends, step-up and step-down flags, and parity with intake."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openiop.intake import levels as intake_levels
from openiop.intake.models import ASAM_DIMENSIONS
from openiop.substance_use.core.levels import (
    DIMENSIONS,
    CareLevel,
    Direction,
    Flag,
    LevelsError,
    Ratings,
    Signals,
    Thresholds,
    Trend,
    all_within,
    continued_stay,
    count_at_or_above,
    severe_dimensions,
    trends,
)
from tests.substance_use.builders import MONDAY

INTAKE = MONDAY - timedelta(days=28)


def rated(*dims: int | None, on: date = MONDAY) -> Ratings:
    return Ratings(on=on, dimensions=dims)


def review(*history: Ratings, **kw: object):
    return continued_stay(list(history), **kw)


# --- trends --------------------------------------------------------------------------------


def test_each_dimension_shows_its_trend_beside_the_previous_rating() -> None:
    found = trends(
        [
            rated(2, 1, 3, 2, 3, 2, on=INTAKE),
            rated(1, 1, 3, None, 4, None, on=MONDAY - timedelta(days=14)),
            rated(1, 1, 2, 2, 4, None),
        ]
    )
    assert [t.trend for t in found] == [
        Trend.UNCHANGED,
        Trend.UNCHANGED,
        Trend.IMPROVED,
        Trend.UNCHANGED,  # compared with the last rating there was (intake's 2)
        Trend.UNCHANGED,
        Trend.NOT_RATED,
    ]
    assert found[2].words == "3. Emotional, behavioural or cognitive conditions: 3 → 2, improved"
    assert found[2].ratings == (3, 3, 2)
    assert found[5].words == "6. Recovery environment: not rated this time"
    first = trends([rated(0, 0, 1, 1, 2, 3)])
    assert first[5].words == "6. Recovery environment: 3 (first rating)"
    worse = trends([rated(1, 1, 1, 1, 1, 1, on=INTAKE), rated(1, 1, 1, 1, 3, 1)])
    assert worse[4].words == "5. Relapse or continued use potential: 1 → 3, worse"
    assert worse[4].change == 2


# --- step up -------------------------------------------------------------------------------


def test_any_dimension_at_4_points_to_residential_care() -> None:
    result = review(rated(1, 1, 2, 2, 2, 3, on=INTAKE), rated(1, 1, 2, 2, 2, 4))
    assert result.flag == Flag.STEP_UP
    assert result.points_to == CareLevel.RESIDENTIAL
    assert result.reasons == ("rated 4 or higher: 6. Recovery environment",)
    assert result.summary == (
        "The ratings point to a step up, to residential or inpatient care: rated 4 or higher: "
        "6. Recovery environment."
    )


def test_dimension_1_at_3_points_to_withdrawal_management() -> None:
    result = review(rated(3, 1, 1, 1, 1, 1))
    assert result.flag == Flag.STEP_UP
    assert result.points_to == CareLevel.WITHDRAWAL
    assert result.reasons == (
        "dimension 1 (intoxication and withdrawal) rated 3: assess for withdrawal management",
    )
    assert review(rated(2, 1, 1, 1, 1, 1)).flag == Flag.NONE


def test_two_dimensions_at_3_point_to_php() -> None:
    result = review(rated(1, 1, 3, 2, 3, 1))
    assert (result.flag, result.points_to) == (Flag.STEP_UP, CareLevel.PHP)
    assert result.reasons == ("2 dimensions rated 3 or higher",)


@pytest.mark.parametrize(
    ("signals", "level", "reason"),
    [
        (Signals(cssrs_tier="high"), CareLevel.RESIDENTIAL, "C-SSRS high risk"),
        (Signals(withdrawal_needs_medical=True), CareLevel.WITHDRAWAL, "medically managed"),
        (Signals(daily_medical_oversight=True), CareLevel.RESIDENTIAL, "daily medical care"),
        (Signals(able_to_take_part=False), CareLevel.RESIDENTIAL, "cannot take part"),
        (Signals(hours_needed=Decimal("22")), CareLevel.PHP, "more hours than an IOP"),
    ],
)
def test_risk_signals_point_up_whatever_the_ratings(
    signals: Signals, level: CareLevel, reason: str
) -> None:
    result = review(rated(0, 0, 1, 1, 1, 0), signals=signals)
    assert (result.flag, result.points_to) == (Flag.STEP_UP, level)
    assert any(reason in r for r in result.reasons)


def test_the_most_intensive_level_wins_and_every_reason_is_given() -> None:
    result = review(rated(3, 1, 4, 1, 3, 1))
    assert result.points_to == CareLevel.WITHDRAWAL
    assert len(result.reasons) == 3


def test_a_php_program_is_not_stepped_up_to_php() -> None:
    result = review(rated(1, 1, 3, 2, 3, 1), current_level=CareLevel.PHP)
    assert result.flag == Flag.NONE
    assert result.summary == "The ratings support continued stay at the current level."


# --- step down -----------------------------------------------------------------------------


def test_every_dimension_at_1_or_below_at_two_ratings_running_points_down() -> None:
    result = review(
        rated(0, 1, 1, 0, 1, 1, on=MONDAY - timedelta(days=14)), rated(0, 0, 1, 0, 1, 1)
    )
    assert (result.flag, result.points_to) == (Flag.STEP_DOWN, CareLevel.OUTPATIENT)
    assert result.reasons == (
        "every dimension at 1 or below at the last 2 ratings (22 Dec 2025, 5 Jan 2026): "
        "consider stepping down",
    )


def test_one_low_rating_or_an_unrated_dimension_is_not_enough_to_step_down() -> None:
    assert review(rated(0, 0, 1, 0, 1, 1)).flag == Flag.NONE
    assert review(rated(0, 1, 1, 0, 2, 1, on=INTAKE), rated(0, 0, 1, 0, 1, 1)).flag == Flag.NONE
    assert review(rated(0, 1, 1, 0, 1, 1, on=INTAKE), rated(0, 0, 1, None, 1, 1)).flag == Flag.NONE


def test_a_risk_signal_blocks_a_step_down() -> None:
    result = review(
        rated(0, 1, 1, 0, 1, 1, on=INTAKE),
        rated(0, 0, 1, 0, 1, 1),
        signals=Signals(cssrs_tier="high"),
    )
    assert result.flag == Flag.STEP_UP
    (down,) = [c for c in result.checks if c.direction == Direction.DOWN]
    assert not down.fired
    assert down.result == "every dimension is low, but another rule points up"


def test_a_program_sets_its_own_thresholds() -> None:
    strict = Thresholds(php_rating=2, php_dimension_count=3, step_down_reviews=1)
    assert review(rated(1, 1, 2, 2, 2, 1), thresholds=strict).points_to == CareLevel.PHP
    assert review(rated(1, 1, 1, 1, 1, 1), thresholds=strict).flag == Flag.STEP_DOWN
    with pytest.raises(LevelsError, match="PHP rating"):
        Thresholds(php_rating=4, residential_rating=3)


def test_a_dimension_two_points_worse_is_named_for_discussion() -> None:
    result = review(rated(1, 1, 1, 1, 1, 1, on=INTAKE), rated(1, 1, 1, 1, 3, 2))
    assert result.to_discuss == ("5. Relapse or continued use potential rose 1 → 3",)
    assert result.summary.endswith("To discuss: 5. Relapse or continued use potential rose 1 → 3.")


def test_every_rule_is_reported_whether_or_not_it_fired() -> None:
    result = review(rated(1, 1, 1, 1, 1, 1))
    assert len(result.checks) == 10
    assert not any(c.fired for c in result.checks)
    assert all(c.inputs and c.result for c in result.checks)


@pytest.mark.parametrize(
    "history",
    [
        [],
        [rated(1, 1, 1, 1, 1, 1), rated(1, 1, 1, 1, 1, 1, on=INTAKE)],
        [rated(1, 1, 1, 1, 1, 1), rated(1, 1, 1, 1, 1, 1)],
    ],
)
def test_ratings_are_given_oldest_first_one_per_day(history: list[Ratings]) -> None:
    with pytest.raises(LevelsError):
        continued_stay(history)


@pytest.mark.parametrize("dims", [(1, 1, 1, 1, 1), (1, 1, 1, 1, 1, 5), (1, 1, 1, 1, 1, -1)])
def test_a_rating_is_six_whole_numbers_from_0_to_4(dims: tuple[int, ...]) -> None:
    with pytest.raises(LevelsError):
        Ratings(MONDAY, dims)


# --- one rule set with intake --------------------------------------------------------------


def test_the_dimensions_are_intakes() -> None:
    assert DIMENSIONS == ASAM_DIMENSIONS


def test_thresholds_mirror_intakes_field_for_field() -> None:
    ours = Thresholds()
    theirs = intake_levels.Thresholds()
    for name in theirs.__dataclass_fields__:
        assert getattr(ours, name) == getattr(theirs, name), name


@settings(max_examples=300, deadline=None)
@given(
    dims=st.tuples(*[st.one_of(st.none(), st.integers(0, 4)) for _ in range(6)]),
    residential=st.integers(2, 4),
    php=st.integers(1, 4),
    count=st.integers(1, 3),
    outpatient=st.integers(0, 2),
)
def test_the_shared_dimension_rules_agree_with_intakes(
    dims: tuple[int | None, ...], residential: int, php: int, count: int, outpatient: int
) -> None:
    php = min(php, residential)
    theirs = intake_levels.Thresholds(
        residential_rating=residential,
        php_rating=php,
        php_dimension_count=count,
        outpatient_max_rating=outpatient,
    )
    inputs = intake_levels.Inputs(dimensions=dims)
    assert bool(severe_dimensions(dims, residential)) == (
        intake_levels.rule_severe_dimension(inputs, theirs).fired
    )
    assert (count_at_or_above(dims, php) >= count) == (
        intake_levels.rule_php_dimensions(inputs, theirs).fired
    )
    # Intake's outpatient rule also needs no IOP signal; with none, "every rated dimension at or
    # below" is intake's reading, and ours additionally needs every dimension rated.
    intake_low = intake_levels.rule_outpatient(inputs, theirs).fired
    assert all_within(dims, outpatient) == (intake_low and None not in dims)
