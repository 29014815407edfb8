"""Hours per program week: week boundaries in the program's time zone, DST weeks, billable
days, counting session types, individual sessions and compliance. Explicit datetimes only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from openiop.programs.models import SessionCategory
from openiop.scheduling.attendance import attendance_record
from openiop.scheduling.hours import participants_weeks, week_bounds, week_start_of
from openiop.scheduling.models import AttendanceStatus, Session
from tests.scheduling.attendance_support import local, make_session, session_type

NOW = datetime(2027, 1, 1, tzinfo=local(date(2027, 1, 1), time(0)).tzinfo)


def group_at(
    world: SimpleNamespace, starts_at: datetime, minutes: int = 180, **kw: object
) -> Session:
    kw.setdefault("kind", session_type(world.program))
    return make_session(
        program=world.program,
        starts_at=starts_at,
        minutes=minutes,
        facilitators=[world.clinician],
        roster=[world.episode],
        created_by=world.director,
        **kw,
    )


def attend(
    world: SimpleNamespace, session: Session, status: str = AttendanceStatus.PRESENT
) -> None:
    attendance_record(
        session=session,
        participant=world.participant,
        status=status,
        actor=world.clinician,
        now=session.ends_at + timedelta(hours=1),
    )


def week(world: SimpleNamespace, monday: date):
    return participants_weeks(
        program=world.program, participant_ids=[world.participant.pk], week_starts=[monday]
    )[(world.participant.pk, monday)]


def test_the_dst_spring_week_is_167_hours() -> None:
    start, end = week_bounds(date(2026, 3, 2), "America/Chicago")
    assert end - start == timedelta(hours=167)


def test_the_dst_autumn_week_is_169_hours() -> None:
    start, end = week_bounds(date(2026, 10, 26), "America/Chicago")
    assert end - start == timedelta(hours=169)


def test_a_sunday_is_in_the_week_that_began_the_monday_before() -> None:
    assert week_start_of(date(2026, 3, 8)) == date(2026, 3, 2)


def test_sunday_2330_local_belongs_to_that_sundays_week(world: SimpleNamespace) -> None:
    late_sunday = group_at(world, local(date(2026, 4, 19), time(23, 30)), minutes=60)
    monday = group_at(world, local(date(2026, 4, 20), time(0, 30)), minutes=60)
    attend(world, late_sunday)
    attend(world, monday)
    assert week(world, date(2026, 4, 13)).attended_minutes == 60
    assert week(world, date(2026, 4, 20)).attended_minutes == 60


@pytest.mark.parametrize(
    ("sunday", "monday"),
    [(date(2026, 3, 8), date(2026, 3, 2)), (date(2026, 11, 1), date(2026, 10, 26))],
)
def test_a_dst_sunday_night_session_stays_in_its_week(
    world: SimpleNamespace, sunday: date, monday: date
) -> None:
    # 23:30 local on the change day is already the next UTC day: the week must not slip.
    session = group_at(world, local(sunday, time(23, 30)), minutes=30)
    assert session.starts_at.astimezone(NOW.tzinfo).date() == sunday
    attend(world, session)
    assert week(world, monday).attended_minutes == 30
    assert week(world, monday + timedelta(days=7)).attended_minutes == 0


def test_a_monday_just_after_midnight_after_a_dst_week_is_the_next_week(
    world: SimpleNamespace,
) -> None:
    attend(world, group_at(world, local(date(2026, 11, 2), time(0, 15)), minutes=30))
    assert week(world, date(2026, 10, 26)).attended_minutes == 0
    assert week(world, date(2026, 11, 2)).attended_minutes == 30


def test_scheduled_and_attended_hours_and_billable_days(world: SimpleNamespace) -> None:
    monday = date(2026, 4, 13)
    full = group_at(world, local(monday, time(9, 0)), minutes=180)
    short = group_at(world, local(monday + timedelta(days=2), time(9, 0)), minutes=180)
    missed = group_at(world, local(monday + timedelta(days=4), time(9, 0)), minutes=180)
    attend(world, full)
    attendance_record(
        session=short,
        participant=world.participant,
        status=AttendanceStatus.LEFT_EARLY,
        departed_at=local(monday + timedelta(days=2), time(11, 0)),
        actor=world.clinician,
        now=short.ends_at,
    )
    attend(world, missed, AttendanceStatus.ABSENT_UNEXCUSED)
    w = week(world, monday)
    assert w.scheduled_hours == Decimal("9.0")
    assert w.attended_hours == Decimal("5.0")
    assert w.billable_days == 1  # 3 h on Monday; 2 h on Wednesday is below the 3 h threshold
    assert w.below_minimum
    assert w.compliance == "below"


def test_the_billable_day_threshold_comes_from_the_program(world: SimpleNamespace) -> None:
    world.program.billable_day_hours = Decimal("2.0")
    world.program.save()
    monday = date(2026, 4, 13)
    attend(world, group_at(world, local(monday, time(9, 0)), minutes=120))
    assert week(world, monday).billable_days == 1


def test_two_sessions_on_one_day_add_up_to_a_billable_day(world: SimpleNamespace) -> None:
    monday = date(2026, 4, 13)
    attend(world, group_at(world, local(monday, time(9, 0)), minutes=90))
    attend(world, group_at(world, local(monday, time(10, 45)), minutes=90))
    assert week(world, monday).billable_days == 1


def test_session_types_that_do_not_count_are_left_out(world: SimpleNamespace) -> None:
    monday = date(2026, 4, 13)
    kind = session_type(world.program, counts=False)
    attend(world, group_at(world, local(monday, time(9, 0)), minutes=60, kind=kind))
    w = week(world, monday)
    assert (w.scheduled_minutes, w.attended_minutes) == (0, 0)


def test_cancelled_sessions_are_not_scheduled_hours(world: SimpleNamespace) -> None:
    monday = date(2026, 4, 13)
    group_at(world, local(monday, time(9, 0)), status="cancelled")
    assert week(world, monday).scheduled_minutes == 0


def test_an_attended_individual_session_is_noted(world: SimpleNamespace) -> None:
    monday = date(2026, 4, 13)
    kind = session_type(world.program, category=SessionCategory.INDIVIDUAL)
    session = group_at(world, local(monday, time(13, 0)), minutes=50, kind=kind)
    assert week(world, monday).individual_missing
    attend(world, session)
    w = week(world, monday)
    assert w.individual_held
    assert not w.individual_missing


def test_a_missed_individual_session_is_not_held(world: SimpleNamespace) -> None:
    monday = date(2026, 4, 13)
    kind = session_type(world.program, category=SessionCategory.INDIVIDUAL)
    attend(
        world,
        group_at(world, local(monday, time(13, 0)), minutes=50, kind=kind),
        AttendanceStatus.ABSENT_EXCUSED,
    )
    assert not week(world, monday).individual_held


def test_hours_within_and_above_the_program_range(world: SimpleNamespace) -> None:
    monday = date(2026, 4, 13)
    for day in range(4):
        attend(world, group_at(world, local(monday + timedelta(days=day), time(9, 0)), minutes=180))
    assert week(world, monday).compliance == "within"  # 12 h, between 9 and 19
    world.program.weekly_hours_max = Decimal("10.0")
    world.program.save()
    assert week(world, monday).compliance == "above"
