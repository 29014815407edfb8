"""The medication list: recording (never prescribing), MOUD marking with the Part 2 consent
that allows coordinating, and reconciliation as a signed step."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from openiop.audit.models import Event
from openiop.participants import consents
from openiop.substance_use.models import Medication, MedicationReconciliation
from openiop.substance_use.selectors import (
    medication_list_text,
    medication_panel,
    medications_for_episode,
)
from openiop.substance_use.services import (
    MedicationInput,
    medication_mark_in_error,
    medication_record,
    medication_update,
    reconciliation_sign,
)

BUPRENORPHINE = MedicationInput(
    name="Buprenorphine/naloxone",
    dose="8 mg",
    route="sublingual",
    frequency="twice daily",
    indication="opioid use disorder",
    prescriber_kind="outside",
    prescriber_name="Dr. Rae Osei",
    source="prescriber",
)
SERTRALINE = MedicationInput(
    name="Sertraline", dose="50 mg", frequency="once daily", prescriber_kind="not_known"
)


def _with(data: MedicationInput, **changes: object) -> MedicationInput:
    return MedicationInput(**{**data.__dict__, **changes})


def _sign(
    w: SimpleNamespace, occasion: str, *, days: int = 0, present: bool = True, note: str = ""
):
    return reconciliation_sign(
        actor=w.clinician,
        episode=w.episode,
        occasion=occasion,
        reviewed_on=w.today + timedelta(days=days),
        reviewed_with_participant=present,
        note=note,
    )


def test_moud_is_marked_and_asks_for_a_consent_until_one_names_the_prescriber(
    sud: SimpleNamespace,
) -> None:
    medication_record(actor=sud.clinician, episode=sud.episode, data=BUPRENORPHINE)
    panel = medication_panel(sud.episode, on=sud.today)
    (row,) = panel.rows
    assert row.use_disorder is not None
    assert row.use_disorder.label == "MOUD"
    assert not row.coordinating
    assert panel.gaps == [
        "Buprenorphine/naloxone (MOUD): no Part 2 consent names Dr. Rae Osei; "
        "coordinating with them needs one."
    ]

    medication_update(
        actor=sud.clinician,
        medication=Medication.objects.get(),
        data=_with(BUPRENORPHINE, coordination_consent=sud.part2),
    )
    panel = medication_panel(sud.episode, on=sud.today)
    assert panel.rows[0].coordinating
    assert panel.gaps == []


def test_a_revoked_consent_stops_the_coordinating(sud: SimpleNamespace) -> None:
    medication_record(
        actor=sud.clinician,
        episode=sud.episode,
        data=_with(BUPRENORPHINE, coordination_consent=sud.part2),
    )
    consents.consent_revoke(actor=sud.clinician, consent=sud.part2, how="writing")
    panel = medication_panel(sud.episode, on=sud.today)
    assert not panel.rows[0].coordinating
    assert len(panel.gaps) == 1
    # A revoked consent cannot be named again.
    with pytest.raises(ValidationError):
        medication_record(
            actor=sud.clinician,
            episode=sud.episode,
            data=_with(
                SERTRALINE,
                prescriber_kind="outside",
                prescriber_name="Dr. B",
                coordination_consent=sud.part2,
            ),
        )


def test_bad_entries_are_refused_and_nothing_is_written(sud: SimpleNamespace) -> None:
    cases = [
        (_with(SERTRALINE, prescriber_kind="outside"), "Name the outside prescriber"),
        (_with(SERTRALINE, prescriber_kind="program"), "one of the program's clinicians"),
        (_with(SERTRALINE, start_on=sud.today, stop_on=sud.today - timedelta(days=1)), "before"),
        (_with(SERTRALINE, stop_reason="side effects"), "needs a stop date"),
        (_with(SERTRALINE, route="by magic"), "from the lists"),
    ]
    for data, words in cases:
        with pytest.raises(ValidationError, match=words):
            medication_record(actor=sud.clinician, episode=sud.episode, data=data)
    # Intake and billing never record medications; nor does a clinician of another program.
    for actor in (sud.intake, sud.billing, sud.outsider_clinician):
        with pytest.raises(ValidationError):
            medication_record(actor=actor, episode=sud.episode, data=SERTRALINE)
    assert Medication.objects.count() == 0


def test_a_program_clinician_may_be_the_prescriber(sud: SimpleNamespace) -> None:
    medication_record(
        actor=sud.clinician,
        episode=sud.episode,
        data=_with(SERTRALINE, prescriber_kind="program", prescriber_user=sud.director),
    )
    (entry,) = medications_for_episode(sud.episode)
    assert entry.prescriber.describe() == "program clinician Dana Director"
    with pytest.raises(ValidationError, match="program's clinicians"):
        medication_record(
            actor=sud.clinician,
            episode=sud.episode,
            data=_with(
                SERTRALINE, prescriber_kind="program", prescriber_user=sud.outsider_clinician
            ),
        )


def test_the_list_other_rooms_read_leaves_out_entries_in_error_and_stopped_ones_on_request(
    sud: SimpleNamespace,
) -> None:
    medication_record(actor=sud.clinician, episode=sud.episode, data=BUPRENORPHINE)
    wrong = medication_record(actor=sud.clinician, episode=sud.episode, data=SERTRALINE)
    medication_record(
        actor=sud.clinician,
        episode=sud.episode,
        data=_with(
            SERTRALINE,
            name="Lorazepam",
            dose="1 mg",
            start_on=sud.today - timedelta(days=30),
            stop_on=sud.today - timedelta(days=2),
            stop_reason="taper finished",
        ),
    )
    medication_mark_in_error(actor=sud.clinician, medication=wrong)
    assert [e.name for e in medications_for_episode(sud.episode)] == [
        "Buprenorphine/naloxone",
        "Lorazepam",
    ]
    assert [e.name for e in medications_for_episode(sud.episode, current_on=sud.today)] == [
        "Buprenorphine/naloxone"
    ]
    assert medication_list_text(sud.episode, on=sud.today) == (
        "Buprenorphine/naloxone 8 mg under the tongue twice daily."
    )
    # The row stays, marked: nothing clinical is deleted.
    assert Medication.objects.filter(status="entered_in_error").count() == 1


def test_reconciliation_names_the_changes_since_the_last_one_and_is_signed(
    sud: SimpleNamespace,
) -> None:
    bup = medication_record(actor=sud.clinician, episode=sud.episode, data=BUPRENORPHINE)
    medication_record(actor=sud.clinician, episode=sud.episode, data=SERTRALINE)
    admission = _sign(sud, "admission")
    assert admission.summary.startswith("Reviewed with the participant at admission on ")
    assert "started Buprenorphine/naloxone 8 mg under the tongue twice daily" in admission.summary
    assert admission.hash_matches()

    medication_update(actor=sud.clinician, medication=bup, data=_with(BUPRENORPHINE, dose="12 mg"))
    review = _sign(sud, "plan_review")
    assert review.changes == ["Buprenorphine/naloxone: dose changed 8 mg → 12 mg"]
    again = _sign(sud, "plan_review")
    assert again.changes == []
    assert "No changes." in again.summary
    assert Event.objects.filter(kind="medication_review").count() == 3


def test_admission_and_discharge_are_signed_once_and_admission_comes_first(
    sud: SimpleNamespace,
) -> None:
    _sign(sud, "plan_review")
    with pytest.raises(ValidationError, match="comes first"):
        _sign(sud, "admission")
    with pytest.raises(ValidationError, match="without the participant"):
        _sign(sud, "discharge", present=False)
    _sign(
        sud,
        "discharge",
        present=False,
        note="Left before the last day; reviewed by phone with the prescriber.",
    )
    with pytest.raises(ValidationError, match="already signed"):
        _sign(sud, "discharge")
    with pytest.raises(ValidationError, match="future"):
        _sign(sud, "plan_review", days=1)
    assert MedicationReconciliation.objects.count() == 2


def test_a_signed_reconciliation_never_changes(sud: SimpleNamespace) -> None:
    signed = _sign(sud, "admission")
    signed.note = "edited later"
    with pytest.raises(ValueError, match="never changes"):
        signed.save()
    assert not signed.hash_matches()
