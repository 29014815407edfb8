"""The baseline: book each participant in order in the first free slot, as a person filling a
calendar by hand would. The benchmark compares the solver with it; the solver also starts from
it (a solution hint), so it never proposes worse."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from openiop.scheduling.solver.decode import kind_order
from openiop.scheduling.solver.space import Option, Space, covered_slots

Person = tuple[str, object]


def people(space: Space, o: Option) -> list[Person]:
    """Everyone a session occupies: the participant, the family members, the clinician."""
    req = space.requests[o.request]
    out: list[Person] = [("p", req.participant)]
    out += [("f", m.key) for m in req.members]
    if o.clinician is not None:
        out.append(("c", o.clinician))
    return out


@dataclass
class Ledger:
    """What a partial schedule holds: busy people by slot, room classes in use by minute,
    clinicians' weekly sessions, group seats taken."""

    space: Space
    taken: set[tuple[Person, int]] = field(default_factory=set)
    rooms: Counter[tuple[int, int]] = field(default_factory=Counter)
    load: Counter[tuple[int, int]] = field(default_factory=Counter)
    seats: Counter[int] = field(default_factory=Counter)

    def room_for(self, i: int) -> int | None:
        """A room class with a room free for the whole option, or None."""
        space = self.space
        o = space.options[i]
        for k in space.req_classes[o.request]:
            rc = space.room_classes[k]
            if not rc.free(o.day, o.start, o.end):
                continue
            if all(self.rooms[(k, t)] < len(rc.rooms) for t in _minutes(o)):
                return k
        return None

    def fits(self, i: int) -> tuple[bool, int | None]:
        space = self.space
        o = space.options[i]
        g = space.problem.rules.granularity_minutes
        slots = covered_slots(o, g)
        if any((who, t) in self.taken for who in people(space, o) for t in slots):
            return False, None
        if o.group is not None:
            return self.seats[o.group] < space.problem.groups[o.group].seats_left, None
        assert o.clinician is not None
        cap = space.problem.clinicians[o.clinician].max_sessions
        if cap is not None and self.load[(o.clinician, o.week)] >= cap:
            return False, None
        if not space.rooms_modeled:
            return True, None
        k = self.room_for(i)
        return k is not None, k

    def book(self, i: int, room_class: int | None) -> None:
        space = self.space
        o = space.options[i]
        g = space.problem.rules.granularity_minutes
        for who in people(space, o):
            for t in covered_slots(o, g):
                self.taken.add((who, t))
        if o.group is not None:
            self.seats[o.group] += 1
        if o.clinician is not None:
            self.load[(o.clinician, o.week)] += 1
        if room_class is not None:
            for t in _minutes(o):
                self.rooms[(room_class, t)] += 1


def _minutes(o: Option) -> range:
    # Rooms are counted in 5-minute steps: exact for the program's times, which are multiples.
    base = o.day * 1440
    return range(base + o.start - o.start % 5, base + o.end, 5)


def greedy(space: Space) -> tuple[list[int], dict[int, int]]:
    """Chosen options and their room classes: pinned requests first, then each participant in
    order (individual, family, make-up), each in its first free option by day and time, the
    primary clinician before the rest of the care team at the same time."""
    ledger = Ledger(space)
    chosen: list[int] = []
    classes: dict[int, int] = {}
    order = sorted(
        range(len(space.requests)),
        key=lambda r: (
            r not in space.pins,
            space.requests[r].participant,
            kind_order(space.requests[r].kind),
            r,
        ),
    )
    for r in order:
        opts = space.pin_options.get(r, space.by_request[r])
        rank = {c: n for n, c in enumerate(_clinician_rank(space, r))}
        for i in sorted(
            opts,
            key=lambda i: (
                space.options[i].day,
                space.options[i].start,
                rank.get(space.options[i].clinician, -1),
            ),
        ):
            ok, k = ledger.fits(i)
            if ok:
                ledger.book(i, k)
                chosen.append(i)
                if k is not None:
                    classes[i] = k
                break
    return chosen, classes


def _clinician_rank(space: Space, r: int) -> list[int | None]:
    seen: list[int | None] = []
    for i in space.by_request[r]:
        c = space.options[i].clinician
        if c not in seen:
            seen.append(c)
    return seen


def best_fit(space: Space) -> tuple[list[int], dict[int, int]]:
    """A stronger start for the search (not the baseline): pins first, then the requests with
    the fewest options, each in its best-scoring option that still fits."""
    ledger = Ledger(space)
    chosen: list[int] = []
    classes: dict[int, int] = {}
    order = sorted(
        range(len(space.requests)),
        key=lambda r: (r not in space.pins, len(space.by_request[r]), r),
    )
    for r in order:
        opts = space.pin_options.get(r, space.by_request[r])
        for i in sorted(opts, key=lambda i: -space.options[i].points):
            ok, k = ledger.fits(i)
            if ok:
                ledger.book(i, k)
                chosen.append(i)
                if k is not None:
                    classes[i] = k
                break
    return chosen, classes
