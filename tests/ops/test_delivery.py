"""The sent-log: a message keyed by what it is goes out once; where SMTP and the mark can come
apart (a worker killed between them), the policy decides which way it fails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from openiop.ops.delivery import deliver, email_sender, message_id, sent_keys, uncertain_count
from openiop.ops.models import Delivery, DeliveryPolicy, DeliveryState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.OPENIOP_TASK_LEASE_SECONDS = 30


def _send(key: str, policy: DeliveryPolicy, **kw) -> bool:
    return deliver(
        key=key,
        kind="test",
        policy=policy,
        send=email_sender("Subject", "Body", ["a@example.test"]),
        **kw,
    )


@pytest.mark.parametrize("policy", list(DeliveryPolicy))
def test_a_message_goes_out_once_and_is_marked_sent(policy: DeliveryPolicy) -> None:
    assert _send("k:1", policy) is True
    assert _send("k:1", policy) is False
    assert len(mail.outbox) == 1
    row = Delivery.objects.get(key="k:1")
    assert row.state == DeliveryState.SENT
    assert row.sent_at is not None
    assert sent_keys(["k:1", "k:2"]) == {"k:1"}


def test_a_failed_send_releases_the_claim_so_a_later_run_sends_it() -> None:
    def broken(mid: str) -> None:
        raise OSError("connection refused")

    with pytest.raises(OSError, match="connection refused"):
        deliver(key="k:1", kind="test", policy=DeliveryPolicy.AT_MOST_ONCE, send=broken)
    assert not Delivery.objects.exists()
    assert _send("k:1", DeliveryPolicy.AT_MOST_ONCE) is True


def _interrupted(key: str, policy: DeliveryPolicy, *, seconds_ago: int) -> None:
    """What a worker killed after the SMTP send and before the mark leaves behind."""
    Delivery.objects.create(
        key=key,
        kind="test",
        policy=policy,
        state=DeliveryState.SENDING,
        claimed_at=timezone.now() - timedelta(seconds=seconds_ago),
    )


def test_at_most_once_never_sends_an_interrupted_message_again() -> None:
    _interrupted("k:1", DeliveryPolicy.AT_MOST_ONCE, seconds_ago=3600)
    assert _send("k:1", DeliveryPolicy.AT_MOST_ONCE) is False
    assert mail.outbox == []
    assert uncertain_count(now=timezone.now()) == 1


def test_at_least_once_sends_an_interrupted_message_again_after_the_lease() -> None:
    _interrupted("k:1", DeliveryPolicy.AT_LEAST_ONCE, seconds_ago=5)
    assert _send("k:1", DeliveryPolicy.AT_LEAST_ONCE) is False  # someone may be sending it now
    Delivery.objects.filter(key="k:1").update(claimed_at=timezone.now() - timedelta(minutes=2))
    assert _send("k:1", DeliveryPolicy.AT_LEAST_ONCE) is True
    row = Delivery.objects.get(key="k:1")
    assert (row.state, row.attempts) == (DeliveryState.SENT, 2)


def test_every_attempt_at_one_message_carries_the_same_message_id_without_the_key() -> None:
    _send("alert-notice:42", DeliveryPolicy.AT_LEAST_ONCE)
    sent = mail.outbox[0].extra_headers["Message-ID"]
    assert sent == message_id("alert-notice:42")
    assert message_id("alert-notice:42") != message_id("alert-notice:43")
    assert "alert" not in sent
