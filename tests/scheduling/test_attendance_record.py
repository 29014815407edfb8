"""attendance_record and attendance_all_present: minutes per status, refusals, upsert."""

from __future__ import annotations

from datetime import date, time, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openiop.accounts.roles import Role
from openiop.scheduling.attendance import attendance_all_present, attendance_record
from openiop.scheduling.models import Attendance, AttendanceStatus, Session
from tests import factories as f
from tests.scheduling.attendance_support import episodes, local, make_session, session_type

DAY = date(2026, 4, 14)  # a Tuesday
START = local(DAY, time(9, 0))
DURING = START + timedelta(minutes=45)
AFTER = START + timedelta(hours=5)


@pytest.fixture
def group(world: SimpleNamespace) -> Session:
    return make_session(
        program=world.program,
        kind=session_type(world.program),
        starts_at=START,
        minutes=180,
        facilitators=[world.clinician],
        roster=[world.episode],
        created_by=world.director,
    )


def record(world: SimpleNamespace, session: Session, status: str, **kw: object) -> Attendance:
    kw.setdefault("now", AFTER)
    return attendance_record(
        session=session,
        participant=world.participant,
        status=status,
        actor=kw.pop("actor", world.clinician),
        **kw,
    )


def test_present_counts_the_whole_session(world: SimpleNamespace, group: Session) -> None:
    assert record(world, group, AttendanceStatus.PRESENT).minutes == 180


def test_late_counts_from_arrival_to_the_end(world: SimpleNamespace, group: Session) -> None:
    row = record(world, group, AttendanceStatus.LATE, arrived_at=local(DAY, time(9, 40)))
    assert row.minutes == 140


def test_late_with_a_departure_counts_arrival_to_departure(
    world: SimpleNamespace, group: Session
) -> None:
    row = record(
        world,
        group,
        AttendanceStatus.LATE,
        arrived_at=local(DAY, time(9, 30)),
        departed_at=local(DAY, time(11, 0)),
    )
    assert row.minutes == 90


def test_left_early_counts_from_the_start_to_departure(
    world: SimpleNamespace, group: Session
) -> None:
    row = record(world, group, AttendanceStatus.LEFT_EARLY, departed_at=local(DAY, time(10, 15)))
    assert row.minutes == 75


def test_left_early_after_a_late_arrival_counts_both(
    world: SimpleNamespace, group: Session
) -> None:
    row = record(
        world,
        group,
        AttendanceStatus.LEFT_EARLY,
        arrived_at=local(DAY, time(9, 20)),
        departed_at=local(DAY, time(10, 0)),
    )
    assert row.minutes == 40


@pytest.mark.parametrize(
    "status",
    [
        AttendanceStatus.ABSENT_EXCUSED,
        AttendanceStatus.ABSENT_UNEXCUSED,
        AttendanceStatus.CANCELLED,
    ],
)
def test_absences_count_nothing_and_drop_times(
    world: SimpleNamespace, group: Session, status: str
) -> None:
    row = record(world, group, status, arrived_at=local(DAY, time(9, 30)))
    assert (row.minutes, row.arrived_at) == (0, None)


def test_an_arrival_in_the_grace_before_the_start_counts_no_more_than_the_session(
    world: SimpleNamespace, group: Session
) -> None:
    row = record(world, group, AttendanceStatus.LATE, arrived_at=local(DAY, time(8, 50)))
    assert row.minutes == 180


def test_it_refuses_an_arrival_outside_the_session(world: SimpleNamespace, group: Session) -> None:
    with pytest.raises(ValidationError, match="arrival time must fall within the session"):
        record(world, group, AttendanceStatus.LATE, arrived_at=local(DAY, time(13, 0)))
    assert Attendance.objects.count() == 0


def test_it_refuses_an_arrival_after_the_departure(world: SimpleNamespace, group: Session) -> None:
    with pytest.raises(ValidationError, match="must not be after the departure"):
        record(
            world,
            group,
            AttendanceStatus.LEFT_EARLY,
            arrived_at=local(DAY, time(10, 30)),
            departed_at=local(DAY, time(10, 0)),
        )
    assert Attendance.objects.count() == 0


def test_late_without_a_time_after_the_session_asks_for_one(
    world: SimpleNamespace, group: Session
) -> None:
    with pytest.raises(ValidationError, match="Enter the arrival time"):
        record(world, group, AttendanceStatus.LATE)
    assert Attendance.objects.count() == 0


def test_a_late_tap_during_the_session_means_arriving_now(
    world: SimpleNamespace, group: Session
) -> None:
    row = record(world, group, AttendanceStatus.LATE, now=DURING)
    assert (row.arrived_at, row.minutes) == (DURING, 135)


def test_a_left_early_tap_during_the_session_means_leaving_now(
    world: SimpleNamespace, group: Session
) -> None:
    row = record(world, group, AttendanceStatus.LEFT_EARLY, now=DURING)
    assert (row.departed_at, row.minutes) == (DURING, 45)


def test_it_refuses_attendance_before_the_session_starts(
    world: SimpleNamespace, group: Session
) -> None:
    with pytest.raises(ValidationError, match="has not started"):
        record(world, group, AttendanceStatus.PRESENT, now=START - timedelta(hours=1))
    assert Attendance.objects.count() == 0


def test_it_refuses_a_participant_not_on_the_roster(world: SimpleNamespace, group: Session) -> None:
    stranger = episodes(world.program, 1)[0]
    with pytest.raises(ValidationError, match="not on this session's roster"):
        attendance_record(
            session=group,
            participant=stranger.participant,
            status=AttendanceStatus.PRESENT,
            actor=world.clinician,
            now=AFTER,
        )
    assert Attendance.objects.count() == 0


def test_it_refuses_an_unknown_status(world: SimpleNamespace, group: Session) -> None:
    with pytest.raises(ValidationError, match="not an attendance status"):
        record(world, group, "sleeping")
    assert Attendance.objects.count() == 0


def test_recording_again_corrects_the_same_row(world: SimpleNamespace, group: Session) -> None:
    first = record(world, group, AttendanceStatus.PRESENT)
    second = record(
        world,
        group,
        AttendanceStatus.LATE,
        arrived_at=local(DAY, time(10, 0)),
        actor=world.director,
    )
    assert Attendance.objects.count() == 1
    assert second.pk == first.pk
    assert (second.minutes, second.recorded_by) == (120, world.director)


def test_all_present_marks_only_those_without_a_record(world: SimpleNamespace) -> None:
    others = episodes(world.program, 3)
    session = make_session(
        program=world.program,
        kind=session_type(world.program),
        starts_at=START,
        roster=[world.episode, *others],
        facilitators=[world.clinician],
        created_by=world.director,
    )
    record(world, session, AttendanceStatus.LATE, arrived_at=local(DAY, time(9, 30)))
    assert attendance_all_present(session=session, actor=world.clinician, now=AFTER) == 3
    statuses = sorted(Attendance.objects.values_list("status", flat=True))
    assert statuses == ["late", "present", "present", "present"]
    assert attendance_all_present(session=session, actor=world.clinician, now=AFTER) == 0


def test_all_present_refuses_a_cancelled_session(world: SimpleNamespace) -> None:
    session = make_session(
        program=world.program,
        kind=session_type(world.program),
        starts_at=START,
        roster=[world.episode],
        created_by=world.director,
        status="cancelled",
    )
    with pytest.raises(ValidationError, match="cancelled"):
        attendance_all_present(session=session, actor=world.clinician, now=AFTER)
    assert Attendance.objects.count() == 0


def test_billing_may_not_record(world: SimpleNamespace, group: Session) -> None:
    with pytest.raises(PermissionDenied):
        record(world, group, AttendanceStatus.PRESENT, actor=world.billing)
    assert Attendance.objects.count() == 0


def test_a_facilitator_without_a_clinician_role_may_record(
    world: SimpleNamespace, group: Session
) -> None:
    group.facilitators.add(world.intake)
    row = record(world, group, AttendanceStatus.PRESENT, actor=world.intake)
    assert row.recorded_by == world.intake


def test_intake_who_does_not_facilitate_may_not_record(
    world: SimpleNamespace, group: Session
) -> None:
    with pytest.raises(PermissionDenied):
        record(world, group, AttendanceStatus.PRESENT, actor=world.intake)


def test_a_clinician_of_another_program_may_not_record(
    world: SimpleNamespace, group: Session
) -> None:
    other = f.UserFactory(
        organization=world.org, role=Role.CLINICIAN, programs=[world.other_program]
    )
    with pytest.raises(PermissionDenied):
        record(world, group, AttendanceStatus.PRESENT, actor=other)
