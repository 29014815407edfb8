"""The scoring engine against the published rules in shared/reference/clinical.md §1.

Expected bands are written out here from the reference, not read from the definition files, so
a wrong number in a JSON file fails a test.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from openiop.measures.definitions import Instrument, MissingRule, get_instrument
from openiop.measures.scoring import ScoringError, score


def answers_for_total(instrument: Instrument, target: int) -> list[int | None]:
    """Answers whose (unmultiplied) item sum is ``target``, reversed items taken into account."""
    scored = [item.min_value for item in instrument.items]
    remaining = target - sum(scored)
    for index, item in enumerate(instrument.items):
        step = min(remaining, item.max_value - item.min_value)
        scored[index] += step
        remaining -= step
    assert remaining == 0, f"{target} is out of reach"
    return [
        (item.min_value + item.max_value - value) if item.reverse else value
        for item, value in zip(instrument.items, scored, strict=True)
    ]


def total_and_band(code: str, total: int) -> tuple[int | float | None, str | None]:
    instrument = get_instrument(code)
    result = score(instrument, answers_for_total(instrument, total))
    return result.total, result.severity


PHQ9 = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "moderately severe"),
    (19, "moderately severe"),
    (20, "severe"),
    (27, "severe"),
]
GAD7 = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "severe"),
    (21, "severe"),
]
DAST10 = [
    (0, "none"),
    (1, "low"),
    (2, "low"),
    (3, "moderate"),
    (5, "moderate"),
    (6, "substantial"),
    (8, "substantial"),
    (9, "severe"),
    (10, "severe"),
]
K10 = [
    (10, "likely well"),
    (19, "likely well"),
    (20, "mild"),
    (24, "mild"),
    (25, "moderate"),
    (29, "moderate"),
    (30, "severe"),
    (50, "severe"),
]


@pytest.mark.parametrize(
    ("code", "total", "band"),
    [("PHQ-9", t, b) for t, b in PHQ9]
    + [("GAD-7", t, b) for t, b in GAD7]
    + [("DAST-10", t, b) for t, b in DAST10]
    + [("K10", t, b) for t, b in K10],
)
def test_each_side_of_every_band_cut_gets_the_published_band(code, total, band):
    assert total_and_band(code, total) == (total, band)


def test_phq9_item_9_is_critical_whatever_the_total():
    phq9 = get_instrument("PHQ-9")
    result = score(phq9, [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert (result.total, result.severity) == (1, "minimal")
    assert result.flags["critical_items"] == ["phq9_9"]
    assert result.critical is True


def test_phq9_without_item_9_is_not_critical_even_when_severe():
    result = score(get_instrument("PHQ-9"), [3, 3, 3, 3, 3, 3, 3, 3, 0])
    assert (result.total, result.severity) == (24, "severe")
    assert result.flags["critical_items"] == []
    assert result.critical is False


def test_the_issue_example_scores_ten_moderate_with_item_9_flagged():
    result = score(get_instrument("PHQ-9"), [1, 0, 2, 3, 1, 0, 0, 1, 2])
    assert result.as_dict()["total"] == 10
    assert result.as_dict()["severity"] == "moderate"
    assert result.as_dict()["flags"]["critical_items"] == ["phq9_9"]


# --- DAST-10: item 3 reversed ---------------------------------------------------------------


def test_dast10_scores_no_to_item_3_as_one():
    result = score(get_instrument("DAST-10"), [0] * 10)
    assert (result.total, result.severity) == (1, "low")
    assert any("dast10_3" in note for note in result.notes)


def test_dast10_scores_yes_to_item_3_as_zero():
    answers = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert score(get_instrument("DAST-10"), answers).total == 0


def test_dast10_all_yes_scores_nine_and_all_yes_but_item_3_scores_ten():
    dast = get_instrument("DAST-10")
    assert score(dast, [1] * 10).total == 9
    assert score(dast, [1, 1, 0, 1, 1, 1, 1, 1, 1, 1]).total == 10


# --- DASS-21: subscales doubled -------------------------------------------------------------

DASS_ITEMS = {
    "depression": [3, 5, 10, 13, 16, 17, 21],
    "anxiety": [2, 4, 7, 9, 15, 19, 20],
    "stress": [1, 6, 8, 11, 12, 14, 18],
}
DASS_CUTS = [
    ("depression", 8, "normal"),
    ("depression", 10, "mild"),
    ("depression", 12, "mild"),
    ("depression", 14, "moderate"),
    ("depression", 20, "moderate"),
    ("depression", 22, "severe"),
    ("depression", 26, "severe"),
    ("depression", 28, "extremely severe"),
    ("depression", 42, "extremely severe"),
    ("anxiety", 6, "normal"),
    ("anxiety", 8, "mild"),
    ("anxiety", 10, "moderate"),
    ("anxiety", 14, "moderate"),
    ("anxiety", 16, "severe"),
    ("anxiety", 18, "severe"),
    ("anxiety", 20, "extremely severe"),
    ("stress", 14, "normal"),
    ("stress", 16, "mild"),
    ("stress", 18, "mild"),
    ("stress", 20, "moderate"),
    ("stress", 24, "moderate"),
    ("stress", 26, "severe"),
    ("stress", 32, "severe"),
    ("stress", 34, "extremely severe"),
    ("stress", 42, "extremely severe"),
]


def dass_answers(subscale: str, raw: int) -> list[int | None]:
    answers: list[int | None] = [0] * 21
    for number in DASS_ITEMS[subscale]:
        step = min(raw, 3)
        answers[number - 1] = step
        raw -= step
    assert raw == 0
    return answers


@pytest.mark.parametrize(("subscale", "doubled", "band"), DASS_CUTS)
def test_dass21_subscales_are_doubled_then_banded(subscale, doubled, band):
    result = score(get_instrument("DASS-21"), dass_answers(subscale, doubled // 2))
    assert result.subscales[subscale].score == doubled
    assert result.subscales[subscale].severity == band
    others = [name for name in DASS_ITEMS if name != subscale]
    assert all(result.subscales[name].score == 0 for name in others)


def test_dass21_total_is_the_doubled_sum_without_a_band():
    result = score(get_instrument("DASS-21"), [1] * 21)
    assert (result.raw_total, result.total, result.severity) == (21, 42, None)


# --- WHO-5: percentage and the raw < 13 flag ------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "raw", "percent", "screen"),
    [
        ([0, 0, 0, 0, 0], 0, 0, True),
        ([3, 3, 3, 2, 1], 12, 48, True),
        ([3, 3, 3, 2, 2], 13, 52, False),
        ([5, 5, 5, 5, 5], 25, 100, False),
    ],
)
def test_who5_reports_raw_times_four_and_flags_raw_below_13(answers, raw, percent, screen):
    result = score(get_instrument("WHO-5"), answers)
    assert (result.raw_total, result.total, result.flags["positive_screen"]) == (
        raw,
        percent,
        screen,
    )


# --- AUDIT-C: cutoff by sex -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "sex", "positive"),
    [
        ([1, 1, 0], "female", False),
        ([1, 1, 0], "male", False),
        ([1, 1, 0], None, False),
        ([1, 1, 1], "female", True),
        ([1, 1, 1], "male", False),
        ([1, 1, 1], None, None),
        ([2, 1, 1], "female", True),
        ([2, 1, 1], "male", True),
        ([2, 1, 1], None, True),
    ],
)
def test_auditc_screens_positive_at_3_for_women_and_4_for_men(answers, sex, positive):
    result = score(get_instrument("AUDIT-C"), answers, sex=sex)
    assert result.flags["positive_screen"] is positive


def test_auditc_without_sex_at_3_says_the_screen_is_undecided():
    result = score(get_instrument("AUDIT-C"), [1, 1, 1])
    assert result.flags["positive_screen"] is None
    assert any("depends on sex" in note for note in result.notes)


def test_sex_is_ignored_with_a_note_where_the_instrument_does_not_use_it():
    result = score(get_instrument("GAD-7"), [0] * 7, sex="female")
    assert result.total == 0
    assert any("not used by GAD-7" in note for note in result.notes)


def test_an_unknown_sex_value_is_refused():
    with pytest.raises(ScoringError, match="sex must be one of female, male"):
        score(get_instrument("AUDIT-C"), [1, 1, 1], sex="f")


# --- PCL-5: clusters, DSM-5 rule, provisional cutoff ----------------------------------------

# Minimal DSM-5 pattern: B1, C6, D8, D9, E15, E16 at 2.
DSM5_MINIMAL = {1: 2, 6: 2, 8: 2, 9: 2, 15: 2, 16: 2}


def pcl5(answers_by_number: dict[int, int]) -> list[int | None]:
    return [answers_by_number.get(n, 0) for n in range(1, 21)]


def test_pcl5_dsm5_rule_is_met_by_the_minimal_pattern_below_the_cutoff():
    result = score(get_instrument("PCL-5"), pcl5(DSM5_MINIMAL))
    assert result.flags["dsm5_rule_met"] is True
    assert result.total == 12
    assert result.flags["provisional_ptsd"] is False
    assert {name: sub.score for name, sub in result.subscales.items()} == {
        "B": 2,
        "C": 2,
        "D": 4,
        "E": 4,
    }


@pytest.mark.parametrize(("dropped", "cluster"), [(1, "B"), (6, "C"), (9, "D"), (16, "E")])
def test_pcl5_dsm5_rule_fails_when_one_cluster_falls_short(dropped, cluster):
    pattern = {**DSM5_MINIMAL, dropped: 1}  # 1 ("a little bit") does not count
    result = score(get_instrument("PCL-5"), pcl5(pattern))
    assert result.flags["dsm5_rule_met"] is False
    note = next(n for n in result.notes if n.startswith("dsm5_rule_met"))
    assert f"{cluster} has" in note
    assert all(f"{other} has" not in note for other in "BCDE" if other != cluster)


@pytest.mark.parametrize(("total", "provisional"), [(32, False), (33, True), (80, True)])
def test_pcl5_provisional_ptsd_at_33(total, provisional):
    pcl = get_instrument("PCL-5")
    result = score(pcl, answers_for_total(pcl, total))
    assert result.total == total
    assert result.flags["provisional_ptsd"] is provisional
    assert result.flags["positive_screen"] is provisional
    assert any("31 to 33" in note for note in result.notes)


# --- BSL-23: mean with bands ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("item_sum", "mean", "band"),
    [
        (0, 0.0, "none or low"),
        (6, 0.26, "none or low"),
        (7, 0.30, "mild"),
        (24, 1.04, "mild"),
        (25, 1.09, "moderate"),
        (42, 1.83, "moderate"),
        # 43/23 = 1.8696: rounded to the cut points' two decimals first, so it is 1.87, high.
        (43, 1.87, "high"),
        (61, 2.65, "high"),
        (62, 2.70, "very high"),
        (79, 3.43, "very high"),
        (80, 3.48, "extremely high"),
        (92, 4.0, "extremely high"),
    ],
)
def test_bsl23_scores_the_mean_and_bands_it(item_sum, mean, band):
    bsl = get_instrument("BSL-23")
    result = score(bsl, answers_for_total(bsl, item_sum))
    assert (result.raw_total, result.total, result.severity) == (item_sum, mean, band)


def test_ders16_is_a_plain_sum_from_16_to_80_without_bands():
    ders = get_instrument("DERS-16")
    assert score(ders, [1] * 16).total == 16
    result = score(ders, [5] * 16)
    assert (result.total, result.severity) == (80, None)


# --- C-SSRS: skip logic and triage ----------------------------------------------------------

Y, N = 1, 0


@pytest.mark.parametrize(
    ("answers", "tier", "critical"),
    [
        ([N, N, N, N, N, N, N], "none", False),
        ([Y, N, N, N, N, N, N], "low", False),
        ([N, Y, N, N, N, N, N], "low", False),
        ([Y, Y, N, N, N, N, N], "low", False),
        ([Y, Y, Y, N, N, N, N], "moderate", True),
        ([N, N, N, N, N, Y, N], "moderate", True),
        ([Y, Y, N, Y, N, N, N], "high", True),
        ([Y, Y, N, N, Y, N, N], "high", True),
        ([N, N, N, N, N, Y, Y], "high", True),
        ([Y, Y, Y, Y, Y, Y, Y], "high", True),
    ],
)
def test_cssrs_triage_tiers(answers, tier, critical):
    result = score(get_instrument("C-SSRS"), answers)
    assert result.flags["risk_tier"] == tier
    assert result.flags["critical"] is critical
    assert (result.total, result.severity) == (None, None)


def test_cssrs_unverified_tiers_say_so_in_the_notes():
    result = score(get_instrument("C-SSRS"), [Y, Y, Y, N, N, N, N])
    assert any("configurable, unverified" in note for note in result.notes)
    high = score(get_instrument("C-SSRS"), [Y, Y, N, Y, N, N, N])
    assert not any("unverified" in note for note in high.notes)


def test_cssrs_reads_questions_3_to_5_as_not_asked_when_q2_is_no():
    result = score(get_instrument("C-SSRS"), [Y, N, None, None, None, N, None])
    assert result.flags["risk_tier"] == "low"
    assert result.missing == ()
    assert any("cssrs_3, cssrs_4, cssrs_5" in note for note in result.notes)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([Y, N, N, Y, N, N, N], "item 4 \\(cssrs_4\\) is not asked when item 2 is 0"),
        ([N, N, N, N, N, N, Y], "item 7 \\(cssrs_7\\) is not asked when item 6 is 0"),
    ],
)
def test_cssrs_refuses_an_answer_to_a_question_that_is_not_asked(answers, message):
    with pytest.raises(ScoringError, match=message):
        score(get_instrument("C-SSRS"), answers)


def test_cssrs_refuses_an_unanswered_question_that_is_asked():
    with pytest.raises(ScoringError, match="cssrs_3"):
        score(get_instrument("C-SSRS"), [Y, Y, None, N, N, N, N])


# --- refusals and missing answers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([0] * 8, "PHQ-9 has 9 items; got 8 answers"),
        ([0] * 10, "PHQ-9 has 9 items; got 10 answers"),
        ([], "PHQ-9 has 9 items; got 0 answers"),
        (
            [0, 0, 0, 4, 0, 0, 0, 0, 0],
            r"item 4 \(phq9_4\): 4 is out of range \(allowed: 0, 1, 2, 3\)",
        ),
        ([0, -1, 0, 0, 0, 0, 0, 0, 0], r"item 2 \(phq9_2\): -1 is out of range"),
        ([0, 1.5, 0, 0, 0, 0, 0, 0, 0], r"item 2 \(phq9_2\): 1.5 is not a whole number"),
        (["1", 0, 0, 0, 0, 0, 0, 0, 0], r"item 1 \(phq9_1\): '1' is not a whole number"),
        ([True, 0, 0, 0, 0, 0, 0, 0, 0], r"item 1 \(phq9_1\): True is not a whole number"),
        ("000000000", "list of whole numbers"),
    ],
)
def test_bad_answers_are_refused_with_a_clear_message(answers, message):
    with pytest.raises(ScoringError, match=message):
        score(get_instrument("PHQ-9"), answers)


def test_a_k10_zero_is_out_of_range_because_its_options_start_at_one():
    with pytest.raises(ScoringError, match="allowed: 1, 2, 3, 4, 5"):
        score(get_instrument("K10"), [0] + [1] * 9)


def test_an_unanswered_item_is_refused_where_the_definition_does_not_prorate():
    with pytest.raises(ScoringError, match=r"not scored with unanswered items \(gad7_2\)"):
        score(get_instrument("GAD-7"), [0, None, 0, 0, 0, 0, 0])


def test_scoring_errors_are_value_errors():
    assert issubclass(ScoringError, ValueError)


def prorating(instrument: Instrument, max_missing: int = 1) -> Instrument:
    return replace(instrument, missing_rule=MissingRule("prorate", max_missing, "test"))


def test_a_prorating_definition_scales_the_sum_to_all_items_and_says_so():
    phq9 = prorating(get_instrument("PHQ-9"))
    result = score(phq9, [None, 1, 1, 1, 1, 1, 1, 1, 0])
    # 7 over 8 answers, scaled to 9 items: 7.875, rounded half up.
    assert (result.total, result.severity) == (8, "mild")
    assert result.prorated is True
    assert result.missing == ("phq9_1",)
    assert "prorated 8 of 9 answers (missing: phq9_1)" in result.notes


def test_proration_rounds_half_up():
    gad7 = prorating(get_instrument("GAD-7"))
    # 3 over 6 answers, scaled to 7 items: 3.5 -> 4.
    assert score(gad7, [None, 1, 1, 1, 0, 0, 0]).total == 4


def test_proration_never_fills_in_a_critical_item():
    phq9 = prorating(get_instrument("PHQ-9"))
    with pytest.raises(ScoringError, match=r"item 9 \(phq9_9\) is a critical item"):
        score(phq9, [0, 0, 0, 0, 0, 0, 0, 0, None])


def test_proration_stops_at_the_definitions_limit():
    phq9 = prorating(get_instrument("PHQ-9"))
    with pytest.raises(ScoringError, match="at most 1 unanswered item; 2 are unanswered"):
        score(phq9, [None, None, 0, 0, 0, 0, 0, 0, 0])


def test_prorated_subscales_are_scaled_within_the_subscale():
    dass = prorating(get_instrument("DASS-21"))
    answers: list[int | None] = [0] * 21
    for number in DASS_ITEMS["depression"]:
        answers[number - 1] = 2
    answers[2] = None  # item 3, depression
    result = score(dass, answers)
    # 12 over 6 answers -> 14 over 7, doubled.
    assert result.subscales["depression"].score == 28
    assert result.subscales["depression"].severity == "extremely severe"


def test_as_dict_is_plain_json():
    import json

    result = score(get_instrument("PCL-5"), pcl5(DSM5_MINIMAL))
    data = json.loads(json.dumps(result.as_dict()))
    assert set(data) >= {"instrument", "version", "total", "severity", "flags", "subscales"}
    assert data["subscales"]["D"] == {"score": 4, "severity": None}
    assert data["instrument"] == "PCL-5"
    assert data["version"] == "1.0"
