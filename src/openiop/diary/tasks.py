"""Daily diary reminders by e-mail at the time each participant chose.

Opt-in (an unexpected e-mail about treatment can disclose it). The subject and body name no
program, diagnosis or answer. Each reminder is claimed by a conditional UPDATE of
`last_sent_on` before it is sent, so a day gets one reminder however often the job runs and
however many workers race; a failed send rolls the claim back and is retried next run.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q

from openiop.diary.models import DiaryCard, DiaryReminder
from openiop.diary.services import current_episode
from openiop.ops.jobs import periodic

log = logging.getLogger("openiop.diary")

SUBJECT = "Reminder: your daily card"
BODY = (
    "Hello,\n\n"
    "This is your daily reminder to fill in today's card. It takes about two minutes.\n"
    "Sign in to your portal to fill it in.\n\n"
    "If you are in crisis, call or text 988 at any time.\n"
    "You can change or turn off these reminders in your portal.\n"
)


def reminders_send(*, now: datetime) -> int:
    sent = 0
    reminders = DiaryReminder.objects.filter(enabled=True).select_related(
        "participant", "participant__user"
    )
    for reminder in reminders:
        participant = reminder.participant
        episode = current_episode(participant)
        if episode is None:
            continue
        local = now.astimezone(zoneinfo.ZoneInfo(episode.program.time_zone))
        today = local.date()
        if local.time() < reminder.at or reminder.last_sent_on == today:
            continue
        if DiaryCard.objects.filter(participant=participant, day=today).exists():
            continue
        address = participant.email or (participant.user.email if participant.user else "")
        if not address:
            continue
        try:
            with transaction.atomic():
                claimed = DiaryReminder.objects.filter(
                    Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=today), pk=reminder.pk
                ).update(last_sent_on=today)
                if claimed:
                    send_mail(SUBJECT, BODY, settings.DEFAULT_FROM_EMAIL, [address])
        except Exception as exc:
            log.warning("diary reminder failed: %s", type(exc).__name__)
            continue
        sent += claimed
    return sent


@periodic("diary.reminders", every=timedelta(minutes=5))
def send_diary_reminders(now: datetime) -> str:
    return f"{reminders_send(now=now)} diary reminders sent"
