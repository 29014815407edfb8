"""Write functions for the participant record, episodes of care, care teams and family.

Each function is one action: keyword-only, atomic, validating (a ValidationError carries a
message fit to show the user) and writing one timeline event. Summaries name only what the
chart already shows (program, track, status, care-team names, family names); never a reason,
a note or a value typed into a free-text field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Length

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.audit.models import EventKind
from openiop.audit.services import event_record
from openiop.lib.models import apply_changes, refuse_unknown_fields
from openiop.lib.timezones import today_in
from openiop.participants import hooks
from openiop.participants.models import (
    EPISODE_TRANSITIONS,
    IN_TREATMENT_STATUSES,
    CareTeamMember,
    CareTeamRole,
    DischargeKind,
    Episode,
    EpisodeStatus,
    FamilyContact,
    Participant,
)
from openiop.programs.models import Organization, Program, Track

RECORD_PREFIX = "P-"
_RECORD_ATTEMPTS = 5

# Roles that may carry a caseload (care team, primary clinician).
CLINICAL_ROLES = frozenset({Role.CLINICIAN, Role.DIRECTOR})

# Fields staff may edit on the participant record, with the label used in the timeline.
PARTICIPANT_FIELDS: dict[str, str] = {
    "legal_first_name": "legal first name",
    "legal_last_name": "legal last name",
    "preferred_name": "preferred name",
    "pronouns": "pronouns",
    "date_of_birth": "date of birth",
    "phone": "phone",
    "email": "e-mail",
    "address": "address",
    "emergency_contact_name": "emergency contact",
    "emergency_contact_phone": "emergency contact",
    "emergency_contact_relationship": "emergency contact",
}

FAMILY_FIELDS = ("name", "relationship", "phone", "email", "is_emergency_contact")

# The date field each status sets when an episode moves into it.
STATUS_DATE_FIELD: dict[str, str] = {
    EpisodeStatus.REFERRED: "referred_on",
    EpisodeStatus.ASSESSED: "assessed_on",
    EpisodeStatus.ADMITTED: "admitted_on",
    EpisodeStatus.ACTIVE: "started_on",
    EpisodeStatus.ON_HOLD: "hold_since",
    EpisodeStatus.DISCHARGED: "discharged_on",
}

_DATE_FIELDS = ("inquiry_on", "referred_on", "assessed_on", "admitted_on", "started_on")


# --- record numbers -------------------------------------------------------------------------


def _format_record_number(number: int) -> str:
    return f"{RECORD_PREFIX}{number:05d}"


def _highest_record_number(organization_id: int) -> int:
    # Zero-padded numbers sort as text until they outgrow the padding; ordering by length
    # first keeps P-100000 above P-99999.
    numbers = (
        Participant.objects.filter(
            organization_id=organization_id, record_number__startswith=RECORD_PREFIX
        )
        .annotate(length=Length("record_number"))
        .order_by("-length", "-record_number")
        .values_list("record_number", flat=True)
    )
    for record_number in numbers[:20]:
        suffix = record_number.removeprefix(RECORD_PREFIX)
        if suffix.isdigit():
            return int(suffix)
    return 0


def _next_record_number(organization_id: int) -> str:
    """The organization's next record number. The organization row is locked for the rest of
    the transaction, so on PostgreSQL two intakes creating participants at once take turns
    instead of reading the same highest number; the unique constraint and the retry in
    participant_create cover databases without row locks (SQLite)."""
    Organization.objects.select_for_update().filter(pk=organization_id).values_list("pk").get()
    return _format_record_number(_highest_record_number(organization_id) + 1)


# --- helpers --------------------------------------------------------------------------------


def _day(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _check_assigned(actor: User, program: Program) -> None:
    if (
        program.organization_id != actor.organization_id
        or not actor.assignments.filter(program=program).exists()
    ):
        raise ValidationError("You can only work with episodes in programs you are assigned to.")


def _check_clinician(user: User, program: Program, *, what: str) -> None:
    if (
        user.organization_id != program.organization_id
        or user.role not in CLINICAL_ROLES
        or not user.is_active
        or not user.assignments.filter(program=program).exists()
    ):
        raise ValidationError({what: f"Choose an active clinician assigned to {program.name}."})


def _check_track(track: Track, program: Program) -> None:
    if track.program_id != program.pk or not track.is_active:
        raise ValidationError({"track": f"Choose an active track of {program.name}."})


def _check_open(episode: Episode) -> None:
    if not episode.is_open:
        raise ValidationError("This episode is discharged and can no longer be changed.")


def _check_not_future(day: date, program: Program, *, field: str, label: str) -> None:
    if day > today_in(program.time_zone):
        raise ValidationError({field: f"The {label} cannot be in the future."})


def _check_date_of_birth(day: date, today: date) -> None:
    if day > today:
        raise ValidationError({"date_of_birth": "The date of birth cannot be in the future."})
    if today.year - day.year > 120:
        raise ValidationError(
            {"date_of_birth": "Check the date of birth: that is over 120 years ago."}
        )


def _clean_text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _care_team_join(*, episode: Episode, user: User, role: str, since: date) -> CareTeamMember:
    if CareTeamMember.objects.filter(
        episode=episode, user=user, role=role, until__isnull=True
    ).exists():
        raise ValidationError(
            {"user": f"{user.full_name} is already on the care team in that role."}
        )
    member = CareTeamMember(
        organization_id=episode.organization_id, episode=episode, user=user, role=role, since=since
    )
    member.full_clean()
    member.save()
    return member


def _care_team_leave(member: CareTeamMember, *, until: date) -> None:
    # A member added later in the day than a backdated change cannot end before joining.
    member.until = max(until, member.since)
    member.save(update_fields=["until"])


def _primary_set(*, episode: Episode, user: User | None, today: date) -> None:
    """Make `user` the primary clinician, keeping the care team's PRIMARY row in step."""
    current = list(
        CareTeamMember.objects.select_for_update().filter(
            episode=episode, role=CareTeamRole.PRIMARY, until__isnull=True
        )
    )
    for member in current:
        if user is None or member.user_id != user.pk:
            _care_team_leave(member, until=today)
    if user is not None and not any(m.user_id == user.pk for m in current):
        _care_team_join(episode=episode, user=user, role=CareTeamRole.PRIMARY, since=today)
    episode.primary_clinician = user


# --- signatures -----------------------------------------------------------------------------


def signature_clean(*, participant: Participant, typed_name: str) -> str:
    """A participant's typed signature, spaces tidied, when it is their legal name on record
    (case and spacing do not matter); otherwise a ValidationError on `typed_name` that says
    which name to type. A preferred name or initials do not sign a clinical document."""
    name = " ".join((typed_name or "").split())
    if not name:
        raise ValidationError({"typed_name": ["Type your full legal name to sign."]})
    if len(name) > 200:
        raise ValidationError({"typed_name": ["Your name can be at most 200 characters."]})
    if not participant.is_legal_name(name):
        raise ValidationError(
            {
                "typed_name": [
                    f"Type your legal name as it is on your record: {participant.legal_name}. "
                    "If that is not right, ask your care team to correct it."
                ]
            }
        )
    return name


# --- participant ----------------------------------------------------------------------------


@transaction.atomic
def participant_create(
    *,
    actor: User,
    program: Program,
    legal_first_name: str,
    legal_last_name: str,
    date_of_birth: date,
    inquiry_on: date,
    preferred_name: str = "",
    pronouns: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    emergency_contact_name: str = "",
    emergency_contact_phone: str = "",
    emergency_contact_relationship: str = "",
    referral_source: str = "",
) -> Participant:
    """A new participant record with its first episode (an inquiry) in `program`: staff see
    participants only through episodes in their programs, so a record without one would be
    invisible to the person who created it."""
    _check_assigned(actor, program)
    today = today_in(program.time_zone)
    _check_date_of_birth(date_of_birth, today)
    _check_not_future(inquiry_on, program, field="inquiry_on", label="inquiry date")
    fields = {
        "legal_first_name": legal_first_name,
        "legal_last_name": legal_last_name,
        "preferred_name": preferred_name,
        "pronouns": pronouns,
        "date_of_birth": date_of_birth,
        "phone": phone,
        "email": email,
        "address": address,
        "emergency_contact_name": emergency_contact_name,
        "emergency_contact_phone": emergency_contact_phone,
        "emergency_contact_relationship": emergency_contact_relationship,
    }
    participant = Participant(
        organization_id=program.organization_id,
        **{name: _clean_text(value) for name, value in fields.items()},
    )
    participant.full_clean(exclude=["record_number"], validate_unique=False)
    for attempt in range(_RECORD_ATTEMPTS):
        participant.record_number = _next_record_number(program.organization_id)
        try:
            with transaction.atomic():
                participant.save()
            break
        except IntegrityError:
            # Someone else took this number between our read and our insert.
            if (
                attempt == _RECORD_ATTEMPTS - 1
                or not Participant.objects.filter(
                    organization_id=program.organization_id,
                    record_number=participant.record_number,
                ).exists()
            ):
                raise
            participant.pk = None
    episode = Episode(
        organization_id=program.organization_id,
        participant=participant,
        program=program,
        status=EpisodeStatus.INQUIRY,
        inquiry_on=inquiry_on,
        referral_source=_clean_text(referral_source),
    )
    episode.full_clean()
    episode.save()
    event_record(
        participant=participant,
        kind=EventKind.PARTICIPANT_CREATED,
        summary=f"Record {participant.record_number} created; inquiry opened in {program.name}",
        actor=actor,
        program=program,
    )
    return participant


@transaction.atomic
def participant_update(
    *, actor: User, participant: Participant, changes: Mapping[str, Any]
) -> list[str]:
    """Apply `changes` (field name → new value) to the record. Returns the fields that
    actually changed; nothing is written when none did."""
    refuse_unknown_fields(changes, PARTICIPANT_FIELDS)
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    changed = apply_changes(locked, changes)
    if not changed:
        return []
    if "date_of_birth" in changed:
        _check_date_of_birth(locked.date_of_birth, locked.local_today())
    locked.full_clean(validate_unique=False)
    locked.save(update_fields=[*changed, "updated_at"])
    for name in changed:
        setattr(participant, name, getattr(locked, name))
    # Field names only: the timeline must not copy contact details or addresses.
    labels = list(dict.fromkeys(PARTICIPANT_FIELDS[name] for name in changed))
    event_record(
        participant=participant,
        kind=EventKind.PARTICIPANT_UPDATED,
        summary=f"Details updated: {', '.join(labels)}",
        actor=actor,
    )
    return changed


# --- episodes -------------------------------------------------------------------------------


@transaction.atomic
def episode_open(
    *,
    actor: User,
    participant: Participant,
    program: Program,
    inquiry_on: date,
    referral_source: str = "",
) -> Episode:
    _check_assigned(actor, program)
    if program.organization_id != participant.organization_id:
        raise ValidationError("The program belongs to another organization.")
    _check_not_future(inquiry_on, program, field="inquiry_on", label="inquiry date")
    open_in_program = Episode.objects.filter(participant=participant, program=program).exclude(
        status=EpisodeStatus.DISCHARGED
    )
    message = (
        f"{participant.display_name} already has an open episode in {program.name}; "
        "discharge it before opening another."
    )
    if open_in_program.exists():
        raise ValidationError({"program": message})
    episode = Episode(
        organization_id=participant.organization_id,
        participant=participant,
        program=program,
        status=EpisodeStatus.INQUIRY,
        inquiry_on=inquiry_on,
        referral_source=_clean_text(referral_source),
    )
    # The check above can race with a second request; the partial unique index cannot.
    # full_clean also evaluates that constraint, so its error is replaced with ours.
    try:
        episode.full_clean(validate_constraints=False)
        with transaction.atomic():
            episode.save()
    except IntegrityError:
        raise ValidationError({"program": message}) from None
    event_record(
        participant=participant,
        kind=EventKind.EPISODE_OPENED,
        summary=f"Episode opened in {program.name} (inquiry)",
        actor=actor,
        program=program,
    )
    return episode


def _latest_date(episode: Episode) -> date:
    days = [getattr(episode, name) for name in _DATE_FIELDS]
    if episode.status == EpisodeStatus.ON_HOLD and episode.hold_since:
        days.append(episode.hold_since)
    return max(d for d in days if d is not None)


@transaction.atomic
def episode_transition(
    *,
    actor: User,
    episode: Episode,
    to_status: str,
    on: date,
    discharge_reason: str = "",
    discharge_kind: str = "",
    track: Track | None = None,
    primary_clinician: User | None = None,
    start_on: date | None = None,
) -> Episode:
    """Move the episode to `to_status` on `on`. Only the moves in EPISODE_TRANSITIONS are
    allowed; each sets its date. Admission needs a track and a primary clinician, which may
    be given here or set beforehand with episode_update; it may also set the first day in
    program (`start_on`, on or after the admission date), from which the participant is placed
    on the track's group sessions."""
    locked = Episode.objects.select_for_update().select_related("program").get(pk=episode.pk)
    program = locked.program
    _check_assigned(actor, program)
    from_status = locked.status
    if to_status not in EpisodeStatus.values:
        raise ValidationError({"to_status": "Choose a status."})
    if to_status not in EPISODE_TRANSITIONS[from_status]:
        raise ValidationError(
            {
                "to_status": f"An episode that is {locked.get_status_display().lower()} cannot "
                f"become {EpisodeStatus(to_status).label.lower()}."
            }
        )
    if on < locked.inquiry_on:
        raise ValidationError(
            {"on": f"The date cannot be before the inquiry date ({_day(locked.inquiry_on)})."}
        )
    latest = _latest_date(locked)
    if on < latest:
        raise ValidationError(
            {"on": f"The date cannot be before the episode's last recorded date ({_day(latest)})."}
        )
    _check_not_future(on, program, field="on", label="date")
    today = today_in(program.time_zone)

    if track is not None:
        _check_track(track, program)
        locked.track = track
    if primary_clinician is not None and primary_clinician.pk != locked.primary_clinician_id:
        _check_clinician(primary_clinician, program, what="primary_clinician")
        _primary_set(episode=locked, user=primary_clinician, today=today)

    if to_status == EpisodeStatus.ADMITTED:
        errors: dict[str, str] = {}
        if locked.track is None:
            errors["track"] = "Choose the track the participant is admitted to."
        if locked.primary_clinician_id is None:
            errors["primary_clinician"] = "Choose a primary clinician before admitting."
        if errors:
            raise ValidationError(errors)
    if start_on is not None:
        if to_status != EpisodeStatus.ADMITTED:
            raise ValidationError({"start_on": "The first day in program is set on admission."})
        if start_on < on:
            raise ValidationError(
                {"start_on": "The first day in program cannot be before the admission date."}
            )
    if to_status == EpisodeStatus.DISCHARGED:
        discharge_reason = discharge_reason.strip()
        if not discharge_reason:
            raise ValidationError({"discharge_reason": "Give the reason for discharge."})
        locked.discharge_reason = discharge_reason
        if discharge_kind and discharge_kind not in DischargeKind.values:
            raise ValidationError({"discharge_kind": "Choose why the episode ended."})
        locked.discharge_kind = discharge_kind

    date_field = STATUS_DATE_FIELD[to_status]
    # started_on is the first day in program; coming back from a hold does not move it.
    if not (to_status == EpisodeStatus.ACTIVE and locked.started_on is not None):
        setattr(locked, date_field, on)
    if start_on is not None:
        locked.started_on = start_on
    if from_status == EpisodeStatus.ON_HOLD and to_status == EpisodeStatus.ACTIVE:
        locked.hold_since = None
    locked.status = to_status
    locked.full_clean(validate_constraints=False)
    locked.save()

    summary = (
        f"{program.name}: {EpisodeStatus(from_status).label} → "
        f"{EpisodeStatus(to_status).label} on {_day(on)}"
    )
    event_record(
        participant=locked.participant,
        kind=EventKind.EPISODE_STATUS,
        summary=summary,
        actor=actor,
        program=locked.program,
    )
    # Rolling rosters: placed on the track's future groups, or taken off them (scheduling).
    hooks.episode_changed.fire(locked, actor)
    _copy_episode(locked, episode)
    return episode


def _copy_episode(source: Episode, target: Episode) -> None:
    if source is target:
        return
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.fields_cache.clear()


_UNSET: Any = object()


@transaction.atomic
def episode_update(
    *,
    actor: User,
    episode: Episode,
    track: Track | None = _UNSET,
    primary_clinician: User | None = _UNSET,
) -> Episode:
    """Change the track or primary clinician of an open episode. Leave an argument out to
    keep the current value; pass None to clear it (not allowed while in treatment)."""
    locked = Episode.objects.select_for_update().select_related("program").get(pk=episode.pk)
    program = locked.program
    _check_assigned(actor, program)
    _check_open(locked)
    in_treatment = locked.status in IN_TREATMENT_STATUSES
    changes: list[str] = []
    if track is not _UNSET and track != locked.track:
        if track is None:
            if in_treatment:
                raise ValidationError({"track": "A participant in treatment needs a track."})
            changes.append("track cleared")
        else:
            _check_track(track, program)
            changes.append(f"track {track.name}")
        locked.track = track
    if primary_clinician is not _UNSET and (
        (primary_clinician.pk if primary_clinician else None) != locked.primary_clinician_id
    ):
        if primary_clinician is None:
            if in_treatment:
                raise ValidationError(
                    {"primary_clinician": "A participant in treatment needs a primary clinician."}
                )
            changes.append("primary clinician cleared")
        else:
            _check_clinician(primary_clinician, program, what="primary_clinician")
            changes.append(f"primary clinician {primary_clinician.full_name}")
        _primary_set(episode=locked, user=primary_clinician, today=today_in(program.time_zone))
    if not changes:
        return episode
    locked.save(update_fields=["track", "primary_clinician", "updated_at"])
    event_record(
        participant=locked.participant,
        kind=EventKind.EPISODE_STATUS,
        summary=f"{program.name}: {'; '.join(changes)}",
        actor=actor,
        program=program,
    )
    if track is not _UNSET:
        hooks.episode_changed.fire(locked, actor)
    _copy_episode(locked, episode)
    return episode


# --- care team ------------------------------------------------------------------------------


@transaction.atomic
def care_team_add(*, actor: User, episode: Episode, user: User, role: str) -> CareTeamMember:
    """Add a clinician of the episode's program to its care team. Adding someone as primary
    therapist makes them the episode's primary clinician (one primary at a time)."""
    locked = Episode.objects.select_for_update().select_related("program").get(pk=episode.pk)
    program = locked.program
    _check_assigned(actor, program)
    _check_open(locked)
    if role not in CareTeamRole.values:
        raise ValidationError({"role": "Choose a care-team role."})
    _check_clinician(user, program, what="user")
    today = today_in(program.time_zone)
    if role == CareTeamRole.PRIMARY:
        if locked.primary_clinician_id == user.pk:
            raise ValidationError({"user": f"{user.full_name} is already the primary clinician."})
        _primary_set(episode=locked, user=user, today=today)
        locked.save(update_fields=["primary_clinician", "updated_at"])
        _copy_episode(locked, episode)
        member = CareTeamMember.objects.get(
            episode=locked, user=user, role=role, until__isnull=True
        )
    else:
        member = _care_team_join(episode=locked, user=user, role=role, since=today)
    event_record(
        participant=locked.participant,
        kind=EventKind.CARE_TEAM,
        summary=f"{program.name}: {user.full_name} joined the care team "
        f"({CareTeamRole(role).label})",
        actor=actor,
        program=program,
    )
    return member


@transaction.atomic
def care_team_end(*, actor: User, member: CareTeamMember) -> CareTeamMember:
    locked = (
        CareTeamMember.objects.select_for_update()
        .select_related("episode__program", "episode__participant", "user")
        .get(pk=member.pk)
    )
    episode = locked.episode
    program = episode.program
    _check_assigned(actor, program)
    if locked.until is not None:
        raise ValidationError("This person has already left the care team.")
    if locked.role == CareTeamRole.PRIMARY and episode.primary_clinician_id == locked.user_id:
        raise ValidationError(
            "To take the primary clinician off the care team, choose a new primary clinician."
        )
    _care_team_leave(locked, until=today_in(program.time_zone))
    member.until = locked.until
    event_record(
        participant=episode.participant,
        kind=EventKind.CARE_TEAM,
        summary=f"{program.name}: {locked.user.full_name} left the care team "
        f"({locked.get_role_display()})",
        actor=actor,
        program=program,
    )
    return member


# --- family ---------------------------------------------------------------------------------


@transaction.atomic
def family_contact_add(
    *,
    actor: User,
    participant: Participant,
    program: Program,
    name: str,
    relationship: str,
    phone: str = "",
    email: str = "",
    is_emergency_contact: bool = False,
) -> FamilyContact:
    """Record a contact in `program`: the actor works there and the participant has an
    episode there."""
    _check_assigned(actor, program)
    if not participant.episodes.filter(program=program).exists():
        raise ValidationError(
            {"program": f"{participant.display_name} has no episode in {program.name}."}
        )
    contact = FamilyContact(
        organization_id=participant.organization_id,
        participant=participant,
        program=program,
        name=name.strip(),
        relationship=relationship.strip(),
        phone=phone.strip(),
        email=email.strip(),
        is_emergency_contact=is_emergency_contact,
    )
    contact.full_clean()
    contact.save()
    event_record(
        participant=participant,
        kind=EventKind.FAMILY_CONTACT,
        summary=f"Family contact added: {contact.name} ({contact.relationship})",
        actor=actor,
        program=program,
    )
    return contact


@transaction.atomic
def family_contact_update(
    *, actor: User, contact: FamilyContact, changes: Mapping[str, Any]
) -> list[str]:
    refuse_unknown_fields(changes, FAMILY_FIELDS)
    locked = FamilyContact.objects.select_for_update().get(pk=contact.pk)
    changed = apply_changes(locked, changes)
    if not changed:
        return []
    locked.full_clean()
    locked.save(update_fields=changed)
    for name in changed:
        setattr(contact, name, getattr(locked, name))
    event_record(
        participant=contact.participant,
        kind=EventKind.FAMILY_CONTACT,
        summary=f"Family contact updated: {locked.name} ({locked.relationship})",
        actor=actor,
        program=locked.program,
    )
    return changed
