"""The figures a review pulls: scores against baseline with the reliable-change class,
attendance over the review period with weekly hours, and diary trends; stored with the review."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from openiop.care.models import MeasureKind, PlanObjective
from openiop.care.review_selectors import review_figures
from openiop.care.services import (
    ObjectiveFields,
    ReviewItemInput,
    plan_draft_start,
    plan_intervention_add,
    plan_objective_add,
    plan_review_complete,
    plan_sign_clinician,
    plan_sign_participant,
)
from tests.care.helpers import backdate, complete_draft, today, with_history


def _plan_with_diary_objective(w: SimpleNamespace):
    plan = complete_draft(w)
    goal = plan.problems.get().goals.get()
    objective = plan_objective_add(
        actor=w.clinician,
        goal=goal,
        fields=ObjectiveFields(
            description="No more than one day of use a week",
            measure_kind=MeasureKind.DIARY,
            target_on=today(w) + timedelta(days=20),
            diary_key="action_substance",
            direction="at_most",
            threshold="1",
        ),
    )
    plan_intervention_add(
        actor=w.clinician,
        objective=objective,
        modality="mi",
        description="Check in on use each session",
        frequency="weekly",
        responsible=w.clinician,
    )
    plan_sign_clinician(actor=w.clinician, plan=plan)
    plan = plan_sign_participant(
        plan=plan, participant=w.participant, typed_name="Patricia Example"
    )
    return backdate(plan, 28)


def test_the_review_pulls_scores_attendance_hours_and_diary(care: SimpleNamespace) -> None:
    with_history(care)
    plan = _plan_with_diary_objective(care)
    objectives = list(PlanObjective.objects.filter(goal__problem__plan=plan).order_by("id"))
    figures = review_figures(plan, objectives, on=today(care))
    overall = figures["overall"]
    assert overall["scores"]["PHQ-9"]["baseline"]["total"] == 18
    assert overall["scores"]["PHQ-9"]["latest"]["total"] == 8
    assert overall["scores"]["PHQ-9"]["outcome"] == "recovered"
    assert overall["attendance"] == {
        "scheduled": 4,
        "attended": 3,
        "not_recorded": 0,
        "percent": 75,
    }
    assert overall["hours"]["mean_weekly"] is not None
    assert overall["hours"]["weeks"]
    assert overall["diary"]["cards"] == 4
    score, attendance, diary = (figures["objectives"][str(o.public_id)] for o in objectives)
    assert score["target_met"] is True
    assert score["change"] == -10
    assert attendance["percent"] == 75
    assert attendance["target_met"] is False
    assert diary["label"] == "Substance use"
    assert diary["trend"] == "better"
    assert diary["target_met"] is True


def test_the_review_stores_what_was_pulled(care: SimpleNamespace) -> None:
    with_history(care)
    plan = _plan_with_diary_objective(care)
    objectives = PlanObjective.objects.filter(goal__problem__plan=plan)
    review = plan_review_complete(
        actor=care.clinician,
        plan=plan,
        reviewed_on=today(care),
        items={str(o.public_id): ReviewItemInput(progress="progressing") for o in objectives},
        changes="Keep going.",
    )
    assert review.pulled["attendance"]["percent"] == 75
    kinds = {item.pulled["kind"] for item in review.items.all()}
    assert kinds == {"score", "attendance", "diary"}


def test_a_new_plan_with_no_history_pulls_empty_figures(care: SimpleNamespace) -> None:
    plan = plan_draft_start(actor=care.clinician, episode=care.episode)
    figures = review_figures(plan, [], on=today(care))
    assert figures["overall"]["attendance"]["percent"] is None
    assert figures["overall"]["scores"] == {}


def test_the_review_counts_risk_events_since_the_last_review(care: SimpleNamespace, login) -> None:
    from openiop.safety.coaching import coaching_request_respond
    from openiop.safety.models import CoachingOutcome
    from tests.diary.helpers import file_card
    from tests.safety.test_coaching_helpers import ask

    plan = _plan_with_diary_objective(care)
    day = today(care)
    care.episode.started_on = day - timedelta(days=40)
    care.episode.save(update_fields=["started_on"])
    from django.utils import timezone

    # Before the last review (filed on its own day: cards are filed at most a week late).
    file_card(care, now=timezone.now() - timedelta(days=30), urge_self_harm=5)
    objectives = PlanObjective.objects.filter(goal__problem__plan=plan)
    first = plan_review_complete(
        actor=care.clinician,
        plan=plan,
        reviewed_on=day - timedelta(days=20),
        items={str(o.public_id): ReviewItemInput(progress="progressing") for o in objectives},
        changes="Keep going.",
    )
    assert first.pulled["risk"]["total"] == 1
    file_card(care, day=day - timedelta(days=6), urge_self_harm=4, action_self_harm=True)
    file_card(care, day=day - timedelta(days=2), urge_suicide=5)
    file_card(care, day=day - timedelta(days=1))  # nothing fires: not an event
    request = ask(care, urge=2).request
    coaching_request_respond(
        request=request,
        actor=care.clinician,
        method="callback",
        reply="",
        skills_suggested=[],
        outcome=CoachingOutcome.CRISIS,
        outcome_note="Went with the crisis team.",
    )
    risk = review_figures(plan, [], on=day)["overall"]["risk"]
    assert risk["since"] == (day - timedelta(days=19)).isoformat()
    by_label = {k["label"]: k for k in risk["kinds"]}
    urges = by_label["Diary cards with a suicide or self-harm urge at the program's threshold"]
    assert urges["count"] == 2
    assert urges["dates"] == [
        (day - timedelta(days=6)).isoformat(),
        (day - timedelta(days=2)).isoformat(),
    ]
    assert by_label["Diary cards reporting self-harm"]["count"] == 1
    assert by_label["Coaching contacts that led to crisis services"]["count"] == 1
    assert risk["total"] == 4
    # The stored review shows what was pulled then, in the same neutral words.
    page = login(care.clinician).get(
        f"/care/p/{care.participant.public_id}/reviews/{first.public_id}/"
    )
    body = page.content.decode()
    assert "Risk events since" in body
    assert "Diary cards with a suicide or self-harm urge at the program" in body
