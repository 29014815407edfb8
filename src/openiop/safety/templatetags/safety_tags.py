"""The staff home's alerts section, self-contained so the home view needs no change: one query
for the alerts and one access-log insert for the participants they name."""

from __future__ import annotations

from typing import Any

from django import template

from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record_many
from openiop.safety.models import UNRESOLVED

register = template.Library()


@register.simple_tag(takes_context=True)
def my_open_alerts(context: dict[str, Any]) -> list[Any]:
    from openiop.safety.views import SEVERITY_RANK, visible_alerts

    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.can(Perm.PARTICIPANT_CLINICAL):
        return []
    alerts = list(
        visible_alerts(user)
        .filter(status__in=UNRESOLVED, recipients__user=user)
        .distinct()
        .select_related("participant", "rule")
        .annotate(rank=SEVERITY_RANK)
        .order_by("rank", "created_at")[:20]
    )
    if alerts:
        access_record_many(
            request=request,
            action=AccessAction.LIST,
            object_type="safety.home_alerts",
            participants=list({a.participant_id: a.participant for a in alerts}.values()),
        )
    return alerts
