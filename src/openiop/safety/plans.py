"""Safety plans: one write function per action, and the selectors pages use.

A plan is written with the participant, in their words. It belongs to the program it is
written in (docs/architecture.md, "What belongs to the person"): a person treated in two
programs has a plan in each, and a clinician of one program never reads the other's. Within a
program the clinician keeps one draft at a time; both sign it (in either order); when the
second signature lands the version locks, its content hash is stored, the program's previous
signed version is marked replaced, and the timeline says so. Editing the draft after someone
signed clears the signatures: a signature covers exactly the words that were read. A plan
carries over to a later episode in the same program (a readmission starts from it).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.services import event_record
from openiop.participants.access import program_ids_for
from openiop.participants.models import IN_TREATMENT_STATUSES, Episode, Participant
from openiop.participants.services import signature_clean
from openiop.programs.models import Program
from openiop.safety.models import PLAN_FIELDS, PlanStatus, SafetyPlanVersion

EVENT_PLAN = "safety_plan"
CRISIS_LINE = "988 Suicide & Crisis Lifeline: call or text 988, any time"
MAX_ITEMS = 30


def open_episode(participant: Participant, program: Program) -> Episode | None:
    """The participant's episode in treatment in `program` (a plan is written in one)."""
    return (
        participant.episodes.filter(status__in=IN_TREATMENT_STATUSES, program=program)
        .select_related("program")
        .order_by("-inquiry_on", "-id")
        .first()
    )


def prefilled_professionals(episode: Episode | None) -> str:
    """The crisis line and the program's phone, ready for the clinician to add names to."""
    lines = [CRISIS_LINE]
    if episode is not None and episode.program.phone:
        lines.append(f"{episode.program.name}: {episode.program.phone}")
    return "\n".join(lines)


def _clean_sections(sections: dict[str, str]) -> dict[str, str]:
    unknown = set(sections) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown plan sections: {', '.join(sorted(unknown))}.")
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for name in PLAN_FIELDS:
        lines = [line.strip() for line in (sections.get(name) or "").splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_ITEMS:
            errors[name] = [f"Keep this to {MAX_ITEMS} lines or fewer."]
        if any(len(line) > 300 for line in lines):
            errors.setdefault(name, []).append("Each line can be at most 300 characters.")
        cleaned[name] = "\n".join(lines)
    if errors:
        raise ValidationError(errors)
    if not any(cleaned.values()):
        raise ValidationError("Write at least one step of the plan before saving.")
    return cleaned


@transaction.atomic
def safety_plan_draft_save(
    *, participant: Participant, program: Program, actor: User, sections: dict[str, str]
) -> SafetyPlanVersion:
    """Save the participant's draft in `program`, starting a new version when there is none."""
    if program.pk not in program_ids_for(actor) or program.organization_id != (
        participant.organization_id
    ):
        raise ValidationError("You can only write safety plans in programs you work in.")
    # Lock the participant row so two clinicians saving at once cannot both start a version.
    Participant.objects.select_for_update().get(pk=participant.pk)
    cleaned = _clean_sections(sections)
    now = timezone.now()
    draft = SafetyPlanVersion.objects.filter(
        participant=participant, program=program, status=PlanStatus.DRAFT
    ).first()
    if draft is None:
        episode = open_episode(participant, program)
        if episode is None:
            raise ValidationError(
                f"The participant has no episode in treatment in {program.name} to write a plan in."
            )
        last = SafetyPlanVersion.objects.filter(participant=participant, program=program).aggregate(
            n=Max("version")
        )["n"]
        draft = SafetyPlanVersion(
            organization_id=participant.organization_id,
            participant=participant,
            episode=episode,
            program=program,
            version=(last or 0) + 1,
            created_by=actor,
            created_at=now,
        )
    changed = any(getattr(draft, name) != value for name, value in cleaned.items())
    for name, value in cleaned.items():
        setattr(draft, name, value)
    if changed:
        # A signature covers the words that were read; new words need new signatures.
        draft.participant_signed_at = None
        draft.participant_signed_name = ""
        draft.clinician_signed_at = None
        draft.clinician_signed_by = None
    draft.updated_at = now
    draft.full_clean()
    draft.save()
    return draft


def _locked_draft(version: SafetyPlanVersion) -> SafetyPlanVersion:
    row = SafetyPlanVersion.objects.select_for_update().get(pk=version.pk)
    if row.status != PlanStatus.DRAFT:
        raise ValidationError("This version is already signed; changes need a new version.")
    return row


def _finish_if_both(row: SafetyPlanVersion, actor: User | None) -> SafetyPlanVersion:
    if row.participant_signed_at is None or row.clinician_signed_at is None:
        row.save()
        return row
    now = timezone.now()
    SafetyPlanVersion.objects.filter(
        participant_id=row.participant_id, program_id=row.program_id, status=PlanStatus.SIGNED
    ).update(status=PlanStatus.SUPERSEDED)
    row.status = PlanStatus.SIGNED
    row.signed_at = now
    row.content_hash = row.compute_hash()
    row.save()
    event_record(
        participant=row.participant,
        kind=EVENT_PLAN,
        summary=f"Safety plan signed (version {row.version})",
        actor=actor,
        program=row.episode.program,
        at=now,
    )
    return row


@transaction.atomic
def safety_plan_sign_participant(
    *, version: SafetyPlanVersion, participant: Participant, typed_name: str
) -> SafetyPlanVersion:
    """The participant has read the draft and types their name to sign it."""
    row = _locked_draft(version)
    if row.participant_id != participant.pk:
        raise ValidationError("This plan belongs to someone else.")
    row.participant_signed_name = signature_clean(participant=participant, typed_name=typed_name)
    row.participant_signed_at = timezone.now()
    return _finish_if_both(row, participant.user)


@transaction.atomic
def safety_plan_sign_clinician(*, version: SafetyPlanVersion, actor: User) -> SafetyPlanVersion:
    """A clinician of the plan's program signs the draft they wrote with the participant."""
    row = _locked_draft(version)
    if row.program_id not in program_ids_for(actor):
        raise ValidationError("Only a clinician of this plan's program signs it.")
    row.clinician_signed_at = timezone.now()
    row.clinician_signed_by = actor
    return _finish_if_both(row, actor)


# --- selectors ---------------------------------------------------------------------------------
# Every selector names the program: a plan is never looked up for "the participant" alone.


def current_plan(participant: Participant, program: Program) -> SafetyPlanVersion | None:
    """The signed version in force in `program`, or None."""
    return (
        SafetyPlanVersion.objects.filter(
            participant=participant, program=program, status=PlanStatus.SIGNED
        )
        .select_related("clinician_signed_by", "program")
        .first()
    )


def draft_plan(participant: Participant, program: Program) -> SafetyPlanVersion | None:
    return (
        SafetyPlanVersion.objects.filter(
            participant=participant, program=program, status=PlanStatus.DRAFT
        )
        .select_related("clinician_signed_by", "program")
        .first()
    )


def plan_versions(participant: Participant, program: Program) -> list[SafetyPlanVersion]:
    return list(
        SafetyPlanVersion.objects.filter(participant=participant, program=program)
        .select_related("clinician_signed_by")
        .order_by("-version")
    )


def participant_plans(participant: Participant) -> list[dict[str, Any]]:
    """For the participant's own portal: per program, the plan in force and a draft waiting for
    their signature, in one query. Their plans are all theirs, whichever program wrote them."""
    rows = list(
        SafetyPlanVersion.objects.filter(
            participant=participant, status__in=[PlanStatus.SIGNED, PlanStatus.DRAFT]
        )
        .select_related("program", "clinician_signed_by")
        .order_by("program__name", "program_id")
    )
    by_program: dict[int, dict[str, Any]] = {}
    for row in rows:
        entry = by_program.setdefault(
            row.program_id, {"program": row.program, "signed": None, "draft": None}
        )
        entry["signed" if row.status == PlanStatus.SIGNED else "draft"] = row
    return list(by_program.values())


def plan_chart_status(participant: Participant, programs: list[Program]) -> list[dict[str, Any]]:
    """For the chart: per program the viewer may read, the signed and draft versions (one
    query)."""
    rows = list(
        SafetyPlanVersion.objects.filter(
            participant=participant,
            program__in=programs,
            status__in=[PlanStatus.SIGNED, PlanStatus.DRAFT],
        ).only(
            "public_id",
            "version",
            "status",
            "signed_at",
            "updated_at",
            "participant_id",
            "program_id",
        )
    )
    return [
        {
            "program": program,
            "signed": next(
                (r for r in rows if r.program_id == program.pk and r.status == PlanStatus.SIGNED),
                None,
            ),
            "draft": next(
                (r for r in rows if r.program_id == program.pk and r.status == PlanStatus.DRAFT),
                None,
            ),
        }
        for program in programs
    ]
