"""What the safety room adds to shared pages: the open-alerts panel of the staff home (every
clinician and director of the program sees every open alert, not only the ones sent to them).
The panel names participants, so showing it writes one access-log row for each; the header's
live indicator (views.alert_indicator) shows counts only and is not logged per poll."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from openiop.audit.models import AccessAction
from openiop.audit.services import access_record_many
from openiop.lib.http import AuthedRequest
from openiop.safety.selectors import answers_alerts, home_panel

HOME_OBJECT_TYPE = "safety.home_alerts"


def home_context(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    if not answers_alerts(user):
        return {}
    panel = home_panel(user)
    shown = {row.alert.participant_id: row.alert.participant for row in panel.rows}
    if shown:
        access_record_many(
            request=request,
            action=AccessAction.LIST,
            object_type=HOME_OBJECT_TYPE,
            participants=shown.values(),
        )
    return {"alert_panel": panel, "alert_poll_seconds": settings.OPENIOP_ALERT_POLL_SECONDS}
