"""Property tests: every valid answer vector scores within range; every invalid one is refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openiop.measures.definitions import Instrument, load_instruments
from openiop.measures.scoring import ScoringError, score

INSTRUMENTS = sorted(load_instruments().values(), key=lambda i: i.code)
CODES = [instrument.code for instrument in INSTRUMENTS]


def valid_answers(instrument: Instrument) -> st.SearchStrategy[list[int | None]]:
    def apply_skips(answers: list[int | None]) -> list[int | None]:
        keys = instrument.item_keys
        for rule in instrument.skips:
            if all(answers[keys.index(k)] == v for k, v in rule.condition.items()):
                for key in rule.skip:
                    answers[keys.index(key)] = 0
        return answers

    return st.tuples(*(st.sampled_from(sorted(item.values)) for item in instrument.items)).map(
        lambda values: apply_skips(list(values))
    )


def out_of_range(instrument: Instrument) -> st.SearchStrategy[list[int | None]]:
    @st.composite
    def build(draw: st.DrawFn) -> list[int | None]:
        answers = draw(valid_answers(instrument))
        index = draw(st.integers(0, len(instrument.items) - 1))
        item = instrument.items[index]
        answers[index] = draw(st.integers(-1000, 1000).filter(lambda v: v not in item.values))
        return answers

    return build()


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=CODES)
def test_every_valid_vector_scores_within_range_with_one_of_its_bands(instrument):
    @settings(max_examples=150, deadline=None)
    @given(answers=valid_answers(instrument), sex=st.sampled_from([None, "female", "male"]))
    def check(answers, sex):
        result = score(instrument, answers, sex=sex)
        if instrument.method == "triage":
            assert result.total is None
            tiers = [t.tier for t in instrument.triage.tiers] + [instrument.triage.default]
            assert result.flags["risk_tier"] in tiers
            return
        low, high = instrument.score_range
        assert low <= result.total <= high
        if instrument.bands:
            assert result.severity in instrument.band_labels
        else:
            assert result.severity is None
        for sub in instrument.subscales:
            got = result.subscales[sub.name]
            assert sub.score_range[0] <= got.score <= sub.score_range[1]
            assert got.severity in ({b.label for b in sub.bands} if sub.bands else {None})
        assert result.prorated is False
        assert result.missing == ()

    check()


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=CODES)
def test_every_vector_with_an_out_of_range_answer_is_refused(instrument):
    @settings(max_examples=100, deadline=None)
    @given(answers=out_of_range(instrument))
    def check(answers):
        with pytest.raises(ScoringError, match="out of range"):
            score(instrument, answers)

    check()


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=CODES)
def test_every_vector_of_the_wrong_length_is_refused(instrument):
    @settings(max_examples=60, deadline=None)
    @given(
        answers=st.lists(st.integers(0, 1), max_size=40).filter(
            lambda a: len(a) != len(instrument.items)
        )
    )
    def check(answers):
        with pytest.raises(
            ScoringError, match=f"{instrument.code} has {len(instrument.items)} items"
        ):
            score(instrument, answers)

    check()
