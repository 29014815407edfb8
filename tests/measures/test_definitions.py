"""Instrument definitions: what ships, lookups, and validation of a bad file on load."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from openiop.measures.definitions import (
    DefinitionError,
    UnknownInstrument,
    get_instrument,
    load_directory,
    load_file,
    load_instruments,
)

SHIPPED = {
    "PHQ-9": 9,
    "GAD-7": 7,
    "C-SSRS": 7,
    "AUDIT-C": 3,
    "DAST-10": 10,
    "PCL-5": 20,
    "WHO-5": 5,
    "K10": 10,
    "DASS-21": 21,
    "BSL-23": 23,
    "DERS-16": 16,
}


def test_it_ships_every_instrument_the_issue_names_with_its_item_count():
    found = load_instruments()
    assert {code: len(instrument.items) for code, instrument in found.items()} == SHIPPED


@pytest.mark.parametrize("code", sorted(SHIPPED))
def test_every_definition_names_its_source_and_license(code):
    instrument = get_instrument(code)
    assert instrument.source.strip()
    assert instrument.license.strip()
    assert instrument.version == "1.0"


@pytest.mark.parametrize("code", ["BSL-23", "DERS-16"])
def test_copyrighted_instruments_ship_scoring_but_no_item_text(code):
    instrument = get_instrument(code)
    assert instrument.text_shipped is False
    assert all(item.text == "" for item in instrument.items)
    assert "copyrighted; enter answers from a licensed copy" in instrument.license.lower()


def test_paraphrased_items_are_labelled_as_such():
    assert "Paraphrased; replace with licensed source text" in get_instrument("DAST-10").text_note


@pytest.mark.parametrize(
    ("code", "panel", "total"),
    [
        ("PHQ-9", "44249-1", "44261-6"),
        ("GAD-7", "69737-5", "70274-6"),
        ("AUDIT-C", "72109-2", "75626-2"),
        ("C-SSRS", None, "93374-7"),
    ],
)
def test_loinc_codes_are_the_reference_ones(code, panel, total):
    instrument = get_instrument(code)
    assert (instrument.loinc_panel, instrument.loinc_total) == (panel, total)


def test_phq9_item_9_carries_its_loinc_code_and_critical_rule():
    item = get_instrument("PHQ-9").item("phq9_9")
    assert item.loinc == "44260-8"
    assert item.critical is not None
    assert item.critical.at_least == 1


def test_published_reliable_change_thresholds_are_configured():
    phq9, gad7, who5 = (get_instrument(c) for c in ("PHQ-9", "GAD-7", "WHO-5"))
    assert (phq9.reliable_improvement_points, phq9.recovery_cutoff) == (6, 10)
    assert (gad7.reliable_improvement_points, gad7.recovery_cutoff) == (4, 8)
    assert who5.reliable_improvement_points == 10
    assert who5.higher_is_better is True
    assert phq9.higher_is_better is False
    assert phq9.reliable_change_points() == 6


def test_unverified_reliability_values_are_marked_unverified():
    for instrument in load_instruments().values():
        if instrument.rci_reliability is not None:
            assert instrument.rci_verified is False
            assert "unverified" in instrument.rci_reliability_source


def test_reliable_change_points_come_from_reliability_and_sd_without_a_published_threshold():
    from dataclasses import replace

    pcl5 = replace(
        get_instrument("PCL-5"), rci_reliability=0.84, rci_sd=10.0, reliable_improvement_points=None
    )
    # 1.96 * sqrt(2) * 10 * sqrt(0.16) = 11.087
    assert pcl5.reliable_change_points() == pytest.approx(11.087, abs=0.001)
    assert get_instrument("K10").reliable_change_points() is None


def test_lookup_ignores_case_and_takes_a_version():
    assert get_instrument("phq-9").code == "PHQ-9"
    assert get_instrument("PHQ-9", "1.0").version == "1.0"


def test_an_unknown_code_lists_the_known_ones():
    with pytest.raises(UnknownInstrument) as caught:
        get_instrument("PHQ-99")
    message = str(caught.value)
    assert "Unknown instrument 'PHQ-99'" in message
    assert all(code in message for code in SHIPPED)


def test_an_unknown_version_lists_the_known_versions():
    with pytest.raises(UnknownInstrument, match=r"PHQ-9 has no version '9.9'; known versions: 1.0"):
        get_instrument("PHQ-9", "9.9")


def test_the_library_is_loaded_once():
    assert load_instruments() is load_instruments()


# --- validation of a bad file ---------------------------------------------------------------


def minimal() -> dict[str, Any]:
    return {
        "code": "TEST-3",
        "version": "1.0",
        "title": "Test instrument",
        "source": "Our own words",
        "license": "Ours",
        "text_shipped": True,
        "options": [
            {"value": 0, "label": "No"},
            {"value": 1, "label": "Some"},
            {"value": 2, "label": "Lots"},
        ],
        "items": [
            {"key": "t_1", "number": 1, "text": "One"},
            {"key": "t_2", "number": 2, "text": "Two"},
            {
                "key": "t_3",
                "number": 3,
                "text": "Three",
                "critical": {"at_least": 2, "reason": "x"},
            },
        ],
        "scoring": {"method": "sum", "missing": {"rule": "refuse"}},
        "bands": [{"min": 0, "max": 2, "label": "low"}, {"min": 3, "max": 6, "label": "high"}],
        "subscales": [{"name": "a", "items": ["t_1", "t_2"]}],
    }


def write(directory: Path, data: Any, name: str = "test-3_v1.0.json") -> Path:
    path = directory / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def test_a_valid_temp_definition_loads_and_scores(tmp_path):
    from openiop.measures.scoring import score

    instrument = load_file(write(tmp_path, minimal()))
    assert instrument.score_range == (0, 6)
    result = score(instrument, [1, 1, 2])
    assert (result.total, result.severity, result.flags["critical_items"]) == (4, "high", ["t_3"])
    assert load_directory(tmp_path)[("TEST-3", "1.0")].path.endswith("test-3_v1.0.json")


def broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(minimal())
    change(data)
    return data


BROKEN = [
    (lambda d: d["items"][1].update(key="t_1"), "item keys repeat: t_1"),
    (lambda d: d["items"][2]["critical"].update(at_least=3), "critical at_least 3 is outside"),
    (lambda d: d["options"].append({"value": 5, "label": "x"}), "must run without gaps"),
    (lambda d: d["options"].append({"value": 1, "label": "x"}), "option values repeat"),
    (lambda d: d["options"][0].update(value=-1), "must not be negative"),
    (lambda d: d["options"][0].update(value="0"), "must be a whole number"),
    (lambda d: d["bands"][1].update(min=4), "bands 'low' and 'high' are not contiguous"),
    (lambda d: d["bands"][1].update(max=5), "last band ends at 5, the score range at 6"),
    (lambda d: d["bands"][0].update(min=1), "first band starts at 1"),
    (lambda d: d["bands"][0].update(max=-1), "runs backwards"),
    (lambda d: d["subscales"][0]["items"].append("t_9"), "subscale 'a': no item 't_9'"),
    (lambda d: d.update(colour="red"), "unknown field(s) colour"),
    (lambda d: d["items"][0].update(txt="x"), "item 1 (t_1): unknown field(s) txt"),
    (lambda d: d.pop("license"), "missing field(s) license"),
    (lambda d: d["items"][0].update(number=2), "number is 2, expected 1"),
    (lambda d: d["items"][0].update(text=""), "text is empty but text_shipped is true"),
    (
        lambda d: d.update(text_shipped=False, text_note="licensed"),
        "has text but text_shipped is false",
    ),
    (lambda d: d["scoring"].update(method="median"), "scoring method 'median'"),
    (lambda d: d["scoring"]["missing"].update(rule="guess"), "missing rule 'guess'"),
    (
        lambda d: d["scoring"].update(missing={"rule": "prorate", "max_missing": 3}),
        "prorate needs max_missing between 1 and 2",
    ),
    (
        lambda d: d.update(screens=[{"flag": "positive_screen", "at_least_by_sex": {"female": 3}}]),
        "at_least_by_sex needs exactly female, male",
    ),
    (
        lambda d: d.update(skips=[{"if": {"t_9": 0}, "skip": ["t_2"]}]),
        "skip 1: if: no item 't_9'",
    ),
    (
        lambda d: d.update(
            cluster_rules=[{"flag": "f", "item_at_least": 1, "min_items": {"a": 3}}]
        ),
        "subscale 'a' has 2 items, needs 3",
    ),
    (
        lambda d: d.update(reliable_change={"reliability": 1.5}),
        "reliability must be between 0 and 1",
    ),
    (lambda d: d.update(reliable_change={"reliability": 0.8}), "reliability needs its source"),
    (
        lambda d: d.update(reliable_change={"reliable_improvement_points": 3}),
        "thresholds need their source",
    ),
    (lambda d: d.update(version="one"), "version 'one' must be numbers separated by dots"),
]


@pytest.mark.parametrize(("change", "problem"), BROKEN)
def test_a_bad_definition_file_is_refused_naming_file_and_problem(tmp_path, change, problem):
    path = write(tmp_path, broken(change))
    with pytest.raises(DefinitionError) as caught:
        load_file(path)
    message = str(caught.value)
    assert message.startswith("test-3_v1.0.json: ")
    assert problem in message


def test_a_file_not_named_after_its_code_and_version_is_refused(tmp_path):
    path = write(tmp_path, minimal(), name="test.json")
    with pytest.raises(DefinitionError, match=r"test.json: file name should be test-3_v1.0.json"):
        load_file(path)


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = write(tmp_path, "{not json")
    with pytest.raises(DefinitionError, match=r"test-3_v1.0.json: not valid JSON"):
        load_file(path)


def test_one_bad_file_stops_the_whole_directory_from_loading(tmp_path):
    write(tmp_path, minimal())
    write(tmp_path, broken(lambda d: d.update(version="2.0", bands=[])), name="test-3_v2.0.json")
    write(tmp_path, broken(lambda d: d.update(code="BAD-1", title="")), name="bad-1_v1.0.json")
    with pytest.raises(DefinitionError, match=r"bad-1_v1.0.json: .*'title' is required"):
        load_directory(tmp_path)


def test_an_empty_directory_is_an_error(tmp_path):
    with pytest.raises(DefinitionError, match="no instrument definitions found"):
        load_directory(tmp_path)
