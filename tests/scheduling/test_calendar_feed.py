"""iCalendar feeds: parsed back with icalendar, no PHI, UTC times, revocation, access log."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from openiop.audit.models import AccessLog
from openiop.scheduling.ical import feed_token_create, feed_token_revoke, token_hash
from openiop.scheduling.models import FeedToken
from tests.scheduling.calendar_support import (
    add_calendar_setup,
    local,
    make_session,
    monday_of,
    program_today,
    put_on_roster,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cal(world: SimpleNamespace) -> SimpleNamespace:
    w = add_calendar_setup(world)
    monday = monday_of(program_today())
    w.group = make_session(
        w, starts_at=local(monday + timedelta(days=7), time(9)), room=w.willow, topic="Grief work"
    )
    w.individual_session = make_session(
        w,
        starts_at=local(monday + timedelta(days=8), time(14)),
        minutes=50,
        session_type=w.individual,
        room=w.virtual,
        telehealth_url="https://video.example.test/x",
    )
    w.family_session = make_session(
        w, starts_at=local(monday + timedelta(days=9), time(17)), session_type=w.family_type
    )
    for s in (w.group, w.individual_session, w.family_session):
        put_on_roster(s, w.participant, w.episode)
    return w


def _parse(response: Any) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def _events(cal_: Calendar) -> dict[str, Any]:
    return {str(e["uid"]): e for e in cal_.walk("VEVENT")}


def test_a_clinicians_feed_lists_their_sessions_with_generic_titles(
    cal: SimpleNamespace, client: Client
) -> None:
    _, secret = feed_token_create(user=cal.clinician)
    events = _events(_parse(client.get(reverse("scheduling:feed", args=[secret]))))
    assert set(events) == {
        f"{s.public_id}@openiop" for s in (cal.group, cal.individual_session, cal.family_session)
    }
    assert str(events[f"{cal.group.public_id}@openiop"]["summary"]) == "Group session"
    assert str(events[f"{cal.individual_session.public_id}@openiop"]["summary"]) == "Appointment"
    assert str(events[f"{cal.family_session.public_id}@openiop"]["summary"]) == "Family session"
    assert str(events[f"{cal.group.public_id}@openiop"]["location"]) == "Willow Room"
    assert str(events[f"{cal.individual_session.public_id}@openiop"]["location"]) == "Video session"


def test_feed_times_are_utc_and_correct(cal: SimpleNamespace, client: Client) -> None:
    _, secret = feed_token_create(user=cal.clinician)
    events = _events(_parse(client.get(reverse("scheduling:feed", args=[secret]))))
    start = events[f"{cal.group.public_id}@openiop"].decoded("dtstart")
    end = events[f"{cal.group.public_id}@openiop"].decoded("dtend")
    assert isinstance(start, datetime)
    assert start.utcoffset() == timedelta(0)
    assert start == cal.group.starts_at.astimezone(UTC)
    assert end - start == timedelta(minutes=90)


def test_the_feed_carries_no_phi(cal: SimpleNamespace, client: Client) -> None:
    _, secret = feed_token_create(user=cal.participant_user)
    response = client.get(reverse("scheduling:feed", args=[secret]))
    parsed = _parse(response)
    text = response.content.decode()
    for needle in (
        cal.participant.legal_first_name,
        cal.participant.legal_last_name,
        cal.participant.preferred_name,
        cal.participant.record_number,
        "Grief work",
        "DBT",
        "Individual therapy",
        "video.example.test",
    ):
        assert needle not in text
    for event in parsed.walk("VEVENT"):
        assert str(event["summary"]) in {"Group session", "Appointment", "Family session"}
        assert "OpenIOP" in str(event["description"])


def test_a_participants_feed_lists_only_their_roster(cal: SimpleNamespace, client: Client) -> None:
    put_on_roster(
        make_session(cal, starts_at=cal.group.starts_at + timedelta(hours=3)),
        cal.other_participant,
        cal.other_episode,
    )
    _, secret = feed_token_create(user=cal.participant_user)
    events = _events(_parse(client.get(reverse("scheduling:feed", args=[secret]))))
    assert len(events) == 3


def test_a_revoked_link_is_not_found(cal: SimpleNamespace, client: Client) -> None:
    token, secret = feed_token_create(user=cal.clinician)
    feed_token_revoke(token=token, actor=cal.clinician)
    assert client.get(reverse("scheduling:feed", args=[secret])).status_code == 404


def test_an_unknown_link_is_not_found(cal: SimpleNamespace, client: Client) -> None:
    assert client.get(reverse("scheduling:feed", args=["not-a-token"])).status_code == 404


def test_a_deactivated_accounts_link_is_not_found(cal: SimpleNamespace, client: Client) -> None:
    _, secret = feed_token_create(user=cal.clinician)
    cal.clinician.is_active = False
    cal.clinician.save()
    assert client.get(reverse("scheduling:feed", args=[secret])).status_code == 404


def test_only_a_hash_of_the_secret_is_stored(cal: SimpleNamespace) -> None:
    token, secret = feed_token_create(user=cal.clinician)
    stored = FeedToken.objects.get(pk=token.pk)
    assert stored.token_hash == token_hash(secret)
    assert secret not in stored.token_hash


def test_reading_a_feed_is_logged_as_the_user_without_a_participant(
    cal: SimpleNamespace, client: Client
) -> None:
    _, secret = feed_token_create(user=cal.participant_user)
    client.get(reverse("scheduling:feed", args=[secret]))
    row = AccessLog.objects.get(object_type="calendar.feed")
    assert row.actor == cal.participant_user
    assert row.participant is None
    assert secret not in row.path


def test_the_settings_page_shows_a_new_link_once(cal: SimpleNamespace, login: Any) -> None:
    client = login(cal.clinician)
    created = client.post(reverse("scheduling:feed_settings"), {"action": "create"})
    assert b"/schedule/feed/" in created.content
    again = client.get(reverse("scheduling:feed_settings"))
    assert b"/schedule/feed/" not in again.content
    assert b"Active" in again.content


def test_the_settings_page_revokes_a_link(cal: SimpleNamespace, login: Any) -> None:
    token, _ = feed_token_create(user=cal.clinician)
    login(cal.clinician).post(
        reverse("scheduling:feed_settings"), {"action": "revoke", "token": str(token.pk)}
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_someone_elses_link(cal: SimpleNamespace, login: Any) -> None:
    token, _ = feed_token_create(user=cal.director)
    response = login(cal.clinician).post(
        reverse("scheduling:feed_settings"), {"action": "revoke", "token": str(token.pk)}
    )
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_settings_page_refuses_administrators_and_participants(
    cal: SimpleNamespace, login: Any
) -> None:
    assert login(cal.admin).get(reverse("scheduling:feed_settings")).status_code == 403
    assert login(cal.participant_user).get(reverse("scheduling:feed_settings")).status_code == 403


def test_a_participant_creates_a_link_in_the_portal(cal: SimpleNamespace, login: Any) -> None:
    response = login(cal.participant_user).post(reverse("portal:calendar"), {"action": "create"})
    assert b"/schedule/feed/" in response.content
    assert FeedToken.objects.filter(user=cal.participant_user).count() == 1
