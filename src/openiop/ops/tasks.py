"""Housekeeping of the background machinery itself."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from openiop.ops.models import Delivery, DeliveryState, PeriodicClaim, WorkerHeartbeat
from openiop.ops.periodic import periodic

# Reminders are keyed by session or day: a sent-log row older than this can no longer stop a
# duplicate, because nothing would send that message again.
DELIVERY_DAYS = 180


@periodic("ops.prune", every=timedelta(hours=6))
def prune(now: datetime) -> str:
    keep = now - timedelta(days=settings.OPENIOP_TASK_RESULT_DAYS)
    results, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=keep
    ).delete()
    claims, _ = PeriodicClaim.objects.filter(due_at__lt=keep).delete()
    beats, _ = WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()
    sent, _ = Delivery.objects.filter(
        state=DeliveryState.SENT, sent_at__lt=now - timedelta(days=DELIVERY_DAYS)
    ).delete()
    return f"pruned {results} results, {claims} claims, {beats} heartbeats, {sent} sent-log rows"
