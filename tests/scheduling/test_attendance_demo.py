"""The demo's attendance: realistic rows for past sessions, today's left open, follow-ups."""

from __future__ import annotations

import random
from datetime import date, time, timedelta
from types import SimpleNamespace

from openiop.demo.synthetic import build_attendance
from openiop.scheduling.models import Attendance, AttendanceStatus, FollowUpItem, FollowUpKind
from tests.scheduling.attendance_support import episodes, local, make_session, session_type

TODAY = date(2026, 4, 22)  # a Wednesday


def test_past_sessions_get_attendance_and_follow_ups_appear(world: SimpleNamespace) -> None:
    roster = [world.episode, *episodes(world.program, 5, clinician=world.clinician)]
    for e in roster:
        e.started_on = TODAY - timedelta(days=30)
        e.save()
    kind = session_type(world.program)
    for days_back in range(1, 16):
        day = TODAY - timedelta(days=days_back)
        if day.weekday() < 5:
            make_session(
                program=world.program,
                kind=kind,
                starts_at=local(day, time(9, 0)),
                minutes=180,
                facilitators=[world.clinician],
                roster=roster,
                created_by=world.director,
            )
    today = make_session(
        program=world.program,
        kind=kind,
        starts_at=local(TODAY, time(9, 0)),
        facilitators=[world.clinician],
        roster=roster,
        created_by=world.director,
    )
    assert build_attendance(program=world.program, today=TODAY, rng=random.Random(7)) == 11
    assert Attendance.objects.count() == 11 * 6
    assert not Attendance.objects.filter(session=today).exists()
    assert Attendance.objects.filter(status=AttendanceStatus.PRESENT).count() > 40
    kinds = set(FollowUpItem.objects.values_list("kind", flat=True))
    assert {FollowUpKind.ABSENCES, FollowUpKind.HOURS_BELOW} <= kinds
