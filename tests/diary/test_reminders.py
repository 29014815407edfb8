"""Daily reminders: once a day, at or after the chosen time, never with PHI in the subject."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time

from django.core import mail

from openiop.diary.models import DiaryReminder
from openiop.diary.tasks import SUBJECT, send_diary_reminders
from tests.diary.helpers import file_card

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def _remind(world, at: time = time(20, 0)) -> DiaryReminder:
    world.participant.email = "pat@example.test"
    world.participant.save(update_fields=["email"])
    return DiaryReminder.objects.create(
        organization=world.org, participant=world.participant, enabled=True, at=at
    )


def _at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=CHICAGO)


def test_no_reminder_before_the_chosen_time(world) -> None:
    _remind(world)
    send_diary_reminders(_at(19, 59))
    assert mail.outbox == []


def test_one_reminder_a_day_however_often_the_job_runs(world) -> None:
    _remind(world)
    send_diary_reminders(_at(20, 0))
    send_diary_reminders(_at(20, 5))
    send_diary_reminders(_at(23, 55))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == SUBJECT
    text = f"{message.subject}\n{message.body}"
    assert "Pat" not in text
    assert world.program.name not in text
    send_diary_reminders(_at(20, 0, day=11))
    assert len(mail.outbox) == 2


def test_no_reminder_when_todays_card_is_in(world) -> None:
    _remind(world, at=time(0, 0))
    file_card(world)
    from django.utils import timezone

    from openiop.lib.timezones import today_in

    now = timezone.now()
    assert today_in(world.program.time_zone, now=now)
    send_diary_reminders(now)
    assert mail.outbox == []


def test_reminders_are_off_unless_chosen(world) -> None:
    _remind(world).delete()
    send_diary_reminders(_at(21, 0))
    assert mail.outbox == []
