"""The CP-SAT model.

A time-slot formulation: one boolean per option (request x clinician x day x start on the
program's grid, or request x group for a make-up). Everything about people is a sum of those
booleans: at most one option per request; for every person (clinician, participant, family
member) and grid slot, at most one option covering it; a clinician's weekly cap; a group's
seats. Rooms are the one resource modelled with intervals: a placed in-person request chooses
a room class (rooms no request can tell apart), and each class is a cumulative resource (a
no-overlap when it holds one room), with the rooms' existing bookings as fixed intervals.
Concrete rooms are given after solving (decode.assign_rooms), which the classes make exact.

The objective (maximized) is each chosen option's fixed points, less the cost of a
participant's extra sessions on one day and of each session above a clinician's target.
"""

from __future__ import annotations

import os
import time as clock
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model_helper import SatParameters

from openiop.scheduling.solver.greedy import people
from openiop.scheduling.solver.problem import Kind
from openiop.scheduling.solver.proposal import Progress
from openiop.scheduling.solver.space import Space, covered_slots


def default_workers() -> int:
    """The cores this process may use (the container's share, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class Built:
    model: cp_model.CpModel
    x: list[cp_model.IntVar]
    unplaced: list[cp_model.IntVar]  # one per request: true when it is not placed
    room: dict[tuple[int, int], cp_model.IntVar]  # (request, class) -> chosen
    start: dict[int, cp_model.IntVar]  # request -> start minute in the horizon (in person)
    same_day: dict[tuple[int, int], tuple[cp_model.IntVar, list[int]]]
    over: dict[tuple[int, int], tuple[cp_model.IntVar, list[int], int]]
    pin_literals: dict[int, cp_model.IntVar] = field(default_factory=dict)
    # Requests with a room class that can never run short: decoded into it, no intervals.
    free_class: dict[int, int] = field(default_factory=dict)


def build(
    space: Space,
    *,
    objective: bool = True,
    pins_as_assumptions: bool = False,
    room_intervals: bool = False,
) -> Built:
    problem = space.problem
    w = problem.weights
    g = problem.rules.granularity_minutes
    m = cp_model.CpModel()
    x = [m.new_bool_var(f"x{i}") for i in range(len(space.options))]
    unplaced = [m.new_bool_var(f"u{r}") for r in range(len(space.requests))]
    for r, opts in enumerate(space.by_request):
        m.add_exactly_one([x[i] for i in opts] + [unplaced[r]])

    # Pins: the request is held in one of the options the pin names.
    pin_literals: dict[int, cp_model.IntVar] = {}
    for r in space.pins:
        lits = [x[i] for i in space.pin_options.get(r, [])]
        if pins_as_assumptions:
            a = m.new_bool_var(f"pin{r}")
            pin_literals[r] = a
            m.add_bool_or(lits).only_enforce_if(a)
        else:
            m.add_bool_or(lits)

    # No one in two places: per person and grid slot, at most one option.
    covering: dict[tuple[object, int], list[int]] = defaultdict(list)
    for i, o in enumerate(space.options):
        for who in people(space, o):
            for t in covered_slots(o, g):
                covering[(who, t)].append(i)
    for opts in covering.values():
        # Options of one request already exclude each other (exactly one per request).
        if len({space.options[i].request for i in opts}) > 1:
            m.add_at_most_one([x[i] for i in opts])

    # Group seats for make-ups.
    by_group: dict[int, list[int]] = defaultdict(list)
    for i, o in enumerate(space.options):
        if o.group is not None:
            by_group[o.group].append(i)
    for gi, opts in by_group.items():
        seats = problem.groups[gi].seats_left
        if len(opts) > seats:
            m.add(sum(x[i] for i in opts) <= seats)

    # Clinicians' weekly sessions: a hard cap, and the target the load term measures against.
    by_load: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, o in enumerate(space.options):
        if o.clinician is not None:
            by_load[(o.clinician, o.week)].append(i)
    over: dict[tuple[int, int], tuple[cp_model.IntVar, list[int], int]] = {}
    for (c, week), opts in by_load.items():
        clin = problem.clinicians[c]
        load = sum(x[i] for i in opts)
        reach = _max_sessions(space, opts)
        if clin.max_sessions is not None and reach > clin.max_sessions:
            m.add(load <= clin.max_sessions)
            reach = clin.max_sessions
        target = clin.target_sessions
        if objective and target is not None and reach > target:
            v = m.new_int_var(0, reach - target, f"over{c}_{week}")
            m.add(v >= load - target)
            over[(c, week)] = (v, opts, target)

    # A participant's sessions spread over the week: each extra one on a day costs.
    by_day: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, o in enumerate(space.options):
        by_day[(space.requests[o.request].participant, o.day)].append(i)
    same_day: dict[tuple[int, int], tuple[cp_model.IntVar, list[int]]] = {}
    if objective:
        for key, opts in by_day.items():
            n = len({space.options[i].request for i in opts})
            if n > 1:
                v = m.new_int_var(0, n - 1, f"sd{key[0]}_{key[1]}")
                m.add(v >= sum(x[i] for i in opts) - 1)
                same_day[key] = (v, opts)

    _room_cuts(space, m, x)
    room, start, free_class = _rooms(space, m, x) if room_intervals else ({}, {}, {})
    _symmetry(space, m, x, unplaced)

    if objective:
        terms = [o.points * x[i] for i, o in enumerate(space.options) if o.points]
        terms += [-w.same_day * v for v, _ in same_day.values()]
        terms += [-w.over_target * v for v, _, _ in over.values()]
        m.maximize(sum(terms))
    return Built(m, x, unplaced, room, start, same_day, over, pin_literals, free_class)


def _max_sessions(space: Space, opts: list[int]) -> int:
    return len({space.options[i].request for i in opts})


def _rooms(
    space: Space, m: cp_model.CpModel, x: list[cp_model.IntVar]
) -> tuple[dict[tuple[int, int], cp_model.IntVar], dict[int, cp_model.IntVar], dict[int, int]]:
    room: dict[tuple[int, int], cp_model.IntVar] = {}
    start: dict[int, cp_model.IntVar] = {}
    free_class: dict[int, int] = {}
    if not space.rooms_modeled:
        return room, start, free_class
    intervals: dict[int, list[cp_model.IntervalVar]] = defaultdict(list)
    users: dict[int, set[int]] = defaultdict(set)
    for r, opts in enumerate(space.by_request):
        in_person = [i for i in opts if space.options[i].clinician is not None]
        if not in_person:
            continue
        for k in space.req_classes[r]:
            users[k].add(r)
    for r, opts in enumerate(space.by_request):
        in_person = [i for i in opts if space.options[i].clinician is not None]
        classes = space.req_classes[r]
        if not in_person or not classes:
            continue
        # Skip the interval machinery where the class can never be short: no bookings and at
        # least as many rooms as requests that could use it.
        never_short = [
            k
            for k in classes
            if not space.room_classes[k].busy and len(users[k]) <= len(space.room_classes[k].rooms)
        ]
        if never_short:
            free_class[r] = never_short[0]
            continue
        gstart = {i: space.options[i].day * 1440 + space.options[i].start for i in in_person}
        values = sorted({0, *gstart.values()})
        s = m.new_int_var_from_domain(cp_model.Domain.from_values(values), f"s{r}")
        m.add(s == sum(gstart[i] * x[i] for i in in_person))
        start[r] = s
        length = space.requests[r].minutes
        placed_in_person = sum(x[i] for i in in_person)
        if len(classes) == 1:
            lit = m.new_bool_var(f"y{r}_{classes[0]}")
            m.add(lit == placed_in_person)
            room[(r, classes[0])] = lit
        else:
            for k in classes:
                room[(r, k)] = m.new_bool_var(f"y{r}_{k}")
            m.add(sum(room[(r, k)] for k in classes) == placed_in_person)
        for k in classes:
            intervals[k].append(
                m.new_optional_fixed_size_interval_var(s, length, room[(r, k)], f"i{r}_{k}")
            )
    for k, items in intervals.items():
        rc = space.room_classes[k]
        fixed = [
            m.new_fixed_size_interval_var(d * 1440 + s0, e0 - s0, f"b{k}_{n}")
            for n, (d, s0, e0) in enumerate(rc.busy)
        ]
        if len(rc.rooms) == 1:
            m.add_no_overlap(items + fixed)
        else:
            n_rooms = len(rc.rooms)
            m.add_cumulative(items + fixed, [1] * len(items) + [n_rooms] * len(fixed), n_rooms)
    return room, start, free_class


def _room_cuts(space: Space, m: cp_model.CpModel, x: list[cp_model.IntVar]) -> None:
    """Redundant counting constraints that give the linear relaxation the rooms' capacity:
    for a set S of room classes and a grid instant t, the sessions in progress at t whose
    requests can only use rooms of S number at most the rooms of S free at t (Hall's
    condition). Options start on the grid, so "covers slot t" means "in progress at t". The
    sets are each request's own classes and the unions of all physical and all virtual ones."""
    g = space.problem.rules.granularity_minutes
    sets: set[tuple[int, ...]] = set()
    for r, classes in enumerate(space.req_classes):
        if classes and any(space.options[i].clinician is not None for i in space.by_request[r]):
            sets.add(classes)
    for virtual in (True, False):
        union = tuple(k for k, rc in enumerate(space.room_classes) if rc.virtual == virtual)
        if union:
            sets.add(union)
    for s in sets:
        inside = set(s)
        by_slot: dict[int, list[int]] = defaultdict(list)
        for i, o in enumerate(space.options):
            if o.clinician is None or not set(space.req_classes[o.request]) <= inside:
                continue
            for t in covered_slots(o, g):
                by_slot[t].append(i)
        for t, opts in by_slot.items():
            day, minute = divmod(t * g, 24 * 60)
            free = sum(
                len(space.room_classes[k].rooms)
                for k in s
                if space.room_classes[k].free(day, minute, minute + 1)
            )
            if len(opts) > free:
                m.add(sum(x[i] for i in opts) <= free)


def _symmetry(
    space: Space, m: cp_model.CpModel, x: list[cp_model.IntVar], unplaced: list[cp_model.IntVar]
) -> None:
    """A participant's several individual sessions of one week are interchangeable: the first
    is placed before the second, and earlier in the week."""
    series: dict[tuple[int, int], list[int]] = defaultdict(list)
    for req in space.requests:
        if req.kind == Kind.INDIVIDUAL and req.index not in space.pins:
            series[(req.participant, req.weeks[0])].append(req.index)
    for reqs in series.values():
        reqs.sort(key=lambda r: space.requests[r].order)
        for a, b in pairwise(reqs):
            m.add_implication(unplaced[a], unplaced[b])
            sa = sum(
                (space.options[i].day * 1440 + space.options[i].start) * x[i]
                for i in space.by_request[a]
            )
            sb = sum(
                (space.options[i].day * 1440 + space.options[i].start) * x[i]
                for i in space.by_request[b]
            )
            m.add(sa < sb).only_enforce_if(unplaced[b].Not())


def hint(built: Built, space: Space, chosen: Sequence[int], classes: dict[int, int]) -> None:
    """Start the search from a known schedule (the greedy one, or the last proposal)."""
    m = built.model
    on = set(chosen)
    placed = {space.options[i].request: i for i in chosen}
    for i, var in enumerate(built.x):
        m.add_hint(var, i in on)
    for r, var in enumerate(built.unplaced):
        m.add_hint(var, r not in placed)
    for (r, k), var in built.room.items():
        at = placed.get(r)
        m.add_hint(var, at is not None and classes.get(at) == k)
    for r, var in built.start.items():
        at = placed.get(r)
        o = space.options[at] if at is not None else None
        m.add_hint(var, 0 if o is None or o.clinician is None else o.day * 1440 + o.start)
    for var, opts in built.same_day.values():
        m.add_hint(var, max(0, sum(1 for i in opts if i in on) - 1))
    for var, opts, target in built.over.values():
        m.add_hint(var, max(0, sum(1 for i in opts if i in on) - target))


class _Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float, on_progress: Callable[[Progress], None] | None) -> None:
        super().__init__()
        self.started = started
        self.on_progress = on_progress
        self.timeline: list[Progress] = []
        self.solutions = 0
        self.best: float | None = None
        self.bound: float | None = None

    def now(self) -> float:
        return clock.monotonic() - self.started

    def on_solution_callback(self) -> None:
        self.solutions += 1
        self.best = self.objective_value
        self.bound = self.best_objective_bound
        self._emit()

    def on_bound(self, bound: float) -> None:
        self.bound = bound
        self._emit()

    def _emit(self) -> None:
        step = Progress(self.now(), self.best, self.bound, self.solutions)
        self.timeline.append(step)
        if self.on_progress is not None:
            self.on_progress(step)

    @property
    def first_solution(self) -> float | None:
        return next((p.seconds for p in self.timeline if p.objective is not None), None)


@dataclass
class Outcome:
    status: cp_model.CpSolverStatus
    chosen: list[int]
    classes: dict[int, int]
    bound: float | None
    seconds: float
    first_solution: float | None
    timeline: list[Progress]


def tune(params: SatParameters, *, time_limit: float, workers: int, seed: int = 0) -> None:
    """The parameters measured best on the benchmark (docs/scheduler.md): the model's linear
    relaxation is nearly integral, so the LP worker, given every constraint from the start,
    dives to a near-optimal schedule; presolve's probing, slow on this many booleans, and a
    greedy solution hint (which held the LP worker near the greedy schedule) both cost more
    than they gave."""
    params.max_time_in_seconds = time_limit
    params.num_workers = workers
    params.random_seed = seed
    params.cp_model_presolve = False
    params.add_lp_constraints_lazily = False


def run(
    built: Built,
    space: Space,
    *,
    time_limit: float,
    workers: int,
    on_progress: Callable[[Progress], None] | None = None,
    relative_gap: float = 0.0,
    seed: int = 0,
) -> Outcome:
    solver = cp_model.CpSolver()
    tune(solver.parameters, time_limit=time_limit, workers=workers, seed=seed)
    solver.parameters.relative_gap_limit = relative_gap
    started = clock.monotonic()
    watcher = _Watcher(started, on_progress)
    solver.best_bound_callback = watcher.on_bound
    status = solver.solve(built.model, watcher)
    seconds = clock.monotonic() - started
    chosen: list[int] = []
    classes: dict[int, int] = {}
    bound: float | None = None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = [i for i, v in enumerate(built.x) if solver.boolean_value(v)]
        for (r, k), var in built.room.items():
            if solver.boolean_value(var):
                i = next(i for i in space.by_request[r] if solver.boolean_value(built.x[i]))
                classes[i] = k
        for i in chosen:
            r = space.options[i].request
            if space.options[i].clinician is not None and r in built.free_class:
                classes[i] = built.free_class[r]
        bound = solver.best_objective_bound
    return Outcome(
        status, chosen, classes, bound, seconds, watcher.first_solution, watcher.timeline
    )


def rooms_for(
    space: Space, chosen: Sequence[int], *, time_limit: float = 5.0
) -> dict[int, int] | None:
    """Concrete rooms for a schedule, or None when none exists. The model counted rooms per
    instant (Hall's condition); a session must also keep one room from start to end, which
    this small exact model checks: each in-person session in one free compatible room, no
    room holding two sessions at one instant."""
    if not space.rooms_modeled:
        return {}
    g = space.problem.rules.granularity_minutes
    m = cp_model.CpModel()
    a: dict[tuple[int, int], cp_model.IntVar] = {}
    by_room_slot: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    for i in chosen:
        o = space.options[i]
        if o.clinician is None:
            continue
        rooms = [
            room
            for k in space.req_classes[o.request]
            if space.room_classes[k].free(o.day, o.start, o.end)
            for room in space.room_classes[k].rooms
        ]
        if not rooms:
            return None
        for room in rooms:
            a[(i, room)] = m.new_bool_var(f"a{i}_{room}")
            for t in covered_slots(o, g):
                by_room_slot[(room, t)].append(a[(i, room)])
        m.add_exactly_one([a[(i, room)] for room in rooms])
    for lits in by_room_slot.values():
        if len(lits) > 1:
            m.add_at_most_one(lits)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 1
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {i: room for (i, room), v in a.items() if solver.boolean_value(v)}
