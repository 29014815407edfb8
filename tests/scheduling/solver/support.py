"""Tiny hand-built weeks for the solver tests: one Monday-to-Friday week from 2 Mar 2026."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from openiop.scheduling.solver import (
    Clinician,
    Participant,
    PlacedSession,
    Problem,
    Proposal,
    Room,
    WeeklyTime,
    individual_key,
    solve,
)

MONDAY = date(2026, 3, 2)
MON, TUE, WED, THU, FRI = range(5)


def t(hour: int, minute: int = 0) -> time:
    return time(hour, minute)


def hours(start: int = 9, end: int = 17, days: tuple[int, ...] = (0, 1, 2, 3, 4)) -> tuple:
    return tuple(WeeklyTime(d, t(start), t(end)) for d in days)


def clinician(key: str, **kw: Any) -> Clinician:
    kw.setdefault("name", key.capitalize())
    kw.setdefault("hours", hours())
    return Clinician(key=key, **kw)


def person(key: str, primary: str | None = "ben", **kw: Any) -> Participant:
    kw.setdefault("name", key.capitalize())
    return Participant(key=key, primary=primary, **kw)


def office(key: str = "office", capacity: int = 1, **kw: Any) -> Room:
    return Room(key=key, name=key.capitalize(), capacity=capacity, **kw)


def problem(**kw: Any) -> Problem:
    kw.setdefault("week_start", MONDAY)
    kw.setdefault("clinicians", (clinician("ben"),))
    return Problem(**kw)


def run(p: Problem, **kw: Any) -> Proposal:
    kw.setdefault("time_limit", 10)
    kw.setdefault("explain_budget", 3)
    return solve(p, **kw)


def session(proposal: Proposal, participant: str, week: int = 0, n: int = 0) -> PlacedSession:
    key = individual_key(participant, week, n)
    found = [s for s in proposal.sessions if s.request == key]
    assert found, f"{key} not placed: {[u.reason for u in proposal.unplaced]}"
    return found[0]


def of(proposal: Proposal, request: str) -> PlacedSession:
    found = [s for s in proposal.sessions if s.request == request]
    assert found, f"{request} not placed: {[u.reason for u in proposal.unplaced]}"
    return found[0]


def overlap(a: PlacedSession, b: PlacedSession) -> bool:
    return a.day == b.day and a.start < b.end and b.start < a.end
