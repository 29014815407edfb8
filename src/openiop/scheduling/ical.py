"""iCalendar feeds behind secret, revocable URLs.

A feed is read by calendar apps that cannot sign in, so the URL itself is the credential: a
random secret of which only the SHA-256 hash is stored. Whatever lands in a phone's calendar
leaves our control (cloud sync, lock screens, shared family calendars), so events carry no
PHI: a generic title ("Group session", "Appointment", "Family session"), the room's name or
"Video session", and no participant names, diagnoses, topics or lessons.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from icalendar import Calendar, Event

from openiop.accounts.roles import Role
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record
from openiop.scheduling.calendars import generic_title, is_telehealth
from openiop.scheduling.models import FeedToken, Session, SessionStatus

if TYPE_CHECKING:
    from openiop.accounts.models import User

# What a feed covers: recent past (so a calendar keeps last week) and the next three months.
FEED_PAST = timedelta(days=14)
FEED_AHEAD = timedelta(days=92)
FEED_DESCRIPTION = "Scheduled by your program. Details are in OpenIOP."


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def feed_token_create(*, user: User) -> tuple[FeedToken, str]:
    """A new feed URL secret for the user; the secret is returned once and never stored."""
    if user.organization_id is None:
        raise ValidationError("This account belongs to no organization, so it has no calendar.")
    secret = secrets.token_urlsafe(32)
    token = FeedToken.objects.create(
        organization_id=user.organization_id,
        user=user,
        token_hash=token_hash(secret),
        created_at=timezone.now(),
    )
    return token, secret


@transaction.atomic
def feed_token_revoke(*, token: FeedToken, actor: User) -> FeedToken:
    if token.user_id != actor.pk:
        raise ValidationError("You can revoke only your own calendar links.")
    locked = FeedToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


def feed_token_active(secret: str) -> FeedToken | None:
    """The active token for a secret from a URL, with its user; None for unknown or revoked
    tokens and for accounts that were deactivated since."""
    if not secret or len(secret) > 100:
        return None
    token = (
        FeedToken.objects.select_related("user")
        .filter(token_hash=token_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token


def feed_sessions(user: User, *, now: datetime | None = None) -> QuerySet[Session]:
    """Staff: the sessions they facilitate. Participants: the sessions on their roster."""
    now = now or timezone.now()
    window = Session.objects.filter(starts_at__gte=now - FEED_PAST, starts_at__lt=now + FEED_AHEAD)
    if user.role == Role.PARTICIPANT:
        sessions = window.filter(roster__participant__user=user)
    elif user.is_staff_member:
        sessions = window.filter(facilitators=user)
    else:
        sessions = window.none()
    return sessions.select_related("session_type", "room").distinct().order_by("starts_at", "id")


def feed_calendar(user: User, *, now: datetime | None = None) -> bytes:
    now = now or timezone.now()
    cal = Calendar()
    cal.add("prodid", "-//OpenIOP//Schedule//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Program schedule")
    for session in feed_sessions(user, now=now):
        event = Event()
        event.add("uid", f"{session.public_id}@openiop")
        event.add("dtstamp", now)
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("dtend", session.ends_at.astimezone(UTC))
        event.add("summary", generic_title(session))
        event.add("location", "Video session" if is_telehealth(session) else _room(session))
        event.add("description", FEED_DESCRIPTION)
        cancelled = session.status == SessionStatus.CANCELLED
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()


def _room(session: Session) -> str:
    return session.room.name if session.room else "To be announced"


def feed_access_record(*, request: HttpRequest, token: FeedToken) -> None:
    """Feeds are read without a session, so the log row names the token's user; it names no
    participant, and the path is written without the secret."""
    access_record(
        request=request,
        action=AccessAction.EXPORT,
        object_type="calendar.feed",
        object_id=str(token.pk),
        actor=token.user,
        path="/schedule/feed/",
    )
