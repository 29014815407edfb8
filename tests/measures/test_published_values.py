"""Published change and cut-off values in the instrument definitions (issue 22, point 3):
PCL-5 gets the National Center for PTSD's change guidance and the provisional cut-off as its
recovery line; AUDIT-C says in plain words that no published reliable-change value exists
and keeps its sex-specific screening thresholds."""

from __future__ import annotations

from openiop.measures.definitions import get_instrument
from openiop.measures.progress import Outcome, outcome, rule_from_definition
from openiop.measures.selectors import _series


class _R:
    """A response as the series reads it."""

    def __init__(self, total: float, n: int) -> None:
        from datetime import UTC, datetime, timedelta

        self.total = total
        self.severity = ""
        self.completed_at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=7 * n)
        self.public_id = f"00000000-0000-4000-8000-00000000000{n}"


def test_pcl5_has_the_published_change_and_cut_off_with_their_source() -> None:
    pcl5 = get_instrument("PCL-5")
    assert pcl5.reliable_improvement_points == 10
    assert pcl5.recovery_cutoff == 33
    assert "National Center for PTSD" in pcl5.thresholds_source
    assert "31-33" in pcl5.thresholds_source
    assert [s.at_least for s in pcl5.screens if s.flag == "provisional_ptsd"] == [33]


def test_pcl5_change_is_classed_by_the_published_threshold() -> None:
    rule = rule_from_definition(get_instrument("PCL-5"))
    assert outcome(50, 41, rule) == Outcome.NO_RELIABLE_CHANGE
    assert outcome(50, 38, rule) == Outcome.IMPROVED
    assert outcome(45, 30, rule) == Outcome.RECOVERED
    assert outcome(30, 41, rule) == Outcome.DETERIORATED


def test_the_chart_names_the_pcl5_rule_not_a_missing_one() -> None:
    series = _series(get_instrument("PCL-5"), [_R(50, 1), _R(38, 2)])  # type: ignore[list-item]
    assert series.rule_note.startswith("Reliable change: 10 points")
    assert "recovery crosses 33" in series.rule_note
    assert series.outcome == Outcome.IMPROVED


def test_audit_c_says_no_published_change_value_and_keeps_its_thresholds_by_sex() -> None:
    audit_c = get_instrument("AUDIT-C")
    assert audit_c.reliable_change_points() is None
    screen = next(s for s in audit_c.screens if s.flag == "positive_screen")
    assert screen.at_least_by_sex == {"female": 3, "male": 4}
    series = _series(audit_c, [_R(6, 1), _R(3, 2)])  # type: ignore[list-item]
    assert series.rule_note.startswith("No published reliable-change value for the AUDIT-C")
    assert "4 or more for men, 3 or more for women" in series.rule_note
    assert series.outcome is None or series.outcome == Outcome.NO_RELIABLE_CHANGE


def test_an_instrument_without_any_value_says_so_in_plain_words() -> None:
    series = _series(get_instrument("K10"), [_R(30, 1), _R(20, 2)])  # type: ignore[list-item]
    assert series.rule_note.startswith("No published reliable-change value for this instrument")
