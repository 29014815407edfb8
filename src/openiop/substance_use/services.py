"""Writes of the medication list: one function per action. Recording only, no prescribing.

Each validates through the pure core (`core.medications`), which says in words what cannot be
recorded; a `MedicationError` becomes a `ValidationError` and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from openiop.accounts.models import Role, User
from openiop.audit.services import event_record
from openiop.lib.timezones import today_in
from openiop.participants.models import Consent, Episode
from openiop.substance_use.core.medications import (
    MedicationError,
    Occasion,
    PrescriberKind,
    Route,
    Source,
    reconcile,
)
from openiop.substance_use.models import (
    Medication,
    MedicationReconciliation,
    MedicationStatus,
)
from openiop.substance_use.selectors import (
    coordination_kind,
    last_reconciliation,
    medication_entry,
    medications_for_episode,
    reconciled_entries,
    snapshot,
)

EVENT_MEDICATION = "medication"
EVENT_RECONCILIATION = "medication_review"
# Who records and reconciles medications: the clinical roles (intake and billing never do).
RECORDING_ROLES = frozenset({Role.CLINICIAN, Role.DIRECTOR})


@dataclass(frozen=True)
class MedicationInput:
    name: str
    dose: str = ""
    route: str = Route.ORAL.value
    frequency: str = ""
    indication: str = ""
    prescriber_kind: str = PrescriberKind.NOT_KNOWN.value
    prescriber_user: User | None = None
    prescriber_name: str = ""
    prescriber_phone: str = ""
    coordination_consent: Consent | None = None
    source: str = Source.PARTICIPANT.value
    start_on: date | None = None
    stop_on: date | None = None
    stop_reason: str = ""


def _check_actor(actor: User, episode: Episode) -> None:
    if actor.role not in RECORDING_ROLES:
        raise ValidationError("Only clinicians and directors record medications.")
    if (
        actor.organization_id != episode.organization_id
        or not actor.assignments.filter(program_id=episode.program_id).exists()
    ):
        raise ValidationError("You do not work in this episode's program.")


def _apply(medication: Medication, data: MedicationInput, episode: Episode) -> None:
    try:
        kind = PrescriberKind(data.prescriber_kind)
        Route(data.route)
        Source(data.source)
    except ValueError:
        raise ValidationError("Choose a prescriber, a route and a source from the lists.") from None
    prescriber_user = data.prescriber_user if kind == PrescriberKind.PROGRAM else None
    if (
        prescriber_user is not None
        and not prescriber_user.assignments.filter(
            program_id=episode.program_id, user__role__in=list(RECORDING_ROLES)
        ).exists()
    ):
        raise ValidationError("A program prescriber is one of the program's clinicians.")
    outside = kind in (PrescriberKind.OUTSIDE, PrescriberKind.OTP)
    consent = data.coordination_consent if outside else None
    if consent is not None and (
        consent.participant_id != episode.participant_id
        or consent.program_id != episode.program_id
        or consent.kind != coordination_kind(episode)
        or consent.revoked_at is not None
    ):
        raise ValidationError(
            "Name the prescriber under a consent of this program that is in force (a Part 2 "
            "consent where the program treats substance use)."
        )
    medication.name = data.name
    medication.dose = data.dose
    medication.route = data.route
    medication.frequency = data.frequency
    medication.indication = data.indication
    medication.prescriber_kind = kind.value
    medication.prescriber_user = prescriber_user
    medication.prescriber_name = data.prescriber_name if outside else ""
    medication.prescriber_phone = data.prescriber_phone if outside else ""
    medication.coordination_consent = consent
    medication.source = data.source
    medication.start_on = data.start_on
    medication.stop_on = data.stop_on
    medication.stop_reason = data.stop_reason
    try:
        entry = medication_entry(medication)
    except MedicationError as error:
        raise ValidationError(str(error)) from None
    # The core keeps whitespace tidy: store what it accepted.
    medication.name, medication.dose = entry.name, entry.dose
    medication.frequency, medication.indication = entry.frequency, entry.indication
    medication.stop_reason = entry.stop_reason


@transaction.atomic
def medication_record(*, actor: User, episode: Episode, data: MedicationInput) -> Medication:
    """Add a medication to the episode's list."""
    _check_actor(actor, episode)
    now = timezone.now()
    medication = Medication(
        organization_id=episode.organization_id,
        participant_id=episode.participant_id,
        episode=episode,
        program_id=episode.program_id,
        recorded_by=actor,
        recorded_at=now,
        updated_by=actor,
        updated_at=now,
    )
    _apply(medication, data, episode)
    medication.save()
    event_record(
        participant=episode.participant,
        kind=EVENT_MEDICATION,
        summary="Medication added to the list",
        actor=actor,
        program=episode.program,
    )
    return medication


@transaction.atomic
def medication_update(*, actor: User, medication: Medication, data: MedicationInput) -> Medication:
    """Change an entry (a new dose, a stop date); the next reconciliation names the change."""
    locked = Medication.objects.select_for_update().select_related("episode").get(pk=medication.pk)
    _check_actor(actor, locked.episode)
    if locked.status != MedicationStatus.RECORDED:
        raise ValidationError("This entry was marked entered in error; record a new one.")
    _apply(locked, data, locked.episode)
    locked.updated_by = actor
    locked.updated_at = timezone.now()
    locked.save()
    event_record(
        participant=locked.episode.participant,
        kind=EVENT_MEDICATION,
        summary="Medication list updated",
        actor=actor,
        program=locked.episode.program,
    )
    return locked


@transaction.atomic
def medication_mark_in_error(*, actor: User, medication: Medication) -> Medication:
    """A mistaken entry leaves the list; the row and its history stay."""
    locked = Medication.objects.select_for_update().select_related("episode").get(pk=medication.pk)
    _check_actor(actor, locked.episode)
    if locked.status == MedicationStatus.ENTERED_IN_ERROR:
        return locked
    locked.status = MedicationStatus.ENTERED_IN_ERROR
    locked.updated_by = actor
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "updated_by", "updated_at"])
    event_record(
        participant=locked.episode.participant,
        kind=EVENT_MEDICATION,
        summary="Medication entry marked entered in error",
        actor=actor,
        program=locked.episode.program,
    )
    return locked


@transaction.atomic
def reconciliation_sign(
    *,
    actor: User,
    episode: Episode,
    occasion: str,
    reviewed_on: date,
    reviewed_with_participant: bool,
    note: str = "",
) -> MedicationReconciliation:
    """Sign the review of the list at admission, a plan review or discharge: the list as it
    stands is compared with the list as last reconciled, and the changes are kept in words."""
    _check_actor(actor, episode)
    locked = (
        Episode.objects.select_for_update()
        .select_related("participant", "program")
        .get(pk=episode.pk)
    )
    try:
        when = Occasion(occasion)
    except ValueError:
        raise ValidationError("Choose admission, plan review or discharge.") from None
    if len(note) > 500:
        raise ValidationError("The note is over 500 characters.")
    if reviewed_on > today_in(locked.program.time_zone):
        raise ValidationError("A reconciliation cannot be dated in the future.")
    exists = MedicationReconciliation.objects.filter(episode=locked, occasion=when.value)
    if when != Occasion.PLAN_REVIEW and exists.exists():
        raise ValidationError(
            f"The {when.value.replace('_', ' ')} reconciliation of this episode is already signed."
        )
    previous = last_reconciliation(locked)
    if when == Occasion.ADMISSION and previous is not None:
        raise ValidationError("The admission reconciliation comes first; this one is later.")
    reviewed = medications_for_episode(locked)
    try:
        result = reconcile(
            reconciled_entries(previous),
            reviewed,
            occasion=when,
            on=reviewed_on,
            reviewed_with_participant=reviewed_with_participant,
            note=note,
        )
    except MedicationError as error:
        raise ValidationError(str(error)) from None
    record = MedicationReconciliation(
        organization_id=locked.organization_id,
        participant=locked.participant,
        episode=locked,
        program=locked.program,
        occasion=when.value,
        reviewed_on=reviewed_on,
        reviewed_with_participant=reviewed_with_participant,
        note=result.note,
        entries=[snapshot(e) for e in reviewed],
        changes=[c.text for c in result.changes],
        summary=result.summary,
        signed_by=actor,
        signed_at=timezone.now(),
    )
    record.content_hash = record.compute_hash()
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise ValidationError("This reconciliation is already signed.") from None
    event_record(
        participant=locked.participant,
        kind=EVENT_RECONCILIATION,
        summary=f"Medications reconciled ({record.get_occasion_display().lower()})",
        actor=actor,
        program=locked.program,
    )
    return record
