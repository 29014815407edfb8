"""Session reminders by e-mail at the lead time each participant chose.

Reminders are opt-in: a participant without a preference gets none, because an unexpected
e-mail about treatment can itself disclose it to whoever shares the inbox. The subject is always
the same generic line and the body names no diagnosis, program, session type or lesson: only
when, where, and the program's phone.

The worker runs `reminders_send` every five minutes. A SentReminder row per (session,
participant), inserted before the e-mail goes out and rolled back if sending fails, makes each
reminder go out once even when runs overlap or two workers race.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from openiop.ops.jobs import periodic
from openiop.scheduling.calendars import is_telehealth
from openiop.scheduling.models import (
    ReminderLead,
    ReminderPreference,
    RosterEntry,
    SentReminder,
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


def reminders_send(now: datetime) -> str:
    """Send every reminder that is due at `now` and was not sent before."""
    already = SentReminder.objects.filter(
        session_id=OuterRef("session_id"), participant_id=OuterRef("participant_id")
    )
    due = (
        RosterEntry.objects.filter(
            participant__reminder_preference__email_enabled=True,
            session__status=SessionStatus.SCHEDULED,
            session__starts_at__gt=now,
            session__starts_at__lte=now + LONGEST_LEAD,
        )
        .filter(~Exists(already))
        .select_related(
            "participant__reminder_preference",
            "participant__user",
            "session__room",
            "session__program__site",
        )
        .order_by("session__starts_at", "id")
    )
    sent = 0
    for entry in due:
        lead = timedelta(minutes=entry.participant.reminder_preference.lead_minutes)
        if entry.session.starts_at > now + lead:
            continue
        to = recipient_of(entry.participant)
        if not to:
            continue
        try:
            with transaction.atomic():
                SentReminder.objects.create(
                    organization_id=entry.organization_id,
                    session_id=entry.session_id,
                    participant_id=entry.participant_id,
                    sent_at=now,
                )
                send_mail(SUBJECT, reminder_body(entry.session), settings.DEFAULT_FROM_EMAIL, [to])
        except IntegrityError:
            continue  # another run sent this one
        except OSError:
            # Mail server down: the row was rolled back, so the next run tries again.
            log.warning("reminder e-mail failed; will retry")
            continue
        sent += 1
    return f"{sent} reminder(s) sent"


periodic("scheduling.reminders", every=timedelta(minutes=5))(reminders_send)
