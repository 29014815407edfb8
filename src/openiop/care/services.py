"""Treatment plans and relapse prevention plans: one write function per action.

A treatment plan is written with the participant. The draft (one per episode) holds problems →
goals → objectives → interventions; any edit of the draft clears its signatures, because a
signature covers exactly the words that were read. The participant signs in the portal by
typing their name, the clinician signs, and where the program asks for it the clinician's
supervisor (or a director of the program) co-signs. When the last required signature lands,
the version takes effect: its dates are set from the program's cadence, its content hash is
stored, and the version it replaces is marked superseded. Old versions stay readable.

A review of the current version stores the figures pulled from the record (scores,
attendance, hours, diary trends) with the progress the clinician records per objective, and
opens the next version as a draft that copies the tree with the same objective lineage.

Relapse prevention plans are in the participant's words. Staff keep a draft and "agree" it
(which makes it the current version); the participant proposes changes to a section from the
portal, and staff accept (a new version with that section replaced) or decline with a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from openiop.accounts.models import StaffAssignment, User
from openiop.accounts.roles import Role
from openiop.audit.services import event_record
from openiop.care.models import (
    RELAPSE_SECTION_KEYS,
    Direction,
    GoalStatus,
    MeasureKind,
    Modality,
    ObjectiveProgress,
    PlanGoal,
    PlanIntervention,
    PlanObjective,
    PlanProblem,
    PlanReview,
    PlanReviewItem,
    PlanStatus,
    ProposalStatus,
    RelapsePlanProposal,
    RelapsePlanStatus,
    RelapsePreventionPlan,
    ReviewReason,
    TreatmentPlan,
)
from openiop.care.review_selectors import diary_measure_for, diary_measures, review_figures
from openiop.lib.timezones import today_in
from openiop.measures.definitions import UnknownInstrument, get_instrument
from openiop.participants.models import IN_TREATMENT_STATUSES, Episode, Participant
from openiop.participants.services import signature_clean

EVENT_PLAN = "treatment_plan"
EVENT_REVIEW = "plan_review"
EVENT_RELAPSE = "relapse_plan"

# A first plan is due this many days after admission. Payers and accreditors commonly expect
# an individualized plan within the first week of an intensive outpatient stay; programs that
# need a different window can change this constant (it is not yet a program setting).
FIRST_PLAN_DAYS = 7
# Roles that write and sign treatment plans.
SIGNING_ROLES = frozenset({Role.CLINICIAN, Role.DIRECTOR})
MAX_TEXT = 4000
MAX_PENDING_PROPOSALS = 10


# --- shared checks -----------------------------------------------------------------------------


def _assigned(user: User, program_id: int) -> bool:
    return StaffAssignment.objects.filter(user=user, program_id=program_id).exists()


def _check_clinician(actor: User, episode: Episode) -> None:
    if actor.role not in SIGNING_ROLES or not _assigned(actor, episode.program_id):
        raise ValidationError("Only a clinician or director of this program can do this.")


def _text(
    value: str, field: str, label: str, *, required: bool = True, limit: int = MAX_TEXT
) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise ValidationError({field: [f"{label} is required."]})
    if len(cleaned) > limit:
        raise ValidationError({field: [f"{label} can be at most {limit} characters."]})
    return cleaned


def _locked_draft(plan: TreatmentPlan) -> TreatmentPlan:
    row = (
        TreatmentPlan.objects.select_for_update(of=("self",))
        .select_related("episode__program", "participant", "clinician_signed_by")
        .get(pk=plan.pk)
    )
    if row.status != PlanStatus.DRAFT:
        raise ValidationError(
            "This version is signed and can no longer change; start a new version instead."
        )
    return row


def _clear_signatures(row: TreatmentPlan) -> None:
    """A signature covers the words that were read: new words need new signatures."""
    row.participant_signed_at = None
    row.participant_signed_name = ""
    row.clinician_signed_at = None
    row.clinician_signed_by = None
    row.supervisor_signed_at = None
    row.supervisor_signed_by = None
    row.save()


def _next_position(queryset: Any) -> int:
    top = queryset.aggregate(n=Max("position"))["n"]
    return 0 if top is None else top + 1


# --- starting a version ------------------------------------------------------------------------


def _copy_tree(source: TreatmentPlan, target: TreatmentPlan, statuses: Mapping[Any, str]) -> None:
    """Copy problems → goals → objectives → interventions, keeping objective lineage. Objective
    statuses may be overridden by lineage (a review marks met objectives)."""
    org = target.organization_id
    for problem in source.problems.all():
        new_problem = PlanProblem.objects.create(
            organization_id=org,
            plan=target,
            position=problem.position,
            description=problem.description,
        )
        for goal in problem.goals.all():
            new_goal = PlanGoal.objects.create(
                organization_id=org,
                problem=new_problem,
                position=goal.position,
                description=goal.description,
                status=goal.status,
            )
            for objective in goal.objectives.all():
                new_objective = PlanObjective.objects.create(
                    organization_id=org,
                    goal=new_goal,
                    lineage=objective.lineage,
                    position=objective.position,
                    description=objective.description,
                    target_on=objective.target_on,
                    measure_kind=objective.measure_kind,
                    instrument_code=objective.instrument_code,
                    direction=objective.direction,
                    threshold=objective.threshold,
                    target_text=objective.target_text,
                    diary_key=objective.diary_key,
                    status=statuses.get(objective.lineage, objective.status),
                )
                PlanIntervention.objects.bulk_create(
                    PlanIntervention(
                        organization_id=org,
                        objective=new_objective,
                        position=i.position,
                        modality=i.modality,
                        description=i.description,
                        frequency=i.frequency,
                        responsible_id=i.responsible_id,
                    )
                    for i in objective.interventions.all()
                )


def _start_version(
    *, episode: Episode, actor: User, statuses: Mapping[Any, str] | None = None
) -> TreatmentPlan:
    current = (
        TreatmentPlan.objects.filter(episode=episode, status=PlanStatus.CURRENT)
        .prefetch_related("problems__goals__objectives__interventions")
        .first()
    )
    last = TreatmentPlan.objects.filter(episode=episode).aggregate(n=Max("version"))["n"]
    draft = TreatmentPlan.objects.create(
        organization_id=episode.organization_id,
        participant_id=episode.participant_id,
        episode=episode,
        version=(last or 0) + 1,
        previous=current,
        status=PlanStatus.DRAFT,
        diagnosis=current.diagnosis if current else "",
        participant_goals=current.participant_goals if current else "",
        strengths=current.strengths if current else "",
        services_summary=current.services_summary if current else "",
        created_by=actor,
    )
    if current is not None:
        _copy_tree(current, draft, statuses or {})
    return draft


@transaction.atomic
def plan_draft_start(*, actor: User, episode: Episode) -> TreatmentPlan:
    """The first plan of an episode, or the next version as a copy of the current one."""
    locked = (
        Episode.objects.select_for_update(of=("self",)).select_related("program").get(pk=episode.pk)
    )
    _check_clinician(actor, locked)
    if locked.status not in IN_TREATMENT_STATUSES:
        raise ValidationError("Plans are written for episodes in treatment.")
    if TreatmentPlan.objects.filter(episode=locked, status=PlanStatus.DRAFT).exists():
        raise ValidationError("There is already a draft of this plan; edit that one.")
    return _start_version(episode=locked, actor=actor)


# --- editing the draft -------------------------------------------------------------------------


@transaction.atomic
def plan_details_update(
    *,
    actor: User,
    plan: TreatmentPlan,
    diagnosis: str,
    participant_goals: str,
    strengths: str,
    services_summary: str,
) -> TreatmentPlan:
    row = _locked_draft(plan)
    _check_clinician(actor, row.episode)
    row.diagnosis = _text(diagnosis, "diagnosis", "Diagnosis", required=False, limit=300)
    row.participant_goals = _text(
        participant_goals, "participant_goals", "The participant's goals", required=False
    )
    row.strengths = _text(strengths, "strengths", "Strengths", required=False)
    row.services_summary = _text(services_summary, "services_summary", "Services", required=False)
    _clear_signatures(row)
    return row


@transaction.atomic
def plan_problem_add(*, actor: User, plan: TreatmentPlan, description: str) -> PlanProblem:
    row = _locked_draft(plan)
    _check_clinician(actor, row.episode)
    problem = PlanProblem.objects.create(
        organization_id=row.organization_id,
        plan=row,
        position=_next_position(row.problems.all()),
        description=_text(description, "description", "The problem"),
    )
    _clear_signatures(row)
    return problem


@transaction.atomic
def plan_problem_update(*, actor: User, problem: PlanProblem, description: str) -> PlanProblem:
    row = _locked_draft(problem.plan)
    _check_clinician(actor, row.episode)
    problem.description = _text(description, "description", "The problem")
    problem.save(update_fields=["description"])
    _clear_signatures(row)
    return problem


def _delete_objective(objective: PlanObjective) -> None:
    objective.interventions.all().delete()
    objective.delete()


def _delete_goal(goal: PlanGoal) -> None:
    for objective in goal.objectives.all():
        _delete_objective(objective)
    goal.delete()


@transaction.atomic
def plan_problem_remove(*, actor: User, problem: PlanProblem) -> None:
    """Removes a problem from a draft with its goals, objectives and interventions; signed
    versions never change, so nothing signed is lost."""
    row = _locked_draft(problem.plan)
    _check_clinician(actor, row.episode)
    for goal in problem.goals.all():
        _delete_goal(goal)
    problem.delete()
    _clear_signatures(row)


def _goal_status(status: str) -> str:
    if status not in GoalStatus.values:
        raise ValidationError({"status": ["Choose a status from the list."]})
    return status


@transaction.atomic
def plan_goal_add(*, actor: User, problem: PlanProblem, description: str) -> PlanGoal:
    row = _locked_draft(problem.plan)
    _check_clinician(actor, row.episode)
    goal = PlanGoal.objects.create(
        organization_id=row.organization_id,
        problem=problem,
        position=_next_position(problem.goals.all()),
        description=_text(description, "description", "The goal"),
    )
    _clear_signatures(row)
    return goal


@transaction.atomic
def plan_goal_update(
    *, actor: User, goal: PlanGoal, description: str, status: str = GoalStatus.ACTIVE
) -> PlanGoal:
    row = _locked_draft(goal.problem.plan)
    _check_clinician(actor, row.episode)
    goal.description = _text(description, "description", "The goal")
    goal.status = _goal_status(status)
    goal.save(update_fields=["description", "status"])
    _clear_signatures(row)
    return goal


@transaction.atomic
def plan_goal_remove(*, actor: User, goal: PlanGoal) -> None:
    row = _locked_draft(goal.problem.plan)
    _check_clinician(actor, row.episode)
    _delete_goal(goal)
    _clear_signatures(row)


@dataclass
class ObjectiveFields:
    """What a clinician fills in for an objective. `threshold` is a score (score), a
    percentage of scheduled sessions (attendance), or days a week / a rating (diary)."""

    description: str
    measure_kind: str
    target_on: date | None = None
    instrument_code: str = ""
    direction: str = ""
    threshold: Decimal | str | None = None
    target_text: str = ""
    diary_key: str = ""
    status: str = GoalStatus.ACTIVE


def _threshold(value: Decimal | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({"threshold": ["Enter a number."]}) from None
    if not number.is_finite():
        raise ValidationError({"threshold": ["Enter a number."]})
    return number.quantize(Decimal("0.1"))


def _clean_objective(fields: ObjectiveFields, episode: Episode) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    description = (fields.description or "").strip()
    if not description:
        errors["description"] = ["Describe the objective."]
    elif len(description) > MAX_TEXT:
        errors["description"] = [f"Keep the objective to {MAX_TEXT} characters."]
    kind = fields.measure_kind
    if kind not in MeasureKind.values:
        errors["measure_kind"] = ["Choose how progress is measured."]
    if fields.target_on is None:
        errors["target_on"] = ["Give a target date."]
    elif fields.target_on < today_in(episode.program.time_zone):
        errors["target_on"] = ["The target date cannot be before the plan takes effect (today)."]
    if fields.status not in GoalStatus.values:
        errors["status"] = ["Choose a status from the list."]
    direction = fields.direction or ""
    if direction and direction not in Direction.values:
        errors["direction"] = ["Choose at most or at least."]
    try:
        threshold = _threshold(fields.threshold)
    except ValidationError as error:
        errors.update(error.message_dict)
        threshold = None
    code = (fields.instrument_code or "").strip()
    target_text = (fields.target_text or "").strip()
    diary_key = (fields.diary_key or "").strip()
    if len(target_text) > 300:
        errors["target_text"] = ["Keep the target to 300 characters."]
    if kind == MeasureKind.SCORE:
        instrument = None
        if not code:
            errors["instrument_code"] = ["Choose the questionnaire whose score is the target."]
        else:
            try:
                instrument = get_instrument(code)
                code = instrument.code
            except UnknownInstrument:
                errors["instrument_code"] = [f"{code} is not a questionnaire OpenIOP knows."]
        if not direction:
            errors["direction"] = ["Say whether the score should be at most or at least it."]
        if threshold is None:
            errors.setdefault("threshold", ["Give the score to reach."])
        elif instrument is not None and instrument.score_range is not None:
            low, high = instrument.score_range
            if not low <= float(threshold) <= high:
                errors["threshold"] = [f"{instrument.code} scores run from {low:g} to {high:g}."]
    elif kind == MeasureKind.ATTENDANCE:
        direction = direction or Direction.AT_LEAST
        if threshold is None:
            errors.setdefault("threshold", ["Give the share of sessions to attend, in percent."])
        elif not 0 <= threshold <= 100:
            errors["threshold"] = ["Attendance is a percentage from 0 to 100."]
        code, diary_key = "", ""
    elif kind == MeasureKind.DIARY:
        measure = diary_measure_for(diary_key, diary_measures(episode)) if diary_key else None
        if measure is None:
            errors["diary_key"] = ["Choose the diary-card row this objective follows."]
        if not direction:
            errors["direction"] = ["Say whether the figure should be at most or at least it."]
        if threshold is None:
            errors.setdefault("threshold", ["Give the figure to reach."])
        elif measure is not None and not 0 <= threshold <= measure.maximum:
            errors["threshold"] = [
                f"For {measure.unit} the target runs from 0 to {measure.maximum}."
            ]
        code = ""
        if measure is not None and not target_text:
            target_text = measure.label
    elif kind == MeasureKind.BEHAVIOUR:
        if not target_text:
            errors["target_text"] = ["Describe the behaviour that shows the objective is met."]
        code, diary_key, direction, threshold = "", "", "", None
    if errors:
        raise ValidationError(errors)
    return {
        "description": description,
        "measure_kind": kind,
        "target_on": fields.target_on,
        "instrument_code": code,
        "direction": direction,
        "threshold": threshold,
        "target_text": target_text,
        "diary_key": diary_key,
        "status": fields.status,
    }


@transaction.atomic
def plan_objective_add(*, actor: User, goal: PlanGoal, fields: ObjectiveFields) -> PlanObjective:
    row = _locked_draft(goal.problem.plan)
    _check_clinician(actor, row.episode)
    values = _clean_objective(fields, row.episode)
    objective = PlanObjective.objects.create(
        organization_id=row.organization_id,
        goal=goal,
        position=_next_position(goal.objectives.all()),
        **values,
    )
    _clear_signatures(row)
    return objective


@transaction.atomic
def plan_objective_update(
    *, actor: User, objective: PlanObjective, fields: ObjectiveFields
) -> PlanObjective:
    row = _locked_draft(objective.goal.problem.plan)
    _check_clinician(actor, row.episode)
    values = _clean_objective(fields, row.episode)
    for name, value in values.items():
        setattr(objective, name, value)
    objective.save(update_fields=list(values))
    _clear_signatures(row)
    return objective


@transaction.atomic
def plan_objective_remove(*, actor: User, objective: PlanObjective) -> None:
    row = _locked_draft(objective.goal.problem.plan)
    _check_clinician(actor, row.episode)
    _delete_objective(objective)
    _clear_signatures(row)


def _clean_intervention(
    *, episode: Episode, modality: str, description: str, frequency: str, responsible: User | None
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if modality not in Modality.values:
        errors["modality"] = ["Choose a modality."]
    description = (description or "").strip()
    if not description:
        errors["description"] = ["Describe the intervention."]
    elif len(description) > 300:
        errors["description"] = ["Keep the intervention to 300 characters."]
    frequency = (frequency or "").strip()
    if not frequency:
        errors["frequency"] = ["Say how often, e.g. 3 groups a week."]
    elif len(frequency) > 100:
        errors["frequency"] = ["Keep the frequency to 100 characters."]
    if responsible is None:
        errors["responsible"] = ["Choose the responsible clinician."]
    elif not (
        responsible.is_active
        and responsible.role in SIGNING_ROLES
        and _assigned(responsible, episode.program_id)
    ):
        errors["responsible"] = ["The responsible clinician must work in this program."]
    if errors:
        raise ValidationError(errors)
    return {
        "modality": modality,
        "description": description,
        "frequency": frequency,
        "responsible": responsible,
    }


@transaction.atomic
def plan_intervention_add(
    *,
    actor: User,
    objective: PlanObjective,
    modality: str,
    description: str,
    frequency: str,
    responsible: User | None,
) -> PlanIntervention:
    row = _locked_draft(objective.goal.problem.plan)
    _check_clinician(actor, row.episode)
    values = _clean_intervention(
        episode=row.episode,
        modality=modality,
        description=description,
        frequency=frequency,
        responsible=responsible,
    )
    intervention = PlanIntervention.objects.create(
        organization_id=row.organization_id,
        objective=objective,
        position=_next_position(objective.interventions.all()),
        **values,
    )
    _clear_signatures(row)
    return intervention


@transaction.atomic
def plan_intervention_update(
    *,
    actor: User,
    intervention: PlanIntervention,
    modality: str,
    description: str,
    frequency: str,
    responsible: User | None,
) -> PlanIntervention:
    row = _locked_draft(intervention.objective.goal.problem.plan)
    _check_clinician(actor, row.episode)
    values = _clean_intervention(
        episode=row.episode,
        modality=modality,
        description=description,
        frequency=frequency,
        responsible=responsible,
    )
    for name, value in values.items():
        setattr(intervention, name, value)
    intervention.save(update_fields=list(values))
    _clear_signatures(row)
    return intervention


@transaction.atomic
def plan_intervention_remove(*, actor: User, intervention: PlanIntervention) -> None:
    row = _locked_draft(intervention.objective.goal.problem.plan)
    _check_clinician(actor, row.episode)
    intervention.delete()
    _clear_signatures(row)


# --- signatures --------------------------------------------------------------------------------


def plan_gaps(plan: TreatmentPlan) -> list[str]:
    """What a draft still needs before it can be signed (uses the prefetched tree if any)."""
    gaps: list[str] = []
    problems = list(plan.problems.all())
    if not problems:
        return ["Add at least one problem."]
    for p_index, problem in enumerate(problems, start=1):
        goals = list(problem.goals.all())
        if not goals:
            gaps.append(f"Problem {p_index} has no goal.")
        for g_index, goal in enumerate(goals, start=1):
            objectives = list(goal.objectives.all())
            if not objectives:
                gaps.append(f"Goal {p_index}.{g_index} has no objective.")
            for o_index, objective in enumerate(objectives, start=1):
                if not list(objective.interventions.all()):
                    gaps.append(f"Objective {p_index}.{g_index}.{o_index} has no intervention.")
    return gaps


def _check_complete(row: TreatmentPlan) -> None:
    gaps = plan_gaps(row)
    if gaps:
        raise ValidationError(["The plan is not complete yet.", *gaps])


def cosign_required(plan: TreatmentPlan) -> bool:
    return bool(plan.episode.program.plan_cosign_required)


def _take_effect_if_signed(row: TreatmentPlan, actor: User | None) -> TreatmentPlan:
    signed = row.participant_signed_at is not None and row.clinician_signed_at is not None
    if cosign_required(row):
        signed = signed and row.supervisor_signed_at is not None
    if not signed:
        row.save()
        return row
    now = timezone.now()
    program = row.episode.program
    effective = today_in(row.episode.program.time_zone)
    TreatmentPlan.objects.filter(episode_id=row.episode_id, status=PlanStatus.CURRENT).update(
        status=PlanStatus.SUPERSEDED
    )
    row.status = PlanStatus.CURRENT
    row.effective_on = effective
    row.review_due_on = effective + timedelta(days=program.plan_review_days)
    row.expires_on = effective + timedelta(days=program.plan_valid_days)
    row.took_effect_at = now
    row.content_hash = row.compute_hash()
    row.save()
    event_record(
        participant=row.participant,
        kind=EVENT_PLAN,
        summary=f"Treatment plan v{row.version} signed",
        actor=actor,
        program=program,
        at=now,
    )
    return row


def _locked_tree(plan: TreatmentPlan) -> TreatmentPlan:
    row = _locked_draft(plan)
    # Fresh from the database, with the tree loaded once for the checks and the hash.
    return (
        TreatmentPlan.objects.select_related("episode__program", "participant")
        .prefetch_related("problems__goals__objectives__interventions")
        .get(pk=row.pk)
    )


@transaction.atomic
def plan_sign_clinician(*, actor: User, plan: TreatmentPlan) -> TreatmentPlan:
    row = _locked_tree(plan)
    _check_clinician(actor, row.episode)
    _check_complete(row)
    today = today_in(row.episode.program.time_zone)
    late = [
        o
        for p in row.problems.all()
        for g in p.goals.all()
        for o in g.objectives.all()
        if o.target_on is not None and o.target_on < today
    ]
    if late:
        raise ValidationError(
            "Some objectives have target dates in the past; update them before signing."
        )
    row.clinician_signed_at = timezone.now()
    row.clinician_signed_by = actor
    return _take_effect_if_signed(row, actor)


@transaction.atomic
def plan_sign_participant(
    *, plan: TreatmentPlan, participant: Participant, typed_name: str
) -> TreatmentPlan:
    """The participant has read the draft and types their name to sign it."""
    row = _locked_tree(plan)
    if row.participant_id != participant.pk:
        raise ValidationError("This plan belongs to someone else.")
    _check_complete(row)
    row.participant_signed_name = signature_clean(participant=participant, typed_name=typed_name)
    row.participant_signed_at = timezone.now()
    return _take_effect_if_signed(row, participant.user)


def may_cosign(actor: User, plan: TreatmentPlan) -> bool:
    """The clinician-signer's supervisor, or a director of the program, and never the
    clinician who signed."""
    signer = plan.clinician_signed_by
    if signer is None or signer.pk == actor.pk or not actor.is_active:
        return False
    if signer.supervisor_id == actor.pk and _assigned(actor, plan.episode.program_id):
        return True
    return actor.role == Role.DIRECTOR and _assigned(actor, plan.episode.program_id)


@transaction.atomic
def plan_cosign_supervisor(*, actor: User, plan: TreatmentPlan) -> TreatmentPlan:
    row = _locked_tree(plan)
    if not cosign_required(row):
        raise ValidationError("This program does not ask for a co-signature on plans.")
    if row.clinician_signed_at is None:
        raise ValidationError("The clinician signs first; the co-signature follows.")
    if not may_cosign(actor, row):
        raise ValidationError(
            "Only the signing clinician's supervisor or a director of the program can co-sign."
        )
    row.supervisor_signed_at = timezone.now()
    row.supervisor_signed_by = actor
    return _take_effect_if_signed(row, actor)


def plan_hash_intact(plan: TreatmentPlan) -> bool:
    """False when a signed version's stored content no longer matches what was signed."""
    if plan.status == PlanStatus.DRAFT:
        return True
    return plan.hash_matches()


# --- reviews -----------------------------------------------------------------------------------


@dataclass
class ReviewItemInput:
    progress: str
    comment: str = ""


def plan_objectives(plan: TreatmentPlan) -> list[PlanObjective]:
    return list(
        PlanObjective.objects.filter(goal__problem__plan=plan).order_by(
            "goal__problem__position",
            "goal__problem_id",
            "goal__position",
            "goal_id",
            "position",
            "id",
        )
    )


@transaction.atomic
def plan_review_complete(
    *,
    actor: User,
    plan: TreatmentPlan,
    reviewed_on: date,
    items: Mapping[str, ReviewItemInput],
    changes: str,
    reason: str = ReviewReason.SCHEDULED,
) -> PlanReview:
    """Record a review of the current version (progress per objective, keyed by the
    objective's public id, with the figures pulled from the record) and open the next
    version as a draft."""
    row = (
        TreatmentPlan.objects.select_for_update(of=("self",))
        .select_related("episode__program", "participant")
        .get(pk=plan.pk)
    )
    if row.status != PlanStatus.CURRENT:
        raise ValidationError("Only the plan in effect is reviewed.")
    episode = row.episode
    _check_clinician(actor, episode)
    if episode.status not in IN_TREATMENT_STATUSES:
        raise ValidationError("The episode is no longer in treatment.")
    errors: dict[str, list[str]] = {}
    today = today_in(episode.program.time_zone)
    if reviewed_on > today:
        errors["reviewed_on"] = ["A review cannot be dated in the future."]
    elif row.effective_on and reviewed_on < row.effective_on:
        errors["reviewed_on"] = ["A review cannot be dated before the plan took effect."]
    if reason not in ReviewReason.values:
        errors["reason"] = ["Choose why the plan is being reviewed."]
    changes = (changes or "").strip()
    if not changes:
        errors["changes"] = ["Say what changes in the plan and why (or that nothing changes)."]
    elif len(changes) > MAX_TEXT:
        errors["changes"] = [f"Keep this to {MAX_TEXT} characters."]
    objectives = plan_objectives(row)
    for objective in objectives:
        item = items.get(str(objective.public_id))
        key = f"progress_{objective.public_id}"
        if item is None or item.progress not in ObjectiveProgress.values:
            errors[key] = ["Record the progress on this objective."]
        elif len(item.comment or "") > MAX_TEXT:
            errors[f"comment_{objective.public_id}"] = [f"Keep this to {MAX_TEXT} characters."]
    if errors:
        raise ValidationError(errors)
    draft = TreatmentPlan.objects.filter(episode=episode, status=PlanStatus.DRAFT).first()
    if draft is not None and (
        draft.previous_id != row.pk or PlanReview.objects.filter(new_plan=draft).exists()
    ):
        raise ValidationError(
            "A newer draft of this plan is waiting for signatures; finish it before reviewing."
        )
    figures = review_figures(row, objectives, on=reviewed_on)
    statuses = {
        o.lineage: GoalStatus.MET
        for o in objectives
        if items[str(o.public_id)].progress == ObjectiveProgress.MET
    }
    if draft is None:
        draft = _start_version(episode=episode, actor=actor, statuses=statuses)
    else:
        for objective in PlanObjective.objects.filter(
            goal__problem__plan=draft, lineage__in=list(statuses)
        ):
            objective.status = GoalStatus.MET
            objective.save(update_fields=["status"])
        _clear_signatures(draft)
    review = PlanReview.objects.create(
        organization_id=row.organization_id,
        plan=row,
        new_plan=draft,
        reviewed_on=reviewed_on,
        reason=reason,
        changes=changes,
        reviewed_by=actor,
        pulled=figures["overall"],
    )
    PlanReviewItem.objects.bulk_create(
        PlanReviewItem(
            organization_id=row.organization_id,
            review=review,
            objective=objective,
            progress=items[str(objective.public_id)].progress,
            comment=(items[str(objective.public_id)].comment or "").strip(),
            pulled=figures["objectives"].get(str(objective.public_id), {}),
        )
        for objective in objectives
    )
    event_record(
        participant=row.participant,
        kind=EVENT_REVIEW,
        summary="Plan review completed",
        actor=actor,
        program=episode.program,
    )
    return review


def first_plan_due_on(episode: Episode) -> date | None:
    start = episode.admitted_on or episode.started_on
    return start + timedelta(days=FIRST_PLAN_DAYS) if start else None


# --- relapse prevention plans ------------------------------------------------------------------


def _clean_sections(sections: Mapping[str, str]) -> dict[str, str]:
    unknown = set(sections) - set(RELAPSE_SECTION_KEYS)
    if unknown:
        raise ValidationError(f"Unknown plan sections: {', '.join(sorted(unknown))}.")
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for key in RELAPSE_SECTION_KEYS:
        text = (sections.get(key) or "").strip()
        if len(text) > MAX_TEXT:
            errors[key] = [f"Keep this section to {MAX_TEXT} characters."]
        cleaned[key] = text
    if errors:
        raise ValidationError(errors)
    if not any(cleaned.values()):
        raise ValidationError("Write at least one section of the plan before saving.")
    return cleaned


def _locked_relapse_draft(plan: RelapsePreventionPlan) -> RelapsePreventionPlan:
    row = (
        RelapsePreventionPlan.objects.select_for_update(of=("self",))
        .select_related("episode__program", "participant")
        .get(pk=plan.pk)
    )
    if row.status != RelapsePlanStatus.DRAFT:
        raise ValidationError("This version is agreed; changes make a new version.")
    return row


@transaction.atomic
def relapse_plan_draft_save(
    *, actor: User, episode: Episode, sections: Mapping[str, str], review_on: date | None
) -> RelapsePreventionPlan:
    """Save the draft in the participant's words, starting one (from the current version)
    when there is none."""
    locked = (
        Episode.objects.select_for_update(of=("self",)).select_related("program").get(pk=episode.pk)
    )
    _check_clinician(actor, locked)
    if locked.status not in IN_TREATMENT_STATUSES:
        raise ValidationError("Relapse prevention plans are written for episodes in treatment.")
    cleaned = _clean_sections(sections)
    if review_on is not None and review_on < today_in(locked.program.time_zone):
        raise ValidationError({"review_on": ["The review date cannot be in the past."]})
    draft = RelapsePreventionPlan.objects.filter(
        episode=locked, status=RelapsePlanStatus.DRAFT
    ).first()
    if draft is None:
        last = RelapsePreventionPlan.objects.filter(episode=locked).aggregate(n=Max("version"))["n"]
        draft = RelapsePreventionPlan(
            organization_id=locked.organization_id,
            participant_id=locked.participant_id,
            episode=locked,
            version=(last or 0) + 1,
            created_by=actor,
        )
    draft.sections = cleaned
    draft.review_on = review_on
    draft.save()
    return draft


def _make_current(row: RelapsePreventionPlan, actor: User) -> RelapsePreventionPlan:
    now = timezone.now()
    RelapsePreventionPlan.objects.filter(
        episode_id=row.episode_id, status=RelapsePlanStatus.CURRENT
    ).update(status=RelapsePlanStatus.SUPERSEDED)
    row.status = RelapsePlanStatus.CURRENT
    row.agreed_at = now
    row.agreed_by = actor
    row.content_hash = row.compute_hash()
    row.save()
    event_record(
        participant=row.participant,
        kind=EVENT_RELAPSE,
        summary="Relapse prevention plan updated",
        actor=actor,
        program=row.episode.program,
        at=now,
    )
    return row


@transaction.atomic
def relapse_plan_agree(*, actor: User, plan: RelapsePreventionPlan) -> RelapsePreventionPlan:
    """The participant and clinician agree the draft: it becomes the current version."""
    row = _locked_relapse_draft(plan)
    _check_clinician(actor, row.episode)
    return _make_current(row, actor)


def relapse_hash_intact(plan: RelapsePreventionPlan) -> bool:
    if plan.status == RelapsePlanStatus.DRAFT:
        return True
    return plan.hash_matches()


@transaction.atomic
def relapse_proposal_create(
    *, participant: Participant, plan: RelapsePreventionPlan, section: str, text: str
) -> RelapsePlanProposal:
    """The participant proposes new words for one section of their current plan."""
    row = RelapsePreventionPlan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
    if row.participant_id != participant.pk:
        raise ValidationError("This plan belongs to someone else.")
    if row.status != RelapsePlanStatus.CURRENT:
        raise ValidationError("Changes are proposed to the plan in use.")
    errors: dict[str, list[str]] = {}
    if section not in RELAPSE_SECTION_KEYS:
        errors["section"] = ["Choose the part of the plan to change."]
    text = (text or "").strip()
    if not text:
        errors["text"] = ["Write what you would like this part to say."]
    elif len(text) > MAX_TEXT:
        errors["text"] = [f"Keep this to {MAX_TEXT} characters."]
    elif text == (row.sections.get(section) or "").strip():
        errors["text"] = ["This is what the plan already says."]
    if errors:
        raise ValidationError(errors)
    pending = RelapsePlanProposal.objects.filter(
        plan__episode_id=row.episode_id, status=ProposalStatus.PENDING
    ).count()
    if pending >= MAX_PENDING_PROPOSALS:
        raise ValidationError(
            "You have several changes waiting already; your care team will go through them."
        )
    return RelapsePlanProposal.objects.create(
        organization_id=row.organization_id, plan=row, section=section, text=text
    )


def _locked_pending(proposal: RelapsePlanProposal) -> RelapsePlanProposal:
    row = (
        RelapsePlanProposal.objects.select_for_update(of=("self",))
        .select_related("plan__episode__program", "plan__participant")
        .get(pk=proposal.pk)
    )
    if row.status != ProposalStatus.PENDING:
        raise ValidationError("This proposal has already been decided.")
    return row


@transaction.atomic
def relapse_proposal_accept(*, actor: User, proposal: RelapsePlanProposal) -> RelapsePreventionPlan:
    """Accept: a new current version with the proposed section in the participant's words.
    A draft in progress takes the new words too, so they are not lost when it is agreed."""
    row = _locked_pending(proposal)
    episode = row.plan.episode
    _check_clinician(actor, episode)
    current = (
        RelapsePreventionPlan.objects.select_for_update(of=("self",))
        .filter(episode=episode, status=RelapsePlanStatus.CURRENT)
        .first()
    )
    if current is None:
        raise ValidationError("There is no plan in use to change.")
    last = RelapsePreventionPlan.objects.filter(episode=episode).aggregate(n=Max("version"))["n"]
    draft = RelapsePreventionPlan.objects.filter(
        episode=episode, status=RelapsePlanStatus.DRAFT
    ).first()
    if draft is not None:
        draft.sections = {**draft.sections, row.section: row.text}
        draft.save(update_fields=["sections", "updated_at"])
    new = RelapsePreventionPlan(
        organization_id=current.organization_id,
        participant_id=current.participant_id,
        episode=episode,
        version=(last or 0) + 1,
        sections={**current.sections, row.section: row.text},
        review_on=current.review_on,
        created_by=actor,
    )
    new.save()
    row.status = ProposalStatus.ACCEPTED
    row.decided_at = timezone.now()
    row.decided_by = actor
    row.save(update_fields=["status", "decided_at", "decided_by"])
    return _make_current(new, actor)


@transaction.atomic
def relapse_proposal_decline(
    *, actor: User, proposal: RelapsePlanProposal, note: str
) -> RelapsePlanProposal:
    row = _locked_pending(proposal)
    _check_clinician(actor, row.plan.episode)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ["Say why, in words the participant will read."]})
    if len(note) > 300:
        raise ValidationError({"note": ["Keep the note to 300 characters."]})
    row.status = ProposalStatus.DECLINED
    row.decided_at = timezone.now()
    row.decided_by = actor
    row.decision_note = note
    row.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    return row


@transaction.atomic
def relapse_plan_discharge_review(
    *, actor: User, plan: RelapsePreventionPlan
) -> RelapsePreventionPlan:
    """Mark the current plan as gone through with the participant before discharge."""
    row = (
        RelapsePreventionPlan.objects.select_for_update(of=("self",))
        .select_related("episode__program", "participant")
        .get(pk=plan.pk)
    )
    if row.status != RelapsePlanStatus.CURRENT:
        raise ValidationError("Review the plan in use before discharge (agree the draft first).")
    _check_clinician(actor, row.episode)
    now = timezone.now()
    row.discharge_reviewed_at = now
    row.discharge_reviewed_by = actor
    row.save(update_fields=["discharge_reviewed_at", "discharge_reviewed_by", "updated_at"])
    event_record(
        participant=row.participant,
        kind=EVENT_RELAPSE,
        summary="Relapse prevention plan reviewed before discharge",
        actor=actor,
        program=row.episode.program,
        at=now,
    )
    return row
