"""The medication list: entries, MOUD/MAUD recognition, reconciliation wording."""

from __future__ import annotations

from datetime import timedelta

import pytest

from openiop.substance_use.core.medications import (
    ChangeKind,
    MedicationError,
    Occasion,
    Prescriber,
    PrescriberKind,
    Route,
    UseDisorder,
    coordination_gaps,
    describe_list,
    recognise,
    reconcile,
)
from tests.substance_use.builders import MONDAY, med

OTP = Prescriber(PrescriberKind.OTP, name="Harbor Treatment Center", party_key="party-otp")
CLINIC = Prescriber(PrescriberKind.PROGRAM, name="Dr. B. Example", party_key="user-7")


# --- recognition ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "generic"),
    [
        ("Suboxone 8 mg/2 mg film", "buprenorphine"),
        ("buprenorphine/naloxone", "buprenorphine"),
        ("Buprenorphine-Naloxone", "buprenorphine"),
        ("Sublocade 300 mg", "buprenorphine"),
        ("Zubsolv", "buprenorphine"),
        ("Methadose oral concentrate", "methadone"),
        ("methadone HCl", "methadone"),
    ],
)
def test_moud_is_recognised_by_generic_or_brand_name(name: str, generic: str) -> None:
    found = recognise(name)
    assert found is not None
    assert found.generic == generic
    assert found.treats == {UseDisorder.OPIOID}
    assert found.label == "MOUD"


@pytest.mark.parametrize(
    ("name", "generic"),
    [("Campral", "acamprosate"), ("acamprosate", "acamprosate"), ("Antabuse", "disulfiram")],
)
def test_maud_is_recognised_by_generic_or_brand_name(name: str, generic: str) -> None:
    found = recognise(name)
    assert found is not None
    assert (found.generic, found.label) == (generic, "MAUD")


def test_naltrexone_is_moud_or_maud_by_its_indication() -> None:
    assert recognise("Vivitrol", "opioid use disorder").label == "MOUD"
    assert recognise("naltrexone 50 mg", "alcohol use disorder").label == "MAUD"
    unsaid = recognise("Revia")
    assert unsaid is not None
    assert unsaid.label == "MOUD or MAUD"
    assert "record the indication" in unsaid.note


def test_buprenorphine_for_pain_is_not_moud() -> None:
    assert recognise("Butrans patch") is None
    assert recognise("Belbuca") is None
    assert recognise("buprenorphine", "chronic back pain") is None
    assert recognise("Butrans", "opioid use disorder and pain") is not None


@pytest.mark.parametrize("name", ["sertraline", "lorazepam", "naloxone nasal spray", "methadon"])
def test_other_medications_are_not_moud_or_maud(name: str) -> None:
    assert recognise(name) is None


# --- entries -------------------------------------------------------------------------------


def test_an_entry_cannot_stop_before_it_starts() -> None:
    with pytest.raises(MedicationError, match="before the start"):
        med("sertraline", start=MONDAY, stop=MONDAY - timedelta(days=1))


def test_a_program_prescriber_is_a_clinician_and_an_outside_one_is_named() -> None:
    with pytest.raises(MedicationError, match="program's clinicians"):
        Prescriber(PrescriberKind.PROGRAM, name="Dr. B")
    with pytest.raises(MedicationError, match="Name the outside prescriber"):
        Prescriber(PrescriberKind.OTP)
    assert Prescriber(PrescriberKind.NOT_KNOWN).describe() == "prescriber not known"


def test_an_entry_reads_as_a_sentence() -> None:
    entry = med(
        "Suboxone", dose="8 mg/2 mg", route=Route.SUBLINGUAL, frequency="once daily", prescriber=OTP
    )
    assert entry.describe() == "Suboxone 8 mg/2 mg under the tongue once daily"
    assert entry.use_disorder is not None


def test_moud_without_a_consent_naming_its_prescriber_is_a_coordination_gap() -> None:
    entries = [
        med("Methadose", dose="80 mg", prescriber=OTP),
        med("Suboxone", prescriber=Prescriber(PrescriberKind.NOT_KNOWN)),
        med("sertraline", prescriber=Prescriber(PrescriberKind.OUTSIDE, name="Dr. C")),
        med("Campral", prescriber=CLINIC),
    ]
    gaps = coordination_gaps(entries, on=MONDAY, consented_parties=set())
    assert gaps == [
        "Methadose (MOUD): no Part 2 consent names Harbor Treatment Center; coordinating with "
        "them needs one.",
        "Suboxone (MOUD): record who prescribes it to coordinate care.",
    ]
    assert coordination_gaps(entries[:1], on=MONDAY, consented_parties={"party-otp"}) == []


# --- reconciliation ------------------------------------------------------------------------


def test_reconciliation_names_what_started_stopped_and_changed() -> None:
    bup = med(
        "buprenorphine/naloxone", dose="8 mg", key="m-bup", route=Route.SUBLINGUAL, prescriber=OTP
    )
    lorazepam = med("lorazepam", dose="1 mg", key="m-lzp", frequency="as needed")
    sertraline = med("sertraline", dose="50mg", key="m-ser")
    previous = [bup, lorazepam, sertraline]
    reviewed = [
        med(
            "buprenorphine/naloxone",
            dose="12 mg",
            key="m-bup",
            route=Route.SUBLINGUAL,
            prescriber=OTP,
        ),
        med(
            "lorazepam",
            dose="1 mg",
            key="m-lzp",
            frequency="as needed",
            stop=MONDAY - timedelta(days=3),
            stop_reason="tapered off with the prescriber",
        ),
        med("sertraline", dose="50 MG", key="m-ser"),
        med("naltrexone", dose="50 mg", key="m-ntx", indication="alcohol use disorder"),
    ]
    done = reconcile(
        previous,
        reviewed,
        occasion=Occasion.PLAN_REVIEW,
        on=MONDAY,
        reviewed_with_participant=True,
    )
    assert [c.text for c in done.changes] == [
        "started naltrexone 50 mg by mouth once daily (outside prescriber Dr. A. Example)",
        "stopped lorazepam 1 mg by mouth as needed on 2 Jan 2026 (tapered off with the prescriber)",
        "buprenorphine/naloxone: dose changed 8 mg → 12 mg",
    ]
    assert [c.kind for c in done.changes] == [
        ChangeKind.STARTED,
        ChangeKind.STOPPED,
        ChangeKind.CHANGED,
    ]
    assert done.summary.startswith(
        "Reviewed with the participant at the plan review on 5 Jan 2026. Changes: started "
    )
    assert [e.key for e in done.current] == ["m-bup", "m-ntx", "m-ser"]
    assert done.use_disorder_medications == (
        "buprenorphine/naloxone (MOUD)",
        "naltrexone (MAUD)",
    )


def test_a_medication_left_off_the_reviewed_list_is_stopped() -> None:
    done = reconcile(
        [med("trazodone", dose="50 mg", key="m-1")],
        [],
        occasion=Occasion.DISCHARGE,
        on=MONDAY,
        reviewed_with_participant=True,
    )
    assert [c.text for c in done.changes] == ["stopped trazodone 50 mg by mouth once daily"]
    assert done.summary == (
        "Reviewed with the participant at discharge on 5 Jan 2026. Changes: stopped trazodone "
        "50 mg by mouth once daily."
    )


def test_an_entry_typed_in_again_is_matched_by_name_not_started_and_stopped() -> None:
    done = reconcile(
        [med("Sertraline", dose="50 mg", key="m-old", frequency="once daily")],
        [med("sertraline", dose="100 mg", key="m-new", frequency="twice daily")],
        occasion=Occasion.PLAN_REVIEW,
        on=MONDAY,
        reviewed_with_participant=True,
    )
    assert [c.text for c in done.changes] == [
        "sertraline: dose changed 50 mg → 100 mg; frequency changed once daily → twice daily"
    ]


def test_route_prescriber_and_indication_changes_are_named() -> None:
    done = reconcile(
        [med("naltrexone", dose="50 mg", key="m-1", prescriber=CLINIC)],
        [
            med(
                "naltrexone",
                dose="380 mg",
                key="m-1",
                route=Route.INTRAMUSCULAR,
                frequency="every 4 weeks",
                prescriber=OTP,
                indication="opioid use disorder",
            )
        ],
        occasion=Occasion.PLAN_REVIEW,
        on=MONDAY,
        reviewed_with_participant=True,
    )
    (change,) = done.changes
    assert change.text == (
        "naltrexone: dose changed 50 mg → 380 mg; route changed oral → intramuscular; "
        "frequency changed once daily → every 4 weeks; prescriber changed program clinician "
        "Dr. B. Example → opioid treatment program Harbor Treatment Center; indication changed "
        "not recorded → opioid use disorder"
    )


def test_a_review_without_changes_says_so_and_admission_starts_everything() -> None:
    entries = [med("sertraline", dose="50 mg", key="m-1")]
    same = reconcile(
        entries, entries, occasion=Occasion.PLAN_REVIEW, on=MONDAY, reviewed_with_participant=True
    )
    assert same.changes == ()
    assert (
        same.summary
        == "Reviewed with the participant at the plan review on 5 Jan 2026. No changes."
    )
    admitted = reconcile(
        [], entries, occasion=Occasion.ADMISSION, on=MONDAY, reviewed_with_participant=True
    )
    assert [c.kind for c in admitted.changes] == [ChangeKind.STARTED]
    empty = reconcile(
        [], [], occasion=Occasion.ADMISSION, on=MONDAY, reviewed_with_participant=True
    )
    assert empty.summary.endswith("No medications recorded.")


def test_a_discharge_reconciliation_without_the_participant_says_why() -> None:
    with pytest.raises(MedicationError, match="without the participant"):
        reconcile([], [], occasion=Occasion.DISCHARGE, on=MONDAY, reviewed_with_participant=False)
    done = reconcile(
        [],
        [],
        occasion=Occasion.DISCHARGE,
        on=MONDAY,
        reviewed_with_participant=False,
        note="Left the program early; list reviewed with the outside prescriber by phone.",
    )
    assert done.summary.startswith("Reviewed without the participant at discharge")
    assert done.summary.endswith("by phone.")


def test_a_reviewed_list_naming_an_entry_twice_is_refused() -> None:
    entry = med("sertraline", key="m-1")
    with pytest.raises(MedicationError, match="twice"):
        reconcile(
            [],
            [entry, entry],
            occasion=Occasion.ADMISSION,
            on=MONDAY,
            reviewed_with_participant=True,
        )


def test_the_current_list_reads_in_one_line() -> None:
    entries = [
        med("sertraline", dose="50 mg"),
        med("lorazepam", dose="1 mg", stop=MONDAY - timedelta(days=1)),
        med("Campral", dose="666 mg", frequency="three times daily"),
    ]
    assert describe_list(entries, on=MONDAY) == (
        "Campral 666 mg by mouth three times daily and sertraline 50 mg by mouth once daily."
    )
    assert describe_list([], on=MONDAY) == "No medications recorded."
