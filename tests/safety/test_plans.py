"""Safety plans: versions, both signatures, the lock and its hash, the timeline."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from openiop.audit.models import Event
from openiop.safety.models import PlanLockedError, PlanStatus, SafetyPlanVersion
from openiop.safety.plans import (
    CRISIS_LINE,
    current_plan,
    prefilled_professionals,
    safety_plan_draft_save,
    safety_plan_sign_clinician,
    safety_plan_sign_participant,
)

SECTIONS = {
    "warning_signs": "I stop answering texts\nI can't sleep",
    "coping_alone": "Cold water on my face\nWalk round the block",
    "distractions": "The library on Elm Street",
    "people_to_ask": "My sister Jo",
    "professionals": CRISIS_LINE,
    "safer_surroundings": "Jo keeps my extra pills",
}


def _signed(w: SimpleNamespace, **changes: str) -> SafetyPlanVersion:
    draft = safety_plan_draft_save(
        participant=w.participant,
        program=w.program,
        actor=w.clinician,
        sections={**SECTIONS, **changes},
    )
    safety_plan_sign_clinician(version=draft, actor=w.clinician)
    return safety_plan_sign_participant(
        version=draft, participant=w.participant, typed_name="Patricia Example"
    )


def test_a_draft_is_version_one_with_the_lines_kept_in_order(world: SimpleNamespace) -> None:
    draft = safety_plan_draft_save(
        participant=world.participant,
        program=world.program,
        actor=world.clinician,
        sections=SECTIONS,
    )
    assert draft.version == 1
    assert draft.status == PlanStatus.DRAFT
    assert draft.sections()[0]["items"] == ["I stop answering texts", "I can't sleep"]
    assert draft.episode == world.episode


def test_an_empty_plan_is_refused_and_nothing_is_saved(world: SimpleNamespace) -> None:
    with pytest.raises(ValidationError, match="at least one step"):
        safety_plan_draft_save(
            participant=world.participant,
            program=world.program,
            actor=world.clinician,
            sections={"warning_signs": " "},
        )
    assert SafetyPlanVersion.objects.count() == 0


def test_one_signature_does_not_put_the_plan_in_force(world: SimpleNamespace) -> None:
    draft = safety_plan_draft_save(
        participant=world.participant,
        program=world.program,
        actor=world.clinician,
        sections=SECTIONS,
    )
    safety_plan_sign_clinician(version=draft, actor=world.clinician)
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT
    assert draft.clinician_signed_by == world.clinician
    assert current_plan(world.participant, world.program) is None


def test_both_signatures_lock_the_version_and_record_the_timeline(
    world: SimpleNamespace,
) -> None:
    plan = _signed(world)
    assert plan.status == PlanStatus.SIGNED
    assert plan.participant_signed_name == "Patricia Example"
    assert plan.content_hash == plan.compute_hash()
    event = Event.objects.get(participant=world.participant, kind="safety_plan")
    assert event.summary == "Safety plan signed (version 1)"
    assert event.program == world.program
    assert current_plan(world.participant, world.program) == plan


def test_a_signed_version_refuses_edits(world: SimpleNamespace) -> None:
    plan = _signed(world)
    plan.warning_signs = "Something else"
    with pytest.raises(PlanLockedError):
        plan.save()
    with pytest.raises(ValidationError, match="already signed"):
        safety_plan_sign_clinician(version=plan, actor=world.clinician)


def test_the_hash_detects_a_row_changed_behind_the_apps_back(world: SimpleNamespace) -> None:
    plan = _signed(world)
    assert plan.is_intact
    SafetyPlanVersion.objects.filter(pk=plan.pk).update(coping_alone="tampered")
    plan.refresh_from_db()
    assert not plan.is_intact


def test_editing_after_signing_starts_a_new_draft_and_keeps_the_old_version(
    world: SimpleNamespace,
) -> None:
    first = _signed(world)
    draft = safety_plan_draft_save(
        participant=world.participant,
        program=world.program,
        actor=world.clinician,
        sections={**SECTIONS, "people_to_ask": "My sister Jo\nMy neighbour Ray"},
    )
    assert draft.version == 2
    assert draft.pk != first.pk
    assert current_plan(world.participant, world.program) == first
    safety_plan_sign_participant(
        version=draft, participant=world.participant, typed_name="Patricia Example"
    )
    second = safety_plan_sign_clinician(version=draft, actor=world.clinician)
    first.refresh_from_db()
    assert second.status == PlanStatus.SIGNED
    assert first.status == PlanStatus.SUPERSEDED
    assert first.people_to_ask == "My sister Jo"
    assert first.is_intact


def test_changing_the_words_clears_the_signatures_already_given(world: SimpleNamespace) -> None:
    draft = safety_plan_draft_save(
        participant=world.participant,
        program=world.program,
        actor=world.clinician,
        sections=SECTIONS,
    )
    safety_plan_sign_participant(
        version=draft, participant=world.participant, typed_name="Patricia Example"
    )
    draft = safety_plan_draft_save(
        participant=world.participant,
        program=world.program,
        actor=world.clinician,
        sections={**SECTIONS, "distractions": "The park"},
    )
    assert draft.participant_signed_at is None
    assert draft.participant_signed_name == ""


def test_a_participant_must_type_a_name_to_sign(world: SimpleNamespace) -> None:
    draft = safety_plan_draft_save(
        participant=world.participant,
        program=world.program,
        actor=world.clinician,
        sections=SECTIONS,
    )
    with pytest.raises(ValidationError, match="Type your full legal name"):
        safety_plan_sign_participant(version=draft, participant=world.participant, typed_name=" ")
    # The preferred name, or any two letters, is not the legal name on record.
    for typed in ("Pat Example", "PE"):
        with pytest.raises(ValidationError, match="legal name as it is on your record"):
            safety_plan_sign_participant(
                version=draft, participant=world.participant, typed_name=typed
            )
    draft.refresh_from_db()
    assert draft.participant_signed_at is None
    safety_plan_sign_participant(
        version=draft, participant=world.participant, typed_name="PATRICIA  example"
    )
    draft.refresh_from_db()
    assert draft.participant_signed_name == "PATRICIA example"


def test_someone_else_cannot_sign_a_participants_plan(world: SimpleNamespace) -> None:
    draft = safety_plan_draft_save(
        participant=world.participant,
        program=world.program,
        actor=world.clinician,
        sections=SECTIONS,
    )
    with pytest.raises(ValidationError, match="someone else"):
        safety_plan_sign_participant(
            version=draft, participant=world.other_participant, typed_name="Someone"
        )


def test_professionals_are_prefilled_with_988_and_the_program_phone(
    world: SimpleNamespace,
) -> None:
    world.program.phone = "555-0100"
    world.program.save()
    text = prefilled_professionals(world.episode)
    assert "988" in text
    assert "555-0100" in text


def test_a_clinician_outside_the_program_cannot_start_a_plan(world: SimpleNamespace) -> None:
    with pytest.raises(ValidationError, match="programs you work in"):
        safety_plan_draft_save(
            participant=world.participant,
            program=world.program,
            actor=world.outsider_clinician,
            sections=SECTIONS,
        )
    assert SafetyPlanVersion.objects.count() == 0
