"""Propose a week: build the space, search with CP-SAT within the time limit, give rooms,
and explain whatever could not be placed."""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Sequence

from ortools.sat.python import cp_model

from openiop.scheduling.solver.cpsat import (
    build,
    default_workers,
    hint,
    rooms_for,
    run,
)
from openiop.scheduling.solver.decode import assign_rooms, proposal
from openiop.scheduling.solver.explain import pin_conflicts, unplaced_reasons
from openiop.scheduling.solver.greedy import best_fit, greedy
from openiop.scheduling.solver.problem import Problem
from openiop.scheduling.solver.proposal import Progress, Proposal, Status
from openiop.scheduling.solver.scoring import evaluate, total
from openiop.scheduling.solver.space import Builder, Space


def _honours_pins(space: Space, chosen: Sequence[int]) -> bool:
    placed = {space.options[i].request: i for i in chosen}
    return all(placed.get(r) in space.pin_options.get(r, []) for r in space.pins)


def solve(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    workers: int | None = None,
    previous: Proposal | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    relative_gap: float = 0.0,
    explain_budget: float = 5.0,
    seed: int = 0,
) -> Proposal:
    """The best proposal found within `time_limit` seconds (explanations come after).

    `previous` is the proposal being revised (after a pin or a removal): each session left
    where it was earns `Weights.keep_previous`, so a re-solve moves only what it must.
    `on_progress` is called from the solver's threads at each better schedule and each better
    bound. `explain_budget` bounds the seconds spent naming, for each session that lost its
    times to others, the sessions it cannot be placed together with. Raises ProblemError on
    malformed input."""
    workers = workers or default_workers()
    started = clock.monotonic()
    builder = Builder(problem)
    space = builder.build(previous.where() if previous is not None else {})
    requests = len(space.requests) - len(space.removed)
    if any(not space.pin_options.get(r) for r in space.pins):
        return _conflict(builder, space, workers, explain_budget, requests)
    # A quick heuristic schedule: the safety net when the time limit is too short for CP-SAT
    # to beat it. (It is not given to CP-SAT as a hint: measured, that slowed the search.)
    net, net_classes = best_fit(space)
    built = build(space)
    spent = clock.monotonic() - started
    outcome = run(
        built,
        space,
        time_limit=max(0.5, time_limit - spent),
        workers=workers,
        on_progress=on_progress,
        relative_gap=relative_gap,
        seed=seed,
    )
    if outcome.status == cp_model.INFEASIBLE:
        return _conflict(builder, space, workers, explain_budget, requests)
    chosen, source = outcome.chosen, "cp-sat"
    found = outcome.status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    if _honours_pins(space, net) and (
        not found or total(evaluate(space, net)) > total(evaluate(space, chosen))
    ):
        chosen, source = net, "heuristic"
    elif not found:
        return Proposal(
            status=Status.NO_SOLUTION,
            seconds=clock.monotonic() - started,
            timeline=tuple(outcome.timeline),
            requests=requests,
        )
    rooms = (
        rooms_for(space, chosen) if source == "cp-sat" else assign_rooms(space, chosen, net_classes)
    )
    if rooms is None:
        # Counting rooms per instant was not enough: solve again with every room an exact
        # resource over time, from this schedule.
        exact = build(space, room_intervals=True)
        hint(exact, space, chosen, {})
        left = max(1.0, time_limit - (clock.monotonic() - started))
        again = run(exact, space, time_limit=left, workers=workers, on_progress=on_progress)
        if again.status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            chosen, source = net, "heuristic"
            rooms = assign_rooms(space, chosen, net_classes)
        else:
            chosen = again.chosen
            rooms = assign_rooms(space, chosen, again.classes)
    optimal = outcome.status == cp_model.OPTIMAL and source == "cp-sat"
    unplaced = unplaced_reasons(builder, space, chosen, budget=explain_budget, workers=workers)
    return proposal(
        space,
        chosen,
        status=Status.OPTIMAL if optimal else Status.FEASIBLE,
        rooms=rooms,
        unplaced=unplaced,
        bound=outcome.bound,
        seconds=spent + outcome.seconds,
        first_solution_seconds=(
            None if outcome.first_solution is None else spent + outcome.first_solution
        ),
        timeline=outcome.timeline,
        source=source,
    )


def _conflict(
    builder: Builder, space: Space, workers: int, budget: float, requests: int
) -> Proposal:
    started = clock.monotonic()
    words = pin_conflicts(builder, space, deadline=started + max(budget, 1.0), workers=workers)
    return Proposal(
        status=Status.PINS_CONFLICT,
        conflicts=tuple(words) or ("The pins cannot all hold together.",),
        seconds=clock.monotonic() - started,
        requests=requests,
    )


def greedy_schedule(problem: Problem) -> Proposal:
    """The baseline: each participant in order, each request in its first free slot. Its
    unplaced requests are explained from the rules (no search for competitors)."""
    started = clock.monotonic()
    builder = Builder(problem)
    space = builder.build({})
    chosen, classes = greedy(space)
    seconds = clock.monotonic() - started
    unplaced = unplaced_reasons(builder, space, chosen, budget=0.0, workers=1)
    return proposal(
        space,
        chosen,
        status=Status.FEASIBLE,
        rooms=assign_rooms(space, chosen, classes),
        unplaced=unplaced,
        seconds=seconds,
        first_solution_seconds=seconds,
        source="greedy",
    )
