"""Session reminders by e-mail at the lead time each participant chose.

Reminders are opt-in: a participant without a preference gets none, because an unexpected
e-mail about treatment can itself disclose it to whoever shares the inbox. The subject is always
the same generic line and the body names no diagnosis, program, session type or lesson: only
when, where, and the program's phone.

The scheduler enqueues `reminders_send` every five minutes (scheduling/tasks.py). Each reminder
is claimed in the sent-log under its (session, participant) key and committed before the e-mail
goes out, and released if sending fails: it goes out at most once, even when runs overlap, two
workers race, or a worker is killed between the send and the mark (ops/delivery.py).
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from openiop.ops.delivery import deliver, email_sender, sent_keys
from openiop.ops.models import DeliveryPolicy
from openiop.scheduling.calendars import is_telehealth
from openiop.scheduling.models import (
    ReminderLead,
    ReminderPreference,
    RosterEntry,
    SessionStatus,
)

if TYPE_CHECKING:
    from openiop.accounts.models import User
    from openiop.participants.models import Participant
    from openiop.scheduling.models import Session

log = logging.getLogger("openiop.reminders")

SUBJECT = "Reminder: upcoming session"
LONGEST_LEAD = timedelta(minutes=max(ReminderLead.values))


def preference_for(participant: Participant) -> ReminderPreference:
    """The participant's saved preference, or the unsaved default (no e-mails, 1 hour)."""
    found = ReminderPreference.objects.filter(participant=participant).first()
    if found is not None:
        return found
    return ReminderPreference(
        organization_id=participant.organization_id,
        participant=participant,
        lead_minutes=ReminderLead.HOUR_1,
        email_enabled=False,
    )


def recipient_of(participant: Participant) -> str:
    if participant.email:
        return participant.email
    user = participant.user
    return user.email if user is not None else ""


@transaction.atomic
def reminder_preference_set(
    *, participant: Participant, lead_minutes: int, email_enabled: bool, actor: User
) -> ReminderPreference:
    if lead_minutes not in ReminderLead.values:
        raise ValidationError({"lead_minutes": "Choose one of the offered reminder times."})
    if email_enabled and not recipient_of(participant):
        raise ValidationError(
            "We have no e-mail address for you. Ask the program to add one, then turn e-mail "
            "reminders on."
        )
    preference, _ = ReminderPreference.objects.select_for_update().get_or_create(
        participant=participant,
        defaults={"organization_id": participant.organization_id},
    )
    preference.lead_minutes = lead_minutes
    preference.email_enabled = email_enabled
    preference.full_clean()
    preference.save(update_fields=["lead_minutes", "email_enabled", "updated_at"])
    return preference


def _when(session: Session) -> str:
    local = session.starts_at.astimezone(zoneinfo.ZoneInfo(session.program.time_zone))
    clock = local.strftime("%I:%M %p").lstrip("0")
    return f"{local:%A}, {local:%B} {local.day} at {clock} ({session.program.time_zone})"


def _where(session: Session) -> str:
    if is_telehealth(session):
        return "video session — join from your portal"
    if session.room is not None:
        return f"{session.room.name}, {session.program.site.name}"
    return session.program.site.name


def reminder_body(session: Session) -> str:
    lines = [
        "Hello,",
        "",
        "This is a reminder of your upcoming session.",
        "",
        f"When: {_when(session)}",
        f"Where: {_where(session)}",
        "",
    ]
    if session.program.phone:
        lines.append(f"If you cannot come, please call the program at {session.program.phone}.")
    lines += [
        "You can change or turn off these reminders in your portal.",
    ]
    return "\n".join(lines)


def reminder_key(session_id: int, participant_id: int) -> str:
    return f"session-reminder:{session_id}:{participant_id}"


def reminders_send(now: datetime) -> str:
    """Send every reminder that is due at `now` and is not in the sent-log. Each one is
    claimed in the sent-log (committed) before its e-mail goes out: at most once, see
    ops/delivery.py."""
    due = list(
        RosterEntry.objects.filter(
            participant__reminder_preference__email_enabled=True,
            session__status=SessionStatus.SCHEDULED,
            session__starts_at__gt=now,
            session__starts_at__lte=now + LONGEST_LEAD,
        )
        .select_related(
            "participant__reminder_preference",
            "participant__user",
            "session__room",
            "session__program__site",
        )
        .order_by("session__starts_at", "id")
    )
    done = sent_keys([reminder_key(e.session_id, e.participant_id) for e in due])
    sent = 0
    for entry in due:
        key = reminder_key(entry.session_id, entry.participant_id)
        if key in done:
            continue
        lead = timedelta(minutes=entry.participant.reminder_preference.lead_minutes)
        if entry.session.starts_at > now + lead:
            continue
        to = recipient_of(entry.participant)
        if not to:
            continue
        try:
            sent += deliver(
                key=key,
                kind="session-reminder",
                policy=DeliveryPolicy.AT_MOST_ONCE,
                send=email_sender(SUBJECT, reminder_body(entry.session), [to]),
                now=now,
            )
        except OSError:
            # Mail server down: the claim was released, so the next run tries again.
            log.warning("reminder e-mail failed; will retry")
    return f"{sent} reminder(s) sent"
