"""Treatment plan write functions: validation, signatures, co-signature, versioning and the
content hash."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from openiop.accounts.roles import Role
from openiop.audit.models import Event
from openiop.care.models import (
    GoalStatus,
    MeasureKind,
    PlanObjective,
    PlanReview,
    PlanStatus,
    TreatmentPlan,
)
from openiop.care.selectors import plan_tree
from openiop.care.services import (
    ObjectiveFields,
    ReviewItemInput,
    plan_cosign_supervisor,
    plan_details_update,
    plan_draft_start,
    plan_goal_add,
    plan_hash_intact,
    plan_intervention_add,
    plan_objective_add,
    plan_objective_update,
    plan_problem_add,
    plan_problem_remove,
    plan_review_complete,
    plan_sign_clinician,
    plan_sign_participant,
)
from tests import factories as f
from tests.care.helpers import backdate, complete_draft, signed_plan, today


def _goal(w: SimpleNamespace):
    plan = plan_draft_start(actor=w.clinician, episode=w.episode)
    problem = plan_problem_add(actor=w.clinician, plan=plan, description="Using on weekends")
    return plan_goal_add(actor=w.clinician, problem=problem, description="Stay sober")


def _objective(w: SimpleNamespace, **kw: object) -> ObjectiveFields:
    values: dict[str, object] = {
        "description": "An objective",
        "measure_kind": MeasureKind.SCORE,
        "target_on": today(w) + timedelta(days=30),
        "instrument_code": "PHQ-9",
        "direction": "at_most",
        "threshold": "9",
    }
    values.update(kw)
    return ObjectiveFields(**values)


def _errors(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- validation ---------------------------------------------------------------------------------


def test_a_score_objective_needs_a_known_instrument(care: SimpleNamespace) -> None:
    goal = _goal(care)
    with pytest.raises(ValidationError) as excinfo:
        plan_objective_add(
            actor=care.clinician, goal=goal, fields=_objective(care, instrument_code="XYZ-1")
        )
    assert "instrument_code" in _errors(excinfo)
    assert not PlanObjective.objects.exists()


def test_a_score_objective_needs_a_direction_and_threshold(care: SimpleNamespace) -> None:
    goal = _goal(care)
    with pytest.raises(ValidationError) as excinfo:
        plan_objective_add(
            actor=care.clinician, goal=goal, fields=_objective(care, direction="", threshold="")
        )
    assert {"direction", "threshold"} <= set(_errors(excinfo))


def test_a_score_threshold_must_be_in_the_instruments_range(care: SimpleNamespace) -> None:
    goal = _goal(care)
    with pytest.raises(ValidationError) as excinfo:
        plan_objective_add(actor=care.clinician, goal=goal, fields=_objective(care, threshold="40"))
    assert "0 to 27" in _errors(excinfo)["threshold"][0]


def test_the_instrument_code_is_stored_as_the_library_spells_it(care: SimpleNamespace) -> None:
    goal = _goal(care)
    objective = plan_objective_add(
        actor=care.clinician, goal=goal, fields=_objective(care, instrument_code="gad-7")
    )
    assert objective.instrument_code == "GAD-7"
    assert objective.threshold == Decimal("9.0")


def test_a_target_date_cannot_be_before_the_plan_takes_effect(care: SimpleNamespace) -> None:
    goal = _goal(care)
    with pytest.raises(ValidationError) as excinfo:
        plan_objective_add(
            actor=care.clinician,
            goal=goal,
            fields=_objective(care, target_on=today(care) - timedelta(days=1)),
        )
    assert "target_on" in _errors(excinfo)


def test_attendance_is_a_percentage(care: SimpleNamespace) -> None:
    goal = _goal(care)
    with pytest.raises(ValidationError) as excinfo:
        plan_objective_add(
            actor=care.clinician,
            goal=goal,
            fields=_objective(care, measure_kind=MeasureKind.ATTENDANCE, threshold="120"),
        )
    assert "threshold" in _errors(excinfo)
    ok = plan_objective_add(
        actor=care.clinician,
        goal=goal,
        fields=_objective(care, measure_kind=MeasureKind.ATTENDANCE, direction="", threshold="80"),
    )
    assert ok.direction == "at_least"
    assert ok.instrument_code == ""


def test_a_diary_objective_names_a_row_of_the_card(care: SimpleNamespace) -> None:
    goal = _goal(care)
    with pytest.raises(ValidationError) as excinfo:
        plan_objective_add(
            actor=care.clinician,
            goal=goal,
            fields=_objective(care, measure_kind=MeasureKind.DIARY, diary_key="nonsense"),
        )
    assert "diary_key" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        plan_objective_add(
            actor=care.clinician,
            goal=goal,
            fields=_objective(
                care, measure_kind=MeasureKind.DIARY, diary_key="action_substance", threshold="9"
            ),
        )
    assert "0 to 7" in _errors(excinfo)["threshold"][0]
    ok = plan_objective_add(
        actor=care.clinician,
        goal=goal,
        fields=_objective(
            care, measure_kind=MeasureKind.DIARY, diary_key="action_substance", threshold="1"
        ),
    )
    assert ok.diary_key == "action_substance"


def test_a_behaviour_objective_describes_the_behaviour(care: SimpleNamespace) -> None:
    goal = _goal(care)
    with pytest.raises(ValidationError) as excinfo:
        plan_objective_add(
            actor=care.clinician, goal=goal, fields=_objective(care, measure_kind="behaviour")
        )
    assert "target_text" in _errors(excinfo)


def test_the_responsible_clinician_must_work_in_the_program(care: SimpleNamespace) -> None:
    goal = _goal(care)
    objective = plan_objective_add(actor=care.clinician, goal=goal, fields=_objective(care))
    for who in (care.outsider_clinician, care.billing, None):
        with pytest.raises(ValidationError) as excinfo:
            plan_intervention_add(
                actor=care.clinician,
                objective=objective,
                modality="cbt",
                description="CBT",
                frequency="weekly",
                responsible=who,
            )
        assert "responsible" in _errors(excinfo)


def test_an_intervention_needs_a_modality_and_frequency(care: SimpleNamespace) -> None:
    goal = _goal(care)
    objective = plan_objective_add(actor=care.clinician, goal=goal, fields=_objective(care))
    with pytest.raises(ValidationError) as excinfo:
        plan_intervention_add(
            actor=care.clinician,
            objective=objective,
            modality="astrology",
            description="",
            frequency="",
            responsible=care.clinician,
        )
    assert {"modality", "description", "frequency"} <= set(_errors(excinfo))


def test_only_clinicians_of_the_program_write_plans(care: SimpleNamespace) -> None:
    for who in (care.intake, care.outsider_clinician, care.billing):
        with pytest.raises(ValidationError):
            plan_draft_start(actor=who, episode=care.episode)


def test_one_draft_at_a_time(care: SimpleNamespace) -> None:
    plan_draft_start(actor=care.clinician, episode=care.episode)
    with pytest.raises(ValidationError):
        plan_draft_start(actor=care.clinician, episode=care.episode)


# --- signatures ---------------------------------------------------------------------------------


def test_an_incomplete_plan_cannot_be_signed(care: SimpleNamespace) -> None:
    goal = _goal(care)
    plan_objective_add(actor=care.clinician, goal=goal, fields=_objective(care))
    plan = goal.problem.plan
    with pytest.raises(ValidationError) as excinfo:
        plan_sign_clinician(actor=care.clinician, plan=plan)
    assert "has no intervention" in " ".join(excinfo.value.messages)


def test_both_signatures_make_the_plan_current_with_dates_and_hash(care: SimpleNamespace) -> None:
    plan = complete_draft(care)
    plan = plan_sign_participant(
        plan=plan, participant=care.participant, typed_name="  patricia   EXAMPLE "
    )
    assert plan.status == PlanStatus.DRAFT
    assert plan.participant_signed_name == "patricia EXAMPLE"
    plan = plan_sign_clinician(actor=care.clinician, plan=plan)
    assert plan.status == PlanStatus.CURRENT
    day = today(care)
    assert plan.effective_on == day
    assert plan.review_due_on == day + timedelta(days=care.program.plan_review_days)
    assert plan.expires_on == day + timedelta(days=care.program.plan_valid_days)
    assert plan.content_hash
    assert plan_hash_intact(plan_tree(plan))
    assert Event.objects.filter(
        participant=care.participant, summary="Treatment plan v1 signed"
    ).exists()


@pytest.mark.parametrize(
    "typed",
    ["Pat Example", "Pat", "PE", "Patricia", "Example Patricia", "Patricia Examples", "  "],
)
def test_the_participant_signs_with_the_legal_name_on_record(
    care: SimpleNamespace, typed: str
) -> None:
    plan = complete_draft(care)
    with pytest.raises(ValidationError) as excinfo:
        plan_sign_participant(plan=plan, participant=care.participant, typed_name=typed)
    assert "typed_name" in _errors(excinfo)
    plan.refresh_from_db()
    assert plan.participant_signed_at is None
    assert plan.participant_signed_name == ""


@pytest.mark.parametrize("typed", ["Patricia Example", "patricia example", " PATRICIA\tEXAMPLE "])
def test_case_and_spacing_do_not_matter(care: SimpleNamespace, typed: str) -> None:
    plan = plan_sign_participant(
        plan=complete_draft(care), participant=care.participant, typed_name=typed
    )
    assert plan.participant_signed_at is not None


def test_the_participant_signs_only_their_own_plan(care: SimpleNamespace) -> None:
    plan = complete_draft(care)
    with pytest.raises(ValidationError):
        plan_sign_participant(plan=plan, participant=care.other_participant, typed_name="Someone")
    with pytest.raises(ValidationError) as excinfo:
        plan_sign_participant(plan=plan, participant=care.participant, typed_name=" ")
    assert "typed_name" in _errors(excinfo)


def test_editing_a_draft_clears_every_signature(care: SimpleNamespace) -> None:
    care.program.plan_cosign_required = True
    care.program.save(update_fields=["plan_cosign_required"])
    plan = complete_draft(care)
    plan_sign_participant(plan=plan, participant=care.participant, typed_name="Patricia Example")
    plan_sign_clinician(actor=care.clinician, plan=plan)
    plan.refresh_from_db()
    assert plan.participant_signed_at
    assert plan.clinician_signed_at
    plan_details_update(
        actor=care.clinician,
        plan=plan,
        diagnosis="F33.1",
        participant_goals="Get back to work",
        strengths="Funny, loyal",
        services_summary="IOP 3 days a week",
    )
    plan.refresh_from_db()
    assert plan.participant_signed_at is None
    assert plan.participant_signed_name == ""
    assert plan.clinician_signed_at is None
    assert plan.clinician_signed_by is None
    plan_sign_clinician(actor=care.clinician, plan=plan)
    problem = plan.problems.first()
    assert problem is not None
    plan_problem_add(actor=care.clinician, plan=plan, description="Sleep")
    plan.refresh_from_db()
    assert plan.clinician_signed_at is None


def test_without_a_cosign_setting_no_cosign_is_asked_or_taken(care: SimpleNamespace) -> None:
    plan = complete_draft(care)
    plan_sign_clinician(actor=care.clinician, plan=plan)
    with pytest.raises(ValidationError) as excinfo:
        plan_cosign_supervisor(actor=care.director, plan=plan)
    assert "does not ask" in excinfo.value.messages[0]


def test_a_required_cosignature_holds_the_plan_until_the_supervisor_signs(
    care: SimpleNamespace,
) -> None:
    care.program.plan_cosign_required = True
    care.program.save(update_fields=["plan_cosign_required"])
    plan = complete_draft(care)
    with pytest.raises(ValidationError):
        plan_cosign_supervisor(actor=care.director, plan=plan)  # clinician signs first
    plan_sign_clinician(actor=care.clinician, plan=plan)
    plan = plan_sign_participant(
        plan=plan, participant=care.participant, typed_name="Patricia Example"
    )
    assert plan.status == PlanStatus.DRAFT
    plan = plan_cosign_supervisor(actor=care.director, plan=plan)
    assert plan.status == PlanStatus.CURRENT
    assert plan.supervisor_signed_by == care.director


def test_only_the_supervisor_or_a_director_of_the_program_cosigns(care: SimpleNamespace) -> None:
    care.program.plan_cosign_required = True
    care.program.save(update_fields=["plan_cosign_required"])
    colleague = f.UserFactory(organization=care.org, role=Role.CLINICIAN, programs=[care.program])
    other_director = f.UserFactory(
        organization=care.org, role=Role.DIRECTOR, programs=[care.other_program]
    )
    plan = complete_draft(care)
    plan_sign_clinician(actor=care.clinician, plan=plan)
    for who in (colleague, other_director, care.clinician):
        with pytest.raises(ValidationError):
            plan_cosign_supervisor(actor=who, plan=plan)
    # A supervisor who is a clinician (not a director) may co-sign their supervisee's plan.
    care.clinician.supervisor = colleague
    care.clinician.save(update_fields=["supervisor"])
    plan_cosign_supervisor(actor=colleague, plan=plan)
    plan.refresh_from_db()
    assert plan.supervisor_signed_by == colleague


def test_a_signed_version_no_longer_takes_edits(care: SimpleNamespace) -> None:
    plan = signed_plan(care)
    with pytest.raises(ValidationError):
        plan_problem_add(actor=care.clinician, plan=plan, description="More")
    problem = plan.problems.get()
    with pytest.raises(ValidationError):
        plan_problem_remove(actor=care.clinician, problem=problem)


# --- hash ---------------------------------------------------------------------------------------


def test_a_tampered_row_is_detected(care: SimpleNamespace) -> None:
    plan = signed_plan(care)
    assert plan_hash_intact(plan_tree(plan))
    PlanObjective.objects.filter(goal__problem__plan=plan, measure_kind="score").update(
        threshold=Decimal("20")
    )
    assert not plan_hash_intact(plan_tree(plan))


# --- versions and reviews -----------------------------------------------------------------------


def _review_items(plan: TreatmentPlan, progress: str = "progressing") -> dict[str, ReviewItemInput]:
    return {
        str(o.public_id): ReviewItemInput(progress=progress, comment="Going well")
        for o in PlanObjective.objects.filter(goal__problem__plan=plan)
    }


def test_a_review_makes_version_two_and_version_one_stays_readable(care: SimpleNamespace) -> None:
    v1 = backdate(signed_plan(care), 31)
    review = plan_review_complete(
        actor=care.clinician,
        plan=v1,
        reviewed_on=today(care),
        items=_review_items(v1, "met"),
        changes="Attendance objective met; keep the rest.",
    )
    v2 = review.new_plan
    assert v2 is not None
    assert v2.version == 2
    assert v2.status == PlanStatus.DRAFT
    assert v2.previous == v1
    old = {o.lineage for o in PlanObjective.objects.filter(goal__problem__plan=v1)}
    new = PlanObjective.objects.filter(goal__problem__plan=v2)
    assert {o.lineage for o in new} == old
    assert all(o.status == GoalStatus.MET for o in new)
    assert review.items.count() == 2
    assert Event.objects.filter(summary="Plan review completed").exists()
    # Version 2 takes effect when signed; version 1 is then superseded and still intact.
    plan_sign_clinician(actor=care.clinician, plan=v2)
    v2 = plan_sign_participant(plan=v2, participant=care.participant, typed_name="Patricia Example")
    v1.refresh_from_db()
    assert v2.status == PlanStatus.CURRENT
    assert v1.status == PlanStatus.SUPERSEDED
    assert plan_hash_intact(plan_tree(v1))
    assert plan_hash_intact(plan_tree(v2))
    assert TreatmentPlan.objects.filter(episode=care.episode).count() == 2


def test_a_review_needs_progress_on_every_objective_and_the_changes(care: SimpleNamespace) -> None:
    plan = backdate(signed_plan(care), 31)
    items = _review_items(plan)
    items.popitem()
    with pytest.raises(ValidationError) as excinfo:
        plan_review_complete(
            actor=care.clinician, plan=plan, reviewed_on=today(care), items=items, changes=""
        )
    errors = _errors(excinfo)
    assert "changes" in errors
    assert any(key.startswith("progress_") for key in errors)
    assert not PlanReview.objects.exists()
    assert TreatmentPlan.objects.filter(episode=care.episode).count() == 1


def test_a_review_cannot_be_dated_in_the_future_or_of_a_draft(care: SimpleNamespace) -> None:
    plan = signed_plan(care)
    with pytest.raises(ValidationError) as excinfo:
        plan_review_complete(
            actor=care.clinician,
            plan=plan,
            reviewed_on=today(care) + timedelta(days=1),
            items=_review_items(plan),
            changes="x",
        )
    assert "reviewed_on" in _errors(excinfo)
    draft = plan_draft_start(actor=care.clinician, episode=care.episode)
    with pytest.raises(ValidationError):
        plan_review_complete(
            actor=care.clinician,
            plan=draft,
            reviewed_on=today(care),
            items=_review_items(draft),
            changes="x",
        )


def test_a_review_uses_a_draft_already_started_from_the_plan(care: SimpleNamespace) -> None:
    plan = backdate(signed_plan(care), 10)
    draft = plan_draft_start(actor=care.clinician, episode=care.episode)
    review = plan_review_complete(
        actor=care.clinician,
        plan=plan,
        reviewed_on=today(care),
        items=_review_items(plan),
        changes="No changes",
        reason="recertification",
    )
    assert review.new_plan == draft
    assert review.reason == "recertification"


def test_objective_update_validates_like_add(care: SimpleNamespace) -> None:
    goal = _goal(care)
    objective = plan_objective_add(actor=care.clinician, goal=goal, fields=_objective(care))
    with pytest.raises(ValidationError):
        plan_objective_update(
            actor=care.clinician, objective=objective, fields=_objective(care, instrument_code="")
        )
    objective.refresh_from_db()
    assert objective.instrument_code == "PHQ-9"
