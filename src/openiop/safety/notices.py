"""Risk-alert notices to staff, sent by the worker.

`alert_raise` and `alert_escalate` add recipients in their own transaction and enqueue
`alert_notices_send` with it (ops/queue.py): the notice exists exactly when the alert or its
escalation commits. Each recipient's e-mail goes through the sent-log at least once
(ops/delivery.py): a worker killed between the send and the mark sends it again, because a lost
notice can delay the response to someone at risk and a duplicate costs a second glance. The
escalation job also sweeps up notices that never went out (mail server down, Redis down when the
task should have been queued), as long as the alert is open.

Subject and body carry no PHI: the reader signs in to see the alert.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django_tasks import task

from openiop.ops.delivery import deliver, email_sender, sent_keys
from openiop.ops.models import DeliveryPolicy
from openiop.ops.queue import enqueue_with_commit
from openiop.safety.models import AlertRecipient, AlertStatus

log = logging.getLogger("openiop.safety")

NOTIFY_SUBJECT = "OpenIOP: an alert needs your attention"
NOTIFY_BODY = (
    "A risk alert in OpenIOP has been sent to you and needs to be acknowledged.\n\n"
    "Sign in to OpenIOP and open Alerts to see it.\n"
)
# Left to the queued task first; the sweep takes over after this.
SWEEP_AFTER = timedelta(minutes=2)


def notice_key(recipient: AlertRecipient) -> str:
    return f"alert-notice:{recipient.pk}"


def _send(recipients: list[AlertRecipient]) -> int:
    sent = 0
    failed: Exception | None = None
    for recipient in recipients:
        if not recipient.user.email:
            continue
        try:
            sent += deliver(
                key=notice_key(recipient),
                kind="alert-notice",
                policy=DeliveryPolicy.AT_LEAST_ONCE,
                send=email_sender(NOTIFY_SUBJECT, NOTIFY_BODY, [recipient.user.email]),
            )
        except Exception as exc:  # one bad address must not hold back the others
            failed = exc
    if failed is not None:
        raise failed  # the task fails and is retried; what was sent stays sent
    return sent


@task()
def alert_notices_send(alert_id: int) -> int:
    recipients = list(
        AlertRecipient.objects.filter(alert_id=alert_id, alert__status=AlertStatus.OPEN)
        .select_related("user")
        .order_by("id")
    )
    return _send(recipients)


def alert_notices_enqueue(alert_id: int) -> None:
    """Call inside the transaction that added the recipients."""
    enqueue_with_commit(alert_notices_send, alert_id)


def alert_notices_catch_up(*, now: datetime) -> int:
    """Send the notices of open alerts that should have gone out by now and did not."""
    waiting = list(
        AlertRecipient.objects.filter(
            alert__status=AlertStatus.OPEN, added_at__lt=now - SWEEP_AFTER
        )
        .select_related("user")
        .order_by("id")[:500]
    )
    if not waiting:
        return 0
    done = sent_keys([notice_key(r) for r in waiting])
    missing = [r for r in waiting if notice_key(r) not in done]
    if not missing:
        return 0
    try:
        return _send(missing)
    except Exception as exc:
        log.warning("alert notices still not sent: %s", type(exc).__name__)
        return 0
