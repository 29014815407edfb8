"""Group notes and new admits: an attendee whose first treatment plan is not due yet turns the
plan checks into a named warning, and the note signs; an overdue first plan or an expired plan
still stops it. The first-plan deadline stays on the chart and the clinician's home."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openiop.care.models import PlanGoal, PlanObjective, PlanProblem, TreatmentPlan
from openiop.care.services import FIRST_PLAN_DAYS
from openiop.notes import services
from openiop.notes.models import ClinicalNote, NoteStatus
from openiop.notes.services import EntryInput
from openiop.participants.models import CareTeamRole, Episode, EpisodeStatus
from tests import factories as f
from tests.notes.conftest import group_session, note_post_data


def _without_plan(episode) -> None:
    plans = TreatmentPlan.objects.filter(episode=episode)
    PlanObjective.objects.filter(goal__problem__plan__in=plans).delete()
    PlanGoal.objects.filter(problem__plan__in=plans).delete()
    PlanProblem.objects.filter(plan__in=plans).delete()
    plans.delete()


def _group_with_newcomer(world, *, admitted_days_ago: int) -> SimpleNamespace:
    today = timezone.localdate()
    participant = f.ParticipantFactory(
        organization=world.org, legal_first_name="Nell", legal_last_name="Arrival"
    )
    newcomer = f.EpisodeFactory(
        participant=participant,
        program=world.program,
        track=world.morning,
        primary_clinician=world.clinician,
        status=EpisodeStatus.ACTIVE,
        admitted_on=today - timedelta(days=admitted_days_ago),
        started_on=today - timedelta(days=admitted_days_ago),
    )
    f.CareTeamMemberFactory(episode=newcomer, user=world.clinician, role=CareTeamRole.PRIMARY)
    built = group_session(
        world.program,
        facilitator=world.clinician,
        director=world.director,
        attendees=3,
        episodes=[world.episode, Episode.objects.get(pk=newcomer.pk)],
    )
    _without_plan(newcomer)
    note = services.note_open_for_session(session=built.session, actor=world.clinician)
    built.objectives[participant.pk] = []
    entries = {}
    for i, entry in enumerate(note.entries.order_by("id")):
        objectives = built.objectives[entry.participant_id]
        entries[entry.pk] = EntryInput(
            participation="active",
            response="practised",
            text=f"Practised the skill in the exercise and named one use for it ({i}).",
            objective_ids=[str(objectives[0].public_id)] if objectives else [],
            si_asked=True,
            si_present=False,
            hi_asked=True,
            hi_present=False,
        )
    built.note = services.note_save(
        note=note,
        actor=world.clinician,
        narrative="Taught the four TIPP steps; each member practised paced breathing.",
        interventions="Skills teaching, rehearsal",
        entries=entries,
    )
    built.newcomer = newcomer
    return built


def _fresh(note: ClinicalNote) -> ClinicalNote:
    return ClinicalNote.objects.get(pk=note.pk)


def test_a_new_admit_without_a_plan_is_a_named_warning_and_the_note_signs(world) -> None:
    built = _group_with_newcomer(world, admitted_days_ago=2)
    due = built.newcomer.admitted_on + timedelta(days=FIRST_PLAN_DAYS)
    review = services.note_sign_review(_fresh(built.note))
    assert review.problems == []
    assert review.warnings == [
        f"Nell Arrival: no treatment plan yet (newly admitted; the first plan is due by "
        f"{due:%b %-d, %Y}), so no objective is linked. The note can be signed."
    ]
    signed = services.note_sign(note=_fresh(built.note), actor=world.clinician)
    assert signed.status == NoteStatus.SIGNED


def test_on_the_due_day_it_still_signs(world) -> None:
    built = _group_with_newcomer(world, admitted_days_ago=FIRST_PLAN_DAYS)
    assert services.note_sign_review(_fresh(built.note)).problems == []


def test_an_overdue_first_plan_still_stops_the_note(world) -> None:
    built = _group_with_newcomer(world, admitted_days_ago=FIRST_PLAN_DAYS + 3)
    due = built.newcomer.admitted_on + timedelta(days=FIRST_PLAN_DAYS)
    review = services.note_sign_review(_fresh(built.note))
    assert review.warnings == []
    assert review.problems == [
        "Nell Arrival: link at least one objective from their treatment plan.",
        f"Nell Arrival: has no current treatment plan; the first plan was due by {due:%b %-d, %Y}.",
    ]
    with pytest.raises(ValidationError):
        services.note_sign(note=_fresh(built.note), actor=world.clinician)
    assert _fresh(built.note).status == NoteStatus.DRAFT


def test_someone_whose_plan_was_replaced_is_not_a_new_admit(world) -> None:
    built = _group_with_newcomer(world, admitted_days_ago=2)
    TreatmentPlan.objects.filter(episode=world.episode).update(status="superseded")
    problems = services.note_sign_checks(_fresh(built.note))
    assert "Pat Example: has no current treatment plan." in problems


def test_the_others_still_need_their_objectives(world) -> None:
    built = _group_with_newcomer(world, admitted_days_ago=2)
    other = built.note.entries.exclude(episode=built.newcomer).order_by("id")[0]
    services.note_save(
        note=built.note,
        actor=world.clinician,
        narrative=built.note.narrative,
        interventions=built.note.interventions,
        entries={
            other.pk: EntryInput(
                participation="active",
                response="practised",
                text="Used grounding with five senses and came back to the task.",
                objective_ids=[],
                si_asked=True,
                si_present=False,
                hi_asked=True,
                hi_present=False,
            )
        },
    )
    problems = services.note_sign_checks(_fresh(built.note))
    assert problems == [
        f"{other.participant.display_name}: link at least one objective from their treatment plan."
    ]


def test_the_page_shows_the_warning_signs_and_the_deadline_stays(world, login) -> None:
    built = _group_with_newcomer(world, admitted_days_ago=2)
    client = login(world.clinician)
    url = f"/notes/{built.note.public_id}/"
    page = client.get(url).content.decode()
    assert "To know before signing" in page
    assert "Nell Arrival: no treatment plan yet" in page
    assert "Every check passes" in page
    data = note_post_data(built.note, built.objectives, action="sign")
    response = client.post(url, data, follow=True)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Note signed." in text
    assert "Nell Arrival: no treatment plan yet" in text
    assert _fresh(built.note).status == NoteStatus.SIGNED
    due = built.newcomer.admitted_on + timedelta(days=FIRST_PLAN_DAYS)
    chart = client.get(
        f"/participants/{built.newcomer.participant.public_id}/?panel=plans"
    ).content.decode()
    assert f"First plan due by {due:%b} {due.day}, {due.year}." in chart
    home = client.get("/").content.decode()
    assert "Nell Arrival" in home
    assert f"due {due:%b} {due.day}" in home
