"""Reliable change and outcome classes (Jacobson & Truax), including every boundary."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from openiop.measures.definitions import get_instrument
from openiop.measures.progress import (
    Band,
    ChangeRule,
    Outcome,
    Point,
    chart_geometry,
    outcome,
    rci,
    rule_from_definition,
    standard_error_of_difference,
)

PHQ9 = ChangeRule(points=6, cutoff=10)
GAD7 = ChangeRule(points=4, cutoff=8)
WHO5 = ChangeRule(points=10, higher_is_better=True)


def test_the_rci_follows_jacobson_and_truax() -> None:
    # SE = 10·√(1-0.75) = 5; S_diff = √2·5
    assert standard_error_of_difference(sd=10, reliability=0.75) == pytest.approx(math.sqrt(2) * 5)
    assert rci(20, 10, sd=10, reliability=0.75) == pytest.approx(-10 / (math.sqrt(2) * 5))


def test_the_rci_refuses_impossible_parameters() -> None:
    with pytest.raises(ValueError, match="SD > 0"):
        rci(1, 2, sd=0, reliability=0.8)
    with pytest.raises(ValueError, match="reliability"):
        rci(1, 2, sd=5, reliability=1.0)


@pytest.mark.parametrize(
    ("pre", "post", "expected"),
    [
        (15, 9, Outcome.RECOVERED),  # drop of exactly 6, from ≥10 to <10
        (15, 10, Outcome.NO_RELIABLE_CHANGE),  # drop of 5 is not reliable
        (20, 14, Outcome.IMPROVED),  # reliable drop, still ≥10
        (16, 10, Outcome.IMPROVED),  # lands on the cutoff: still a case
        (9, 3, Outcome.IMPROVED),  # started below the cutoff: cannot recover
        (10, 4, Outcome.RECOVERED),  # starts exactly at the cutoff
        (8, 14, Outcome.DETERIORATED),  # rise of exactly 6
        (8, 13, Outcome.NO_RELIABLE_CHANGE),
        (12, 12, Outcome.NO_RELIABLE_CHANGE),
    ],
)
def test_phq9_outcomes_use_the_published_thresholds(pre: int, post: int, expected: Outcome) -> None:
    assert outcome(pre, post, PHQ9) == expected


@pytest.mark.parametrize(
    ("pre", "post", "expected"),
    [
        (11, 7, Outcome.RECOVERED),
        (11, 8, Outcome.NO_RELIABLE_CHANGE),  # drop of 3
        (12, 8, Outcome.IMPROVED),  # reaches 8: still a case
        (8, 4, Outcome.RECOVERED),
        (5, 9, Outcome.DETERIORATED),
    ],
)
def test_gad7_outcomes_use_the_published_thresholds(pre: int, post: int, expected: Outcome) -> None:
    assert outcome(pre, post, GAD7) == expected


def test_who5_improves_upwards_by_ten_points() -> None:
    assert outcome(40, 50, WHO5) == Outcome.IMPROVED
    assert outcome(40, 48, WHO5) == Outcome.NO_RELIABLE_CHANGE
    assert outcome(60, 50, WHO5) == Outcome.DETERIORATED


def test_without_a_threshold_the_rci_decides_at_196() -> None:
    rule = ChangeRule(reliability=0.75, sd=10)  # S_diff ≈ 7.071, reliable beyond 13.86
    assert outcome(30, 16, rule) == Outcome.IMPROVED
    assert outcome(30, 17, rule) == Outcome.NO_RELIABLE_CHANGE
    assert outcome(16, 30, rule) == Outcome.DETERIORATED


def test_an_instrument_without_a_rule_has_no_outcome() -> None:
    assert outcome(10, 0, ChangeRule()) is None


def test_rules_come_from_the_instrument_definitions() -> None:
    phq9 = rule_from_definition(get_instrument("PHQ-9"))
    assert (phq9.points, phq9.cutoff, phq9.higher_is_better) == (6, 10, False)
    gad7 = rule_from_definition(get_instrument("GAD-7"))
    assert (gad7.points, gad7.cutoff) == (4, 8)
    who5 = rule_from_definition(get_instrument("WHO-5"))
    assert (who5.points, who5.higher_is_better) == (10, True)


def test_the_chart_geometry_spaces_points_by_time_and_shades_bands() -> None:
    start = datetime(2026, 1, 5, tzinfo=UTC)
    points = [Point(at=start + timedelta(days=7 * i), value=v) for i, v in enumerate([20, 15, 9])]
    bands = [Band(0, 4, "minimal"), Band(5, 9, "mild"), Band(10, 27, "moderate+")]
    g = chart_geometry(points, bands=bands, low=0, high=27)
    xs = [p["x"] for p in g.points]
    assert xs[0] < xs[1] < xs[2]
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1], abs=0.2)
    ys = [p["y"] for p in g.points]
    assert ys[0] < ys[1] < ys[2]  # a lower score is drawn lower on the chart
    assert g.baseline_y == ys[0]
    # Bands are continuous: each starts where the one above it ends.
    assert g.bands[0]["y"] == pytest.approx(g.bands[1]["y"] + g.bands[1]["height"], abs=0.2)
    assert len(g.polyline.split()) == 3


def test_a_single_point_sits_in_the_middle() -> None:
    g = chart_geometry(
        [Point(at=datetime(2026, 1, 5, tzinfo=UTC), value=5)], bands=[], low=0, high=27
    )
    assert g.points[0]["x"] == pytest.approx(40 + (640 - 56) / 2)
