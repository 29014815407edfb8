"""Every check before signing fails on its own, names what is missing, and passes once the
thing is fixed; signing refuses while any check fails and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openiop.care.models import TreatmentPlan
from openiop.diary.models import DiaryCard
from openiop.notes import services
from openiop.notes.models import ClinicalNote, NoteEntry, NoteStatus
from openiop.notes.services import EntryInput
from openiop.scheduling.models import Attendance, AttendanceStatus, RosterEntry, RosterSource
from tests import factories as f
from tests.notes.conftest import complete_input


def _checks(note: ClinicalNote) -> list[str]:
    return services.note_sign_checks(ClinicalNote.objects.get(pk=note.pk))


def _entry_of(group: SimpleNamespace, participant_id: int) -> NoteEntry:
    return group.note.entries.get(participant_id=participant_id)


def _save_one(
    group: SimpleNamespace, world: SimpleNamespace, entry: NoteEntry, data: EntryInput
) -> None:
    services.note_save(
        note=group.note,
        actor=world.clinician,
        narrative=group.note.narrative,
        interventions=group.note.interventions,
        entries={entry.pk: data},
    )


def _fix(group: SimpleNamespace, world: SimpleNamespace, entry: NoteEntry, i: int = 0) -> None:
    _save_one(group, world, entry, complete_input(group.objectives[entry.participant_id], i))


def test_a_complete_note_passes_every_check(group):
    assert _checks(group.note) == []
    assert group.note.entries.count() == 3  # the absent person has no section
    assert group.note.absent_count == 1


def test_identical_text_in_two_sections_is_named(group, world):
    first, second = list(group.note.entries.order_by("id"))[:2]
    data = complete_input(group.objectives[second.participant_id], 1)
    data.text = (
        "  Described using PACED breathing before a hard phone call; practised it twice in group "
    )
    _save_one(group, world, second, data)
    problems = _checks(group.note)
    assert len(problems) == 1
    assert "identical text" in problems[0]
    assert first.participant.display_name in problems[0]
    assert second.participant.display_name in problems[0]
    _fix(group, world, second, 1)
    assert _checks(group.note) == []


def test_an_empty_section_is_named(group, world):
    entry = group.note.entries.order_by("id")[1]
    data = complete_input(group.objectives[entry.participant_id], 1)
    data.text = ""
    _save_one(group, world, entry, data)
    assert _checks(group.note) == [
        f"{entry.participant.display_name}: write a few lines about this person in this session."
    ]
    _fix(group, world, entry, 1)
    assert _checks(group.note) == []


def test_a_section_without_a_plan_objective_is_named(group, world):
    entry = group.note.entries.order_by("id")[2]
    data = complete_input(group.objectives[entry.participant_id], 2)
    data.objective_ids = []
    _save_one(group, world, entry, data)
    assert _checks(group.note) == [
        f"{entry.participant.display_name}: link at least one objective from their treatment plan."
    ]
    _fix(group, world, entry, 2)
    assert _checks(group.note) == []


def test_an_unanswered_risk_screen_is_named(group, world):
    entry = group.note.entries.order_by("id")[0]
    data = complete_input(group.objectives[entry.participant_id], 0)
    data.hi_asked = None
    _save_one(group, world, entry, data)
    problems = _checks(group.note)
    assert len(problems) == 1
    assert problems[0].startswith(f"{entry.participant.display_name}: answer the risk screen")
    _fix(group, world, entry, 0)
    assert _checks(group.note) == []


def test_ideation_reported_needs_its_follow_up(group, world):
    entry = group.note.entries.order_by("id")[0]
    data = complete_input(group.objectives[entry.participant_id], 0)
    data.si_present = True
    _save_one(group, world, entry, data)
    assert _checks(group.note) == [
        f"{entry.participant.display_name}: describe the follow-up for the ideation reported."
    ]
    data.risk_follow_up = "Passive thoughts, no plan or intent; safety plan reviewed after group."
    _save_one(group, world, entry, data)
    assert _checks(group.note) == []


def test_attendance_missing_for_someone_on_the_roster_is_named(group, world):
    late = f.EpisodeFactory(
        participant=f.ParticipantFactory(organization=world.org), program=world.program
    )
    RosterEntry.objects.create(
        organization=world.org,
        session=group.session,
        participant_id=late.participant_id,
        episode=late,
        source=RosterSource.BOOKED,
    )
    assert _checks(group.note) == [
        f"Attendance is not recorded for: {late.participant.display_name}."
    ]
    Attendance.objects.create(
        organization=world.org,
        session=group.session,
        participant_id=late.participant_id,
        episode=late,
        status=AttendanceStatus.ABSENT_UNEXCUSED,
        recorded_by=world.clinician,
        recorded_at=timezone.now(),
    )
    assert _checks(group.note) == []


def test_attendance_changed_after_saving_is_named_until_saved_again(group, world):
    entry = group.note.entries.order_by("id")[0]
    Attendance.objects.filter(session=group.session, participant=entry.participant).update(
        status=AttendanceStatus.LEFT_EARLY, minutes=60
    )
    problems = _checks(group.note)
    assert len(problems) == 1
    assert problems[0].startswith(f"{entry.participant.display_name}: attendance changed")
    _fix(group, world, entry, 0)  # saving takes the new figures
    assert _checks(group.note) == []
    assert _entry_of(group, entry.participant_id).attended_minutes == 60


def test_zero_minutes_for_someone_present_is_named(group, world):
    entry = group.note.entries.order_by("id")[0]
    Attendance.objects.filter(session=group.session, participant=entry.participant).update(
        status=AttendanceStatus.LATE, minutes=0
    )
    _fix(group, world, entry, 0)
    assert _checks(group.note) == [
        f"{entry.participant.display_name}: 0 minutes attended does not fit a 90-minute "
        "session; correct the attendance times."
    ]
    Attendance.objects.filter(session=group.session, participant=entry.participant).update(
        minutes=30
    )
    _fix(group, world, entry, 0)
    assert _checks(group.note) == []


def test_a_session_length_changed_after_opening_is_named(group, world):
    session = group.session
    session.ends_at = session.starts_at + timedelta(minutes=120)
    session.save()
    problems = _checks(group.note)
    assert problems == [
        "The session now lasts 120 minutes but the note says 90; reopen the note from the "
        "session to take the new length."
    ]
    ClinicalNote.objects.filter(pk=group.note.pk).update(minutes=120)
    assert _checks(group.note) == []


def test_another_participants_name_in_a_section_is_named(group, world):
    me, other = list(group.note.entries.order_by("id").select_related("participant"))[:2]
    data = complete_input(group.objectives[me.participant_id], 0)
    data.text = f"Paired with {other.participant.legal_first_name.lower()} for the role-play."
    _save_one(group, world, me, data)
    problems = _checks(group.note)
    assert len(problems) == 1
    assert problems[0].startswith(f"{me.participant.display_name}: the section names another")
    assert other.participant.legal_first_name in problems[0]
    _fix(group, world, me, 0)
    assert _checks(group.note) == []


def test_a_name_in_the_risk_follow_up_is_caught_too(group, world):
    me, other = list(group.note.entries.order_by("id").select_related("participant"))[:2]
    data = complete_input(group.objectives[me.participant_id], 0)
    data.si_present = True
    data.risk_follow_up = f"Spoke after group; {other.participant.legal_last_name} waited outside."
    _save_one(group, world, me, data)
    assert any("names another participant" in p for p in _checks(group.note))


def test_an_absent_persons_name_is_caught_and_a_preferred_name_counts(group, world):
    absent = group.episodes[-1].participant
    absent.preferred_name = "Sunny"
    absent.save()
    me = group.note.entries.order_by("id")[0]
    data = complete_input(group.objectives[me.participant_id], 0)
    data.text = "Asked where sunny was today and practised the skill anyway."
    _save_one(group, world, me, data)
    assert any("(“Sunny”)" in p for p in _checks(group.note))


def test_a_word_that_only_contains_a_name_is_not_a_name(group, world):
    me, other = list(group.note.entries.order_by("id").select_related("participant"))[:2]
    data = complete_input(group.objectives[me.participant_id], 0)
    data.text = f"Practised the skill; {other.participant.legal_first_name}ish is not a name."
    _save_one(group, world, me, data)
    assert _checks(group.note) == []


def test_a_name_in_the_shared_part_is_named(group, world):
    other = group.episodes[1].participant
    services.note_save(
        note=group.note,
        actor=world.clinician,
        narrative=f"Taught TIPP; {other.legal_last_name} led the breathing demonstration.",
    )
    problems = _checks(group.note)
    assert len(problems) == 1
    assert problems[0].startswith("The shared part names a participant")
    services.note_save(note=group.note, actor=world.clinician, narrative="Taught TIPP.")
    assert _checks(group.note) == []


def test_an_expired_plan_is_named(group, world):
    entry = group.note.entries.order_by("id")[1]
    plan = TreatmentPlan.objects.get(episode_id=entry.episode_id, status="current")
    expired = timezone.localdate() - timedelta(days=3)
    TreatmentPlan.objects.filter(pk=plan.pk).update(expires_on=expired)
    problems = _checks(group.note)
    assert len(problems) == 1
    assert problems[0].startswith(f"{entry.participant.display_name}: the treatment plan expired")
    TreatmentPlan.objects.filter(pk=plan.pk).update(
        expires_on=timezone.localdate() + timedelta(days=30)
    )
    assert _checks(group.note) == []


def test_no_current_plan_is_named(group, world):
    entry = group.note.entries.order_by("id")[1]
    TreatmentPlan.objects.filter(episode_id=entry.episode_id).update(status="superseded")
    assert f"{entry.participant.display_name}: has no current treatment plan." in _checks(
        group.note
    )


def test_the_shared_part_must_be_written(group, world):
    services.note_save(note=group.note, actor=world.clinician, narrative="")
    assert _checks(group.note) == ["Write the shared part: what the group covered and how."]


def test_participation_and_response_must_be_chosen(group, world):
    entry = group.note.entries.order_by("id")[0]
    data = complete_input(group.objectives[entry.participant_id], 0)
    data.response = ""
    _save_one(group, world, entry, data)
    assert _checks(group.note) == [
        f"{entry.participant.display_name}: choose participation and response to the intervention."
    ]


def test_signing_refuses_with_every_named_reason_and_changes_nothing(group, world):
    first, second = list(group.note.entries.order_by("id"))[:2]
    bad = complete_input(group.objectives[first.participant_id], 0)
    bad.si_asked = None
    _save_one(group, world, first, bad)
    same = complete_input(group.objectives[second.participant_id], 2)
    same.text = group.note.entries.order_by("id")[2].text
    _save_one(group, world, second, same)
    with pytest.raises(ValidationError) as refused:
        services.note_sign(note=group.note, actor=world.clinician)
    messages = refused.value.messages
    assert any("answer the risk screen" in m for m in messages)
    assert any("identical text" in m for m in messages)
    note = ClinicalNote.objects.get(pk=group.note.pk)
    assert note.status == NoteStatus.DRAFT
    assert note.content_hash == ""


# --- individual notes -------------------------------------------------------------------------


def test_a_complete_individual_note_passes(individual):
    assert _checks(individual.note) == []


def test_every_section_of_the_format_must_be_filled(individual, world):
    sections = dict(individual.note.sections)
    sections["response"] = " "
    services.note_save(note=individual.note, actor=world.clinician, sections=sections)
    assert _checks(individual.note) == ["Fill in every section of the note: Response."]


def test_the_weeks_diary_cards_must_be_marked_reviewed(individual, world):
    day = services.session_local_date(individual.session)
    for back in (1, 3):
        DiaryCard.objects.create(
            organization=world.org,
            participant=world.participant,
            episode=world.episode,
            day=day - timedelta(days=back),
            urge_suicide=0,
            urge_self_harm=1,
            urge_substance=0,
            action_self_harm=False,
            action_substance=False,
            medication="taken",
            submitted_at=timezone.now(),
            submitted_by=world.participant_user,
        )
    assert _checks(individual.note) == [
        f"{world.participant.display_name}: 2 diary cards from this week not marked as reviewed."
    ]
    entry = individual.note.entries.get()
    data = complete_input(individual.objectives[world.participant.pk], 0)
    data.diary_reviewed = True
    services.entry_save(entry=entry, actor=world.clinician, data=data)
    assert _checks(individual.note) == []


def test_an_individual_participant_recorded_absent_cannot_have_a_note_signed(individual, world):
    Attendance.objects.filter(session=individual.session).update(
        status=AttendanceStatus.ABSENT_UNEXCUSED, minutes=0
    )
    services.note_save(
        note=individual.note, actor=world.clinician, sections=individual.note.sections
    )
    problems = _checks(individual.note)
    assert problems == [
        f"{world.participant.display_name}: recorded as absent (unexcused); a session note "
        "needs the participant to have attended."
    ]
