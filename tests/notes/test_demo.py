"""The demo clinic's notes: signed notes for active participants whose hashes hold and which
pass the checks before signing, drafts overdue on the homes, co-signed and waiting notes, and
an addendum."""

from __future__ import annotations

import pytest

from openiop.care.models import TreatmentPlan
from openiop.notes import services
from openiop.notes.models import ClinicalNote, NoteAddendum, NoteKind, NoteStatus
from openiop.participants.models import EpisodeStatus
from tests.demo.conftest import demo, demo_once  # noqa: F401  (fixtures)


def test_the_demo_has_notes_for_attended_sessions(demo):  # noqa: F811
    notes = ClinicalNote.objects.filter(program=demo.program)
    assert notes.filter(kind=NoteKind.GROUP).count() >= 10
    assert notes.filter(kind=NoteKind.INDIVIDUAL).exists()
    assert notes.filter(status=NoteStatus.DRAFT).exists()


def test_the_demos_signed_notes_hold_and_would_pass_the_checks(demo):  # noqa: F811
    if not TreatmentPlan.objects.filter(status="current").exists():
        pytest.skip("the care demo made no current plans, so no note can be signed")
    signed = ClinicalNote.objects.filter(program=demo.program, status=NoteStatus.SIGNED)
    active = set(
        demo.program.episodes.filter(status=EpisodeStatus.ACTIVE).values_list(
            "participant_id", flat=True
        )
    )
    assert active & set(signed.values_list("entries__participant_id", flat=True))
    for note in signed.select_related("session__program").order_by("id")[:12]:
        assert services.note_hash_intact(note), note.pk
        note.status = NoteStatus.DRAFT  # in memory only: would it have passed?
        assert services.note_sign_checks(note) == [], note.pk
    assert signed.filter(cosigned_at__isnull=False).exists()
    assert signed.filter(cosign_required=True, cosigned_at__isnull=True).exists()
    addendum = NoteAddendum.objects.get(note__program=demo.program)
    assert services.note_hash_intact(addendum.note)
