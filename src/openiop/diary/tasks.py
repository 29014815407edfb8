"""Daily diary reminders by e-mail at the time each participant chose.

Opt-in (an unexpected e-mail about treatment can disclose it). The subject and body name no
program, diagnosis or answer. Each reminder goes through the sent-log under its (participant,
day) key, claimed and committed before it is sent: a day gets at most one reminder however
often the job runs, however many workers race, and even when a worker is killed between the
send and the mark (ops/delivery.py). A failed send releases the claim and is retried next run.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import date, datetime, timedelta

from openiop.diary.models import DiaryCard, DiaryReminder
from openiop.diary.services import current_episode
from openiop.ops.delivery import deliver, email_sender
from openiop.ops.models import DeliveryPolicy
from openiop.ops.periodic import periodic

log = logging.getLogger("openiop.diary")

SUBJECT = "Reminder: your daily card"
BODY = (
    "Hello,\n\n"
    "This is your daily reminder to fill in today's card. It takes about two minutes.\n"
    "Sign in to your portal to fill it in.\n\n"
    "If you are in crisis, call or text 988 at any time.\n"
    "You can change or turn off these reminders in your portal.\n"
)


def reminder_key(participant_id: int, day: date) -> str:
    return f"diary-reminder:{participant_id}:{day.isoformat()}"


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
            delivered = deliver(
                key=reminder_key(participant.pk, today),
                kind="diary-reminder",
                policy=DeliveryPolicy.AT_MOST_ONCE,
                send=email_sender(SUBJECT, BODY, [address]),
                now=now,
            )
        except Exception as exc:
            log.warning("diary reminder failed: %s", type(exc).__name__)
            continue
        # The day's mark for the portal ("last reminded"), after the sent-log has decided.
        DiaryReminder.objects.filter(pk=reminder.pk).update(last_sent_on=today)
        sent += delivered
    return sent


@periodic("diary.reminders", every=timedelta(minutes=5))
def send_diary_reminders(now: datetime) -> str:
    return f"{reminders_send(now=now)} diary reminders sent"
