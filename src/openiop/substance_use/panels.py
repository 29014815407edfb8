"""What substance-use care adds to shared pages (the signatures: participants/panels.py)."""

from __future__ import annotations

from typing import Any

from openiop.audit.models import AccessAction
from openiop.audit.services import access_record
from openiop.lib.http import AuthedRequest
from openiop.participants.access import Access, level_for, may_access
from openiop.participants.panels import Chart
from openiop.substance_use.selectors import medication_panel

MEDICATIONS = "substance_use.medications"


def chart_context(request: AuthedRequest, chart: Chart) -> dict[str, Any]:
    """The current episode's medications (MOUD/MAUD marked, the last reconciliation), for a
    viewer who reads that program's clinical records (SUD access where it treats substance
    use). Every program keeps a medication list; the read is recorded."""
    episode = chart.current
    user = request.user
    if episode is None or not may_access(user, level_for(Access.CLINICAL, episode.program)):
        return {}
    panel = medication_panel(episode, on=chart.today)
    access_record(
        request=request,
        action=AccessAction.VIEW,
        object_type=MEDICATIONS,
        participant=chart.participant,
    )
    return {"medication_panel": panel, "medication_episode": episode}
