"""The package's voice: results are positive or negative, people are people.

Every string the package holds (code, docstrings, comments, JSON) is searched, and so is every
sentence it writes for a set of typical cases, for words that judge the person."""

from __future__ import annotations

import re
from pathlib import Path

import openiop.substance_use
from openiop.substance_use.core.results import Outcome, ResultValue, read_collection, timeline_entry
from tests.substance_use.builders import ZONE, collection, med, row

PACKAGE = Path(openiop.substance_use.__file__).parent
JUDGING = re.compile(
    r"\b(dirty|clean|cleans|addicts?|abusers?|junkies|junkie|failed\s+(?:a\s+|the\s+)?"
    r"(?:drug\s+)?(?:test|screen))\b",
    re.IGNORECASE,
)


def test_no_file_of_the_package_uses_judging_words() -> None:
    files = sorted(PACKAGE.rglob("*.py")) + sorted(PACKAGE.rglob("*.json"))
    assert len(files) >= 9
    found = [
        f"{path.relative_to(PACKAGE)}:{number}: {match.group(0)}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for match in JUDGING.finditer(line)
    ]
    assert found == []


def test_the_pattern_catches_what_it_is_for() -> None:
    for phrase in (
        "Dirty UA",
        "came back clean",
        "an addict",
        "drug abusers",
        "failed a drug test",
    ):
        assert JUDGING.search(phrase), phrase
    for phrase in ("addiction medicine", "cleanup", "negative", "positive"):
        assert not JUDGING.search(phrase), phrase


def test_the_sentences_it_writes_use_positive_and_negative() -> None:
    cases = [
        ([row("cocaine", ResultValue.POSITIVE)], [], collection()),
        ([row("buprenorphine", ResultValue.NEGATIVE)], [med("Suboxone")], collection()),
        ([row("benzodiazepines", ResultValue.POSITIVE)], [med("sertraline")], collection()),
        ([], [], collection(outcome=Outcome.REFUSED, note="declined")),
    ]
    written = []
    for rows, medications, taken in cases:
        reading = read_collection(taken, rows, medications=medications, zone=ZONE)
        written.append(timeline_entry(reading, ZONE))
        written += [s.text for s in reading.substances]
        written += [f"{f.title} {f.text}" for f in reading.follow_ups]
    assert len(written) >= 8
    assert not [w for w in written if JUDGING.search(w)]
    assert any("positive" in w for w in written)
    assert any("negative" in w for w in written)
