"""Track placement: tracks ranked by fit for an admission, and seats given to the waitlist."""

from __future__ import annotations

from datetime import date, time

from openiop.scheduling.solver import (
    Candidate,
    Curriculum,
    TrackOption,
    Unavailable,
    WeeklyTime,
    place_waitlist,
    rank_tracks,
)

# clinical.md §2: mindfulness 2 wk, interpersonal 5, mindfulness 2, emotion regulation 7,
# mindfulness 2, distress tolerance 6; the rotation's week 1 starts on 5 Jan 2026.
ROTATION = Curriculum(
    blocks=(
        ("mindfulness", 2),
        ("interpersonal", 5),
        ("mindfulness", 2),
        ("emotion_regulation", 7),
        ("mindfulness", 2),
        ("distress_tolerance", 6),
    ),
    starts_on=date(2026, 1, 5),
)
MORNING = TrackOption("am", "Morning", (0, 2, 4), time(9), time(12), seats=12, enrolled=8)
EVENING = TrackOption("pm", "Evening", (0, 2, 3), time(18), time(21), seats=12, enrolled=5)
WORK = tuple(Unavailable(d, time(8, 30), time(17), "work") for d in range(5))


def test_a_clash_with_work_puts_a_track_below_the_ones_that_fit() -> None:
    person = Candidate("p", "Ana", starts_on=date(2026, 1, 5), unavailable=WORK)
    ranking = rank_tracks(person, [MORNING, EVENING], ROTATION)
    assert [f.track for f in ranking] == ["pm", "am"]
    assert ranking[0].fits
    assert not ranking[1].fits
    assert "clashes on Mon (work 08:30 to 17:00), Wed (work" in ranking[1].rules[1].result


def test_starting_at_a_mindfulness_block_is_best() -> None:
    # 5 Jan: the morning track is at week 1 of mindfulness; the evening track runs two weeks
    # behind, in week 6 of distress tolerance.
    late = TrackOption("pm", "Evening", (0, 2, 3), time(18), time(20, 30), 12, 5, offset_weeks=-2)
    person = Candidate("p", "Ana", starts_on=date(2026, 1, 7))
    ranking = rank_tracks(person, [late, MORNING], ROTATION)
    assert ranking[0].track == "am"
    curriculum = {f.track: f.rules[2] for f in ranking}
    assert (
        curriculum["am"].result == "starts at the beginning of mindfulness: the natural entry point"
    )
    assert curriculum["pm"].result.startswith("joins distress tolerance in week 5 of 6")
    assert "next entry point 2026-01-19 (in 2 weeks)" in curriculum["pm"].result


def test_the_weekly_hours_reached_are_checked_against_the_range() -> None:
    short = TrackOption("x", "Two evenings", (1, 3), time(18), time(20), seats=12)
    person = Candidate("p", "Ana", starts_on=date(2026, 1, 5))
    (fit,) = rank_tracks(person, [short], ROTATION)
    hours = fit.rules[3]
    assert hours.result == (
        "5 h a week (2 group days and the individual session): below the 9 h minimum"
    )
    assert not hours.passed
    assert fit.weekly_minutes == 300


def test_a_full_track_is_shown_but_does_not_fit() -> None:
    full = TrackOption("am", "Morning", (0, 2, 4), time(9), time(12), seats=12, enrolled=12)
    (fit,) = rank_tracks(Candidate("p", "Ana", starts_on=date(2026, 1, 5)), [full], ROTATION)
    assert not fit.fits
    assert fit.rules[0].result == "full (12 of 12): waitlist"


def test_preferred_times_break_ties() -> None:
    mornings = tuple(WeeklyTime(d, time(8), time(13)) for d in range(5))
    person = Candidate("p", "Ana", starts_on=date(2026, 1, 5), preferred=mornings)
    ranking = rank_tracks(person, [EVENING, MORNING], ROTATION)
    assert ranking[0].track == "am"
    assert ranking[0].score - ranking[1].score == 10


def test_the_waitlist_gets_seats_in_its_order() -> None:
    one_seat = TrackOption(
        "pm", "Evening", (0, 2, 3), time(18), time(20, 30), seats=12, enrolled=11
    )
    first = Candidate("a", "Ana", starts_on=date(2026, 1, 5), unavailable=WORK)
    second = Candidate("b", "Bo", starts_on=date(2026, 1, 5), unavailable=WORK)
    placed = place_waitlist([first, second], [MORNING, one_seat], ROTATION)
    assert [(p.person, p.track) for p in placed] == [("a", "pm"), ("b", None)]
    assert placed[1].reason == "no seat in a track that fits; best when a seat opens: Evening"
