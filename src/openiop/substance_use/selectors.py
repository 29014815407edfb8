"""Reads of the medication list, for this room's pages and for the rooms above it.

`medications_for_episode` is the product's one medication list: the billing room's review
packet and the discharge summary read it. These functions check no access: the caller has
already checked that the viewer may read the episode's program records at the clinical level
(participants.access.program_check with Access.CLINICAL, which asks for SUD access when the
program treats substance use), and records that read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from openiop.participants.models import Consent, ConsentKind, Episode
from openiop.substance_use.core.medications import (
    MedicationEntry,
    MedicationError,
    Prescriber,
    PrescriberKind,
    Route,
    Source,
    UseDisorderMedication,
    coordination_gaps,
    describe_list,
)
from openiop.substance_use.models import (
    Medication,
    MedicationReconciliation,
    MedicationStatus,
)


def medication_entry(medication: Medication) -> MedicationEntry:
    """The core's view of a stored entry (its key is the entry's public id)."""
    kind = PrescriberKind(medication.prescriber_kind)
    if kind == PrescriberKind.PROGRAM:
        user = medication.prescriber_user
        prescriber = Prescriber(
            kind,
            name=user.full_name if user else "",
            party_key=str(user.public_id) if user else "",
        )
    else:
        consent = medication.coordination_consent
        prescriber = Prescriber(
            kind,
            name=medication.prescriber_name,
            party_key=str(consent.public_id) if consent else "",
            phone=medication.prescriber_phone,
        )
    return MedicationEntry(
        key=str(medication.public_id),
        name=medication.name,
        dose=medication.dose,
        route=Route(medication.route),
        frequency=medication.frequency,
        prescriber=prescriber,
        source=Source(medication.source),
        indication=medication.indication,
        start=medication.start_on,
        stop=medication.stop_on,
        stop_reason=medication.stop_reason,
    )


def _recorded(episode: Episode) -> list[Medication]:
    return list(
        Medication.objects.filter(episode=episode, status=MedicationStatus.RECORDED)
        .select_related("prescriber_user", "coordination_consent")
        .order_by("name", "id")
    )


def medications_for_episode(
    episode: Episode, *, current_on: date | None = None
) -> list[MedicationEntry]:
    """The episode's medication list (entries entered in error left out), by name; with
    `current_on`, only those current on that day (not stopped before it)."""
    entries = [medication_entry(m) for m in _recorded(episode)]
    if current_on is not None:
        entries = [e for e in entries if e.current_on(current_on)]
    return entries


def medication_list_text(episode: Episode, *, on: date) -> str:
    """The current list in one line, for a review packet or a discharge summary."""
    return describe_list(medications_for_episode(episode), on=on)


def coordination_kind(episode: Episode) -> str:
    return ConsentKind.PART2 if episode.program.treats_sud else ConsentKind.RELEASE


def coordination_consents(episode: Episode, *, on: date) -> list[Consent]:
    """The consents of the episode's program in force on `on` that an outside prescriber or
    OTP may be named under: Part 2 consents in a program that treats substance use, releases
    of information in the others."""
    consents = Consent.objects.filter(
        participant_id=episode.participant_id,
        program_id=episode.program_id,
        kind=coordination_kind(episode),
        revoked_at__isnull=True,
    ).select_related("episode", "recipient_contact")
    return [c for c in consents.order_by("-signed_on", "-id") if c.is_active_on(on)]


@dataclass(frozen=True)
class MedicationRow:
    """One entry as the pages show it."""

    medication: Medication
    entry: MedicationEntry
    use_disorder: UseDisorderMedication | None
    current: bool
    coordinating: bool  # an outside prescriber or OTP named under a consent in force


def last_reconciliation(episode: Episode) -> MedicationReconciliation | None:
    return (
        MedicationReconciliation.objects.filter(episode=episode)
        .select_related("signed_by")
        .order_by("-signed_at", "-id")
        .first()
    )


def reconciled_entries(reconciliation: MedicationReconciliation | None) -> list[MedicationEntry]:
    """The list as a reconciliation reviewed it: the next one's "before"."""
    if reconciliation is None:
        return []
    return [entry_from_snapshot(item) for item in reconciliation.entries]


def snapshot(entry: MedicationEntry) -> dict[str, Any]:
    return {
        "key": entry.key,
        "name": entry.name,
        "dose": entry.dose,
        "route": entry.route.value,
        "frequency": entry.frequency,
        "indication": entry.indication,
        "prescriber": {
            "kind": entry.prescriber.kind.value,
            "name": entry.prescriber.name,
            "party_key": entry.prescriber.party_key,
        },
        "source": entry.source.value,
        "start": entry.start.isoformat() if entry.start else None,
        "stop": entry.stop.isoformat() if entry.stop else None,
        "stop_reason": entry.stop_reason,
    }


def entry_from_snapshot(item: dict[str, Any]) -> MedicationEntry:
    prescriber = item["prescriber"]
    try:
        made = Prescriber(
            PrescriberKind(prescriber["kind"]),
            name=prescriber["name"],
            party_key=prescriber["party_key"],
        )
    except MedicationError:  # a snapshot keeps what was signed, even if rules changed since
        made = Prescriber(PrescriberKind.NOT_KNOWN)
    return MedicationEntry(
        key=item["key"],
        name=item["name"],
        dose=item["dose"],
        route=Route(item["route"]),
        frequency=item["frequency"],
        prescriber=made,
        source=Source(item["source"]),
        indication=item["indication"],
        start=date.fromisoformat(item["start"]) if item["start"] else None,
        stop=date.fromisoformat(item["stop"]) if item["stop"] else None,
        stop_reason=item["stop_reason"],
    )


@dataclass(frozen=True)
class MedicationPanel:
    rows: list[MedicationRow]
    gaps: list[str]
    last: MedicationReconciliation | None
    reconciliations: list[MedicationReconciliation]


def medication_panel(episode: Episode, *, on: date, history: int = 3) -> MedicationPanel:
    """The episode's list with MOUD/MAUD marked, what keeps the program from coordinating with
    an outside prescriber, and the latest reconciliations."""
    in_force = {str(c.public_id) for c in coordination_consents(episode, on=on)}
    rows = []
    for medication in _recorded(episode):
        entry = medication_entry(medication)
        coordinating = (
            entry.prescriber.kind in (PrescriberKind.OUTSIDE, PrescriberKind.OTP)
            and entry.prescriber.party_key in in_force
        )
        rows.append(
            MedicationRow(medication, entry, entry.use_disorder, entry.current_on(on), coordinating)
        )
    rows.sort(key=lambda r: (not r.current, r.entry.name.lower()))
    reconciliations = list(
        MedicationReconciliation.objects.filter(episode=episode)
        .select_related("signed_by")
        .order_by("-signed_at", "-id")[:history]
    )
    return MedicationPanel(
        rows=rows,
        # The core's words name a Part 2 consent: a program that does not treat substance use
        # coordinates under an ordinary release, and shows no such gap.
        gaps=coordination_gaps([r.entry for r in rows], on=on, consented_parties=in_force)
        if episode.program.treats_sud
        else [],
        last=reconciliations[0] if reconciliations else None,
        reconciliations=reconciliations,
    )
