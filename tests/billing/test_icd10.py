"""ICD-10-CM search and validation over the release simple-icd-10-cm packages."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import pytest

from openiop.billing import icd10


@pytest.fixture(scope="module", autouse=True)
def _loaded() -> None:
    icd10.warm()  # about 3 s, once for the module


def test_the_release_is_read_from_the_package_without_loading_it() -> None:
    script = (
        "import sys; from openiop.billing import icd10; r = icd10.release(); "
        "print(r.year, r.month, 'simple_icd_10_cm' in sys.modules)"
    )
    out = subprocess.run(  # noqa: S603 (our own interpreter and a fixed script)
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert out == ["2026", "April", "False"]
    release = icd10.release()
    assert release.package_version == importlib.metadata.version("simple-icd-10-cm")
    assert release.label == "ICD-10-CM, April 2026 release"


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["F33.1", "f33.1", "F331", " f331 "])
def test_a_billable_code_is_valid_however_it_is_typed(typed: str) -> None:
    check = icd10.check(typed)
    assert check.valid
    assert check.code == "F33.1"
    assert check.description == "Major depressive disorder, recurrent, moderate"
    assert icd10.is_billable(typed)


def test_a_heading_is_not_billable_and_offers_its_codes() -> None:
    check = icd10.check("F33")
    assert not check.valid
    assert check.message == (
        "F33 (Major depressive disorder, recurrent) is a heading, not billable: choose one of "
        "its 9 more specific codes."
    )
    assert [s.code for s in check.suggestions][:3] == ["F33.0", "F33.1", "F33.2"]
    assert all(icd10.is_billable(s.code) for s in check.suggestions)


def test_chapters_blocks_and_strangers_are_not_codes() -> None:
    assert not icd10.check("5").valid
    assert "chapter or block" in icd10.check("5").message
    assert "chapter or block" in icd10.check("F30-F39").message
    unknown = icd10.check("F99.99")
    assert not unknown.valid
    assert unknown.message == "'F99.99' is not a code in ICD-10-CM, April 2026 release."
    assert not icd10.check("").valid


def test_seventh_character_codes_are_billable() -> None:
    assert icd10.check("T40.1X1A").valid  # poisoning by heroin, accidental, initial
    assert not icd10.check("T40.1X1").valid


def test_describe_names_any_level() -> None:
    assert icd10.describe("f10.20") == "Alcohol dependence, uncomplicated"
    assert icd10.describe("F10") == "Alcohol related disorders"
    with pytest.raises(ValueError, match="is not an ICD-10-CM code"):
        icd10.describe("nonsense")


# --- search ------------------------------------------------------------------------------------


def codes(query: str, limit: int = 20, **kw: object) -> list[str]:
    return [c.code for c in icd10.search(query, limit, **kw)]


def test_a_code_prefix_lists_billable_codes_in_code_order() -> None:
    found = codes("F33")
    assert found[:4] == ["F33.0", "F33.1", "F33.2", "F33.3"]
    assert "F33" not in found  # headings are never offered
    assert "F33.4" not in found
    assert all(c.startswith("F33.") for c in found)
    assert codes("f33.1") == ["F33.1"]
    assert codes("F3341") == ["F33.41"]


def test_every_word_must_match_the_start_of_a_word() -> None:
    found = icd10.search("major depress recurr", 50)
    assert found
    assert all(c.code.startswith("F33.") for c in found)
    for c in found:
        words = c.description.lower().replace(",", " ").split()
        assert any(w.startswith("depress") for w in words)
        assert any(w.startswith("recurr") for w in words)


def test_code_and_words_combine() -> None:
    found = codes("F10 withdrawal", 50)
    assert found
    assert all(c.startswith("F10.") for c in found)
    assert "F10.130" in found
    assert "F10.20" not in found


def test_only_billable_codes_are_offered() -> None:
    for query in ("depression", "anxiety", "F4", "opioid dependence", "a"):
        assert all(icd10.check(c.code).valid for c in icd10.search(query, 30))


def test_whole_words_and_shorter_descriptions_rank_first() -> None:
    assert codes("depression", 1) == ["F32.A"]  # "Depression, unspecified"
    assert codes("alcohol dependence")[:2] == ["F10.21", "F10.20"]


def test_behavioral_health_codes_come_first_unless_asked_otherwise() -> None:
    assert codes("borderline", 1) == ["F60.3"]
    assert codes("borderline", 1, prefer=()) == ["A30.3"]  # borderline leprosy, shortest


def test_inclusion_terms_find_what_the_title_does_not_say() -> None:
    assert codes("anxiety neurosis")[0] == "F41.1"


def test_common_abbreviations_are_spelled_out() -> None:
    assert codes("PTSD chronic") == ["F43.12"]
    assert set(codes("ptsd")) == {"F43.10", "F43.11", "F43.12"}
    assert codes("gad") == ["F41.1"]


def test_nothing_found_and_nothing_asked() -> None:
    assert icd10.search("xyzzy") == []
    assert icd10.search("   ") == []
    assert icd10.search("depression", limit=0) == []
    assert len(icd10.search("disorder", limit=7)) == 7
