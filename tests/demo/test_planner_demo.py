"""In the demo, the director builds next week's individual sessions in one run and books them:
everyone in treatment then has their weekly individual session, or is named with the reason."""

from __future__ import annotations

from datetime import timedelta

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.participants.models import Episode
from openiop.programs.models import SessionCategory
from openiop.scheduling import planner
from openiop.scheduling.models import PlanRun, PlanState, RosterEntry
from tests.demo.conftest import TODAY


def test_the_director_builds_and_books_next_week_in_the_demo(demo) -> None:
    program = demo.program
    director = User.objects.get(role=Role.DIRECTOR, assignments__program=program)
    monday = planner.next_monday(TODAY)
    run = PlanRun.objects.create(
        organization=program.organization,
        program=program,
        week_start=monday,
        requested_by=director,
    )
    planner.plan_solve(run, time_limit=15)
    assert run.state == PlanState.READY
    assert run.proposal is not None
    proposed = run.proposal["sessions"]
    unplaced = run.proposal["unplaced"]
    needing = Episode.objects.filter(program=program, status__in=planner.PLANNED_STATUSES).exclude(
        started_on__gte=monday + timedelta(days=7)
    )
    # Every participant in treatment is either proposed a session or named with a reason.
    assert len(proposed) + len(unplaced) == needing.count()
    assert len(proposed) >= needing.count() * 3 // 4
    assert all(u["reason"] for u in unplaced)
    booked = planner.plan_apply(actor=director, run=run, accepted=[s["request"] for s in proposed])
    assert len(booked) == len(proposed)
    week = RosterEntry.objects.filter(
        session__program=program,
        session__session_type__category=SessionCategory.INDIVIDUAL,
        session__starts_at__date__gte=monday,
        session__starts_at__date__lt=monday + timedelta(days=8),
    )
    assert week.values("participant").distinct().count() == len(proposed)
