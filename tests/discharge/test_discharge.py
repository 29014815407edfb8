"""Discharge: the reason and kind, sessions released, the discharge questionnaires due, the
summary drafted from the record, and the sign-and-lock rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openiop.care.models import GoalStatus, PlanGoal, PlanProblem, PlanStatus, TreatmentPlan
from openiop.discharge.models import DischargeSummary, SummaryLockedError, SummaryStatus
from openiop.discharge.services import (
    episode_discharge,
    summary_addendum_add,
    summary_draft,
    summary_refresh,
    summary_save,
    summary_sign,
)
from openiop.lib.timezones import today_in
from openiop.measures.models import Administration, AdministrationStatus, Phase
from openiop.participants.models import DischargeKind, EpisodeStatus
from openiop.participants.services import episode_transition
from openiop.safety.models import Alert, RuleKind
from openiop.safety.services import rules_for
from openiop.scheduling.models import Attendance
from tests.discharge.conftest import discharge, rostered
from tests.measures.helpers import phq9, record


def test_discharge_records_kind_and_reason(world):
    discharge(world, kind=DischargeKind.AGAINST_ADVICE, reason="Stopped coming")
    world.episode.refresh_from_db()
    assert world.episode.status == EpisodeStatus.DISCHARGED
    assert world.episode.discharge_kind == DischargeKind.AGAINST_ADVICE
    assert world.episode.discharge_reason == "Stopped coming"


def test_discharge_releases_future_sessions_and_keeps_past_attendance(world, sessions):
    assert rostered(sessions.future, world)
    discharge(world)
    assert not rostered(sessions.future, world)
    assert rostered(sessions.past, world)
    assert Attendance.objects.filter(session=sessions.past, participant=world.participant).exists()


def test_discharge_makes_the_discharge_battery_due_at_once(world):
    discharge(world)
    due = Administration.objects.filter(episode=world.episode, phase=Phase.DISCHARGE)
    assert set(due.values_list("instrument_code", flat=True)) >= {"PHQ-9", "GAD-7"}
    assert all(a.status == AdministrationStatus.DUE for a in due)
    assert all(a.due_at <= timezone.now() for a in due)


def test_discharge_needs_a_reason_and_a_fitting_kind(world, sessions):
    with pytest.raises(ValidationError) as error:
        discharge(world, reason="")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        discharge(world, kind=DischargeKind.NOT_ADMITTED)
    assert "kind" in error.value.message_dict
    world.episode.refresh_from_db()
    assert world.episode.status == EpisodeStatus.ACTIVE
    assert rostered(sessions.future, world)
    assert not DischargeSummary.objects.exists()


def test_discharge_cannot_be_in_the_future(world):
    with pytest.raises(ValidationError):
        discharge(world, on=today_in(world.program.time_zone) + timedelta(days=2))


def test_a_never_admitted_episode_has_no_summary(world):
    episode = world.other_episode
    episode.program = world.program
    episode.status = EpisodeStatus.INQUIRY
    episode.admitted_on = episode.started_on = None
    episode.save()
    result = episode_discharge(
        actor=world.clinician,
        episode=episode,
        on=today_in(world.program.time_zone),
        kind=DischargeKind.NOT_ADMITTED,
        reason="Chose another program",
    )
    assert result is None
    assert not DischargeSummary.objects.exists()


def _plan(world):
    plan = TreatmentPlan.objects.create(
        organization=world.org,
        participant=world.participant,
        episode=world.episode,
        version=1,
        status=PlanStatus.CURRENT,
        created_by=world.clinician,
        content_hash="x" * 64,
    )
    problem = PlanProblem.objects.create(organization=world.org, plan=plan, description="Mood")
    for text, status in (
        ("Fewer low days", GoalStatus.MET),
        ("Back at work", GoalStatus.PARTLY_MET),
    ):
        PlanGoal.objects.create(
            organization=world.org, problem=problem, description=text, status=status
        )
    return plan


def test_the_draft_summarizes_the_record(world, sessions):
    record(world, "PHQ-9", phq9(16), at=timezone.now() - timedelta(days=14))
    record(world, "PHQ-9", phq9(6), at=timezone.now() - timedelta(days=1))
    record(world, "GAD-7", [1] * 7, at=timezone.now() - timedelta(days=14))
    _plan(world)
    rule = rules_for(world.program)[RuleKind.URGE_RISK]
    Alert.objects.create(
        organization=world.org,
        participant=world.participant,
        episode=world.episode,
        program=world.program,
        rule=rule,
        severity=rule.severity,
        source="diary",
        day=today_in(world.program.time_zone),
        evidence="urge 4",
        created_at=timezone.now(),
    )
    summary = discharge(world)
    assert summary.status == SummaryStatus.DRAFT
    facts = summary.facts
    assert facts["dates"]["discharged_on"] == today_in(world.program.time_zone).isoformat()
    assert facts["attendance"]["attended"] == 1
    assert facts["attendance"]["hours"] == 3.0
    assert "Discharged:" in summary.dates
    assert "Sessions attended: 1 of 1" in summary.attendance
    assert "Total hours attended: 3" in summary.attendance
    assert "PHQ-9: intake 16" in summary.scores
    assert "Recovered" in summary.scores  # 16 → 6: a drop of 10, below the cutoff of 10
    assert "GAD-7: intake 7" in summary.scores
    assert "no later score" in summary.scores
    assert "1 of 2 goals met" in summary.goals
    assert "Fewer low days: Met" in summary.goals
    assert "Safety alerts: 1" in summary.risk_events
    assert "urge 4" not in summary.risk_events  # evidence stays in the alert
    assert "988" in summary.crisis_plan
    assert "No signed safety plan" in summary.crisis_plan
    assert "Riverside Counseling" in summary.referrals
    assert summary.appointments == "Therapy intake next Tuesday"
    assert summary.course_of_treatment == ""


def test_edit_then_sign_locks_the_summary(world, summary):
    with pytest.raises(ValidationError) as error:
        summary_sign(actor=world.clinician, summary=summary)
    assert "Course of treatment" in error.value.messages[0]
    summary_save(
        actor=world.clinician,
        summary=summary,
        sections={"course_of_treatment": "Came in low; leaves steadier, using skills daily."},
    )
    summary_sign(actor=world.clinician, summary=summary)
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.SIGNED
    assert summary.signed_by == world.clinician
    assert summary.content_hash == summary.compute_hash()
    assert summary.is_intact
    with pytest.raises(ValidationError):
        summary_save(actor=world.clinician, summary=summary, sections={"scores": "changed"})
    summary.scores = "changed"
    with pytest.raises(SummaryLockedError):
        summary.save()


def test_a_raw_update_of_a_signed_summary_is_detected(world, summary):
    summary_save(actor=world.clinician, summary=summary, sections={"course_of_treatment": "Done."})
    summary_sign(actor=world.clinician, summary=summary)
    DischargeSummary.objects.filter(pk=summary.pk).update(course_of_treatment="Tampered")
    summary.refresh_from_db()
    assert not summary.is_intact


def test_sign_names_every_missing_section(world):
    summary = discharge(world, appointments="", medication_followup="")
    with pytest.raises(ValidationError) as error:
        summary_sign(actor=world.clinician, summary=summary)
    message = error.value.messages[0]
    for name in ("Course of treatment", "Aftercare appointments", "Medication follow-up"):
        assert name in message
    summary.refresh_from_db()
    assert summary.status == SummaryStatus.DRAFT


def test_intake_staff_cannot_sign(world, summary):
    summary_save(actor=world.clinician, summary=summary, sections={"course_of_treatment": "Ok."})
    with pytest.raises(ValidationError):
        summary_sign(actor=world.intake, summary=summary)


def test_addendum_only_on_a_signed_summary(world, summary):
    with pytest.raises(ValidationError):
        summary_addendum_add(actor=world.clinician, summary=summary, text="Later note")
    summary_save(actor=world.clinician, summary=summary, sections={"course_of_treatment": "Ok."})
    summary_sign(actor=world.clinician, summary=summary)
    addendum = summary_addendum_add(actor=world.clinician, summary=summary, text="Later note")
    assert addendum.summary == summary
    summary.refresh_from_db()
    assert summary.is_intact


def test_refresh_redraws_record_sections_and_keeps_the_clinicians_words(world, summary):
    summary_save(
        actor=world.clinician,
        summary=summary,
        sections={"course_of_treatment": "My words.", "scores": "scribbled"},
    )
    record(world, "PHQ-9", phq9(5))
    summary_refresh(actor=world.clinician, summary=summary)
    summary.refresh_from_db()
    assert summary.course_of_treatment == "My words."
    assert "PHQ-9: intake 5" in summary.scores
    assert summary.refreshed_at is not None


def test_a_summary_can_be_drafted_for_an_episode_discharged_elsewhere(world):
    episode_transition(
        actor=world.clinician,
        episode=world.episode,
        to_status=EpisodeStatus.DISCHARGED,
        on=today_in(world.program.time_zone),
        discharge_reason="Completed",
        discharge_kind=DischargeKind.COMPLETED,
    )
    summary = summary_draft(actor=world.clinician, episode=world.episode)
    assert summary.episode == world.episode
    with pytest.raises(ValidationError):
        summary_draft(actor=world.clinician, episode=world.episode)
