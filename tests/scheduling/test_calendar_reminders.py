"""Session reminders: sent at the participant's lead time, once, without PHI."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from openiop.ops.models import Delivery, DeliveryState
from openiop.ops.periodic import registered_periodic
from openiop.scheduling.models import ReminderPreference, SessionStatus
from openiop.scheduling.reminders import reminders_send
from tests.scheduling.calendar_support import add_calendar_setup, make_session, put_on_roster

pytestmark = pytest.mark.django_db


@pytest.fixture
def cal(world: SimpleNamespace, settings: Any) -> SimpleNamespace:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    w = add_calendar_setup(world)
    w.participant.email = "pat@example.test"
    w.participant.save()
    w.now = timezone.now().replace(microsecond=0)
    w.group = make_session(
        w, starts_at=w.now + timedelta(minutes=50), room=w.willow, topic="Grief work"
    )
    put_on_roster(w.group, w.participant, w.episode)
    ReminderPreference.objects.create(
        organization=w.org, participant=w.participant, lead_minutes=60, email_enabled=True
    )
    return w


def test_the_job_is_registered_with_the_worker() -> None:
    import openiop.scheduling.tasks  # noqa: F401

    assert registered_periodic()["scheduling.reminders"].every == timedelta(minutes=5)


def test_a_reminder_goes_out_within_the_lead_time(cal: SimpleNamespace) -> None:
    reminders_send(cal.now)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["pat@example.test"]
    assert mail.outbox[0].subject == "Reminder: upcoming session"


def test_it_is_sent_once(cal: SimpleNamespace) -> None:
    reminders_send(cal.now)
    reminders_send(cal.now + timedelta(minutes=5))
    assert len(mail.outbox) == 1
    assert list(Delivery.objects.values_list("kind", "state")) == [
        ("session-reminder", DeliveryState.SENT)
    ]


def test_nothing_is_sent_before_the_lead_time(cal: SimpleNamespace) -> None:
    reminders_send(cal.now - timedelta(minutes=15))
    assert mail.outbox == []


def test_a_longer_lead_time_sends_earlier(cal: SimpleNamespace) -> None:
    ReminderPreference.objects.filter(participant=cal.participant).update(lead_minutes=1440)
    reminders_send(cal.now - timedelta(hours=20))
    assert len(mail.outbox) == 1


def test_nothing_is_sent_when_e_mail_is_off(cal: SimpleNamespace) -> None:
    ReminderPreference.objects.filter(participant=cal.participant).update(email_enabled=False)
    reminders_send(cal.now)
    assert mail.outbox == []


def test_nothing_is_sent_without_a_preference(cal: SimpleNamespace) -> None:
    ReminderPreference.objects.all().delete()
    reminders_send(cal.now)
    assert mail.outbox == []


def test_cancelled_and_past_sessions_get_no_reminder(cal: SimpleNamespace) -> None:
    cal.group.status = SessionStatus.CANCELLED
    cal.group.save()
    past = make_session(cal, starts_at=cal.now - timedelta(minutes=10))
    put_on_roster(past, cal.participant, cal.episode)
    reminders_send(cal.now)
    assert mail.outbox == []


def test_the_reminder_carries_no_phi(cal: SimpleNamespace) -> None:
    reminders_send(cal.now)
    message = mail.outbox[0]
    text = f"{message.subject}\n{message.body}"
    for needle in (
        cal.participant.legal_first_name,
        cal.participant.legal_last_name,
        cal.participant.preferred_name,
        cal.participant.record_number,
        "Grief work",
        "DBT",
        cal.program.name,
    ):
        assert needle not in text
    assert "Willow Room" in message.body


def test_a_video_session_says_join_from_the_portal(cal: SimpleNamespace) -> None:
    video = make_session(
        cal,
        starts_at=cal.now + timedelta(minutes=30),
        session_type=cal.individual,
        room=cal.virtual,
        telehealth_url="https://video.example.test/x",
    )
    put_on_roster(video, cal.participant, cal.episode)
    reminders_send(cal.now)
    bodies = [m.body for m in mail.outbox]
    assert any("video session — join from your portal" in b for b in bodies)
    assert not any("video.example.test" in b for b in bodies)
