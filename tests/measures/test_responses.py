"""Responses: scored by the engine, pinned to the instrument version, immutable; corrections
are entered-in-error plus a new response; critical findings share the response's transaction."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from openiop.audit.models import Event
from openiop.measures import services
from openiop.measures.models import (
    AdministrationStatus,
    CriticalFinding,
    DraftResponse,
    FindingKind,
    FindingStatus,
    ImmutableResponseError,
    Response,
    ResponseMode,
    ResponseStatus,
)
from tests.measures.helpers import PHQ9_ITEM9, PHQ9_MILD, due, record

# C-SSRS screener: Q1..Q6 then "Q6 within the past 3 months".
CSSRS_HIGH = [1, 1, 0, 1, 0, 0, 0]
CSSRS_MODERATE = [1, 1, 1, 0, 0, 0, 0]
CSSRS_LOW = [1, 0, 0, 0, 0, 0, 0]


def test_a_response_is_scored_and_pins_the_instrument_version(world) -> None:
    response = record(world, "PHQ-9", PHQ9_MILD)
    assert response.total == 6
    assert response.severity == "mild"
    assert response.instrument_version == "1.0"
    assert response.result["total"] == 6
    assert response.critical is False
    assert Event.objects.filter(
        participant=world.participant, summary="Questionnaire completed"
    ).exists()


def test_phq9_item9_is_critical_whatever_the_total(world) -> None:
    response = record(world, "PHQ-9", PHQ9_ITEM9)
    assert response.total == 1
    assert response.critical is True
    assert response.critical_items == ["phq9_9"]
    finding = CriticalFinding.objects.get(response=response)
    assert finding.kind == FindingKind.PHQ9_ITEM9
    assert finding.status == FindingStatus.OPEN
    assert finding.participant == world.participant


@pytest.mark.parametrize(
    ("answers", "tier", "kind"),
    [
        (CSSRS_HIGH, "high", FindingKind.CSSRS_HIGH),
        (CSSRS_MODERATE, "moderate", FindingKind.CSSRS_MODERATE),
    ],
)
def test_cssrs_moderate_and_high_are_critical_findings(world, answers, tier, kind) -> None:
    response = record(world, "C-SSRS", answers)
    assert response.risk_tier == tier
    assert response.critical is True
    assert list(CriticalFinding.objects.values_list("kind", flat=True)) == [kind]


def test_cssrs_low_is_recorded_without_a_finding(world) -> None:
    response = record(world, "C-SSRS", CSSRS_LOW)
    assert response.risk_tier == "low"
    assert response.critical is False
    assert CriticalFinding.objects.count() == 0


def test_a_failure_after_the_insert_saves_neither_response_nor_finding(world, monkeypatch) -> None:
    def explode(response: Response) -> None:
        assert Response.objects.filter(pk=response.pk).exists()  # the insert did happen
        raise DatabaseError("simulated failure between the response and its findings")

    monkeypatch.setattr(services, "_after_response_insert", explode)
    with pytest.raises(DatabaseError):
        record(world, "PHQ-9", PHQ9_ITEM9)
    assert Response.objects.count() == 0
    assert CriticalFinding.objects.count() == 0
    assert not Event.objects.filter(summary__startswith="Questionnaire").exists()


def test_bad_answers_are_refused_with_the_engines_message_and_nothing_saved(world) -> None:
    with pytest.raises(ValidationError, match="9 items"):
        record(world, "PHQ-9", [1, 2, 3])
    with pytest.raises(ValidationError, match="out of range"):
        record(world, "PHQ-9", [4, 0, 0, 0, 0, 0, 0, 0, 0])
    with pytest.raises(ValidationError, match="Unknown instrument"):
        record(world, "NOPE-1", [0])
    assert Response.objects.count() == 0


def test_a_saved_response_cannot_be_changed_or_deleted(world) -> None:
    response = record(world, "PHQ-9", PHQ9_MILD)
    response.total = 0
    with pytest.raises(ImmutableResponseError):
        response.save()
    with pytest.raises(ImmutableResponseError):
        response.save(update_fields=["status"])  # only the service may make the transition
    with pytest.raises(ImmutableResponseError):
        response.delete()
    with pytest.raises(ImmutableResponseError):
        Response.objects.filter(pk=response.pk).update(total=0)
    response.refresh_from_db()
    assert response.total == 6


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_refuses_a_raw_update_of_the_answers(world) -> None:
    response = record(world, "PHQ-9", PHQ9_MILD)
    with (
        pytest.raises(DatabaseError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE measures_response SET total = 0 WHERE id = %s", [response.pk])


def test_entered_in_error_needs_a_reason_and_happens_once(world) -> None:
    response = record(world, "PHQ-9", PHQ9_MILD)
    with pytest.raises(ValidationError, match="Say why"):
        services.response_mark_entered_in_error(
            response=response, reason="  ", actor=world.clinician
        )
    response.refresh_from_db()
    assert response.status == ResponseStatus.FINAL

    marked = services.response_mark_entered_in_error(
        response=response, reason="Wrong participant", actor=world.clinician
    )
    assert marked.status == ResponseStatus.ENTERED_IN_ERROR
    assert marked.error_reason == "Wrong participant"
    assert marked.error_marked_by == world.clinician
    assert marked.answers == PHQ9_MILD  # the record stays as it was
    with pytest.raises(ValidationError, match="already"):
        services.response_mark_entered_in_error(
            response=marked, reason="again", actor=world.clinician
        )


def test_a_correction_replaces_the_original_in_one_step(world) -> None:
    original = record(world, "PHQ-9", PHQ9_MILD)
    corrected = services.response_correct(
        response=original,
        answers=[2] * 8 + [0],
        reason="Typed item 1-8 wrongly",
        actor=world.clinician,
    )
    original.refresh_from_db()
    assert original.status == ResponseStatus.ENTERED_IN_ERROR
    assert corrected.corrects == original
    assert corrected.total == 16
    assert corrected.completed_at == original.completed_at
    assert corrected.instrument_version == original.instrument_version
    assert Response.objects.final().get() == corrected


def test_a_failed_correction_leaves_the_original_final(world) -> None:
    original = record(world, "PHQ-9", PHQ9_MILD)
    with pytest.raises(ValidationError):
        services.response_correct(
            response=original, answers=[9] * 9, reason="oops", actor=world.clinician
        )
    original.refresh_from_db()
    assert original.status == ResponseStatus.FINAL
    assert Response.objects.count() == 1


def test_answering_a_check_in_completes_it_and_clears_the_draft(world) -> None:
    administration = due(world)
    services.draft_answer(administration=administration, index=0, value=1)
    record(world, "PHQ-9", PHQ9_MILD, administration=administration, mode=ResponseMode.PORTAL)
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.COMPLETED
    assert not DraftResponse.objects.exists()
    with pytest.raises(ValidationError, match="no longer open"):
        record(world, "PHQ-9", PHQ9_MILD, administration=administration, mode=ResponseMode.PORTAL)


def test_a_check_in_cannot_be_answered_for_another_participant(world) -> None:
    administration = due(world, participant=world.other_participant, episode=world.other_episode)
    with pytest.raises(ValidationError, match="someone else"):
        record(world, "PHQ-9", PHQ9_MILD, administration=administration)
    assert Response.objects.count() == 0


def test_instruments_without_shipped_text_are_not_taken_in_the_portal(world) -> None:
    with pytest.raises(ValidationError, match="clinician only"):
        record(world, "BSL-23", [0] * 23, mode=ResponseMode.PORTAL)
    response = record(world, "BSL-23", [1] * 23)
    assert response.total == 1
