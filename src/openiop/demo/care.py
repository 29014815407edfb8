"""Demo treatment plans and relapse prevention plans, in words of our own, for the active
participants of the demo program.

- Every active participant has a signed plan: two or three problems, goals, objectives of each
  kind (a PHQ-9 or GAD-7 score, attendance, a diary-card row, a described behaviour) and
  interventions by their primary clinician (family work by a family therapist where there is
  one).
- Participants far enough in have had a review: the first version is superseded and the second
  is in effect, so two versions are readable. One participant's review is overdue.
- The demo portal participant has a plan in effect and, from a review yesterday, a new version
  the clinician has signed that waits for the participant's signature.
- Most have a relapse prevention plan; some have a suggestion from the portal waiting.

Rows are written in bulk (a level of the plan tree at a time) so the build stays fast; the
content hash is computed from the stored tree afterwards, as a signature would. Timeline events
are written for plan signatures and reviews; relapse plans carry their agreed date themselves
(one event each would add a query per participant to the demo's budget).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.audit.services import event_record
from openiop.care.models import (
    RELAPSE_SECTION_KEYS,
    GoalStatus,
    ObjectiveProgress,
    PlanGoal,
    PlanIntervention,
    PlanObjective,
    PlanProblem,
    PlanReview,
    PlanReviewItem,
    PlanStatus,
    RelapsePlanProposal,
    RelapsePlanStatus,
    RelapsePreventionPlan,
    TreatmentPlan,
)
from openiop.care.review_selectors import review_figures
from openiop.care.services import EVENT_PLAN, EVENT_REVIEW
from openiop.participants.models import Episode, EpisodeStatus
from openiop.programs.models import Program

PORTAL_EMAIL = "participant@example.org"

# (problem, goal, [objective spec]); objective spec: (description, kind, extra fields).
PROBLEMS: tuple[tuple[str, str, tuple[tuple[str, str, dict[str, Any]], ...]], ...] = (
    (
        "Low mood most days; pulling away from friends and family",
        "Get back to the things and people that matter to me",
        (
            (
                "Depression scores come down to the mild range",
                "score",
                {"instrument_code": "PHQ-9", "direction": "at_most", "threshold": "9"},
            ),
            (
                "Plans and does one valued activity on most days",
                "behaviour",
                {"target_text": "Does a planned valued activity on 5 days a week, by own report"},
            ),
        ),
    ),
    (
        "Acting on urges (using, self-harm) when feelings get too big",
        "Ride out urges with skills instead of acting on them",
        (
            (
                "No more than one day of substance use a week",
                "diary",
                {"diary_key": "action_substance", "direction": "at_most", "threshold": "1"},
            ),
            (
                "Uses skills most days",
                "diary",
                {"diary_key": "skills", "direction": "at_least", "threshold": "4"},
            ),
        ),
    ),
    (
        "Worry and panic keep me from groups and from work",
        "Stay with the program and manage worry well enough to work",
        (
            (
                "Attends at least four in five scheduled sessions",
                "attendance",
                {"direction": "at_least", "threshold": "80"},
            ),
            (
                "Anxiety scores come down below the moderate range",
                "score",
                {"instrument_code": "GAD-7", "direction": "at_most", "threshold": "9"},
            ),
        ),
    ),
)
INTERVENTIONS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "score": (
        ("cbt", "Behavioural activation and thought records in individual therapy", "weekly"),
    ),
    "behaviour": (
        ("dbt", "Skills group: emotion regulation (PLEASE, opposite action)", "3 groups a week"),
    ),
    "diary": (
        ("dbt", "Diary card review and chain analysis in individual therapy", "weekly"),
        ("mi", "Motivational interviewing about use", "every other week"),
    ),
    "attendance": (("family", "Family session on supporting attendance", "every other week"),),
}
RELAPSE_WORDS: tuple[dict[str, str], ...] = (
    {
        "reasons": "My daughter. Being someone she can count on.\nKeeping my job at the garage.",
        "external_triggers": "Payday Fridays\nDriving past the bar on Route 9\nMy cousin's parties",
        "internal_triggers": "Feeling like a failure\nBeing bored and alone at night\nBack pain",
        "early_signs": "Skipping breakfast and meetings\nTelling myself one won't hurt",
        "middle_signs": "Lying about where I was\nNot answering my sponsor",
        "late_signs": "Planning how to get money\nDriving to the old places",
        "coping": "Call my sponsor before I go anywhere\nUrge surf for 15 minutes\n"
        "TIPP: cold water",
        "refusal": '"No thanks, I\'m driving" and leave\n'
        "Stay with people who know I'm in recovery",
        "supports": "My sponsor Teresa\nMy sister Ana\nThe program phone line",
        "lapse_plan": "Stop, call Teresa the same day\nTell my therapist at the next session\n"
        "A lapse is a step, not the whole road",
    },
    {
        "reasons": "I want to finish my course.\nI like who I am when I'm well.",
        "external_triggers": "Arguments with my ex\nWeekends with nothing planned",
        "internal_triggers": "Shame after a bad day\nNot sleeping",
        "early_signs": "Staying in bed past noon\nCancelling plans",
        "middle_signs": "Stopping my diary card\nDrinking alone",
        "late_signs": "Buying more than one bottle\nIgnoring texts for days",
        "coping": "Walk round the block twice\nText my friend Dee\nOpposite action: go anyway",
        "refusal": "Don't keep alcohol at home\nLeave when the second round is ordered",
        "supports": "Dee from group\nMy brother Luis\n988 if it gets dark",
        "lapse_plan": "Pour it out, call Luis, go to the next group and say so",
    },
)
PROPOSAL_TEXTS = (
    ("supports", "My sponsor Teresa\nMy sister Ana\nMy neighbour Sam, who walks with me"),
    ("external_triggers", "Payday Fridays\nThe new gas station that sells beer"),
    ("coping", "Call my sponsor\nUrge surf for 15 minutes\nGo to the gym at the rec center"),
)


@dataclass
class _Plan:
    row: TreatmentPlan
    episode: Episode
    # Which of PROBLEMS this version addresses (drawn for a first version, copied for the next).
    picks: list[int] = field(default_factory=list)
    # For a next version: objective lineage and status by (problem index, objective position).
    lineages: dict[tuple[int, int], Any] = field(default_factory=dict)
    met: dict[tuple[int, int], str] = field(default_factory=dict)


def _at(day: date, program: Program, hour: int = 11) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=ZoneInfo(program.time_zone))


def _family_clinician(program: Program) -> User | None:
    return (
        User.objects.filter(assignments__program=program, role=Role.CLINICIAN, credentials="LMFT")
        .order_by("pk")
        .first()
    )


def _plan_row(
    episode: Episode, *, version: int, status: str, effective: date, program: Program
) -> TreatmentPlan:
    clinician = episode.primary_clinician
    assert clinician is not None
    return TreatmentPlan(
        organization_id=episode.organization_id,
        participant_id=episode.participant_id,
        episode=episode,
        version=version,
        status=status,
        diagnosis="F33.1 Major depressive disorder, recurrent, moderate",
        participant_goals="Feel like myself again, stay sober, and keep my job.",
        strengths="Funny, loyal to friends, shows up even on bad days.",
        services_summary="IOP groups 3 days a week, 3 hours a day, for about 10 weeks; "
        "individual therapy weekly; family sessions every other week.",
        effective_on=effective if status != PlanStatus.DRAFT else None,
        review_due_on=effective + timedelta(days=program.plan_review_days)
        if status != PlanStatus.DRAFT
        else None,
        expires_on=effective + timedelta(days=program.plan_valid_days)
        if status != PlanStatus.DRAFT
        else None,
        created_by=clinician,
        participant_signed_at=_at(effective, program) if status != PlanStatus.DRAFT else None,
        participant_signed_name=episode.participant.legal_name
        if status != PlanStatus.DRAFT
        else "",
        clinician_signed_at=_at(effective, program, 10),
        clinician_signed_by=clinician,
        took_effect_at=_at(effective, program) if status != PlanStatus.DRAFT else None,
        content_hash="" if status == PlanStatus.DRAFT else "to-be-computed",
    )


def _trees(plans: list[_Plan], rng: random.Random, family: User | None, today: date) -> None:
    """Write problems → goals → objectives → interventions for every plan, a level at a time.
    A next version keeps the problems and objective lineage of the version before."""
    problem_rows: list[tuple[_Plan, PlanProblem, int]] = []
    for plan in plans:
        if not plan.picks:
            count = 3 if rng.random() < 0.5 else 2
            plan.picks = sorted(rng.sample(range(len(PROBLEMS)), count))
        for position, index in enumerate(plan.picks):
            problem = PlanProblem(
                organization_id=plan.row.organization_id,
                plan=plan.row,
                position=position,
                description=PROBLEMS[index][0],
            )
            problem_rows.append((plan, problem, index))
    PlanProblem.objects.bulk_create([p for _, p, _ in problem_rows])
    goals = [
        PlanGoal(
            organization_id=problem.organization_id,
            problem=problem,
            position=0,
            description=PROBLEMS[index][1],
        )
        for _, problem, index in problem_rows
    ]
    PlanGoal.objects.bulk_create(goals)
    objectives: list[tuple[PlanObjective, _Plan]] = []
    for (plan, _, index), goal in zip(problem_rows, goals, strict=True):
        for position, (description, kind, extra) in enumerate(PROBLEMS[index][2]):
            values = dict(extra)
            if "threshold" in values:
                values["threshold"] = Decimal(values["threshold"])
            if kind == "diary":
                values["target_text"] = {
                    "action_substance": "Substance use",
                    "skills": "Skills used",
                }[values["diary_key"]]
            objective = PlanObjective(
                organization_id=goal.organization_id,
                goal=goal,
                position=position,
                description=description,
                measure_kind=kind,
                target_on=max(plan.row.effective_on or today, today)
                + timedelta(days=28 + 7 * position),
                status=plan.met.get((index, position), GoalStatus.ACTIVE),
                **values,
            )
            if (index, position) in plan.lineages:
                objective.lineage = plan.lineages[(index, position)]
            objectives.append((objective, plan))
    PlanObjective.objects.bulk_create([o for o, _ in objectives])
    interventions = []
    for objective, plan in objectives:
        clinician = plan.episode.primary_clinician
        assert clinician is not None
        for position, (modality, description, frequency) in enumerate(
            INTERVENTIONS[objective.measure_kind]
        ):
            responsible = family if modality == "family" and family is not None else clinician
            interventions.append(
                PlanIntervention(
                    organization_id=objective.organization_id,
                    objective=objective,
                    position=position,
                    modality=modality,
                    description=description,
                    frequency=frequency,
                    responsible=responsible,
                )
            )
    PlanIntervention.objects.bulk_create(interventions)


def _seal(plan_ids: list[int]) -> None:
    """Store each signed version's content hash, as signing would."""
    rows = list(
        TreatmentPlan.objects.filter(pk__in=plan_ids).prefetch_related(
            "problems__goals__objectives__interventions"
        )
    )
    for row in rows:
        if row.status != PlanStatus.DRAFT:
            row.content_hash = row.compute_hash()
    TreatmentPlan.objects.bulk_update(rows, ["content_hash"])


def build(*, program: Program, today: date, rng: random.Random) -> int:
    """Synthetic records for the demo clinic; returns how many plan versions were made."""
    episodes = list(
        Episode.objects.filter(program=program, status=EpisodeStatus.ACTIVE)
        .exclude(primary_clinician__isnull=True)
        .select_related("participant__user", "primary_clinician", "program")
        .order_by("pk")
    )
    if not episodes:
        return 0
    family = _family_clinician(program)
    review_days = program.plan_review_days
    first: list[_Plan] = []
    reviewed: list[_Plan] = []  # v1 of participants whose plan was reviewed
    overdue_chosen = False
    for episode in episodes:
        start = episode.admitted_on or episode.started_on or today
        effective = min(start + timedelta(days=rng.randint(2, 5)), today)
        portal = getattr(episode.participant.user, "email", "") == PORTAL_EMAIL
        due = effective + timedelta(days=review_days)
        if portal:
            # Reviewed yesterday; the new version waits for the participant's signature.
            effective = min(effective, today - timedelta(days=2))
        reviewed_here = portal or (due <= today - timedelta(days=3) and rng.random() < 0.8)
        if due < today and not reviewed_here and overdue_chosen:
            reviewed_here = True
        if due < today and not reviewed_here:
            overdue_chosen = True
        status = PlanStatus.SUPERSEDED if reviewed_here and not portal else PlanStatus.CURRENT
        plan = _Plan(
            _plan_row(episode, version=1, status=status, effective=effective, program=program),
            episode,
        )
        first.append(plan)
        if reviewed_here:
            reviewed.append(plan)
    TreatmentPlan.objects.bulk_create([p.row for p in first])
    _trees(first, rng, family, today)

    # Reviews and their second versions.
    second: list[_Plan] = []
    reviews: list[tuple[PlanReview, list[PlanObjective], dict[str, Any], _Plan]] = []
    by_plan: dict[int, list[PlanObjective]] = {}
    for objective in (
        PlanObjective.objects.filter(goal__problem__plan__in=[p.row for p in reviewed])
        .select_related("goal__problem")
        .order_by("goal__problem__position", "position", "id")
    ):
        by_plan.setdefault(objective.goal.problem.plan_id, []).append(objective)
    for plan in reviewed:
        episode = plan.episode
        portal = getattr(episode.participant.user, "email", "") == PORTAL_EMAIL
        assert plan.row.effective_on is not None
        on = (
            today - timedelta(days=1)
            if portal
            else min(plan.row.effective_on + timedelta(days=review_days), today)
        )
        objectives = by_plan.get(plan.row.pk, [])
        figures = review_figures(plan.row, objectives, on=on)
        progress = {
            o.public_id: rng.choice(
                [
                    ObjectiveProgress.PROGRESSING,
                    ObjectiveProgress.PROGRESSING,
                    ObjectiveProgress.MET,
                    ObjectiveProgress.NO_CHANGE,
                ]
            )
            for o in objectives
        }
        status = PlanStatus.DRAFT if portal else PlanStatus.CURRENT
        new = _Plan(
            _plan_row(episode, version=2, status=status, effective=on, program=program), episode
        )
        new.row.previous = plan.row
        index_of = {problem: i for i, (problem, _, _) in enumerate(PROBLEMS)}
        new.picks = list(plan.picks)
        for o in objectives:
            key = (index_of[o.goal.problem.description], o.position)
            new.lineages[key] = o.lineage
            if progress[o.public_id] == ObjectiveProgress.MET:
                new.met[key] = GoalStatus.MET
        second.append(new)
        review = PlanReview(
            organization_id=plan.row.organization_id,
            plan=plan.row,
            reviewed_on=on,
            reason="scheduled",
            changes="Reviewed with the participant: objectives met are marked done; targets "
            "for the rest stay, with skills practice added between sessions.",
            reviewed_by=episode.primary_clinician,
            pulled=figures["overall"],
        )
        reviews.append((review, objectives, {"figures": figures, "progress": progress}, new))
    TreatmentPlan.objects.bulk_create([p.row for p in second])
    _trees(second, rng, family, today)
    for review, _, _, new in reviews:
        review.new_plan = new.row
    PlanReview.objects.bulk_create([r for r, _, _, _ in reviews])
    PlanReviewItem.objects.bulk_create(
        PlanReviewItem(
            organization_id=review.organization_id,
            review=review,
            objective=objective,
            progress=extra["progress"][objective.public_id],
            pulled=extra["figures"]["objectives"].get(str(objective.public_id), {}),
            comment="",
        )
        for review, objectives, extra, _ in reviews
        for objective in objectives
    )
    _seal([p.row.pk for p in first + second])

    for plan in first + second:
        if plan.row.status == PlanStatus.DRAFT:
            continue
        assert plan.row.effective_on is not None
        event_record(
            participant=plan.episode.participant,
            kind=EVENT_PLAN,
            summary=f"Treatment plan v{plan.row.version} signed",
            actor=plan.episode.primary_clinician,
            program=program,
            at=_at(plan.row.effective_on, program),
        )
    for review, _, _, new in reviews:
        event_record(
            participant=new.episode.participant,
            kind=EVENT_REVIEW,
            summary="Plan review completed",
            actor=review.reviewed_by,
            program=program,
            at=_at(review.reviewed_on, program, 12),
        )
    relapse = _relapse_plans(episodes, program, today, rng)
    return len(first) + len(second) + relapse


def _relapse_plans(
    episodes: list[Episode], program: Program, today: date, rng: random.Random
) -> int:
    rows: list[RelapsePreventionPlan] = []
    for index, episode in enumerate(episodes):
        portal = getattr(episode.participant.user, "email", "") == PORTAL_EMAIL
        if not portal and rng.random() < 0.2:
            continue
        words = RELAPSE_WORDS[index % len(RELAPSE_WORDS)]
        agreed_on = min((episode.started_on or today) + timedelta(days=10), today)
        plan = RelapsePreventionPlan(
            organization_id=episode.organization_id,
            participant_id=episode.participant_id,
            episode=episode,
            version=1,
            status=RelapsePlanStatus.CURRENT,
            sections={key: words.get(key, "") for key in RELAPSE_SECTION_KEYS},
            review_on=max(agreed_on + timedelta(days=28), today + timedelta(days=7)),
            created_by=episode.primary_clinician,
            agreed_at=_at(agreed_on, program, 14),
            agreed_by=episode.primary_clinician,
        )
        plan.content_hash = plan.compute_hash()
        rows.append(plan)
    RelapsePreventionPlan.objects.bulk_create(rows)
    proposals = [
        RelapsePlanProposal(
            organization_id=plan.organization_id,
            plan=plan,
            section=PROPOSAL_TEXTS[i % len(PROPOSAL_TEXTS)][0],
            text=PROPOSAL_TEXTS[i % len(PROPOSAL_TEXTS)][1],
        )
        for i, plan in enumerate(rows)
        if i % 4 == 0
    ]
    RelapsePlanProposal.objects.bulk_create(proposals)
    return len(rows)
