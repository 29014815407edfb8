"""Rooms are counted per instant in the model, then assigned exactly; the interval model is the
fallback when the count is not enough."""

from __future__ import annotations

import itertools

from openiop.scheduling.solver import Feature, WeeklyTime
from openiop.scheduling.solver.cpsat import build, rooms_for, run
from openiop.scheduling.solver.decode import assign_rooms
from openiop.scheduling.solver.space import Builder, Space
from tests.scheduling.solver.support import MON, clinician, office, person, problem, t

PET = frozenset({Feature.PET_FRIENDLY})


def _space() -> Space:
    p = problem(
        clinicians=(clinician("ben"), clinician("cara"), clinician("dan")),
        rooms=(office("plain"), office("pets", features=PET)),
        participants=(
            person("ana", preferred=(WeeklyTime(MON, t(10), t(11)),)),
            person("bo", primary="cara", needs=PET, preferred=(WeeklyTime(MON, t(10), t(11)),)),
            person("cy", primary="dan", preferred=(WeeklyTime(MON, t(10), t(11)),)),
        ),
    )
    return Builder(p).build({})


def _at_ten(space: Space, who: str) -> int:
    (r,) = [q.index for q in space.requests if q.key.startswith(who)]
    return next(
        i
        for i in space.by_request[r]
        if space.options[i].day == MON and space.options[i].start == 600
    )


def test_rooms_are_assigned_to_fit_each_sessions_needs() -> None:
    space = _space()
    chosen = [_at_ten(space, "ana"), _at_ten(space, "bo")]
    rooms = rooms_for(space, chosen)
    assert rooms is not None
    names = {
        space.requests[space.options[i].request].key[:2]: space.problem.rooms[k].key
        for i, k in rooms.items()
    }
    assert names == {"an": "plain", "bo": "pets"}


def test_no_rooms_are_assigned_when_three_sessions_share_two_rooms() -> None:
    space = _space()
    assert rooms_for(space, [_at_ten(space, w) for w in ("ana", "bo", "cy")]) is None


def test_the_room_counts_keep_the_third_session_away_from_ten() -> None:
    space = _space()
    built = build(space)
    outcome = run(built, space, time_limit=5, workers=1)
    at_ten = [
        i for i in outcome.chosen if space.options[i].start == 600 and space.options[i].day == MON
    ]
    assert len(at_ten) == 2
    assert rooms_for(space, outcome.chosen) is not None


def test_the_interval_model_holds_rooms_exactly_too() -> None:
    space = _space()
    built = build(space, room_intervals=True)
    outcome = run(built, space, time_limit=5, workers=1)
    assert len(outcome.chosen) == 3
    rooms = assign_rooms(space, outcome.chosen, outcome.classes)
    spans = sorted(
        (rooms[i], space.options[i].day, space.options[i].start, space.options[i].end)
        for i in outcome.chosen
    )
    for a, b in itertools.pairwise(spans):
        assert not (a[0] == b[0] and a[1] == b[1] and b[2] < a[3])
