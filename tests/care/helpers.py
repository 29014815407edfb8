"""Builders for the care tests: plans through the real write functions."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from openiop.care.models import MeasureKind, TreatmentPlan
from openiop.care.services import (
    ObjectiveFields,
    plan_draft_start,
    plan_goal_add,
    plan_intervention_add,
    plan_objective_add,
    plan_problem_add,
    plan_sign_clinician,
    plan_sign_participant,
)
from openiop.diary.models import DiaryCard
from openiop.lib.timezones import today_in
from openiop.scheduling.attendance import attendance_record
from tests.measures.helpers import phq9, record
from tests.scheduling.attendance_support import make_session, session_type


def today(w: SimpleNamespace):
    return today_in(w.program.time_zone)


def complete_draft(w: SimpleNamespace) -> TreatmentPlan:
    """A first plan: one problem, one goal, a PHQ-9 objective and an attendance objective,
    each with one intervention by the world's clinician."""
    plan = plan_draft_start(actor=w.clinician, episode=w.episode)
    problem = plan_problem_add(actor=w.clinician, plan=plan, description="Low mood most days")
    goal = plan_goal_add(actor=w.clinician, problem=problem, description="Feel better day to day")
    score = plan_objective_add(
        actor=w.clinician,
        goal=goal,
        fields=ObjectiveFields(
            description="PHQ-9 below 10",
            measure_kind=MeasureKind.SCORE,
            target_on=today(w) + timedelta(days=45),
            instrument_code="PHQ-9",
            direction="at_most",
            threshold="9",
        ),
    )
    attendance = plan_objective_add(
        actor=w.clinician,
        goal=goal,
        fields=ObjectiveFields(
            description="Come to most groups",
            measure_kind=MeasureKind.ATTENDANCE,
            target_on=today(w) + timedelta(days=30),
            direction="at_least",
            threshold="80",
        ),
    )
    for objective in (score, attendance):
        plan_intervention_add(
            actor=w.clinician,
            objective=objective,
            modality="dbt",
            description="DBT skills group",
            frequency="3 groups a week",
            responsible=w.clinician,
        )
    plan.refresh_from_db()
    return plan


def signed_plan(w: SimpleNamespace) -> TreatmentPlan:
    plan = complete_draft(w)
    plan_sign_clinician(actor=w.clinician, plan=plan)
    return plan_sign_participant(
        plan=plan, participant=w.participant, typed_name=w.participant.legal_name
    )


def backdate(plan: TreatmentPlan, days: int) -> TreatmentPlan:
    """Move a current version's dates back as if it took effect `days` ago (the hash covers
    the dates, so it is recomputed: this stands in for a clock)."""
    plan.refresh_from_db()
    assert plan.effective_on is not None
    assert plan.review_due_on
    assert plan.expires_on
    delta = timedelta(days=days)
    TreatmentPlan.objects.filter(pk=plan.pk).update(
        effective_on=plan.effective_on - delta,
        review_due_on=plan.review_due_on - delta,
        expires_on=plan.expires_on - delta,
    )
    plan.refresh_from_db()
    TreatmentPlan.objects.filter(pk=plan.pk).update(content_hash=plan.compute_hash())
    plan.refresh_from_db()
    return plan


def with_history(w: SimpleNamespace) -> None:
    """Three PHQ-9 scores over 25 days (18 → 8), four sessions (three attended) and four
    diary cards (use early, none lately)."""
    now = timezone.now()
    record(w, "PHQ-9", phq9(18), at=now - timedelta(days=25))
    record(w, "PHQ-9", phq9(14), at=now - timedelta(days=12))
    record(w, "PHQ-9", phq9(8), at=now - timedelta(days=2))
    kind = session_type(w.program)
    for days_ago, status in (
        (20, "present"),
        (13, "present"),
        (6, "absent_unexcused"),
        (3, "late"),
    ):
        session = make_session(
            program=w.program,
            kind=kind,
            starts_at=now - timedelta(days=days_ago),
            created_by=w.director,
            facilitators=[w.clinician],
            roster=[w.episode],
        )
        attendance_record(
            session=session,
            participant=w.participant,
            status=status,
            actor=w.clinician,
            arrived_at=session.starts_at + timedelta(minutes=10) if status == "late" else None,
        )
    # Older cards written directly: the portal takes cards at most a week late.
    day = today(w)
    for n, used in ((15, True), (14, True), (2, False), (1, False)):
        DiaryCard.objects.create(
            organization=w.org,
            participant=w.participant,
            episode=w.episode,
            day=day - timedelta(days=n),
            urge_suicide=0,
            urge_self_harm=0,
            urge_substance=3 if used else 1,
            action_self_harm=False,
            action_substance=used,
            medication="taken",
            submitted_at=now,
            submitted_by=w.participant_user,
        )
