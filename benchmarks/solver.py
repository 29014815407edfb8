"""Benchmark the scheduler's solver against the greedy first-fit baseline.

    PYTHONPATH=. .venv/bin/python benchmarks/solver.py

A synthetic program (benchmarks/solver_program.py: 200 participants, 12 clinicians, 8 rooms,
fixed seed) is scheduled for one week by the greedy baseline (each participant in order, each
session in the first free slot) and by CP-SAT for 60 s. Printed: time to the first feasible
schedule, the gap to CP-SAT's proven bound after 10 s and after 60 s, objective, sessions
placed and preferences met, side by side. The machine's load average is printed too: the
figures are wall-clock and move with whatever else runs.

Environment: BENCH_PARTICIPANTS (200), BENCH_SECONDS (60), BENCH_SEED, BENCH_WEEKS (1),
BENCH_WORKERS (the cores this process may use).
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter

from benchmarks.solver_program import synthetic_program
from openiop.scheduling.solver import Progress, Proposal, greedy_schedule, solve
from openiop.scheduling.solver.cpsat import default_workers


def _at(timeline: list[Progress], seconds: float) -> tuple[float | None, float | None]:
    """The best objective and bound known `seconds` into the search."""
    best: float | None = None
    bound: float | None = None
    for step in timeline:
        if step.seconds > seconds:
            break
        best = step.objective if step.objective is not None else best
        bound = step.bound if step.bound is not None else bound
    return best, bound


def _gap(best: float | None, bound: float | None) -> str:
    if best is None or bound is None:
        return "n/a"
    return f"{(bound - best) / max(1.0, abs(best)):.2%} ({bound - best:,.0f} points)"


def _met(p: Proposal) -> Counter[str]:
    return Counter(code for s in p.sessions for code in s.met)


def main() -> int:
    size = int(os.environ.get("BENCH_PARTICIPANTS", "200"))
    seconds = float(os.environ.get("BENCH_SECONDS", "60"))
    seed = int(os.environ.get("BENCH_SEED", "20260302"))
    weeks = int(os.environ.get("BENCH_WEEKS", "1"))
    workers = int(os.environ.get("BENCH_WORKERS", str(default_workers())))
    problem = synthetic_program(size, seed=seed, weeks=weeks)
    print(
        f"Synthetic program: {len(problem.participants)} participants, "
        f"{len(problem.clinicians)} clinicians, {len(problem.rooms)} rooms, "
        f"{len(problem.groups)} groups, {len(problem.family_requests)} family and "
        f"{len(problem.makeup_requests)} make-up requests, {weeks} week(s); seed {seed}"
    )
    print(f"CP-SAT workers: {workers}; load average before: {os.getloadavg()[0]:.1f}")

    started = time.monotonic()
    baseline = greedy_schedule(problem)
    greedy_seconds = time.monotonic() - started

    timeline: list[Progress] = []
    started = time.monotonic()
    proposal = solve(
        problem,
        time_limit=seconds,
        workers=workers,
        on_progress=timeline.append,
        explain_budget=10.0,
    )
    wall = time.monotonic() - started
    print(f"load average after: {os.getloadavg()[0]:.1f}\n")

    first = proposal.first_solution_seconds
    print(f"time to first feasible schedule: {'n/a' if first is None else f'{first:.2f} s'}")
    for mark in (10.0, seconds):
        best, bound = _at(timeline, mark)
        print(f"gap to CP-SAT's bound after {mark:g} s: {_gap(best, bound)}")
    print(
        f"status {proposal.status} (found by {proposal.source}); search {proposal.seconds:.1f} s, "
        f"with explanations {wall:.1f} s\n"
    )

    g_met, s_met = _met(baseline), _met(proposal)
    rows = [
        ("objective", f"{baseline.objective:,}", f"{proposal.objective:,}"),
        (
            "sessions placed",
            f"{len(baseline.sessions)} / {baseline.requests}",
            f"{len(proposal.sessions)} / {proposal.requests}",
        ),
        ("preferences met", str(baseline.preferences_met), str(proposal.preferences_met)),
    ]
    for code in ("primary", "preferred_time", "continuity", "billable_day", "makeup_in_group"):
        rows.append((f"  {code.replace('_', ' ')}", str(g_met[code]), str(s_met[code])))
    for part in ("same_day", "over_target"):
        rows.append(
            (
                f"{part.replace('_', ' ')} (count)",
                str(baseline.parts[part][0]),
                str(proposal.parts[part][0]),
            )
        )
    rows.append(("time", f"{greedy_seconds:.2f} s", f"{proposal.seconds:.1f} s"))
    print(f"{'':<26}{'greedy':>14}{'CP-SAT':>14}")
    for name, a, b in rows:
        print(f"{name:<26}{a:>14}{b:>14}")

    print(f"\nNot placed by CP-SAT ({len(proposal.unplaced)}), by kind:")
    for kind, n in sorted(Counter(str(u.kind) for u in proposal.unplaced).items()):
        print(f"  {kind}: {n}")
    for u in proposal.unplaced[:3]:
        print(f"  e.g. {u.reason}")
        for r in u.relax[:2]:
            print(f"       {r}")
    better = proposal.preferences_met > baseline.preferences_met
    print(f"\nmore preferences met than greedy: {'yes' if better else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
