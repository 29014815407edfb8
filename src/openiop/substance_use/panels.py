"""What substance-use care adds to shared pages (the signatures: participants/panels.py)."""

from __future__ import annotations

from typing import Any

from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record, access_record_many
from openiop.lib.http import AuthedRequest
from openiop.participants.access import Access, level_for, may_access, readable_program_ids
from openiop.participants.panels import Chart
from openiop.substance_use.models import DrugTest, FollowUpStatus, TestFollowUp
from openiop.substance_use.selectors import medication_panel
from openiop.substance_use.testing import open_follow_ups_for, readings_for_episode

MEDICATIONS = "substance_use.medications"
TESTS = "substance_use.tests"


def chart_context(request: AuthedRequest, chart: Chart) -> dict[str, Any]:
    """For the current episode: its medications (MOUD/MAUD marked, the last reconciliation) and,
    in a program that treats substance use, the latest test results, for a viewer who reads
    that program's clinical records (SUD access there). A viewer who only knows the
    participant exists (billing) is told that tests were done, never their results. Every
    program keeps a medication list. Each read is recorded."""
    episode = chart.current
    user = request.user
    if episode is None:
        return {}
    context: dict[str, Any] = {}
    reads_clinical = may_access(user, level_for(Access.CLINICAL, episode.program))
    if reads_clinical:
        context["medication_panel"] = medication_panel(episode, on=chart.today)
        context["medication_episode"] = episode
        access_record(
            request=request,
            action=AccessAction.VIEW,
            object_type=MEDICATIONS,
            participant=chart.participant,
        )
    if episode.program.treats_sud:
        if reads_clinical:
            context["tests_panel"] = {
                "episode": episode,
                "readings": readings_for_episode(episode, limit=3),
                "open": TestFollowUp.objects.filter(
                    episode=episode, status=FollowUpStatus.OPEN
                ).count(),
            }
            access_record(
                request=request,
                action=AccessAction.VIEW,
                object_type=TESTS,
                participant=chart.participant,
            )
        elif may_access(user, Access.IDENTITY):
            done = DrugTest.objects.filter(episode=episode).order_by("-collected_at")
            latest = done.first()
            context["tests_done"] = {
                "count": done.count(),
                "latest": latest.collected_at if latest else None,
            }
    return context


def home_context(request: AuthedRequest) -> dict[str, Any]:
    """The test follow-ups waiting for this clinician, in the programs whose Part 2 records
    they read."""
    user = request.user
    if not user.can(Perm.PARTICIPANT_SUD):
        return {}
    follow_ups = open_follow_ups_for(user, readable_program_ids(user, Access.CLINICAL))
    if not follow_ups:
        return {}
    shown = {f.test.participant.pk: f.test.participant for f in follow_ups}
    access_record_many(
        request=request,
        action=AccessAction.LIST,
        object_type=TESTS,
        participants=[shown[pk] for pk in sorted(shown)],
    )
    return {"test_follow_ups": follow_ups}
