"""What this app adds to shared pages: the participant chart, the staff home and the portal
home. Each function returns a template context (empty when there is nothing to show)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record_many
from openiop.discharge.selectors import (
    chart_rows,
    episodes_ending,
    portal_alumni,
    summaries_to_sign,
)
from openiop.lib.http import AuthedRequest
from openiop.participants.access import Access, may_access
from openiop.participants.models import Participant
from openiop.participants.panels import Chart


def chart_context(request: AuthedRequest, chart: Chart) -> dict[str, Any]:
    participant, today = chart.participant, chart.today
    # Plans for leaving, summaries and follow-ups are clinical content: billing sees none.
    if not may_access(request.user, Access.CLINICAL):
        return {}
    rows = chart_rows(request.user, participant, today)
    return {
        "discharge_rows": rows,
        "discharge_can_write": request.user.can(Perm.PARTICIPANT_WRITE),
    }


def home_context(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    if not user.can(Perm.PARTICIPANT_CLINICAL):
        return {}
    today = timezone.localdate()
    to_sign = summaries_to_sign(user)
    ending = episodes_ending(user, today)
    shown = {s.participant.pk: s.participant for s in to_sign}
    shown.update({e.participant.pk: e.participant for e, _ in ending})
    access_record_many(
        request=request,
        action=AccessAction.LIST,
        object_type="discharge.home",
        participants=list(shown.values()),
    )
    return {
        "discharge_to_sign": to_sign,
        "discharge_ending": ending,
        "discharge_today": today,
        "discharge_home": True,
    }


def portal_context(request: AuthedRequest, participant: Participant) -> dict[str, Any]:
    return portal_alumni(participant, participant.local_today())
