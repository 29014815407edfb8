"""The BARC-10 definition: valid under the measures library's own loader, scoring only."""

from __future__ import annotations

from pathlib import Path

import pytest

import openiop.substance_use.core
from openiop.measures.definitions import load_file
from openiop.measures.scoring import ScoringError, score

DEFINITION = Path(openiop.substance_use.core.__file__).parent / "instruments" / "barc-10_v1.0.json"


def test_the_definition_loads_and_ships_no_item_text() -> None:
    barc = load_file(DEFINITION)
    assert (barc.code, barc.version) == ("BARC-10", "1.0")
    assert not barc.text_shipped
    assert all(item.text == "" for item in barc.items)
    assert len(barc.items) == 10
    assert barc.score_range == (10, 60)
    assert barc.higher_is_better
    assert "Vilsaint" in barc.source
    assert "PhenX" in barc.license


def test_it_scores_10_to_60_and_flags_the_published_cut_off_of_47() -> None:
    barc = load_file(DEFINITION)
    assert score(barc, [1] * 10).total == 10
    assert score(barc, [6] * 10).total == 60
    assert score(barc, [5, 5, 5, 5, 5, 5, 5, 4, 4, 4]).flags["at_or_above_47"] is True
    assert score(barc, [5, 5, 5, 5, 5, 5, 4, 4, 4, 4]).flags["at_or_above_47"] is False


def test_an_incomplete_response_is_not_scored() -> None:
    with pytest.raises(ScoringError, match="proration"):
        score(load_file(DEFINITION), [6] * 9 + [None])
