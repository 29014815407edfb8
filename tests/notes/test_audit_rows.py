"""Reading a note leaves audit rows that name the note (its id), one per attendee, so the
audit CSV says which note was read, not only whose chart."""

from __future__ import annotations

from django.urls import reverse

from openiop.audit.models import AccessAction, AccessLog
from tests.audit.test_export import rows_of


def test_note_rows_carry_the_notes_id_in_the_audit_csv(group, world, login) -> None:
    note = group.note
    login(world.clinician).get(reverse("notes:note", args=[note.public_id]))
    attendees = {e.participant_id for e in note.entries.all()}
    rows = AccessLog.objects.filter(object_type="notes.note", action=AccessAction.VIEW)
    assert {r.participant_id for r in rows} == attendees
    assert {r.object_id for r in rows} == {str(note.public_id)}

    response = login(world.admin).get(
        "/audit/export.csv", {"participant": str(world.participant.public_id)}
    )
    exported = [r for r in rows_of(response) if r["object_type"] == "notes.note"]
    assert exported
    assert all(r["object_id"] == str(note.public_id) for r in exported)
    assert all(r["participant_id"] == str(world.participant.public_id) for r in exported)


def test_the_chart_copy_row_names_the_note(group, world, login) -> None:
    note = group.note
    url = reverse("notes:chart_copy", args=[world.participant.public_id, note.public_id])
    assert login(world.clinician).get(url).status_code == 200
    row = AccessLog.objects.get(object_type="notes.chart_copy")
    assert row.participant == world.participant
    assert row.object_id == str(note.public_id)
