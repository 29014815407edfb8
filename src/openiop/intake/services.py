"""Write functions for inquiries, intake assessments and level-of-care decisions.

One function per action: keyword-only, atomic, validating (a ValidationError carries a message
fit to show the user). Inquiry history lives in InquiryEvent; once a participant exists,
changes to their care also go to the participant timeline (audit.services.event_record) with
summaries that never repeat free text.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.accounts.roles import Perm
from openiop.audit.models import EventKind
from openiop.audit.services import event_record
from openiop.care.services import first_plan_due_on
from openiop.intake.levels import Recommendation
from openiop.intake.models import (
    INQUIRY_TRANSITIONS,
    AssessmentStatus,
    AvailabilityBlock,
    CareLevel,
    ContactTime,
    Inquiry,
    InquiryEvent,
    InquiryFor,
    InquirySource,
    InquiryStatus,
    InquiryThrottle,
    IntakeAssessment,
    LevelOfCareDecision,
    RuleSet,
)
from openiop.lib.models import refuse_unknown_fields
from openiop.lib.timezones import local_date, today_in
from openiop.measures.models import Administration
from openiop.measures.services import intake_battery_make_due
from openiop.participants import services as participant_services
from openiop.participants.consents import treatment_consent_for
from openiop.participants.models import Episode, EpisodeStatus, Participant
from openiop.programs.models import Program, Track
from openiop.scheduling.models import Unavailability, UnavailabilityReason

# --- public form throttle -------------------------------------------------------------------

THROTTLE_LIMIT = 5
THROTTLE_WINDOW = timedelta(hours=1)
# Rows older than this are useless to the count and are removed as new ones arrive.
THROTTLE_KEEP = timedelta(days=1)


def _address_hash(address: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"inquiry:{address}".encode(), hashlib.sha256
    ).hexdigest()


@transaction.atomic
def inquiry_throttle_hit(
    *, address: str, now: datetime | None = None, limit: int = THROTTLE_LIMIT
) -> bool:
    """Count one submission attempt from `address`; True when it is over the limit for the
    window (the attempt is counted either way, so hammering keeps the door shut)."""
    now = now or timezone.now()
    key = _address_hash(address or "unknown")
    InquiryThrottle.objects.filter(at__lt=now - THROTTLE_KEEP).delete()
    recent = InquiryThrottle.objects.filter(address_hash=key, at__gte=now - THROTTLE_WINDOW)
    over = recent.count() >= limit
    InquiryThrottle.objects.create(address_hash=key, at=now)
    return over


# --- inquiries ------------------------------------------------------------------------------

# Foreign keys these functions set from objects already checked; full_clean would look each
# one up again.
_INQUIRY_FKS = ["organization", "program", "assigned_to", "participant", "episode", "created_by"]
_ASSESSMENT_FKS = ["organization", "participant", "episode", "created_by", "completed_by"]


def _event(
    inquiry: Inquiry,
    *,
    actor: User | None,
    summary: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
) -> InquiryEvent:
    return InquiryEvent.objects.create(
        organization_id=inquiry.organization_id,
        inquiry=inquiry,
        at=timezone.now(),
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        summary=summary[:200],
        note=note,
    )


def _check_program(actor: User, program: Program) -> None:
    if (
        program.organization_id != actor.organization_id
        or not actor.assignments.filter(program=program).exists()
    ):
        raise ValidationError({"program": "Choose a program you are assigned to."})


def _check_assignee(user: User | None, program: Program) -> None:
    if user is None:
        return
    if (
        user.organization_id != program.organization_id
        or not user.is_active
        or not user.can(Perm.PARTICIPANT_CREATE)
        or not user.assignments.filter(program=program).exists()
    ):
        raise ValidationError(
            {"assigned_to": f"Choose an intake coordinator or director of {program.name}."}
        )


def _check_follow_up(day: date | None, program: Program) -> None:
    if day is not None and day < today_in(program.time_zone) - timedelta(days=1):
        raise ValidationError({"follow_up_on": "The follow-up date cannot be in the past."})


def _clean(value: str) -> str:
    return value.strip()


@transaction.atomic
def inquiry_submit(
    *,
    program: Program,
    name: str,
    phone: str = "",
    email: str = "",
    contact_time: str = ContactTime.ANY,
    inquiry_for: str = InquiryFor.SELF,
    message: str = "",
    consent_to_contact: bool,
) -> Inquiry:
    """An inquiry from the public form. No actor: whoever sent it is not signed in."""
    if not program.is_active:
        raise ValidationError({"program": "Choose a program."})
    if not consent_to_contact:
        raise ValidationError(
            {"consent_to_contact": "We can only reply if you agree to be contacted."}
        )
    inquiry = Inquiry(
        organization_id=program.organization_id,
        program=program,
        source=InquirySource.WEB,
        name=_clean(name),
        phone=_clean(phone),
        email=_clean(email),
        contact_time=contact_time,
        inquiry_for=inquiry_for,
        message=_clean(message),
        consent_to_contact=True,
        received_at=timezone.now(),
    )
    if not (inquiry.phone or inquiry.email):
        raise ValidationError("Give a phone number or an e-mail address so we can reach you.")
    inquiry.full_clean(exclude=_INQUIRY_FKS)
    inquiry.save()
    _event(inquiry, actor=None, summary="Received from the web form", to_status=inquiry.status)
    return inquiry


@transaction.atomic
def inquiry_refer(
    *,
    actor: User,
    program: Program,
    source: str,
    name: str,
    phone: str = "",
    email: str = "",
    contact_time: str = ContactTime.ANY,
    inquiry_for: str = InquiryFor.SELF,
    message: str = "",
    referrer_name: str = "",
    referrer_organization: str = "",
    referrer_phone: str = "",
    referrer_email: str = "",
    follow_up_on: date | None = None,
    assigned_to: User | None = None,
) -> Inquiry:
    """A referral or a phone inquiry entered by staff."""
    _check_program(actor, program)
    if source not in InquirySource.values or source == InquirySource.WEB:
        raise ValidationError({"source": "Choose where the referral came from."})
    _check_follow_up(follow_up_on, program)
    _check_assignee(assigned_to, program)
    inquiry = Inquiry(
        organization_id=program.organization_id,
        program=program,
        source=source,
        name=_clean(name),
        phone=_clean(phone),
        email=_clean(email),
        contact_time=contact_time,
        inquiry_for=inquiry_for,
        message=_clean(message),
        consent_to_contact=True,
        referrer_name=_clean(referrer_name),
        referrer_organization=_clean(referrer_organization),
        referrer_phone=_clean(referrer_phone),
        referrer_email=_clean(referrer_email),
        follow_up_on=follow_up_on,
        assigned_to=assigned_to,
        received_at=timezone.now(),
        created_by=actor,
    )
    if not (inquiry.phone or inquiry.email or inquiry.referrer_phone or inquiry.referrer_email):
        raise ValidationError(
            "Give a phone number or e-mail address for the person or for the referrer."
        )
    inquiry.full_clean(exclude=_INQUIRY_FKS)
    inquiry.save()
    _event(
        inquiry,
        actor=actor,
        summary=f"Referral entered ({inquiry.get_source_display()})",
        to_status=inquiry.status,
    )
    return inquiry


def _lock(inquiry: Inquiry) -> Inquiry:
    return Inquiry.objects.select_for_update().select_related("program").get(pk=inquiry.pk)


def _move(
    *,
    actor: User,
    inquiry: Inquiry,
    to_status: str,
    note: str,
    follow_up_on: date | None = None,
    note_required: bool = False,
) -> Inquiry:
    locked = _lock(inquiry)
    _check_program(actor, locked.program)
    note = note.strip()
    if to_status not in INQUIRY_TRANSITIONS[locked.status]:
        raise ValidationError(
            f"An inquiry that is {locked.get_status_display().lower()} cannot become "
            f"{InquiryStatus(to_status).label.lower()}."
        )
    if note_required and not note:
        raise ValidationError({"note": "Write the outcome: what was decided and why."})
    _check_follow_up(follow_up_on, locked.program)
    from_status = locked.status
    locked.status = to_status
    locked.follow_up_on = follow_up_on
    if note:
        locked.outcome_note = note
    locked.save(update_fields=["status", "follow_up_on", "outcome_note", "updated_at"])
    _event(
        locked,
        actor=actor,
        summary=f"{InquiryStatus(from_status).label} → {InquiryStatus(to_status).label}",
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    inquiry.status = locked.status
    inquiry.follow_up_on = locked.follow_up_on
    inquiry.outcome_note = locked.outcome_note
    return inquiry


@transaction.atomic
def inquiry_contact(
    *, actor: User, inquiry: Inquiry, note: str = "", follow_up_on: date | None = None
) -> Inquiry:
    """We reached the person (or left word): new → contacted."""
    return _move(
        actor=actor,
        inquiry=inquiry,
        to_status=InquiryStatus.CONTACTED,
        note=note,
        follow_up_on=follow_up_on,
    )


@transaction.atomic
def inquiry_screening_schedule(
    *, actor: User, inquiry: Inquiry, screening_on: date, note: str = ""
) -> Inquiry:
    """A screening (the intake assessment appointment) is booked; the follow-up date becomes
    the screening day so it shows on the board."""
    if screening_on < today_in(inquiry.program.time_zone):
        raise ValidationError({"follow_up_on": "The screening date cannot be in the past."})
    return _move(
        actor=actor,
        inquiry=inquiry,
        to_status=InquiryStatus.SCREENING,
        note=note,
        follow_up_on=screening_on,
    )


@transaction.atomic
def inquiry_assess(*, actor: User, inquiry: Inquiry, note: str = "") -> Inquiry:
    """Assessed (completing an intake assessment of the linked episode does this too)."""
    return _move(actor=actor, inquiry=inquiry, to_status=InquiryStatus.ASSESSED, note=note)


@transaction.atomic
def inquiry_admit(*, actor: User, inquiry: Inquiry, note: str = "") -> Inquiry:
    if inquiry.participant_id is None:
        raise ValidationError("Convert the inquiry to a participant before recording admission.")
    return _move(actor=actor, inquiry=inquiry, to_status=InquiryStatus.ADMITTED, note=note)


@transaction.atomic
def inquiry_refer_out(*, actor: User, inquiry: Inquiry, note: str) -> Inquiry:
    """Referred to another level of care or provider; the note says where and why."""
    return _move(
        actor=actor,
        inquiry=inquiry,
        to_status=InquiryStatus.REFERRED_OUT,
        note=note,
        note_required=True,
    )


@transaction.atomic
def inquiry_close(*, actor: User, inquiry: Inquiry, note: str) -> Inquiry:
    return _move(
        actor=actor, inquiry=inquiry, to_status=InquiryStatus.CLOSED, note=note, note_required=True
    )


@transaction.atomic
def inquiry_follow_up_set(
    *, actor: User, inquiry: Inquiry, follow_up_on: date | None, assigned_to: User | None
) -> Inquiry:
    locked = _lock(inquiry)
    _check_program(actor, locked.program)
    if not locked.is_open:
        raise ValidationError("This inquiry is finished; its follow-up can no longer change.")
    _check_follow_up(follow_up_on, locked.program)
    _check_assignee(assigned_to, locked.program)
    locked.follow_up_on = follow_up_on
    locked.assigned_to = assigned_to
    locked.save(update_fields=["follow_up_on", "assigned_to", "updated_at"])
    day = f"{follow_up_on:%b} {follow_up_on.day}" if follow_up_on else "none"
    who = assigned_to.full_name if assigned_to else "nobody"
    _event(locked, actor=actor, summary=f"Follow-up {day}; assigned to {who}")
    inquiry.follow_up_on = follow_up_on
    inquiry.assigned_to = assigned_to
    return inquiry


CONVERTIBLE = frozenset({InquiryStatus.SCREENING, InquiryStatus.ASSESSED})


@transaction.atomic
def inquiry_convert(
    *,
    actor: User,
    inquiry: Inquiry,
    legal_first_name: str,
    legal_last_name: str,
    date_of_birth: date,
) -> Participant:
    """Make the inquiry a participant with an episode in its program: referred (screening
    scheduled) or assessed (assessed elsewhere, e.g. on step-down). The record is created by
    participants.services, as every participant is."""
    locked = _lock(inquiry)
    _check_program(actor, locked.program)
    if locked.participant_id is not None:
        raise ValidationError("This inquiry is already linked to a participant.")
    if locked.status not in CONVERTIBLE:
        raise ValidationError(
            "Convert an inquiry once a screening is scheduled or it has been assessed."
        )
    program = locked.program
    today = today_in(program.time_zone)
    received = local_date(locked.received_at, program.time_zone)
    source = locked.get_source_display()
    if locked.referrer_organization:
        source = f"{source}: {locked.referrer_organization}"
    participant = participant_services.participant_create(
        actor=actor,
        program=program,
        legal_first_name=legal_first_name,
        legal_last_name=legal_last_name,
        date_of_birth=date_of_birth,
        inquiry_on=min(received, today),
        phone=locked.phone,
        email=locked.email,
        referral_source=source[:200],
    )
    episode = Episode.objects.get(participant=participant, program=program)
    participant_services.episode_transition(
        actor=actor, episode=episode, to_status=EpisodeStatus.REFERRED, on=today
    )
    if locked.status == InquiryStatus.ASSESSED:
        participant_services.episode_transition(
            actor=actor, episode=episode, to_status=EpisodeStatus.ASSESSED, on=today
        )
    locked.participant = participant
    locked.episode = episode
    locked.save(update_fields=["participant", "episode", "updated_at"])
    _event(locked, actor=actor, summary=f"Converted to participant {participant.record_number}")
    inquiry.participant = participant
    inquiry.episode = episode
    return participant


# --- intake assessment ----------------------------------------------------------------------

# Fields an assessor edits, grouped as the form shows them. SUD_FIELDS need Access.SUD.
ASSESSMENT_FIELDS = (
    "presenting_concerns",
    "triggers",
    "goals",
    "underlying_issues",
    "mental_health_history",
    "prior_care",
    "medical_notes",
    "medication_notes",
    "support_system",
    "constraints",
)
SUD_FIELDS = ("substance_use_history", "substance_use_prior_care")
LOC_FIELDS = (
    "asam_1",
    "asam_2",
    "asam_3",
    "asam_4",
    "asam_5",
    "asam_6",
    "cssrs_tier",
    "withdrawal_needs_medical",
    "hours_needed",
    "daily_medical_oversight",
    "able_to_take_part",
    "iop_signals",
    "locus_level",
    "locus_on",
    "locus_by",
)
EDITABLE_FIELDS = frozenset(ASSESSMENT_FIELDS + SUD_FIELDS + LOC_FIELDS)

ASSESSABLE_STATUSES = frozenset({EpisodeStatus.INQUIRY, EpisodeStatus.REFERRED})


@transaction.atomic
def assessment_start(*, actor: User, episode: Episode) -> IntakeAssessment:
    """The episode's assessment, created as an empty draft the first time."""
    locked = Episode.objects.select_for_update().select_related("program").get(pk=episode.pk)
    participant_services._check_assigned(actor, locked.program)
    existing = IntakeAssessment.objects.filter(episode=locked).first()
    if existing is not None:
        return existing
    if locked.status not in ASSESSABLE_STATUSES:
        raise ValidationError("Only an episode that has not been assessed yet can be assessed.")
    assessment = IntakeAssessment.objects.create(
        organization_id=locked.organization_id,
        participant_id=locked.participant_id,
        episode=locked,
        created_by=actor,
    )
    event_record(
        participant=locked.participant,
        kind=EventKind.EPISODE_STATUS,
        summary=f"{locked.program.name}: intake assessment started",
        actor=actor,
        program=locked.program,
    )
    return assessment


def _lock_assessment(assessment: IntakeAssessment) -> IntakeAssessment:
    return (
        IntakeAssessment.objects.select_for_update()
        .select_related("episode__program", "participant")
        .get(pk=assessment.pk)
    )


@transaction.atomic
def assessment_save(
    *, actor: User, assessment: IntakeAssessment, changes: Mapping[str, Any], sud_access: bool
) -> IntakeAssessment:
    """Save a draft. Only the fields given change, so a coordinator without SUD access saving
    the form leaves the substance-use section as it was."""
    refuse_unknown_fields(changes, EDITABLE_FIELDS)
    if not sud_access and set(changes) & set(SUD_FIELDS):
        raise ValidationError("Your role does not allow editing the substance-use section.")
    locked = _lock_assessment(assessment)
    participant_services._check_assigned(actor, locked.episode.program)
    if locked.is_completed:
        raise ValidationError("This assessment is completed and can no longer be changed.")
    for name, value in changes.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    if locked.locus_level is not None and locked.locus_on is None:
        raise ValidationError({"locus_on": "Give the date the LOCUS level was determined."})
    if locked.locus_on is not None and locked.locus_on > today_in(locked.episode.program.time_zone):
        raise ValidationError({"locus_on": "The LOCUS date cannot be in the future."})
    locked.full_clean(exclude=_ASSESSMENT_FKS, validate_unique=False)
    locked.save()
    for name in changes:
        setattr(assessment, name, getattr(locked, name))
    return assessment


@dataclass(frozen=True)
class BlockInput:
    weekday: int
    start_time: time
    end_time: time
    reason: str
    note: str = ""


@transaction.atomic
def assessment_availability_set(
    *, actor: User, assessment: IntakeAssessment, blocks: Iterable[BlockInput]
) -> list[AvailabilityBlock]:
    """Replace the times the person cannot attend."""
    locked = _lock_assessment(assessment)
    participant_services._check_assigned(actor, locked.episode.program)
    if locked.is_completed:
        raise ValidationError("This assessment is completed and can no longer be changed.")
    rows = []
    for block in blocks:
        if block.reason not in UnavailabilityReason.values:
            raise ValidationError("Choose why the time is unavailable.")
        if not block.start_time < block.end_time:
            raise ValidationError("Each unavailable time must end after it starts.")
        row = AvailabilityBlock(
            organization_id=locked.organization_id,
            assessment=locked,
            weekday=block.weekday,
            start_time=block.start_time,
            end_time=block.end_time,
            reason=block.reason,
            note=block.note.strip(),
        )
        row.full_clean(exclude=["organization", "assessment"])
        rows.append(row)
    locked.unavailable.all().delete()
    return AvailabilityBlock.objects.bulk_create(rows)


def unavailability_for_admission(assessment: IntakeAssessment) -> list[Unavailability]:
    """The assessment's unavailable times as (unsaved) scheduling rows, for admission."""
    return [
        Unavailability(
            organization_id=block.organization_id,
            participant_id=assessment.participant_id,
            **block.block_fields(),
        )
        for block in assessment.unavailable.all()
    ]


@transaction.atomic
def level_of_care_decide(
    *,
    actor: User,
    assessment: IntakeAssessment,
    recommendation: Recommendation,
    inputs: Mapping[str, Any],
    accept: bool,
    decided_level: str = "",
    decided_track: Track | None = None,
    override_reason: str = "",
) -> LevelOfCareDecision:
    """Record the recommendation with its rules and the clinician's decision: accepted as is,
    or overridden with a reason."""
    locked = _lock_assessment(assessment)
    program = locked.episode.program
    participant_services._check_assigned(actor, program)
    if locked.is_completed:
        raise ValidationError("This assessment is completed; its decision is recorded.")
    override_reason = override_reason.strip()
    recommended_track = (
        Track.objects.filter(program=program, public_id=recommendation.track_key).first()
        if recommendation.track_key
        else None
    )
    if accept:
        decided_level = recommendation.level
        decided_track = recommended_track if decided_track is None else decided_track
        override_reason = ""
    else:
        if decided_level not in CareLevel.values:
            raise ValidationError({"decided_level": "Choose the level of care you decide on."})
        if not override_reason:
            raise ValidationError(
                {"override_reason": "Give the reason for not following the recommendation."}
            )
    if decided_track is not None and (
        decided_track.program_id != program.pk or not decided_track.is_active
    ):
        raise ValidationError({"decided_track": f"Choose an active track of {program.name}."})
    if decided_level != CareLevel.IOP:
        decided_track = None
    decision = LevelOfCareDecision(
        organization_id=locked.organization_id,
        participant_id=locked.participant_id,
        assessment=locked,
        recommended_level=recommendation.level,
        recommended_track=recommended_track,
        rules=recommendation.rules_json(),
        inputs=dict(inputs),
        decided_level=decided_level,
        decided_track=decided_track,
        accepted=accept,
        override_reason=override_reason,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    decision.full_clean(
        exclude=[
            "organization",
            "participant",
            "assessment",
            "recommended_track",
            "decided_track",
            "decided_by",
        ]
    )
    decision.save()
    how = "accepted" if accept else "overridden"
    event_record(
        participant=locked.participant,
        kind=EventKind.EPISODE_STATUS,
        summary=f"{program.name}: level of care {CareLevel(decided_level).label} "
        f"(recommendation {how})",
        actor=actor,
        program=program,
    )
    return decision


@transaction.atomic
def assessment_complete(
    *, actor: User, assessment: IntakeAssessment, on: date | None = None
) -> IntakeAssessment:
    """Finish the assessment: the episode becomes assessed (on `on`, the program's today by
    default; episode_transition refuses future dates), and so does its inquiry."""
    locked = _lock_assessment(assessment)
    episode = locked.episode
    program = episode.program
    participant_services._check_assigned(actor, program)
    if locked.is_completed:
        raise ValidationError("This assessment is already completed.")
    missing = [
        label
        for name, label in (("presenting_concerns", "presenting concerns"), ("goals", "goals"))
        if not getattr(locked, name).strip()
    ]
    if missing:
        raise ValidationError(f"Fill in the {' and '.join(missing)} before completing.")
    if not locked.decisions.exists():
        raise ValidationError("Record the level-of-care decision before completing.")
    today = on or today_in(program.time_zone)
    if episode.status == EpisodeStatus.INQUIRY:
        participant_services.episode_transition(
            actor=actor, episode=episode, to_status=EpisodeStatus.REFERRED, on=today
        )
    if episode.status != EpisodeStatus.REFERRED:
        raise ValidationError("Only a referred episode can be marked assessed.")
    participant_services.episode_transition(
        actor=actor, episode=episode, to_status=EpisodeStatus.ASSESSED, on=today
    )
    locked.status = AssessmentStatus.COMPLETED
    locked.completed_at = timezone.now()
    locked.completed_by = actor
    locked.save(update_fields=["status", "completed_at", "completed_by", "updated_at"])
    for inquiry in Inquiry.objects.filter(
        episode=episode, status__in=[InquiryStatus.CONTACTED, InquiryStatus.SCREENING]
    ):
        if InquiryStatus.ASSESSED in INQUIRY_TRANSITIONS[inquiry.status]:
            _move(actor=actor, inquiry=inquiry, to_status=InquiryStatus.ASSESSED, note="")
    assessment.status = locked.status
    assessment.completed_at = locked.completed_at
    assessment.completed_by = actor
    return assessment


# --- rules ----------------------------------------------------------------------------------

RULESET_FIELDS = (
    "iop_min_hours",
    "php_min_hours",
    "refer_up_cssrs_tiers",
    "residential_rating",
    "php_rating",
    "php_dimension_count",
    "outpatient_max_rating",
)


@transaction.atomic
def ruleset_save(*, actor: User, program: Program, values: Mapping[str, Any]) -> RuleSet:
    _check_program(actor, program)
    refuse_unknown_fields(values, RULESET_FIELDS)
    ruleset = RuleSet.objects.select_for_update().filter(program=program).first() or RuleSet(
        organization_id=program.organization_id, program=program, refer_up_cssrs_tiers=["high"]
    )
    for name, value in values.items():
        setattr(ruleset, name, value)
    if ruleset.iop_min_hours >= ruleset.php_min_hours:
        raise ValidationError({"php_min_hours": "The PHP hours must be above the IOP minimum."})
    if ruleset.php_rating > ruleset.residential_rating:
        raise ValidationError(
            {"php_rating": "The PHP rating cannot be above the residential rating."}
        )
    ruleset.updated_by = actor
    ruleset.full_clean()
    ruleset.save()
    return ruleset


# --- admission ------------------------------------------------------------------------------

PLANNED_WEEKS_MIN = 4
PLANNED_WEEKS_MAX = 26


@dataclass(frozen=True)
class Admission:
    episode: Episode
    battery_due: list[Administration]
    first_plan_due_on: date
    unavailability_added: int


def _latest_assessment(episode: Episode) -> IntakeAssessment | None:
    return (
        IntakeAssessment.objects.filter(episode=episode)
        .prefetch_related("unavailable")
        .order_by("-id")
        .first()
    )


def _unavailability_copy(assessment: IntakeAssessment | None) -> int:
    """The times the assessment found the participant unavailable become their scheduling
    unavailability, unless the same block is already there."""
    if assessment is None:
        return 0
    have = set(
        Unavailability.objects.filter(participant_id=assessment.participant_id).values_list(
            "weekday", "start_time", "end_time"
        )
    )
    rows = [
        row
        for row in unavailability_for_admission(assessment)
        if (row.weekday, row.start_time, row.end_time) not in have
    ]
    Unavailability.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def participant_admit(
    *,
    actor: User,
    episode: Episode,
    track: Track | None,
    primary_clinician: User | None,
    start_on: date | None,
    planned_weeks: int | None,
) -> Admission:
    """Admit an assessed episode: consent to treatment must be signed; assigns the track,
    primary clinician, first day and planned length; places the participant on the track's
    group sessions from the first day; makes the intake battery due at once; moves the
    linked inquiry to admitted. The first treatment plan falls due
    care.services.FIRST_PLAN_DAYS later."""
    locked = (
        Episode.objects.select_for_update()
        .select_related("program", "participant")
        .get(pk=episode.pk)
    )
    program = locked.program
    participant_services._check_assigned(actor, program)
    today = today_in(program.time_zone)
    if locked.status != EpisodeStatus.ASSESSED:
        raise ValidationError(
            f"Only an assessed episode can be admitted; this one is "
            f"{locked.get_status_display().lower()}."
        )
    errors: dict[str, str] = {}
    if track is None:
        errors["track"] = "Choose the track the participant is admitted to."
    if primary_clinician is None:
        errors["primary_clinician"] = "Choose a primary clinician."
    if start_on is None:
        errors["start_on"] = "Give the first day in program."
    elif start_on < today:
        errors["start_on"] = "The first day in program cannot be in the past."
    elif start_on > today + timedelta(days=90):
        errors["start_on"] = "The first day in program must be within 90 days."
    if planned_weeks is None:
        planned_weeks = program.planned_weeks
    if not PLANNED_WEEKS_MIN <= planned_weeks <= PLANNED_WEEKS_MAX:
        errors["planned_weeks"] = (
            f"The planned length is {PLANNED_WEEKS_MIN} to {PLANNED_WEEKS_MAX} weeks."
        )
    if treatment_consent_for(locked, today) is None:
        errors["consent"] = (
            "Consent to treatment is not signed: the participant signs it before admission."
        )
    if errors:
        raise ValidationError(errors)
    assert start_on is not None
    participant_services.episode_transition(
        actor=actor,
        episode=locked,
        to_status=EpisodeStatus.ADMITTED,
        on=today,
        track=track,
        primary_clinician=primary_clinician,
        start_on=start_on,
    )
    locked.planned_weeks = planned_weeks
    locked.planned_end_on = start_on + timedelta(weeks=planned_weeks)
    locked.save(update_fields=["planned_weeks", "planned_end_on", "updated_at"])
    added = _unavailability_copy(_latest_assessment(locked))
    battery = intake_battery_make_due(episode=locked, now=timezone.now())
    for inquiry in Inquiry.objects.filter(episode=locked).exclude(status=InquiryStatus.ADMITTED):
        if InquiryStatus.ADMITTED in INQUIRY_TRANSITIONS[inquiry.status]:
            _move(actor=actor, inquiry=inquiry, to_status=InquiryStatus.ADMITTED, note="")
    event_record(
        participant=locked.participant,
        kind=EventKind.EPISODE_STATUS,
        summary=f"{program.name}: admitted to the {locked.track.name if locked.track else ''} "
        f"track, first day {start_on:%b} {start_on.day}, planned {planned_weeks} weeks",
        actor=actor,
        program=program,
    )
    participant_services._copy_episode(locked, episode)
    plan_due = first_plan_due_on(locked)
    assert plan_due is not None
    return Admission(
        episode=episode, battery_due=battery, first_plan_due_on=plan_due, unavailability_added=added
    )
