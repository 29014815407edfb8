"""The session page's attendance block: taps over htmx and plain posts, deny paths, budgets."""

from __future__ import annotations

from types import SimpleNamespace

from django.urls import reverse

from openiop.audit.models import AccessLog
from openiop.scheduling.models import Attendance, AttendanceStatus, Session
from tests.scheduling.attendance_support import episodes, ongoing_session

HTMX = {"HTTP_HX_REQUEST": "true"}


def page_url(session: Session) -> str:
    return reverse("scheduling:session_attendance", args=[session.public_id])


def mark_url(session: Session, world: SimpleNamespace) -> str:
    return reverse(
        "scheduling:attendance_mark", args=[session.public_id, world.participant.public_id]
    )


def test_it_lists_the_roster_with_one_tap_buttons(world: SimpleNamespace, login) -> None:
    session = ongoing_session(world)
    response = login(world.clinician).get(page_url(session))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Pat Example" in body
    assert 'value="absent_unexcused"' in body
    assert "All present" in body
    assert AccessLog.objects.filter(
        object_type="attendance", participant=world.participant
    ).exists()


def test_a_tap_over_htmx_returns_just_the_row(world: SimpleNamespace, login) -> None:
    session = ongoing_session(world)
    response = login(world.clinician).post(
        mark_url(session, world), {"status": AttendanceStatus.PRESENT}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="att-{world.participant.public_id}"' in body
    assert "90 min" in body
    assert "<html" not in body
    assert "1 of 1 recorded" in body
    assert Attendance.objects.get().status == AttendanceStatus.PRESENT
    assert AccessLog.objects.filter(
        object_type="attendance", action="update", participant=world.participant
    ).exists()


def test_a_plain_post_redirects_back_to_the_page(world: SimpleNamespace, login) -> None:
    session = ongoing_session(world)
    response = login(world.clinician).post(
        mark_url(session, world), {"status": AttendanceStatus.ABSENT_EXCUSED}
    )
    assert response.status_code == 302
    assert response["Location"] == page_url(session)
    assert Attendance.objects.get().minutes == 0


def test_a_late_arrival_time_gives_the_minutes(world: SimpleNamespace, login) -> None:
    session = ongoing_session(world)
    import zoneinfo

    tz = zoneinfo.ZoneInfo(world.program.time_zone)
    arrived = (session.starts_at.astimezone(tz)).replace(second=0, microsecond=0)
    arrived = arrived.replace(minute=arrived.minute)  # the start, to the minute
    from datetime import timedelta

    arrived += timedelta(minutes=20)
    response = login(world.clinician).post(
        mark_url(session, world),
        {"status": AttendanceStatus.LATE, "arrived": arrived.strftime("%H:%M")},
        **HTMX,
    )
    assert response.status_code == 200
    record = Attendance.objects.get()
    assert record.status == AttendanceStatus.LATE
    assert 69 <= record.minutes <= 70  # the session starts at a whole second, not minute


def test_an_impossible_time_shows_the_error_and_saves_nothing(
    world: SimpleNamespace, login
) -> None:
    session = ongoing_session(world)
    client = login(world.clinician)
    response = client.post(
        mark_url(session, world), {"status": AttendanceStatus.LATE, "arrived": "nonsense"}, **HTMX
    )
    assert "Enter the arrival time as hours and minutes" in response.content.decode()
    assert Attendance.objects.count() == 0
    response = client.post(
        mark_url(session, world),
        {"status": AttendanceStatus.LATE, "arrived": "nonsense"},
        follow=True,
    )
    assert "Enter the arrival time as hours and minutes" in response.content.decode()
    assert Attendance.objects.count() == 0


def test_all_present_marks_the_roster(world: SimpleNamespace, login) -> None:
    session = ongoing_session(world, roster=[world.episode, *episodes(world.program, 4)])
    url = reverse("scheduling:attendance_all_present", args=[session.public_id])
    response = login(world.clinician).post(url, **HTMX)
    assert response.status_code == 200
    assert "5 of 5 recorded" in response.content.decode()
    assert Attendance.objects.filter(status=AttendanceStatus.PRESENT).count() == 5


def test_a_facilitator_who_is_not_a_clinician_may_record(world: SimpleNamespace, login) -> None:
    session = ongoing_session(world, facilitators=[world.intake])
    response = login(world.intake).post(
        mark_url(session, world), {"status": AttendanceStatus.PRESENT}, **HTMX
    )
    assert response.status_code == 200
    assert Attendance.objects.count() == 1


def test_billing_sees_attendance_without_buttons(world: SimpleNamespace, login) -> None:
    session = ongoing_session(world)
    response = login(world.billing).get(page_url(session))
    assert response.status_code == 200
    assert "Pat Example" in response.content.decode()
    assert 'value="present"' not in response.content.decode()


def test_billing_may_not_record(world: SimpleNamespace, login) -> None:
    session = ongoing_session(world)
    client = login(world.billing)
    assert client.post(mark_url(session, world), {"status": "present"}).status_code == 403
    url = reverse("scheduling:attendance_all_present", args=[session.public_id])
    assert client.post(url).status_code == 403
    assert Attendance.objects.count() == 0


def test_intake_who_does_not_facilitate_may_not_record(world: SimpleNamespace, login) -> None:
    session = ongoing_session(world)
    response = login(world.intake).post(mark_url(session, world), {"status": "present"})
    assert response.status_code == 403
    assert Attendance.objects.count() == 0


def test_a_clinician_of_another_program_gets_404(world: SimpleNamespace, login) -> None:
    session = ongoing_session(world)
    client = login(world.outsider_clinician)
    assert client.get(page_url(session)).status_code == 404
    assert client.post(mark_url(session, world), {"status": "present"}).status_code == 404
    assert Attendance.objects.count() == 0


def test_another_organization_gets_404(world: SimpleNamespace, login) -> None:
    session = ongoing_session(world)
    assert login(world.other_org_clinician).get(page_url(session)).status_code == 404


def test_participants_get_403(world: SimpleNamespace, login) -> None:
    session = ongoing_session(world)
    client = login(world.participant_user)
    assert client.get(page_url(session)).status_code == 403
    assert client.post(mark_url(session, world), {"status": "present"}).status_code == 403
    assert Attendance.objects.count() == 0


def test_anonymous_users_are_sent_to_sign_in(world: SimpleNamespace, client) -> None:
    session = ongoing_session(world)
    response = client.get(page_url(session))
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_the_page_runs_the_same_queries_for_10_or_200_on_the_roster(
    world: SimpleNamespace,
    login,
    django_assert_max_num_queries,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(world.clinician)
    small = ongoing_session(world, roster=episodes(world.program, 10))
    large = ongoing_session(world, roster=episodes(world.program, 200))
    client.get(page_url(small))
    counts = []
    for session in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page_url(session)).status_code == 200
        # One access-log row per name shown: a single bulk insert, which SQLite splits into
        # batches by its parameter limit. Everything else must not grow with the roster.
        counts.append(
            sum(1 for q in ctx.captured_queries if 'INSERT INTO "audit_accesslog"' not in q["sql"])
        )
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(16):
        client.get(page_url(large))


def test_all_present_before_the_start_shows_why_and_saves_nothing(
    world: SimpleNamespace,
    login,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tests.scheduling.attendance_support import make_session, session_type

    session = make_session(
        program=world.program,
        kind=session_type(world.program),
        starts_at=timezone.now() + timedelta(hours=3),
        facilitators=[world.clinician],
        roster=[world.episode],
        created_by=world.director,
    )
    url = reverse("scheduling:attendance_all_present", args=[session.public_id])
    response = login(world.clinician).post(url, **HTMX)
    assert "This session has not started yet." in response.content.decode()
    assert Attendance.objects.count() == 0
