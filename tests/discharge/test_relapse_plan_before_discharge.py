"""A completed discharge waits until the relapse prevention plan has been gone through with
the participant (issue #6 point 5); unplanned endings do not wait, and ticking the box on the
discharge form records the review in the same step."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from openiop.care.models import RelapsePreventionPlan
from openiop.care.services import relapse_plan_agree, relapse_plan_draft_save
from openiop.lib.timezones import today_in
from openiop.participants.models import DischargeKind, EpisodeStatus
from tests.discharge.conftest import discharge


def _agreed(w: SimpleNamespace) -> RelapsePreventionPlan:
    draft = relapse_plan_draft_save(
        actor=w.clinician,
        episode=w.episode,
        sections={"reasons": "My kids", "lapse_plan": "Call Jo, go to a meeting"},
        review_on=None,
    )
    return relapse_plan_agree(actor=w.clinician, plan=draft)


def test_a_completed_discharge_is_refused_until_the_plan_is_gone_through(world) -> None:
    plan = _agreed(world)
    with pytest.raises(ValidationError) as caught:
        discharge(world)
    assert "relapse_plan_reviewed" in caught.value.message_dict
    world.episode.refresh_from_db()
    plan.refresh_from_db()
    assert world.episode.status != EpisodeStatus.DISCHARGED
    assert plan.discharge_reviewed_at is None


def test_ticking_the_box_records_the_review_and_the_summary_says_so(world) -> None:
    plan = _agreed(world)
    summary = discharge(world, relapse_plan_reviewed=True)
    plan.refresh_from_db()
    assert plan.discharge_reviewed_at is not None
    assert plan.discharge_reviewed_by == world.clinician
    assert summary.facts["relapse_plan"]["version"] == plan.version
    assert "reviewed" in summary.relapse_prevention.lower() or "gone through" in (
        summary.relapse_prevention.lower()
    )


def test_an_unplanned_ending_does_not_wait_for_the_review(world) -> None:
    _agreed(world)
    summary = discharge(world, kind=DischargeKind.AGAINST_ADVICE, destination="", provider="")
    world.episode.refresh_from_db()
    assert world.episode.status == EpisodeStatus.DISCHARGED
    assert summary is not None


def test_without_a_relapse_plan_nothing_is_asked(world) -> None:
    discharge(world)
    world.episode.refresh_from_db()
    assert world.episode.status == EpisodeStatus.DISCHARGED


def test_the_discharge_page_names_the_missing_review(world, login) -> None:
    _agreed(world)
    client = login(world.clinician)
    url = (
        f"/discharge/participants/{world.participant.public_id}"
        f"/episodes/{world.episode.public_id}/discharge/"
    )
    assert "We went through the relapse prevention plan" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "on": today_in(world.program.time_zone).isoformat(),
            "kind": DischargeKind.COMPLETED,
            "reason": "Met the goals",
            "destination": "outpatient",
            "provider": "Riverside Counseling",
            "medication_followup": "No medications",
        },
    )
    # The form comes back with the field's message (400: nothing was saved).
    assert response.status_code in {200, 400}
    assert "Go through the relapse prevention plan" in response.content.decode()
    world.episode.refresh_from_db()
    assert world.episode.status != EpisodeStatus.DISCHARGED
