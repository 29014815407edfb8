"""What the billing room adds to shared pages (home/panels.py lists these).

- The chart: for each of the viewer's episodes of the participant, the billing warnings and
  a link to the episode's billing page (viewers holding billing.view).
- The staff home: a clinician sees the warnings of their own caseload (N days left, review
  due, expired, services without a covering authorization); billing staff and directors see
  how many episodes of their programs need action, with the worklist's link.

Figures are computed live (selectors.billing_for_episodes, a fixed number of queries).
"""

from __future__ import annotations

from typing import Any

from openiop.accounts.roles import Perm, Role
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record_many
from openiop.billing.selectors import (
    admission_warnings,
    billing_for_episodes,
    worklist_episodes,
)
from openiop.lib.http import AuthedRequest
from openiop.participants.access import program_ids_for
from openiop.participants.models import IN_TREATMENT_STATUSES, Episode, Participant
from openiop.participants.panels import Chart


def chart_context(request: AuthedRequest, chart: Chart) -> dict[str, Any]:
    if not request.user.can(Perm.BILLING_VIEW) or not chart.episodes:
        return {}
    rows = billing_for_episodes(
        [e for e in chart.episodes if e.status in IN_TREATMENT_STATUSES or e == chart.current],
        diagnoses_too=False,
    )
    return {"billing_rows": rows, "billing_chart": True}


def home_context(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    if not user.can(Perm.BILLING_VIEW):
        return {}
    if user.role == Role.CLINICIAN:
        episodes = list(
            Episode.objects.filter(
                primary_clinician=user,
                status__in=IN_TREATMENT_STATUSES,
                program_id__in=program_ids_for(user),
            ).select_related("participant", "program")
        )
        rows = [r for r in billing_for_episodes(episodes, diagnoses_too=False) if r.warnings]
        if rows:
            access_record_many(
                request=request,
                action=AccessAction.LIST,
                object_type="billing.home",
                participants=[r.episode.participant for r in rows],
            )
        return {"billing_home_rows": rows, "billing_home": True}
    episodes = [
        e for e in worklist_episodes(program_ids_for(user)) if e.status in IN_TREATMENT_STATUSES
    ]
    rows = billing_for_episodes(episodes, diagnoses_too=False)
    # Counts only: no participant is named, so no access row.
    return {
        "billing_home": True,
        "billing_home_count": sum(1 for r in rows if r.warnings or r.problem),
        "billing_home_total": len(rows),
    }


def admission_context(episode: Episode) -> dict[str, Any]:
    """Admission warns when the participant's payer requires prior authorization for this
    kind of program and none is on file for the episode (or when no coverage is)."""
    return {"admission_billing_warnings": admission_warnings(episode)}


def portal_context(request: AuthedRequest, participant: Participant) -> dict[str, Any]:
    return {}
