"""The sent-log: every e-mail a background task sends goes through `deliver`, keyed by what is
sent, so that a retried task or a second worker never sends it twice.

SMTP cannot take part in a database transaction: between the mail server accepting a message
and our row saying so, a worker can die. Each kind of message therefore chooses which way it
may fail (docs/architecture.md, "Background work"):

- AT_MOST_ONCE: the row is committed *before* the send. A send that fails cleanly removes the
  row (a later run sends it); a worker killed mid-send leaves the row in `sending`, and the
  message is never sent again. Used for participants' reminders: a duplicate reminder about
  treatment is itself a disclosure risk and erodes trust, and a missed one is recovered by the
  participant's own schedule.
- AT_LEAST_ONCE: the same, except that a row left in `sending` for longer than a lease is sent
  again. Used for risk-alert notices to staff: a lost notice can delay the response to someone
  at risk, a duplicate costs a second glance. A repeat carries the same Message-ID header, which
  many mail systems use to fold duplicates.

Call `deliver` outside any transaction of your own: the claim must be committed before the
message leaves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from openiop.ops.models import Delivery, DeliveryPolicy, DeliveryState

log = logging.getLogger("openiop.delivery")

Send = Callable[[str], None]


def message_id(key: str) -> str:
    """A Message-ID that is the same for every attempt at one message and reveals nothing of
    the key (which holds internal ids)."""
    digest = salted_hmac("openiop.delivery", key).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "openiop.invalid"
    return f"<{digest}@{domain}>"


def email_sender(subject: str, body: str, to: list[str]) -> Send:
    """A `send` for `deliver`: one plain e-mail, with the delivery's Message-ID."""

    def send(mid: str) -> None:
        EmailMessage(
            subject, body, settings.DEFAULT_FROM_EMAIL, to, headers={"Message-ID": mid}
        ).send()

    return send


def _claim(*, key: str, kind: str, policy: DeliveryPolicy, now: datetime) -> bool:
    lease = timedelta(seconds=settings.OPENIOP_TASK_LEASE_SECONDS)
    with transaction.atomic():
        try:
            with transaction.atomic():
                Delivery.objects.create(
                    key=key,
                    kind=kind,
                    policy=policy,
                    state=DeliveryState.SENDING,
                    claimed_at=now,
                )
            return True
        except IntegrityError:
            pass
        if policy != DeliveryPolicy.AT_LEAST_ONCE:
            return False
        # Sent, or being sent by someone else right now, or left mid-send by a lost worker:
        # only the last is ours to send again.
        return bool(
            Delivery.objects.filter(
                Q(claimed_at__lt=now - lease), key=key, state=DeliveryState.SENDING
            ).update(claimed_at=now, attempts=F("attempts") + 1)
        )


def deliver(
    *, key: str, kind: str, policy: DeliveryPolicy, send: Send, now: datetime | None = None
) -> bool:
    """Send one message unless the sent-log has it. Returns True when this call sent it.
    A failing `send` raises after releasing the claim, so the caller's task can be retried."""
    now = now or timezone.now()
    if not _claim(key=key, kind=kind, policy=policy, now=now):
        return False
    try:
        send(message_id(key))
    except Exception:
        Delivery.objects.filter(key=key, state=DeliveryState.SENDING).delete()
        log.warning("%s not sent; will be tried again", kind)
        raise
    Delivery.objects.filter(key=key).update(state=DeliveryState.SENT, sent_at=timezone.now())
    return True


def sent_keys(keys: list[str]) -> set[str]:
    """Which of these keys the sent-log already holds (sent or being sent)."""
    return set(Delivery.objects.filter(key__in=keys).values_list("key", flat=True))


def uncertain_count(*, now: datetime) -> int:
    """Messages whose send was interrupted and which will not be retried (at most once): an
    operator may want to know that a reminder may not have gone out."""
    lease = timedelta(seconds=settings.OPENIOP_TASK_LEASE_SECONDS)
    return Delivery.objects.filter(state=DeliveryState.SENDING, claimed_at__lt=now - lease).count()
