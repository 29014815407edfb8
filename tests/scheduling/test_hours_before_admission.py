"""Weeks before a participant's first day are never judged against the program's minimum,
and a time of leaving (or arriving) still to come is refused."""

from __future__ import annotations

from datetime import date, time, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openiop.scheduling.attendance import attendance_record
from openiop.scheduling.hours import participants_weeks, recent_week_starts
from openiop.scheduling.models import Attendance, AttendanceStatus, FollowUpItem
from openiop.scheduling.tasks import compliance_check
from tests.scheduling.attendance_support import local, make_session, session_type

MONDAY = date(2026, 4, 13)


def test_weeks_before_the_first_day_are_not_below_the_minimum(world: SimpleNamespace) -> None:
    weeks = participants_weeks(
        program=world.program,
        participant_ids=[world.participant.pk],
        week_starts=[MONDAY - timedelta(weeks=1), MONDAY, MONDAY + timedelta(weeks=1)],
        first_days={world.participant.pk: MONDAY + timedelta(days=2)},
    )
    before, first, full = (
        weeks[(world.participant.pk, ws)] for ws in sorted({k[1] for k in weeks})
    )
    assert before.before_start
    assert not before.below_minimum
    assert not before.individual_missing
    assert first.partial
    assert not first.below_minimum
    assert full.judged
    assert full.below_minimum


def test_the_compliance_job_never_flags_a_week_before_admission(world: SimpleNamespace) -> None:
    world.episode.inquiry_on = MONDAY - timedelta(days=30)
    world.episode.admitted_on = MONDAY + timedelta(days=5)
    world.episode.started_on = MONDAY + timedelta(days=7)
    world.episode.save()
    for week in (MONDAY - timedelta(weeks=1), MONDAY):
        assert compliance_check(program=world.program, week_start=week) == 0
    assert not FollowUpItem.objects.exists()
    assert compliance_check(program=world.program, week_start=MONDAY + timedelta(weeks=1)) == 2


def test_the_chart_hours_panel_does_not_flag_weeks_before_the_first_day(world, login) -> None:
    today = timezone.localdate()
    world.episode.started_on = today - timedelta(days=1)
    world.episode.admitted_on = today - timedelta(days=3)
    world.episode.save()
    body = login(world.clinician).get(
        f"/participants/{world.participant.public_id}/?panel=schedule"
    )
    text = body.content.decode()
    panel = text[text.index('id="hours-h"') :]
    panel = panel[: panel.index("</section>")]
    assert "Before the first day" in panel
    assert "Below min" not in panel
    assert len(recent_week_starts(today)) == 4


def _ongoing(world: SimpleNamespace):
    now = timezone.now()
    return make_session(
        program=world.program,
        kind=session_type(world.program),
        starts_at=now - timedelta(minutes=30),
        minutes=120,
        facilitators=[world.clinician],
        roster=[world.episode],
        created_by=world.director,
    )


def test_a_leave_time_still_to_come_is_refused(world: SimpleNamespace) -> None:
    session = _ongoing(world)
    with pytest.raises(ValidationError) as caught:
        attendance_record(
            session=session,
            participant=world.participant,
            status=AttendanceStatus.LEFT_EARLY,
            actor=world.clinician,
            departed_at=timezone.now() + timedelta(minutes=45),
        )
    assert "is still to come: record it when the person leaves" in caught.value.messages[0]
    assert not Attendance.objects.exists()


def test_an_arrival_still_to_come_is_refused(world: SimpleNamespace) -> None:
    session = _ongoing(world)
    with pytest.raises(ValidationError, match="still to come"):
        attendance_record(
            session=session,
            participant=world.participant,
            status=AttendanceStatus.LATE,
            actor=world.clinician,
            arrived_at=timezone.now() + timedelta(minutes=20),
        )
    assert not Attendance.objects.exists()


def test_a_leave_time_now_or_past_is_taken(world: SimpleNamespace) -> None:
    session = _ongoing(world)
    record = attendance_record(
        session=session,
        participant=world.participant,
        status=AttendanceStatus.LEFT_EARLY,
        actor=world.clinician,
        departed_at=timezone.now() - timedelta(minutes=5),
    )
    assert 20 <= record.minutes <= 30


def test_the_attendance_page_says_why_a_future_leave_time_is_refused(world, login) -> None:
    session = _ongoing(world)
    future = timezone.localtime(timezone.now() + timedelta(minutes=40), session.starts_at.tzinfo)
    local_future = future.astimezone(local(future.date(), time(0)).tzinfo)
    url = f"/schedule/sessions/{session.public_id}/attendance/{world.participant.public_id}/"
    response = login(world.clinician).post(
        url,
        {"status": "left_early", "departed": local_future.strftime("%H:%M")},
        follow=True,
    )
    assert "still to come" in response.content.decode()
    assert not Attendance.objects.exists()
