"""The participant's "My week" and calendar settings in the portal."""

from __future__ import annotations

from datetime import time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openiop.scheduling.models import ReminderPreference
from tests.scheduling.calendar_support import (
    add_calendar_setup,
    local,
    make_session,
    monday_of,
    program_today,
    put_on_roster,
)

pytestmark = pytest.mark.django_db
JOIN = "https://video.example.test/room/abc"


@pytest.fixture
def cal(world: SimpleNamespace) -> SimpleNamespace:
    w = add_calendar_setup(world)
    w.monday = monday_of(program_today())
    w.group = make_session(w, starts_at=local(w.monday, time(9)), room=w.willow, track=w.morning)
    put_on_roster(w.group, w.participant, w.episode)
    w.someone_elses = make_session(
        w, starts_at=local(w.monday + timedelta(days=1), time(11)), session_type=w.individual
    )
    put_on_roster(w.someone_elses, w.other_participant, w.other_episode)
    return w


def _telehealth(cal: SimpleNamespace, starts_in: timedelta) -> Any:
    session = make_session(
        cal,
        starts_at=timezone.now() + starts_in,
        minutes=50,
        session_type=cal.individual,
        room=cal.virtual,
        telehealth_url=JOIN,
    )
    put_on_roster(session, cal.participant, cal.episode)
    return session


def test_my_week_shows_only_my_own_sessions(cal: SimpleNamespace, login: Any) -> None:
    response = login(cal.participant_user).get(reverse("portal:week"))
    assert response.status_code == 200
    sessions = [s for d in response.context["days"] for s in d.sessions]
    assert sessions == [cal.group]
    assert b"Willow Room" in response.content


def test_the_join_link_is_hidden_until_15_minutes_before(cal: SimpleNamespace, login: Any) -> None:
    _telehealth(cal, timedelta(minutes=40))
    response = login(cal.participant_user).get(reverse("portal:week"))
    assert JOIN.encode() not in response.content
    assert b"appears here 15 minutes before" in response.content


def test_the_join_link_shows_close_to_the_start(cal: SimpleNamespace, login: Any) -> None:
    _telehealth(cal, timedelta(minutes=10))
    response = login(cal.participant_user).get(reverse("portal:week"))
    assert JOIN.encode() in response.content
    assert b"Join video session" in response.content


def test_my_week_is_for_participants_only(cal: SimpleNamespace, login: Any) -> None:
    assert login(cal.clinician).get(reverse("portal:week")).status_code == 403
    assert login(cal.family_user).get(reverse("portal:week")).status_code == 403


def test_my_week_sends_anonymous_visitors_to_login(cal: SimpleNamespace, client: Client) -> None:
    response = client.get(reverse("portal:week"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_my_week_keeps_a_fixed_number_of_queries(
    cal: SimpleNamespace, login: Any, django_assert_max_num_queries: Any
) -> None:
    for day in range(1, 5):
        s = make_session(cal, starts_at=local(cal.monday + timedelta(days=day), time(9)))
        put_on_roster(s, cal.participant, cal.episode)
    client = login(cal.participant_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("portal:week")).status_code == 200


def test_a_participant_saves_reminder_settings(cal: SimpleNamespace, login: Any) -> None:
    cal.participant.email = "pat@example.test"
    cal.participant.save()
    client = login(cal.participant_user)
    client.post(
        reverse("portal:calendar"),
        {"action": "reminders", "lead_minutes": "120", "email_enabled": "on"},
    )
    preference = ReminderPreference.objects.get(participant=cal.participant)
    assert (preference.lead_minutes, preference.email_enabled) == (120, True)


def test_an_unknown_lead_time_is_refused(cal: SimpleNamespace, login: Any) -> None:
    response = login(cal.participant_user).post(
        reverse("portal:calendar"), {"action": "reminders", "lead_minutes": "7"}
    )
    assert b"Select a valid choice" in response.content
    assert ReminderPreference.objects.count() == 0


def test_e_mail_reminders_need_an_address(cal: SimpleNamespace, login: Any) -> None:
    cal.participant.email = ""
    cal.participant.save()
    cal.participant_user.email = ""
    cal.participant_user.save()
    response = login(cal.participant_user).post(
        reverse("portal:calendar"),
        {"action": "reminders", "lead_minutes": "60", "email_enabled": "on"},
    )
    assert b"We have no e-mail address for you" in response.content
    assert ReminderPreference.objects.count() == 0
