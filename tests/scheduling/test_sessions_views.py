"""Schedule pages: series setup, session page, edits, cancellations, bookings, unavailable
times. Allow and deny paths per role, invalid input saving nothing, query budgets."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from openiop.participants.models import EpisodeStatus
from openiop.scheduling.models import (
    ConflictOverride,
    RosterEntry,
    RosterSource,
    Session,
    SessionSeries,
    SessionStatus,
    Unavailability,
)
from openiop.scheduling.services import session_book_individual
from tests import factories as f
from tests.scheduling.sessions_support import add_schedule_setup, morning_series, program_today


@pytest.fixture
def w(world):
    return add_schedule_setup(world)


def _future(series):
    return series.sessions.filter(starts_at__gt=timezone.now()).first()


def _series_post(w, **overrides):
    today = program_today()
    data = {
        "track": str(w.morning.public_id),
        "session_type": str(w.process.public_id),
        "weekdays": ["1", "3"],
        "start_time": "10:45",
        "end_time": "11:45",
        "starts_on": str(today + timedelta(days=1)),
        "ends_on": str(today + timedelta(days=30)),
        "room": str(w.willow.public_id),
        "capacity": "12",
        "facilitators": [str(w.clinician.public_id)],
        "topic": "Process",
    }
    data.update(overrides)
    return data


# --- series setup ---------------------------------------------------------------------------


def test_a_director_sees_the_schedule_setup(w, login):
    morning_series(w)
    response = login(w.director).get(reverse("scheduling:series_list"))
    assert response.status_code == 200
    assert b"Schedule setup: Adult DBT IOP" in response.content
    assert b"Edit the rest" in response.content


@pytest.mark.parametrize("who", ["clinician", "billing", "intake", "admin"])
def test_only_directors_reach_schedule_setup(w, login, who):
    assert login(getattr(w, who)).get(reverse("scheduling:series_list")).status_code == 403


def test_anonymous_users_are_sent_to_sign_in(w, client):
    response = client.get(reverse("scheduling:series_list"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_director_creates_a_series(w, login):
    response = login(w.director).post(reverse("scheduling:series_new"), _series_post(w))
    assert response.status_code == 302
    series = SessionSeries.objects.get()
    assert series.sessions.count() >= 8
    assert all(s.roster.filter(participant=w.participant).exists() for s in series.sessions.all())


def test_an_invalid_series_shows_the_error_and_saves_nothing(w, login):
    data = _series_post(w, start_time="12:00", end_time="11:00")
    response = login(w.director).post(reverse("scheduling:series_new"), data)
    assert response.status_code == 200
    assert b"The session must end after it starts." in response.content
    assert SessionSeries.objects.count() == 0
    assert Session.objects.count() == 0


def test_conflicts_are_listed_and_a_director_can_schedule_anyway(w, login):
    client = login(w.director)
    data = _series_post(w, session_type=str(w.animal.public_id))
    response = client.post(reverse("scheduling:series_new"), data)
    assert response.status_code == 200
    assert b"Room lacks a needed feature" in response.content
    assert Session.objects.count() == 0
    missing = client.post(reverse("scheduling:series_new"), {**data, "schedule_anyway": "on"})
    assert b"Give the reason for scheduling anyway." in missing.content
    assert Session.objects.count() == 0
    done = client.post(
        reverse("scheduling:series_new"),
        {**data, "schedule_anyway": "on", "override_reason": "Small group this cycle"},
    )
    assert done.status_code == 302
    assert ConflictOverride.objects.filter(reason="Small group this cycle").exists()


def test_a_director_edits_the_rest_of_a_series(w, login):
    series = morning_series(w)
    today = program_today()
    response = login(w.director).post(
        reverse("scheduling:series_edit", args=[series.public_id]),
        {
            "from_on": str(today + timedelta(days=1)),
            "weekdays": ["0", "2", "4"],
            "start_time": "09:30",
            "end_time": "11:00",
            "ends_on": str(series.ends_on),
            "room": str(w.cedar.public_id),
            "capacity": "10",
            "facilitators": [str(w.clinician.public_id)],
            "topic": "",
        },
    )
    assert response.status_code == 302
    assert series.sessions.filter(room=w.cedar).exists()


def test_a_series_of_another_program_is_not_found(w, login):
    series = morning_series(w)
    outsider = f.UserFactory(organization=w.org, role="director", programs=[w.other_program])
    url = reverse("scheduling:series_edit", args=[series.public_id])
    assert login(outsider).get(url).status_code == 404


# --- session page ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["director", "clinician", "billing"])
def test_staff_of_the_program_see_the_session_page(w, login, who):
    session = _future(morning_series(w))
    response = login(getattr(w, who)).get(
        reverse("scheduling:session_detail", args=[session.public_id])
    )
    assert response.status_code == 200
    assert b"Pat Example" in response.content
    assert b"09:00" in response.content


def test_a_session_of_another_program_is_not_found(w, login):
    session = _future(morning_series(w))
    url = reverse("scheduling:session_detail", args=[session.public_id])
    assert login(w.outsider_clinician).get(url).status_code == 404
    assert login(w.other_org_clinician).get(url).status_code == 404


def test_the_roster_never_shows_a_participant_the_viewer_cannot_see(w, login):
    session = _future(morning_series(w))
    RosterEntry.objects.create(
        organization=w.org,
        session=session,
        participant=w.other_participant,
        episode=w.other_episode,
        source=RosterSource.BOOKED,
    )
    response = login(w.clinician).get(
        reverse("scheduling:session_detail", args=[session.public_id])
    )
    # The roster section; the attendance block below it is the ATTENDANCE area's.
    roster = response.content.split(b'id="roster-h"')[1].split(b"</section>")[0]
    assert b"Pat Example" in roster
    assert w.other_participant.display_name.encode() not in roster


def test_the_session_page_has_a_bounded_query_count(w, login, django_assert_max_num_queries):
    session = _future(morning_series(w))
    episodes = [
        f.EpisodeFactory(
            participant=f.ParticipantFactory(organization=w.org),
            program=w.program,
            track=w.morning,
        )
        for _ in range(200)
    ]
    session.capacity = 250
    session.save(update_fields=["capacity"])
    RosterEntry.objects.bulk_create(
        RosterEntry(
            organization=w.org,
            session=session,
            participant=e.participant,
            episode=e,
            source=RosterSource.TRACK,
        )
        for e in episodes
    )
    client = login(w.director)
    url = reverse("scheduling:session_detail", args=[session.public_id])
    with django_assert_max_num_queries(40):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b"/participants/") >= 201


def test_the_series_list_has_a_bounded_query_count(w, login, django_assert_max_num_queries):
    for hour in range(8, 18, 2):
        morning_series(w, start_time=time(hour, 0), end_time=time(hour + 1, 0), capacity=12)
    client = login(w.director)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("scheduling:series_list"))
    assert response.content.count(b"Edit the rest") == 5


# --- edit and cancel ------------------------------------------------------------------------


def test_a_clinician_cannot_edit_a_group_session(w, login):
    session = _future(morning_series(w))
    url = reverse("scheduling:session_edit", args=[session.public_id])
    assert login(w.clinician).get(url).status_code == 403
    assert login(w.billing).get(url).status_code == 403


def test_a_director_cancels_a_session_with_a_reason(w, login):
    session = _future(morning_series(w))
    url = reverse("scheduling:session_cancel", args=[session.public_id])
    client = login(w.director)
    empty = client.post(url, {"reason": ""})
    assert b"This field is required." in empty.content
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED
    assert client.post(url, {"reason": "Staff training"}).status_code == 302
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED


def test_a_director_moves_one_occurrence(w, login):
    session = _future(morning_series(w))
    response = login(w.director).post(
        reverse("scheduling:session_edit", args=[session.public_id]),
        {
            "day": str(program_today() + timedelta(days=40)),
            "start_time": "14:00",
            "end_time": "15:30",
            "room": str(w.willow.public_id),
            "capacity": "12",
            "facilitators": [str(w.clinician.public_id)],
            "topic": "Moved",
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.detached
    assert session.topic == "Moved"


# --- bookings and unavailable times ---------------------------------------------------------


def _booking(w, **kw):
    data = {
        "session_type": str(w.individual.public_id),
        "day": str(program_today() + timedelta(days=2)),
        "start_time": "13:00",
        "end_time": "13:50",
        "room": str(w.office.public_id),
        "facilitators": [str(w.clinician.public_id)],
    }
    data.update(kw)
    return data


def test_a_clinician_books_an_individual_session_from_the_chart(w, login):
    url = reverse("scheduling:book_individual", args=[w.participant.public_id])
    response = login(w.clinician).post(url, _booking(w))
    assert response.status_code == 302
    session = Session.objects.get()
    assert list(session.roster.values_list("participant", flat=True)) == [w.participant.pk]


def test_a_clinician_books_a_family_session_naming_who_attends(w, login):
    url = reverse("scheduling:book_family", args=[w.participant.public_id])
    data = _booking(
        w, session_type=str(w.family_type.public_id), contacts=[str(w.family_contact.public_id)]
    )
    assert login(w.clinician).post(url, data).status_code == 302
    assert Session.objects.get().family.get().contact == w.family_contact


def test_a_booking_conflict_is_shown_and_a_clinician_cannot_override(w, login):
    client = login(w.clinician)
    url = reverse("scheduling:book_individual", args=[w.participant.public_id])
    client.post(url, _booking(w))
    response = client.post(url, _booking(w, start_time="13:20", end_time="14:00"))
    assert b"Room double-booked" in response.content
    assert b"only a program director can schedule anyway" in response.content
    assert Session.objects.count() == 1


def test_booking_deny_paths(w, login):
    url = reverse("scheduling:book_individual", args=[w.participant.public_id])
    assert login(w.outsider_clinician).get(url).status_code == 404
    assert login(w.billing).get(url).status_code == 403
    assert login(w.intake).get(url).status_code == 403
    other = reverse("scheduling:book_individual", args=[w.other_participant.public_id])
    assert login(w.clinician).get(other).status_code == 404


def test_a_discharged_participant_cannot_be_booked(w, login):
    w.episode.status = EpisodeStatus.DISCHARGED
    w.episode.discharged_on = program_today()
    w.episode.save()
    url = reverse("scheduling:book_individual", args=[w.participant.public_id])
    assert login(w.clinician).get(url).status_code == 404


def test_unavailable_times_are_added_and_shown_on_the_chart(w, login):
    client = login(w.clinician)
    url = reverse("scheduling:unavailability_new", args=[w.participant.public_id])
    bad = client.post(
        url, {"weekday": "1", "start_time": "17:00", "end_time": "08:00", "reason": "work"}
    )
    assert b"The unavailable time must end after it starts." in bad.content
    assert Unavailability.objects.count() == 0
    good = client.post(
        url, {"weekday": "1", "start_time": "08:00", "end_time": "17:00", "reason": "work"}
    )
    assert good.status_code == 302
    chart = client.get(
        reverse("participants:chart", args=[w.participant.public_id]) + "?panel=schedule"
    )
    assert b"Tuesday 08:00" in chart.content
    item = Unavailability.objects.get()
    remove = reverse(
        "scheduling:unavailability_remove", args=[w.participant.public_id, item.public_id]
    )
    assert login(w.billing).post(remove).status_code == 403
    assert client.post(remove).status_code == 302
    assert Unavailability.objects.count() == 0


def test_unavailable_times_of_an_outsider_are_not_found(w, login):
    url = reverse("scheduling:unavailability_new", args=[w.participant.public_id])
    assert login(w.outsider_clinician).get(url).status_code == 404


def test_the_booking_pages_read_as_english(w, login):
    client = login(w.clinician)
    individual = client.get(reverse("scheduling:book_individual", args=[w.participant.public_id]))
    family = client.get(reverse("scheduling:book_family", args=[w.participant.public_id]))
    assert "Book an individual session" in individual.content.decode()
    assert "Book a family session" in family.content.decode()
    # A family session type offered for an individual booking is refused in plain English.
    start = timezone.now() + timedelta(days=2)
    with pytest.raises(ValidationError, match=r"Choose an individual therapy session type\."):
        session_book_individual(
            actor=w.clinician,
            participant=w.participant,
            program=w.program,
            session_type=w.family_type,
            starts_at=start,
            ends_at=start + timedelta(minutes=50),
            facilitators=[w.clinician],
            room=w.office,
        )
    shown = individual.content.decode() + family.content.decode()
    for wrong in ("a individual", "a intake", "an family"):
        assert wrong not in shown
