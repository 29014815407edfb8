"""Signing locks a note under a content hash; after that only addenda and the supervisor's
co-signature are added. A change made to a signed row anyway is detected by its hash."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from openiop.accounts.roles import Role
from openiop.audit.models import Event
from openiop.notes import services
from openiop.notes.models import (
    ClinicalNote,
    NoteAddendum,
    NoteEntry,
    NoteLockedError,
    NoteObjective,
    NoteStatus,
)
from tests import factories as f
from tests.notes.conftest import complete_input


def _signed(group, world) -> ClinicalNote:
    return services.note_sign(note=group.note, actor=world.clinician)


def _tamper(sql_update) -> None:
    """Change a row behind the application's back, as someone with database access could;
    on PostgreSQL that means switching the lock triggers off for this session first."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        sql_update()


def test_signing_locks_the_note_with_a_hash_and_tells_each_timeline(group, world):
    note = _signed(group, world)
    assert note.status == NoteStatus.SIGNED
    assert note.signed_by == world.clinician
    assert len(note.content_hash) == 64
    assert services.note_hash_intact(note)
    summaries = list(
        Event.objects.filter(kind=services.EVENT_NOTE).values_list("participant_id", "summary")
    )
    assert sorted(summaries) == sorted(
        (e.participant_id, "Group note signed") for e in note.entries.all()
    )


def test_a_changed_entry_is_detected_by_the_hash(group, world):
    note = _signed(group, world)
    entry = note.entries.order_by("id").first()
    assert entry is not None
    _tamper(lambda: NoteEntry.objects.filter(pk=entry.pk).update(text="Something else."))
    assert not services.note_hash_intact(note)


def test_a_removed_objective_link_is_detected_by_the_hash(group, world):
    note = _signed(group, world)
    _tamper(lambda: NoteObjective.objects.filter(entry__note=note).first().delete())
    assert not services.note_hash_intact(note)


def test_a_changed_shared_part_is_detected_by_the_hash(group, world):
    note = _signed(group, world)
    _tamper(lambda: ClinicalNote.objects.filter(pk=note.pk).update(narrative="Rewritten."))
    assert not services.note_hash_intact(note)


def test_a_changed_addendum_is_detected_by_the_hash(group, world):
    note = _signed(group, world)
    addendum = services.addendum_add(note=note, actor=world.clinician, text="Late entry.")
    assert services.note_hash_intact(note)
    _tamper(lambda: NoteAddendum.objects.filter(pk=addendum.pk).update(text="Changed."))
    assert not services.note_hash_intact(note)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database triggers: PostgreSQL")
def test_the_database_refuses_changes_to_a_signed_note(group, world):
    note = _signed(group, world)
    for change in (
        lambda: NoteEntry.objects.filter(note=note).update(text="x"),
        lambda: ClinicalNote.objects.filter(pk=note.pk).update(narrative="x"),
        lambda: NoteObjective.objects.filter(entry__note=note).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert services.note_hash_intact(note)


def test_edits_after_signing_are_refused(group, world):
    note = _signed(group, world)
    entry = note.entries.order_by("id").first()
    assert entry is not None
    data = complete_input(group.objectives[entry.participant_id], 5)
    with pytest.raises(ValidationError, match="signed"):
        services.note_save(note=note, actor=world.clinician, narrative="Changed.")
    with pytest.raises(ValidationError, match="signed"):
        services.entry_save(entry=entry, actor=world.clinician, data=data)
    with pytest.raises(ValidationError, match="is signed"):
        services.note_sign(note=note, actor=world.clinician)
    entry.text = "Changed in code."
    with pytest.raises(NoteLockedError):
        entry.save()
    note.narrative = "Changed in code."
    with pytest.raises(NoteLockedError):
        note.save()
    assert services.note_hash_intact(note)


def test_only_the_author_saves_and_signs(group, world):
    other = f.UserFactory(organization=world.org, role=Role.CLINICIAN, programs=[world.program])
    with pytest.raises(PermissionDenied):
        services.note_save(note=group.note, actor=other, narrative="Mine now.")
    with pytest.raises(PermissionDenied):
        services.note_sign(note=group.note, actor=other)


def test_objectives_from_someone_elses_plan_are_refused(group, world):
    me, other = list(group.note.entries.order_by("id"))[:2]
    data = complete_input(group.objectives[other.participant_id], 0)
    with pytest.raises(ValidationError) as refused:
        services.note_save(note=group.note, actor=world.clinician, entries={me.pk: data})
    assert f"e{me.pk}-objectives" in refused.value.message_dict
    assert not NoteObjective.objects.filter(
        entry=me, objective__in=group.objectives[other.participant_id]
    ).exists()


def test_an_addendum_is_signed_and_hashed_when_written(group, world):
    note = _signed(group, world)
    addendum = services.addendum_add(
        note=note, actor=world.clinician, text="  Called after group; doing well.  "
    )
    assert addendum.text == "Called after group; doing well."
    assert addendum.signed_at is not None
    assert len(addendum.content_hash) == 64
    addendum.text = "Edited"
    with pytest.raises(NoteLockedError):
        addendum.save()
    assert Event.objects.filter(summary="Group note addendum added").count() == 3


def test_an_addendum_needs_a_signed_note_and_text(group, world):
    with pytest.raises(ValidationError, match="Sign the note first"):
        services.addendum_add(note=group.note, actor=world.clinician, text="Early.")
    note = _signed(group, world)
    with pytest.raises(ValidationError):
        services.addendum_add(note=note, actor=world.clinician, text="   ")
    with pytest.raises(PermissionDenied):
        services.addendum_add(note=note, actor=world.billing, text="Billing note.")
    assert not NoteAddendum.objects.exists()


# --- co-signature -----------------------------------------------------------------------------


def test_a_supervisees_note_needs_the_supervisors_co_signature(group, world):
    world.clinician.supervisor = world.director
    world.clinician.save()
    note = _signed(group, world)
    assert note.cosign_required
    assert note.cosign_pending
    assert [n.pk for n in services.cosign_queue(world.director)] == [note.pk]
    cosigned = services.note_cosign(note=note, actor=world.director)
    assert cosigned.cosigned_by == world.director
    assert not cosigned.cosign_pending
    assert services.note_hash_intact(cosigned)  # the co-signature is outside the signed content
    assert services.cosign_queue(world.director) == []
    with pytest.raises(ValidationError, match="already co-signed"):
        services.note_cosign(note=note, actor=world.director)


def test_only_the_authors_own_supervisor_co_signs(group, world):
    world.clinician.supervisor = world.director
    world.clinician.save()
    note = _signed(group, world)
    another = f.UserFactory(organization=world.org, role=Role.DIRECTOR, programs=[world.program])
    for actor in (another, world.clinician):
        with pytest.raises(PermissionDenied):
            services.note_cosign(note=note, actor=actor)
    assert ClinicalNote.objects.get(pk=note.pk).cosigned_at is None


def test_no_co_signature_without_a_supervisor_or_before_signing(group, world):
    with pytest.raises(ValidationError, match="after its author signs"):
        services.note_cosign(note=group.note, actor=world.director)
    note = _signed(group, world)
    assert not note.cosign_required
    with pytest.raises(ValidationError, match="does not need"):
        services.note_cosign(note=note, actor=world.director)


# --- opening --------------------------------------------------------------------------------


def test_opening_twice_gives_the_same_note_and_billing_cannot_open_one(group, world):
    again = services.note_open_for_session(session=group.session, actor=world.clinician)
    assert again.pk == group.note.pk
    with pytest.raises(PermissionDenied):
        services.note_open_for_session(session=group.session, actor=world.billing)
    with pytest.raises(PermissionDenied):
        services.note_open_for_session(session=group.session, actor=world.outsider_clinician)


def test_the_shared_part_starts_from_the_session(group, world):
    note = group.note
    assert note.topic == "Distress tolerance: TIPP"
    assert note.facilitators == world.clinician.display_name
    assert note.minutes == 90
    assert note.absent_count == 1
    statuses = set(note.entries.values_list("attendance_status", "attended_minutes"))
    assert statuses == {("present", 90)}


def test_an_addendum_about_one_attendee_reaches_only_their_timeline(group, world):
    note = _signed(group, world)
    entry = note.entries.get(participant=world.participant)
    services.addendum_add(
        note=note, actor=world.clinician, text="Called to check in; doing well.", entry=entry
    )
    assert list(
        Event.objects.filter(summary="Group note addendum added").values_list(
            "participant_id", flat=True
        )
    ) == [world.participant.pk]


def test_an_addendum_naming_someone_whose_chart_it_misses_is_refused(group, world):
    note = _signed(group, world)
    entry = note.entries.get(participant=world.participant)
    other = note.entries.exclude(pk=entry.pk).select_related("participant").first()
    assert other is not None
    with pytest.raises(ValidationError, match="names a participant"):
        services.addendum_add(
            note=note,
            actor=world.clinician,
            text=f"Sat next to {other.participant.legal_last_name}.",
            entry=entry,
        )
    with pytest.raises(ValidationError, match="names a participant"):
        services.addendum_add(note=note, actor=world.clinician, text="Pat arrived first.")
    services.addendum_add(
        note=note, actor=world.clinician, text="Pat stayed after group.", entry=entry
    )
    assert NoteAddendum.objects.count() == 1


def test_intake_reads_but_does_not_add_to_notes(group, world):
    note = _signed(group, world)
    assert services.may_read_notes(world.intake, world.program)
    with pytest.raises(PermissionDenied):
        services.addendum_add(note=note, actor=world.intake, text="From intake.")
