"""The week planner end to end: the week read from the database, solved in the background,
reviewed by the director, and only what they accept booked, through the booking services."""

from __future__ import annotations

from datetime import date, time, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from openiop.audit.models import AccessLog
from openiop.ops.models import TrackedTask
from openiop.participants.models import CareTeamRole, EpisodeStatus
from openiop.programs.models import SessionCategory
from openiop.scheduling import planner, services
from openiop.scheduling.models import (
    ClinicianHours,
    PlanRun,
    PlanState,
    RosterEntry,
    Session,
    SessionStatus,
)
from openiop.scheduling.services import ConflictError
from tests import factories as f
from tests.scheduling.sessions_support import (
    CHICAGO,
    add_schedule_setup,
    local,
    morning_series,
    program_today,
    works_tuesdays,
)

pytestmark = pytest.mark.tasks


def _monday() -> date:
    return planner.next_monday(program_today())


def _hours(w: SimpleNamespace, user, weekday: int, start: time, end: time) -> None:
    ClinicianHours.objects.create(
        organization=w.org,
        program=w.program,
        user=user,
        weekday=weekday,
        start_time=start,
        end_time=end,
    )


@pytest.fixture
def week(world) -> SimpleNamespace:
    """Pat (morning track: skills Mon/Wed/Fri 9:00-10:30) with Casey as primary clinician; a
    second clinician; Casey works Monday and Tuesday 9-12 only; Pat works Tuesdays."""
    w = add_schedule_setup(world)
    w.program.time_zone = "America/Chicago"
    w.program.save()
    # The morning group, through the planned week.
    w.series = morning_series(w, ends_on=_monday() + timedelta(days=13))
    w.second = f.UserFactory(
        organization=w.org, role="clinician", programs=[w.program], full_name="Robin Second"
    )
    _hours(w, w.clinician, 0, time(9, 0), time(12, 0))
    _hours(w, w.clinician, 1, time(9, 0), time(12, 0))
    _hours(w, w.second, 3, time(14, 0), time(16, 0))
    _hours(w, w.director, 6, time(9, 0), time(10, 0))
    works_tuesdays(w.participant)
    w.monday = _monday()
    return w


def _second_participant(w: SimpleNamespace):
    """Omar, with Robin as primary clinician (Robin works Thursday afternoons)."""
    other = f.ParticipantFactory(organization=w.org, legal_first_name="Omar")
    episode = f.EpisodeFactory(
        participant=other,
        program=w.program,
        primary_clinician=w.second,
        status=EpisodeStatus.ACTIVE,
    )
    f.CareTeamMemberFactory(episode=episode, user=w.second, role=CareTeamRole.PRIMARY)
    return other


def _build(w, run_tasks, capture, **kw) -> PlanRun:
    with capture(execute=True):
        run = planner.plan_start(actor=w.director, program=w.program, week_start=w.monday, **kw)
    run_tasks()
    run.refresh_from_db()
    return run


def _proposal(run: PlanRun) -> dict:
    assert run.proposal is not None
    return run.proposal


def _sessions(run: PlanRun) -> list[dict]:
    return _proposal(run)["sessions"]


def test_the_week_is_built_in_the_background_around_groups_hours_and_unavailable_times(
    week, run_tasks, django_capture_on_commit_callbacks
) -> None:
    run = _build(week, run_tasks, django_capture_on_commit_callbacks)
    assert run.state == PlanState.READY
    tracked = TrackedTask.objects.get(pk=run.tracked_id)
    assert (tracked.state, tracked.done, tracked.total) == ("succeeded", 3, 3)
    # Arguments are the run's id only: no PHI in the queue.
    assert "Pat" not in tracked.label
    (session,) = _sessions(run)
    # Casey works Mon and Tue mornings; Tuesday Pat works; Monday 9:00-10:30 is the group:
    # so Monday from 10:30 on, with Casey, in a room.
    assert session["participant"] == f"p{week.participant.pk}"
    assert session["clinician"] == f"u{week.clinician.pk}"
    assert session["day"] == 0
    assert session["start"] >= "10:30"
    assert session["end"] <= "12:00"
    assert session["room"] is not None
    assert "primary" in session["met"]


def test_a_booked_individual_session_means_nothing_to_plan(
    week, run_tasks, django_capture_on_commit_callbacks
) -> None:
    day = week.monday + timedelta(days=3)
    services.session_book_individual(
        actor=week.clinician,
        participant=week.participant,
        program=week.program,
        session_type=week.individual,
        starts_at=local(day, time(14, 0)),
        ends_at=local(day, time(14, 50)),
        facilitators=[week.clinician],
        room=week.office,
    )
    run = _build(week, run_tasks, django_capture_on_commit_callbacks)
    assert run.state == PlanState.READY
    assert _sessions(run) == []


def test_who_cannot_be_placed_is_named_with_the_reason(
    week, run_tasks, django_capture_on_commit_callbacks
) -> None:
    # Casey takes Monday off: Pat's only free times with Casey are gone.
    ClinicianHours.objects.filter(user=week.clinician, weekday=0).delete()
    run = _build(week, run_tasks, django_capture_on_commit_callbacks)
    assert _sessions(run) == []
    (unplaced,) = _proposal(run)["unplaced"]
    assert unplaced["participant"] == f"p{week.participant.pk}"
    assert "Pat" in unplaced["reason"]
    assert any("unavailable" in r or "working hours" in r for r in unplaced["relax"])


def test_applying_books_through_the_booking_services_and_only_what_was_accepted(
    week, run_tasks, django_capture_on_commit_callbacks
) -> None:
    other = _second_participant(week)
    run = _build(week, run_tasks, django_capture_on_commit_callbacks)
    assert len(_sessions(run)) == 2
    mine = next(s for s in _sessions(run) if s["participant"] == f"p{week.participant.pk}")
    booked = planner.plan_apply(actor=week.director, run=run, accepted=[mine["request"]])
    assert len(booked) == 1
    session = booked[0]
    assert session.session_type.category == SessionCategory.INDIVIDUAL
    assert list(session.facilitators.all()) == [week.clinician]
    assert RosterEntry.objects.get(session=session).participant == week.participant
    start = session.starts_at.astimezone(CHICAGO)
    assert (start.date(), start.strftime("%H:%M")) == (week.monday, mine["start"])
    assert not RosterEntry.objects.filter(
        participant=other, session__session_type=week.individual
    ).exists()
    run.refresh_from_db()
    assert run.state == PlanState.APPLIED
    assert list(run.booked.all()) == [session]
    # Decided: it cannot be applied twice.
    with pytest.raises(ValidationError):
        planner.plan_apply(actor=week.director, run=run, accepted=[mine["request"]])
    # Building again proposes only what is still missing: no double booking.
    again = _build(week, run_tasks, django_capture_on_commit_callbacks)
    assert {s["participant"] for s in _sessions(again)} == {f"p{other.pk}"}


def test_applying_is_all_or_nothing_when_something_was_booked_meanwhile(
    week, run_tasks, django_capture_on_commit_callbacks
) -> None:
    _second_participant(week)
    run = _build(week, run_tasks, django_capture_on_commit_callbacks)
    mine = next(s for s in _sessions(run) if s["participant"] == f"p{week.participant.pk}")
    day = week.monday + timedelta(days=mine["day"])
    start = time.fromisoformat(mine["start"])
    # Meanwhile a group is put on Casey at that very time.
    services.session_create(
        actor=week.director,
        program=week.program,
        session_type=week.process,
        starts_at=local(day, start),
        ends_at=local(day, start) + timedelta(minutes=30),
        facilitators=[week.clinician],
        room=week.willow,
    )
    before = Session.objects.filter(session_type=week.individual).count()
    with pytest.raises(ConflictError):
        planner.plan_apply(
            actor=week.director, run=run, accepted=[s["request"] for s in _sessions(run)]
        )
    assert Session.objects.filter(session_type=week.individual).count() == before
    run.refresh_from_db()
    assert run.state == PlanState.READY


def test_a_pinned_session_stays_and_a_removed_time_is_avoided_on_re_solving(
    week, login, run_tasks, django_capture_on_commit_callbacks
) -> None:
    run = _build(week, run_tasks, django_capture_on_commit_callbacks)
    (first,) = _sessions(run)
    with django_capture_on_commit_callbacks(execute=True):
        again = planner.plan_resolve(
            actor=week.director, run=run, pinned=[], removed=[first["request"]]
        )
    run_tasks()
    again.refresh_from_db()
    run.refresh_from_db()
    assert run.state == PlanState.SUPERSEDED
    (moved,) = _sessions(again)
    assert (moved["day"], moved["start"]) != (first["day"], first["start"])
    page = login(week.director).get(f"/schedule/plan/{again.public_id}/").content.decode()
    assert "Changed on re-solving" in page
    with django_capture_on_commit_callbacks(execute=True):
        third = planner.plan_resolve(
            actor=week.director, run=again, pinned=[moved["request"]], removed=[]
        )
    run_tasks()
    third.refresh_from_db()
    (kept,) = _sessions(third)
    assert (kept["day"], kept["start"], kept["pinned"]) == (moved["day"], moved["start"], True)


def test_only_a_director_of_the_program_plans(week) -> None:
    for user in (week.clinician, week.outsider_clinician):
        with pytest.raises(ValidationError):
            planner.plan_start(actor=user, program=week.program, week_start=week.monday)
    with pytest.raises(ValidationError):
        planner.plan_start(
            actor=week.director, program=week.program, week_start=week.monday + timedelta(1)
        )
    assert not PlanRun.objects.exists()


def test_the_director_reviews_pins_and_books_on_the_pages(
    week, login, run_tasks, django_capture_on_commit_callbacks
) -> None:
    client = login(week.director)
    page = client.get("/schedule/plan/")
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            "/schedule/plan/",
            {"program_id": str(week.program.public_id), "week": week.monday.isoformat()},
        )
    run = PlanRun.objects.get()
    assert started.status_code == 302
    assert started["Location"] == f"/schedule/plan/{run.public_id}/"
    waiting = client.get(started["Location"]).content.decode()
    assert "Waiting for a worker" in waiting
    assert 'hx-trigger="every 2s"' in waiting
    run_tasks()
    assert client.get(started["Location"], HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    body = client.get(started["Location"]).content.decode()
    assert "Pat Example" in body
    assert "with the primary clinician" in body
    assert AccessLog.objects.filter(
        actor=week.director, participant=week.participant, object_type="plan_run"
    ).exists()
    (s,) = _sessions(PlanRun.objects.get())
    done = client.post(
        f"/schedule/plan/{run.public_id}/decide/", {"action": "apply", "book": [s["request"]]}
    )
    assert done.status_code == 302
    assert (
        Session.objects.filter(session_type=week.individual, status=SessionStatus.SCHEDULED).count()
        == 1
    )


def test_another_programs_director_sees_no_run(
    week, login, run_tasks, django_capture_on_commit_callbacks
) -> None:
    run = _build(week, run_tasks, django_capture_on_commit_callbacks)
    stranger = f.UserFactory(organization=week.org, role="director", programs=[week.other_program])
    client = login(stranger)
    assert client.get(f"/schedule/plan/{run.public_id}/").status_code == 404
    assert (
        client.post(f"/schedule/plan/{run.public_id}/decide/", {"action": "reject"}).status_code
        == 404
    )
    run.refresh_from_db()
    assert run.state == PlanState.READY


def test_booked_participants_who_want_e_mails_are_told_without_details(
    week, run_tasks, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    from openiop.scheduling.models import ReminderPreference

    week.participant.email = "pat@example.org"
    week.participant.save()
    ReminderPreference.objects.create(
        organization=week.org, participant=week.participant, email_enabled=True
    )
    run = _build(week, run_tasks, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        planner.plan_apply(
            actor=week.director, run=run, accepted=[s["request"] for s in _sessions(run)]
        )
    run_tasks()
    (mail,) = mailoutbox
    assert mail.to == ["pat@example.org"]
    text = f"{mail.subject} {mail.body}"
    for detail in ("Pat", "Example", "DBT", "Individual", "Casey", week.monday.strftime("%B")):
        assert detail not in text


def test_the_director_records_working_hours_the_planner_keeps_to(
    week, login, run_tasks, django_capture_on_commit_callbacks
) -> None:
    client = login(week.director)
    url = f"/schedule/plan/hours/?program={week.program.public_id}"
    page = client.get(url).content.decode()
    assert "Robin Second" in page
    # Casey's Monday is taken away, then Wednesday 14:00-16:00 added.
    monday = ClinicianHours.objects.get(user=week.clinician, weekday=0)
    client.post(url, {"action": "remove", "hours_id": monday.pk})
    assert not ClinicianHours.objects.filter(pk=monday.pk).exists()
    added = client.post(
        url,
        {
            "action": "add",
            "user": str(week.clinician.public_id),
            "weekday": "2",
            "start_time": "14:00",
            "end_time": "16:00",
        },
    )
    assert added.status_code == 302
    overlapping = client.post(
        url,
        {
            "action": "add",
            "user": str(week.clinician.public_id),
            "weekday": "2",
            "start_time": "15:00",
            "end_time": "17:00",
        },
    )
    assert "overlap" in overlapping.content.decode()
    (session,) = _sessions(_build(week, run_tasks, django_capture_on_commit_callbacks))
    assert session["day"] == 2
    assert "14:00" <= session["start"] < session["end"] <= "16:00"
    # Another program's director cannot touch these hours.
    stranger = f.UserFactory(organization=week.org, role="director", programs=[week.other_program])
    hours = ClinicianHours.objects.get(user=week.clinician, weekday=2)
    login(stranger).post(
        f"/schedule/plan/hours/?program={week.program.public_id}",
        {"action": "remove", "hours_id": hours.pk},
    )
    assert ClinicianHours.objects.filter(pk=hours.pk).exists()
