"""Why a session was not placed, or why the director's pins cannot all hold, in words.

In a real week most trouble is local: one person has no time that meets a clinician's. So a
request with no option at all is explained from the rules alone: every clinician and every
time of the program's day is tried, each rule in the way is noted, and the smallest sets of
rule families whose relaxing would open a time are named (e.g. "seeing only the care team" or
"Ana's declared unavailable times (work)"). A request that has options but lost them to
others is explained by what takes each option, and, within a time budget, by a smallest group
of placed sessions it cannot be placed together with: the model is asked to place them all
(one assumption literal per request), CP-SAT names a sufficient set of assumptions for the
infeasibility, and that set is shrunk one request at a time to an irreducible one. Pins
conflicting with each other are found the same way, with one assumption per pin.
"""

from __future__ import annotations

import time as clock
from collections import Counter, defaultdict
from collections.abc import Sequence

from ortools.sat.python import cp_model

from openiop.scheduling.solver.greedy import people
from openiop.scheduling.solver.problem import Kind
from openiop.scheduling.solver.proposal import Unplaced
from openiop.scheduling.solver.space import (
    FAMILIES,
    Blocker,
    Builder,
    Option,
    Req,
    Space,
    covered_slots,
    merge,
)
from openiop.scheduling.solver.words import and_list, day_label, describe_free, minutes, or_list
from openiop.scheduling.solver.words import clock as hhmm

MAX_RELAXATIONS = 3


def _length(m: int) -> str:
    return {60: "hour", 30: "half hour", 45: "45 minutes"}.get(m, f"{m} minutes")


def _when(b: Builder) -> str:
    ws = b.problem.week_start
    if b.problem.weeks == 1:
        return f"in the week of {ws.day} {ws.strftime('%b')}"
    return f"in the two weeks from {ws.day} {ws.strftime('%b')}"


def _family_text(b: Builder, req: Req, family: str, found: list[Blocker]) -> str:
    name = b.problem.participants[req.participant].name
    texts = sorted({x.text for x in found if x.family == family})
    base = FAMILIES[family]
    if family == "unavailable":
        return f"{name}'s declared unavailable times ({and_list(texts)})"
    if family == "groups":
        return f"{name}'s track groups ({and_list(texts)})"
    if family == "participant_busy":
        return f"{name}'s other bookings ({and_list(texts)})"
    if family == "family":
        return f"the availability of {and_list(texts)}"
    if family == "care_team":
        verb = "is" if len(texts) == 1 else "are"
        return f"seeing only the care team ({and_list(texts)} {verb} not on it)"
    if family == "licence":
        need = sorted(b.problem.rules.rule(req.kind).licences)
        verb = "holds" if len(texts) == 1 else "hold"
        return f"the licence a {req.label} needs ({or_list(need)}; {and_list(texts)} {verb} none)"
    if family == "clinician_hours":
        return f"the working hours of {and_list(texts)}"
    if family in ("clinician_busy", "group_full", "rooms"):
        return f"{base} ({and_list(texts)})"
    return base


def _candidates(b: Builder, req: Req) -> list[tuple[int, int, int | None, int | None]]:
    """Every (day, start, clinician, group) worth trying, whatever the rules say."""
    lo, hi = b.open
    out: list[tuple[int, int, int | None, int | None]] = []
    for gi in b.lesson_groups(req):
        gr = b.problem.groups[gi]
        out.append((gr.day, minutes(gr.start), None, gi))
    if req.kind == Kind.MAKEUP and not req.allow_individual:
        return out
    for c in range(len(b.problem.clinicians)):
        for day in b.days_of(req):
            for start in b.grid(lo, hi, req.minutes):
                out.append((day, start, c, None))
    return out


def relaxations(
    b: Builder, req: Req
) -> list[tuple[tuple[str, ...], list[Blocker], tuple[int, int, int | None, int | None]]]:
    """The smallest sets of rule families that, relaxed together, would open a time; each with
    the blockers met and one example time."""
    sets: dict[frozenset[str], list[Blocker]] = {}
    example: dict[frozenset[str], tuple[int, int, int | None, int | None]] = {}
    seen: Counter[frozenset[str]] = Counter()
    for cand in _candidates(b, req):
        day, start, c, gi = cand
        found = b.blockers(req, day, start, clinician=c, group=gi)
        fams = frozenset(x.family for x in found) - {"forbidden"}
        if not fams:
            continue
        seen[fams] += 1
        sets.setdefault(fams, []).extend(found)
        example.setdefault(fams, cand)
    if not sets:
        return []
    smallest = min(len(f) for f in sets)
    ranked = sorted((f for f in sets if len(f) == smallest), key=lambda f: (-seen[f], sorted(f)))
    order = list(FAMILIES)
    return [
        (tuple(sorted(f, key=order.index)), sets[f], example[f]) for f in ranked[:MAX_RELAXATIONS]
    ]


def _example(b: Builder, cand: tuple[int, int, int | None, int | None]) -> str:
    day, start, c, gi = cand
    at = f"{day_label(b.problem.week_start, day)} {hhmm(start)}"
    if gi is not None:
        return f"{b.problem.groups[gi].name}, {at}"
    assert c is not None
    return f"{b.problem.clinicians[c].name}, {at}"


def no_option(b: Builder, req: Req) -> Unplaced:
    """A request no clinician, time or group can hold under the rules."""
    problem = b.problem
    p = problem.participants[req.participant]
    name = p.name
    team = b.team(req)
    team_names = [problem.clinicians[c].name for c in team]
    what = req.label
    if problem.rules.care_team_only and not team:
        reason = f"{name} has no care-team clinician to hold a {what}."
    elif problem.rooms and not b.req_classes[req.index] and not b.lesson_groups(req):
        reason = f"No room suits a {what} for {name}: it needs {b.room_need(req)}."
    elif problem.rules.care_team_only and not any(b.licensed(req, c) for c in team):
        need = or_list(sorted(problem.rules.rule(req.kind).licences))
        reason = (
            f"No care-team clinician of {name} ({and_list(team_names)}) holds the licence "
            f"a {what} needs ({need})."
        )
    else:
        free = {d: b.free_spans(req, d) for d in b.days_of(req)}
        described = describe_free(problem.week_start, free, req.minutes)
        if described == "no time" and any(m.available for m in req.members):
            members = and_list(m.name for m in req.members)
            reason = (
                f"{name} and {members} are never free at the same time in the program's "
                f"hours {_when(b)}."
            )
        elif described == "no time":
            lo, hi = b.open
            reason = (
                f"{name} has no free {_length(req.minutes)} in the program's hours "
                f"({hhmm(lo)} to {hhmm(hi)}) {_when(b)}."
            )
        elif req.members and any(m.available for m in req.members):
            members = and_list(m.name for m in req.members)
            reason = (
                f"{name} and {members} have no {_length(req.minutes)} in common with a "
                f"care-team clinician {_when(b)}: together they are free on {described}."
            )
        else:
            who = "any care-team clinician" if problem.rules.care_team_only else "any clinician"
            if team_names and problem.rules.care_team_only:
                who += f" ({and_list(team_names)})"
            reason = f"{name} has no free {_length(req.minutes)} with {who} on {described}."
        if req.kind == Kind.MAKEUP and b.lesson_groups(req):
            reason += f" No group teaching {req.lesson_title or req.lesson} fits either."
        elif req.kind == Kind.MAKEUP:
            reason += f" No other group teaches {req.lesson_title or req.lesson} in the horizon."
    found = relaxations(b, req)
    relax = tuple(
        f"relax {and_list(_family_text(b, req, f, blk) for f in fams)} (e.g. {_example(b, cand)})"
        for fams, blk, cand in found
    )
    return Unplaced(
        request=req.key,
        kind=req.kind,
        participant=p.key,
        reason=reason,
        relax=relax,
        families=tuple(fams for fams, _, _ in found),
    )


def _held(space: Space, chosen: Sequence[int]) -> set[tuple[object, int]]:
    """(person, grid slot) pairs the schedule occupies."""
    g = space.problem.rules.granularity_minutes
    return {
        (who, t)
        for i in chosen
        for who in people(space, space.options[i])
        for t in covered_slots(space.options[i], g)
    }


def taken_by(space: Space, chosen: Sequence[int], r: int) -> Counter[str]:
    """For a request that lost all its options: what takes them in the schedule."""
    problem = space.problem
    g = problem.rules.granularity_minutes
    holder: dict[tuple[object, int], int] = {}
    load: Counter[tuple[int, int]] = Counter()
    seats: Counter[int] = Counter()
    for i in chosen:
        o = space.options[i]
        for who in people(space, o):
            for t in covered_slots(o, g):
                holder[(who, t)] = i
        if o.clinician is not None:
            load[(o.clinician, o.week)] += 1
        if o.group is not None:
            seats[o.group] += 1
    out: Counter[str] = Counter()
    for i in space.by_request[r]:
        o = space.options[i]
        hits = set()
        for who in people(space, o):
            if any((who, t) in holder for t in covered_slots(o, g)):
                kind, ref = who
                if kind == "c":
                    assert isinstance(ref, int)
                    hits.add(f"{problem.clinicians[ref].name} is in other sessions")
                elif kind == "p":
                    hits.add("the participant has another session then")
                else:
                    hits.add("a family member has another session then")
        if o.clinician is not None:
            cap = problem.clinicians[o.clinician].max_sessions
            if cap is not None and load[(o.clinician, o.week)] >= cap:
                hits.add(f"{problem.clinicians[o.clinician].name} is at their weekly cap")
        if o.group is not None and seats[o.group] >= problem.groups[o.group].seats_left:
            hits.add(f"{problem.groups[o.group].name} is full")
        if not hits:
            hits.add("every suitable room is in use")
        out.update(hits)
    return out


def competition(
    b: Builder,
    space: Space,
    chosen: Sequence[int],
    r: int,
    competitors: Sequence[int] | None,
) -> Unplaced:
    problem = space.problem
    req = space.requests[r]
    p = problem.participants[req.participant]
    opts = [space.options[i] for i in space.by_request[r]]
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for o in opts:
        spans[o.day].append((o.start, o.end))
    free = {day: merge(found) for day, found in spans.items()}
    described = describe_free(problem.week_start, free, req.minutes)
    clinicians = and_list(
        problem.clinicians[o.clinician].name for o in opts if o.clinician is not None
    )
    with_whom = f" with {clinicians}" if clinicians else ""
    causes = taken_by(space, chosen, r)
    top = [text for text, _ in causes.most_common(3)]
    reason = (
        f"Every time that fits {p.name}'s {req.label} ({described}{with_whom}) is taken "
        f"in this proposal: {and_list(top)}."
    )
    names: tuple[str, ...] = ()
    if competitors:
        others = [space.requests[q] for q in competitors]
        who = and_list(dict.fromkeys(f"{problem.participants[q.participant].name}" for q in others))
        reason += (
            f" It cannot be placed together with the sessions of {who}: "
            "there are not enough of those hours for all of them."
        )
        names = tuple(q.key for q in others)
    relax: list[str] = []
    families: list[tuple[str, ...]] = []
    team = set(b.team(req))
    if problem.rules.care_team_only:
        g = problem.rules.granularity_minutes
        busy = _held(space, chosen)

        def free_outside(c: int) -> bool:
            # Not on the team, but free in this proposal at a time that fits the participant:
            # seeing them would place the session.
            for o in opts:
                found = {x.family for x in b.blockers(req, o.day, o.start, clinician=c)}
                if found != {"care_team"}:
                    continue
                probe = Option(r, o.day, o.start, o.end, clinician=c)
                if not any((("c", c), t) in busy for t in covered_slots(probe, g)):
                    return True
            return False

        outside = [
            c
            for c in range(len(problem.clinicians))
            if c not in team and b.licensed(req, c) and free_outside(c)
        ]
        if outside:
            relax.append(
                "relax seeing only the care team (e.g. "
                f"{or_list(problem.clinicians[c].name for c in outside[:3])})"
            )
            families.append(("care_team",))
    if clinicians:
        relax.append(f"relax the working hours of {clinicians} (more hours)")
        families.append(("clinician_hours",))
    return Unplaced(
        request=req.key,
        kind=req.kind,
        participant=p.key,
        reason=reason,
        relax=tuple(relax),
        families=tuple(families),
        competitors=names,
    )


class Cores:
    """Finds small sets of requests that cannot all be placed together. One feasibility model
    (no objective) with an assumption literal per request, built once and asked many times."""

    def __init__(self, space: Space, *, deadline: float, workers: int) -> None:
        from openiop.scheduling.solver.cpsat import build

        self.deadline = deadline
        self.workers = workers
        built = build(space, objective=False)
        self.model = built.model
        self.lit: dict[int, cp_model.IntVar] = {}
        for r in range(len(space.requests)):
            a = self.model.new_bool_var(f"need{r}")
            self.model.add_implication(a, built.unplaced[r].Not())
            self.lit[r] = a
        self.back = {v.index: r for r, v in self.lit.items()}

    def _infeasible(self, subset: Sequence[int]) -> tuple[bool | None, list[int]]:
        left = self.deadline - clock.monotonic()
        if left <= 0.05:
            return None, []
        m = self.model
        m.clear_assumptions()
        m.add_assumptions([self.lit[r] for r in subset])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = left
        solver.parameters.num_workers = self.workers
        status = solver.solve(m)
        if status == cp_model.INFEASIBLE:
            found = [self.back[i] for i in solver.sufficient_assumptions_for_infeasibility()]
            return True, [r for r in found if r in subset] or list(subset)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False, []
        return None, []

    def find(self, must: Sequence[int], keep: int) -> list[int] | None:
        """A set among `must` (always holding `keep`) that cannot all be placed, or None when
        they can or time ran out. Irreducible when the deadline allows: without any one of
        its members the rest can be placed."""
        verdict, current = self._infeasible(must)
        if not verdict:
            return None
        if keep not in current:
            current = [*current, keep]
        for r in list(current):
            if r == keep or r not in current:
                continue
            trial = [q for q in current if q != r]
            verdict, smaller = self._infeasible(trial)
            if verdict is None:
                break
            if verdict:
                current = [q for q in trial if q in smaller or q == keep]
        return current


def unplaced_reasons(
    b: Builder,
    space: Space,
    chosen: Sequence[int],
    *,
    budget: float,
    workers: int,
) -> list[Unplaced]:
    placed = {space.options[i].request for i in chosen}
    out: list[Unplaced] = []
    deadline = clock.monotonic() + budget
    cores: Cores | None = None
    for req in space.requests:
        r = req.index
        if r in placed or r in space.removed:
            continue
        if not space.by_request[r]:
            out.append(no_option(b, req))
            continue
        competitors: list[int] | None = None
        if clock.monotonic() < deadline:
            cores = cores or Cores(space, deadline=deadline, workers=workers)
            found = cores.find(sorted(placed | {r}), keep=r)
            if found is not None:
                competitors = [q for q in found if q != r]
        out.append(competition(b, space, chosen, r, competitors))
    return out


def pin_conflicts(b: Builder, space: Space, *, deadline: float, workers: int) -> list[str]:
    """Why the pins cannot all hold: each pin no option matches, then a smallest set of pins
    that cannot hold together."""
    problem = space.problem
    out: list[str] = []
    for r, pin in space.pins.items():
        if space.pin_options.get(r):
            continue
        req = space.requests[r]
        name = problem.participants[req.participant].name
        at = f"{day_label(problem.week_start, pin.day)} {hhmm(minutes(pin.start))}"
        if pin.group is not None:
            gi = next(i for i, g in enumerate(problem.groups) if g.key == pin.group)
            found = b.blockers(req, pin.day, minutes(pin.start), group=gi)
            if problem.groups[gi].lesson != req.lesson:
                found.append(Blocker("group_full", "the group does not teach the lesson"))
            where = problem.groups[gi].name
        else:
            clinicians = (
                [b.cindex[pin.clinician]] if pin.clinician is not None else b.candidates(req)
            )
            found = [x for c in clinicians for x in b.blockers(req, pin.day, minutes(pin.start), c)]
            where = and_list(problem.clinicians[c].name for c in clinicians) or "no clinician"
        if not any(pin.day // 7 == w for w in req.weeks):
            found.append(Blocker("forbidden", "the pin is outside the weeks the session is due"))
        words = and_list(sorted({_family_text(b, req, x.family, found) for x in found}))
        out.append(
            f"The pin of {name}'s {req.label} at {at} with {where} breaks {words or 'a rule'}."
        )
    if out:
        return out
    from openiop.scheduling.solver.cpsat import build

    built = build(space, objective=False, pins_as_assumptions=True)
    m = built.model
    lits = built.pin_literals
    back = {v.index: r for r, v in lits.items()}

    def infeasible(subset: list[int]) -> tuple[bool | None, list[int]]:
        left = deadline - clock.monotonic()
        if left <= 0.05:
            return None, []
        m.clear_assumptions()
        m.add_assumptions([lits[r] for r in subset])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = left
        solver.parameters.num_workers = workers
        status = solver.solve(m)
        if status == cp_model.INFEASIBLE:
            found = [back[i] for i in solver.sufficient_assumptions_for_infeasibility()]
            return True, [r for r in found if r in subset] or subset
        return (False if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None), []

    verdict, current = infeasible(sorted(lits))
    if verdict is None:
        return ["The pins could not be checked in the time allowed; try fewer pins."]
    if not verdict:
        return []
    for r in list(current):
        if len(current) <= 2:
            break
        trial = [q for q in current if q != r]
        v, smaller = infeasible(trial)
        if v:
            current = [q for q in trial if q in smaller] or trial
        elif v is None:
            break
    described = []
    for r in current:
        pin = space.pins[r]
        req = space.requests[r]
        name = problem.participants[req.participant].name
        at = f"{day_label(problem.week_start, pin.day)} {hhmm(minutes(pin.start))}"
        with_ = f" with {problem.clinicians[b.cindex[pin.clinician]].name}" if pin.clinician else ""
        described.append(f"{name}'s {req.label} at {at}{with_}")
    shared = _shared(space, current)
    return [f"These pins cannot all hold: {and_list(described)}{shared}. Unpin one of them."]


def _shared(space: Space, pinned: Sequence[int]) -> str:
    """What the conflicting pins compete for, when it is one person at one time."""
    g = space.problem.rules.granularity_minutes
    seen: dict[tuple[object, int], int] = {}
    for r in pinned:
        for i in space.pin_options.get(r, []):
            o = space.options[i]
            for who in people(space, o):
                for t in covered_slots(o, g):
                    if (who, t) in seen and seen[(who, t)] != r:
                        kind, ref = who
                        if kind == "c":
                            assert isinstance(ref, int)
                            name = space.problem.clinicians[ref].name
                            return f" ({name} cannot be in two sessions at once)"
                        if kind == "p":
                            return " (the participant cannot be in two sessions at once)"
                    seen[(who, t)] = r
    return ""
