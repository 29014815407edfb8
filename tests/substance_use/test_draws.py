"""The weekly random draw: the policy, its statistics, its unpredictability and its record."""

from __future__ import annotations

import dataclasses
import inspect
import math
import random
import secrets
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from openiop.substance_use.core import draws
from openiop.substance_use.core.draws import (
    Candidate,
    Draw,
    DrawError,
    DrawExists,
    Selection,
    SpecimenType,
    TestingPolicy,
    Weekday,
    current_draw,
    draw,
    eligible,
    redraw,
)
from tests.substance_use.builders import MONDAY

NOW = datetime(2026, 1, 4, 23, 0, tzinfo=UTC)
SUNDAY = MONDAY - timedelta(days=1)


def policy(rate: object = "30%", days: tuple[Weekday, ...] | None = None) -> TestingPolicy:
    return TestingPolicy(
        specimen_types=frozenset({SpecimenType.URINE, SpecimenType.BREATH}),
        testing_days=frozenset(days or (Weekday.MONDAY, Weekday.WEDNESDAY, Weekday.THURSDAY)),
        weekly_rate=rate,
    )


def people(count: int) -> list[Candidate]:
    return [Candidate(f"p-{i:03d}", episode_active=True) for i in range(count)]


def one_draw(
    candidates: list[Candidate],
    p: TestingPolicy | None = None,
    *,
    today: date = SUNDAY,
    existing: tuple[Draw, ...] = (),
) -> Draw:
    return draw(
        policy=p or policy(),
        program="prog-1",
        week_start=MONDAY,
        candidates=candidates,
        drawn_by="director-1",
        drawn_at=NOW,
        today=today,
        existing=existing,
    )


# --- policy and pool -----------------------------------------------------------------------


@pytest.mark.parametrize("given", ["30%", "3/10", "0.3", Decimal("0.3"), Fraction(3, 10)])
def test_a_rate_can_be_written_as_a_percent_a_fraction_or_a_decimal(given: object) -> None:
    assert policy(given).weekly_rate == Fraction(3, 10)
    assert policy(given).rate_words == "30% of eligible participants a week"


@pytest.mark.parametrize("given", ["0", "0%", "1.5", "-0.1", "lots"])
def test_a_rate_outside_zero_to_one_is_refused(given: str) -> None:
    with pytest.raises(DrawError):
        policy(given)


def test_a_policy_needs_a_specimen_type_and_a_testing_day() -> None:
    with pytest.raises(DrawError, match="specimen type"):
        TestingPolicy(frozenset(), frozenset({Weekday.MONDAY}), Fraction(1, 4))
    with pytest.raises(DrawError, match="testing day"):
        TestingPolicy(frozenset({SpecimenType.URINE}), frozenset(), Fraction(1, 4))


def test_only_active_episodes_not_on_hold_are_eligible_and_the_rest_say_why() -> None:
    pool, excluded = eligible(
        [
            Candidate("p-b", episode_active=True),
            Candidate("p-a", episode_active=True),
            Candidate("p-hold", episode_active=True, on_hold=True),
            Candidate("p-gone", episode_active=False),
        ]
    )
    assert pool == ("p-a", "p-b")
    assert [(e.participant, e.reason) for e in excluded] == [
        ("p-gone", "episode not active"),
        ("p-hold", "on hold"),
    ]


def test_a_candidate_named_twice_is_refused() -> None:
    with pytest.raises(DrawError):
        eligible([Candidate("p-1", True), Candidate("p-1", True)])


def test_people_on_hold_are_never_selected() -> None:
    candidates = [*people(5), Candidate("p-hold", episode_active=True, on_hold=True)]
    for _ in range(200):
        result = one_draw(candidates, policy("100%"))
        assert "p-hold" not in {s.participant for s in result.selected}
        assert len(result.selected) == 5


def test_an_empty_pool_is_drawn_and_recorded_with_nobody_selected() -> None:
    result = one_draw([], policy("50%"))
    assert result.selected == ()
    assert result.pool == ()
    assert result.verify()


# --- statistics ----------------------------------------------------------------------------


def test_over_many_draws_the_selection_rate_matches_the_policy_and_everyone_can_be_selected() -> (
    None
):
    candidates = people(20)
    rate = 0.3
    rounds = 3000
    counts: Counter[str] = Counter()
    sizes: Counter[int] = Counter()
    for _ in range(rounds):
        result = one_draw(candidates, policy("30%"))
        sizes[len(result.selected)] += 1
        counts.update(s.participant for s in result.selected)
    # 30% of 20 is exactly 6: every draw selects 6.
    assert sizes == {6: rounds}
    # Each person's chance is the rate: within 6 standard errors (a false alarm is ~1e-8).
    tolerance = 6 * math.sqrt(rate * (1 - rate) / rounds)
    for candidate in candidates:
        assert abs(counts[candidate.key] / rounds - rate) < tolerance, candidate.key
    assert set(counts) == {c.key for c in candidates}


def test_rounding_at_random_keeps_each_persons_chance_at_the_rate() -> None:
    # 25% of 3 people is 0.75: rounding to the nearest would select one person every week (a
    # 33% chance each); random rounding selects one person 75% of the weeks, none otherwise.
    candidates = people(3)
    rounds = 4000
    counts: Counter[str] = Counter()
    sizes: Counter[int] = Counter()
    for _ in range(rounds):
        result = one_draw(candidates, policy("25%"))
        sizes[len(result.selected)] += 1
        counts.update(s.participant for s in result.selected)
    assert set(sizes) == {0, 1}
    assert abs(sizes[1] / rounds - 0.75) < 6 * math.sqrt(0.75 * 0.25 / rounds)
    for candidate in candidates:
        assert abs(counts[candidate.key] / rounds - 0.25) < 6 * math.sqrt(0.25 * 0.75 / rounds)


def test_the_count_is_the_rate_times_the_pool_rounded_down_or_up() -> None:
    for _ in range(300):
        assert len(one_draw(people(7), policy("30%")).selected) in (2, 3)


def test_selections_fall_on_the_weeks_remaining_testing_days_and_each_day_is_used() -> None:
    used: Counter[date] = Counter()
    wednesday = MONDAY + timedelta(days=2)
    for _ in range(300):
        result = one_draw(people(10), policy("50%"), today=MONDAY + timedelta(days=1))
        assert result.testing_dates == (wednesday, wednesday + timedelta(days=1))
        used.update(s.day for s in result.selected)
    # Monday has passed; Wednesday and Thursday are each drawn about half the time.
    assert set(used) == {wednesday, wednesday + timedelta(days=1)}
    assert min(used.values()) > 0.4 * sum(used.values())


# --- unpredictability ----------------------------------------------------------------------


def test_no_seed_or_random_source_can_be_passed_in() -> None:
    for function in (draw, redraw):
        names = set(inspect.signature(function).parameters)
        assert not names & {"seed", "rng", "random", "source", "generator", "nonce"}
    # The source is the operating system's cryptographic one, which ignores seed().
    assert isinstance(draws._SOURCE, secrets.SystemRandom)


def test_two_draws_with_the_same_inputs_differ() -> None:
    candidates = people(30)
    results = [one_draw(candidates, policy("50%")) for _ in range(20)]
    assert len({r.nonce for r in results}) == 20
    assert len({r.digest for r in results}) == 20
    # C(30, 15) is about 1.55e8: twenty equal selections would be a broken source.
    assert len({tuple(s.participant for s in r.selected) for r in results}) > 1


def test_seeding_pythons_random_module_does_not_reproduce_a_draw() -> None:
    candidates = people(30)
    random.seed(2026)
    first = one_draw(candidates, policy("50%"))
    random.seed(2026)
    second = one_draw(candidates, policy("50%"))
    assert first.nonce != second.nonce
    assert first.selected != second.selected or first.digest != second.digest


# --- the record ----------------------------------------------------------------------------


def test_the_record_names_who_drew_when_the_rate_the_pool_and_the_exclusions() -> None:
    candidates = [*people(4), Candidate("p-hold", True, on_hold=True)]
    result = one_draw(candidates, policy("50%"))
    content = result.content()
    assert content["drawn_by"] == "director-1"
    assert content["drawn_at"] == "2026-01-04T23:00:00.000000+00:00"
    assert content["rate"] == "1/2"
    assert content["pool"] == ["p-000", "p-001", "p-002", "p-003"]
    assert content["excluded"] == [["p-hold", "on hold"]]
    assert content["specimen_types"] == ["breath", "urine"]
    assert len(result.nonce) == 64
    assert result.summary == "Week of 5 Jan 2026: 2 of 4 eligible participants selected"


def test_a_record_edited_after_the_draw_no_longer_verifies() -> None:
    result = one_draw(people(10))
    assert result.verify()
    someone_else = Selection("p-999", MONDAY)
    edited = dataclasses.replace(result, selected=(someone_else,), digest=result.digest)
    assert not edited.verify()
    assert not dataclasses.replace(result, pool=result.pool[1:], digest=result.digest).verify()


def test_the_digest_commits_to_the_selection_before_it_is_revealed() -> None:
    result = one_draw(people(10), policy("20%"))
    # Revealing the selections and the nonce later lets anyone recompute the digest shown at
    # the time of the draw.
    recomputed = Draw(**{f.name: getattr(result, f.name) for f in dataclasses.fields(Draw)})
    assert recomputed.compute_digest() == result.digest


def test_a_naive_draw_time_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        draw(
            policy=policy(),
            program="prog-1",
            week_start=MONDAY,
            candidates=people(3),
            drawn_by="director-1",
            drawn_at=datetime(2026, 1, 4, 23, 0),  # noqa: DTZ001 - naive on purpose
            today=SUNDAY,
            existing=(),
        )


def test_a_week_is_drawn_from_its_first_day_a_week_ahead_at_most_and_while_days_remain() -> None:
    with pytest.raises(DrawError, match="not the first day"):
        draw(
            policy=policy(),
            program="prog-1",
            week_start=MONDAY + timedelta(days=1),
            candidates=people(3),
            drawn_by="d",
            drawn_at=NOW,
            today=SUNDAY,
            existing=(),
        )
    with pytest.raises(DrawError, match="can be drawn from"):
        one_draw(people(3), today=MONDAY - timedelta(days=8))
    with pytest.raises(DrawError, match="No testing day is left"):
        one_draw(people(3), today=MONDAY + timedelta(days=4))


# --- no silent re-draw ---------------------------------------------------------------------


def test_a_week_that_has_a_draw_cannot_be_drawn_again() -> None:
    first = one_draw(people(10))
    with pytest.raises(DrawExists, match="re-draw"):
        one_draw(people(10), existing=(first,))


def test_a_redraw_needs_a_reason_and_names_the_draw_it_replaces() -> None:
    first = one_draw(people(10))
    with pytest.raises(DrawError, match="Say why"):
        redraw(
            first,
            policy=policy(),
            candidates=people(10),
            drawn_by="director-1",
            drawn_at=NOW + timedelta(hours=1),
            today=SUNDAY,
            reason="  oops ",
            existing=(first,),
        )
    second = redraw(
        first,
        policy=policy(),
        candidates=people(12),
        drawn_by="director-1",
        drawn_at=NOW + timedelta(hours=1),
        today=SUNDAY,
        reason="Two admissions on Friday were missing from the pool",
        existing=(first,),
    )
    assert second.supersedes == first.digest
    assert second.reason == "Two admissions on Friday were missing from the pool"
    assert second.verify()
    assert "re-drawn (Two admissions" in second.summary
    assert current_draw([first, second]) == second


def test_a_draw_already_replaced_cannot_be_replaced_again() -> None:
    first = one_draw(people(10))
    kwargs = {
        "policy": policy(),
        "candidates": people(10),
        "drawn_by": "director-1",
        "drawn_at": NOW,
        "today": SUNDAY,
        "reason": "The pool was drawn before the holds were entered",
    }
    second = redraw(first, existing=(first,), **kwargs)
    with pytest.raises(DrawExists, match="already replaced"):
        redraw(first, existing=(first, second), **kwargs)
    third = redraw(second, existing=(first, second), **kwargs)
    assert current_draw([third, first, second]) == third


def test_the_current_draw_refuses_records_that_do_not_form_one_verified_chain() -> None:
    first = one_draw(people(10))
    other = one_draw(people(10))
    with pytest.raises(DrawError, match="exactly one original"):
        current_draw([first, other])
    edited = dataclasses.replace(first, selected=(), digest=first.digest)
    with pytest.raises(DrawError, match="no longer match"):
        current_draw([edited])
    assert current_draw([]) is None
