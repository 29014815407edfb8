"""Follow-ups: the weekly compliance job, two unexcused absences in a row, resolving them on the
staff home, and the home's and chart's attendance sections."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from django.urls import reverse

from openiop.lib.timezones import today_in
from openiop.ops.periodic import registered_periodic
from openiop.participants.models import EpisodeStatus
from openiop.programs.models import SessionCategory
from openiop.scheduling.attendance import attendance_record
from openiop.scheduling.hours import local_midnight
from openiop.scheduling.models import AttendanceStatus, FollowUpItem, FollowUpKind, Session
from openiop.scheduling.tasks import compliance_check, compliance_follow_ups
from tests.scheduling.attendance_support import local, make_session, ongoing_session, session_type

MONDAY = date(2026, 4, 13)


def group_at(world: SimpleNamespace, starts_at: datetime, **kw: object) -> Session:
    kw.setdefault("kind", session_type(world.program))
    return make_session(
        program=world.program,
        starts_at=starts_at,
        minutes=180,
        facilitators=[world.clinician],
        roster=[world.episode],
        created_by=world.director,
        **kw,
    )


def mark(world: SimpleNamespace, session: Session, status: str) -> None:
    attendance_record(
        session=session,
        participant=world.participant,
        status=status,
        actor=world.clinician,
        now=session.ends_at + timedelta(hours=1),
    )


def started_before(world: SimpleNamespace, day: date) -> None:
    world.episode.started_on = day - timedelta(days=7)
    world.episode.save()


def test_a_week_below_the_minimum_raises_follow_ups_for_the_primary_clinician(
    world: SimpleNamespace,
) -> None:
    started_before(world, MONDAY)
    mark(world, group_at(world, local(MONDAY, time(9, 0))), AttendanceStatus.PRESENT)
    assert compliance_check(program=world.program, week_start=MONDAY) == 2
    items = {i.kind: i for i in FollowUpItem.objects.all()}
    assert set(items) == {FollowUpKind.HOURS_BELOW, FollowUpKind.NO_INDIVIDUAL}
    assert items[FollowUpKind.HOURS_BELOW].assigned_to == world.clinician
    assert "Attended 3.0 h" in items[FollowUpKind.HOURS_BELOW].detail


def test_running_the_check_again_raises_nothing_new(world: SimpleNamespace) -> None:
    started_before(world, MONDAY)
    assert compliance_check(program=world.program, week_start=MONDAY) == 2
    assert compliance_check(program=world.program, week_start=MONDAY) == 0
    assert FollowUpItem.objects.count() == 2


def test_a_compliant_week_raises_nothing(world: SimpleNamespace) -> None:
    started_before(world, MONDAY)
    for day in range(3):
        mark(
            world,
            group_at(world, local(MONDAY + timedelta(days=day), time(9, 0))),
            AttendanceStatus.PRESENT,
        )
    individual = session_type(world.program, category=SessionCategory.INDIVIDUAL)
    mark(
        world,
        group_at(world, local(MONDAY, time(14, 0)), kind=individual),
        AttendanceStatus.PRESENT,
    )
    assert compliance_check(program=world.program, week_start=MONDAY) == 0


def test_a_program_without_the_weekly_individual_rule_only_checks_hours(
    world: SimpleNamespace,
) -> None:
    world.program.individual_weekly_required = False
    world.program.save()
    started_before(world, MONDAY)
    assert compliance_check(program=world.program, week_start=MONDAY) == 1
    assert FollowUpItem.objects.get().kind == FollowUpKind.HOURS_BELOW


def test_someone_who_started_mid_week_is_not_judged_on_it(world: SimpleNamespace) -> None:
    world.episode.started_on = MONDAY + timedelta(days=2)
    world.episode.save()
    assert compliance_check(program=world.program, week_start=MONDAY) == 0


def test_episodes_on_hold_are_not_judged(world: SimpleNamespace) -> None:
    started_before(world, MONDAY)
    world.episode.status = EpisodeStatus.ON_HOLD
    world.episode.save()
    assert compliance_check(program=world.program, week_start=MONDAY) == 0


def test_the_hourly_job_judges_the_week_that_just_ended(world: SimpleNamespace) -> None:
    assert "scheduling.compliance" in registered_periodic()
    started_before(world, MONDAY)
    # Tuesday of the following week: the week of MONDAY has ended in Chicago.
    now = local_midnight(MONDAY + timedelta(days=8), "America/Chicago")
    assert compliance_follow_ups(now) == "2 follow-ups raised"
    assert set(FollowUpItem.objects.values_list("week_start", flat=True)) == {MONDAY}


def test_two_unexcused_absences_in_a_row_raise_a_follow_up(world: SimpleNamespace) -> None:
    first = group_at(world, local(MONDAY, time(9, 0)))
    second = group_at(world, local(MONDAY + timedelta(days=2), time(9, 0)))
    mark(world, first, AttendanceStatus.ABSENT_UNEXCUSED)
    assert FollowUpItem.objects.count() == 0
    mark(world, second, AttendanceStatus.ABSENT_UNEXCUSED)
    item = FollowUpItem.objects.get()
    assert (item.kind, item.week_start, item.assigned_to) == (
        FollowUpKind.ABSENCES,
        MONDAY,
        world.clinician,
    )
    mark(world, second, AttendanceStatus.ABSENT_UNEXCUSED)
    assert FollowUpItem.objects.count() == 1


def test_absences_recorded_out_of_order_still_count(world: SimpleNamespace) -> None:
    first = group_at(world, local(MONDAY, time(9, 0)))
    second = group_at(world, local(MONDAY + timedelta(days=2), time(9, 0)))
    mark(world, second, AttendanceStatus.ABSENT_UNEXCUSED)
    mark(world, first, AttendanceStatus.ABSENT_UNEXCUSED)
    assert FollowUpItem.objects.filter(kind=FollowUpKind.ABSENCES).count() == 1


def test_an_excused_absence_between_breaks_the_run(world: SimpleNamespace) -> None:
    sessions = [group_at(world, local(MONDAY + timedelta(days=d), time(9, 0))) for d in (0, 2, 4)]
    mark(world, sessions[0], AttendanceStatus.ABSENT_UNEXCUSED)
    mark(world, sessions[1], AttendanceStatus.ABSENT_EXCUSED)
    mark(world, sessions[2], AttendanceStatus.ABSENT_UNEXCUSED)
    assert FollowUpItem.objects.count() == 0


def test_a_cancelled_session_between_does_not_break_the_run(world: SimpleNamespace) -> None:
    first = group_at(world, local(MONDAY, time(9, 0)))
    group_at(world, local(MONDAY + timedelta(days=2), time(9, 0)), status="cancelled")
    third = group_at(world, local(MONDAY + timedelta(days=4), time(9, 0)))
    mark(world, first, AttendanceStatus.ABSENT_UNEXCUSED)
    mark(world, third, AttendanceStatus.ABSENT_UNEXCUSED)
    assert FollowUpItem.objects.count() == 1


def _item(world: SimpleNamespace) -> FollowUpItem:
    return FollowUpItem.objects.create(
        organization=world.org,
        participant=world.participant,
        episode=world.episode,
        assigned_to=world.clinician,
        kind=FollowUpKind.HOURS_BELOW,
        week_start=MONDAY,
        detail="Attended 3.0 h of 9.0 h scheduled.",
    )


def test_the_home_lists_open_follow_ups_and_resolves_one_with_a_note(
    world: SimpleNamespace,
    login,
) -> None:
    item = _item(world)
    client = login(world.clinician)
    body = client.get("/").content.decode()
    assert "Weekly hours below the program minimum" in body
    url = reverse("scheduling:follow_up_resolve", args=[item.public_id])
    response = client.post(url, {"note": "Called; childcare sorted from next week."}, follow=True)
    assert "Follow-up resolved." in response.content.decode()
    item.refresh_from_db()
    assert item.resolved_by == world.clinician
    assert item.resolution.startswith("Called")
    assert "Weekly hours below" not in client.get("/").content.decode()


def test_resolving_without_a_note_is_refused(world: SimpleNamespace, login) -> None:
    item = _item(world)
    url = reverse("scheduling:follow_up_resolve", args=[item.public_id])
    response = login(world.clinician).post(url, {"note": "  "}, follow=True)
    assert "Write a short note" in response.content.decode()
    item.refresh_from_db()
    assert item.resolved_at is None


def test_a_clinician_of_another_program_cannot_resolve(world: SimpleNamespace, login) -> None:
    item = _item(world)
    url = reverse("scheduling:follow_up_resolve", args=[item.public_id])
    assert login(world.outsider_clinician).post(url, {"note": "x"}).status_code == 404
    assert login(world.billing).post(url, {"note": "x"}).status_code == 403
    item.refresh_from_db()
    assert item.resolved_at is None


def test_the_home_links_todays_sessions_to_attendance(world: SimpleNamespace, login) -> None:
    today = today_in(world.program.time_zone)
    session = group_at(world, local_midnight(today, world.program.time_zone) + timedelta(hours=1))
    yesterday = group_at(world, local_midnight(today, world.program.time_zone) - timedelta(hours=1))
    body = login(world.clinician).get("/").content.decode()
    assert "Today's sessions" in body
    assert reverse("scheduling:session_attendance", args=[session.public_id]) in body
    assert reverse("scheduling:session_attendance", args=[yesterday.public_id]) not in body


def test_the_home_does_not_list_other_facilitators_sessions(world: SimpleNamespace, login) -> None:
    session = ongoing_session(world, facilitators=[world.director])
    body = login(world.clinician).get("/").content.decode()
    assert reverse("scheduling:session_attendance", args=[session.public_id]) not in body


def test_the_chart_shows_weekly_hours_and_open_follow_ups(world: SimpleNamespace, login) -> None:
    _item(world)
    body = (
        login(world.billing)
        .get(f"/participants/{world.participant.public_id}/?panel=schedule")
        .content.decode()
    )
    assert "Weekly hours" in body
    assert "Billable days" in body
    assert "Open follow-ups" in body
