"""The scoping getters: every participant-scoped lookup goes through these.

- An outsider (no assignment to any of the participant's programs, another organization, or
  a role without participant access) gets 404: we never reveal that the record exists.
- A user who may see the participant but lacks the level asked for (clinical, SUD) or write
  access gets 403.
- Every successful lookup and every refusal of a visible participant writes an access-log row.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, TypeGuard
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest

from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record
from openiop.participants.consents import FamilyGrant, family_grants
from openiop.participants.models import (
    IN_TREATMENT_STATUSES,
    OPEN_STATUSES,
    Episode,
    Participant,
)
from openiop.programs.models import Program

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from openiop.accounts.models import User


class Access(IntEnum):
    IDENTITY = 1  # that the participant exists: identity, episodes, attendance, hours
    CLINICAL = 2  # notes, scores, plans, risk
    SUD = 3  # 42 CFR Part 2 records


_LEVEL_PERM = {
    Access.IDENTITY: Perm.PARTICIPANT_EXISTS,
    Access.CLINICAL: Perm.PARTICIPANT_CLINICAL,
    Access.SUD: Perm.PARTICIPANT_SUD,
}

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def program_ids_for(user: User | AnonymousUser) -> list[int]:
    """Programs a staff member is assigned to (memoized on the user for the request)."""
    if not (user.is_authenticated and user.is_staff_member):
        return []
    # Kept in the instance's own attributes, as cached_property does: one query per request.
    memo = vars(user)
    cached: list[int] | None = memo.get("_openiop_program_ids")
    if cached is None:
        cached = memo["_openiop_program_ids"] = list(
            user.assignments.values_list("program_id", flat=True)
        )
    return cached


def participants_for(user: User | AnonymousUser) -> QuerySet[Participant]:
    """All participants a staff user may know exist: those with an episode in one of the
    user's programs, in the user's organization."""
    if not (
        user.is_authenticated
        and user.is_staff_member
        and user.can(Perm.PARTICIPANT_EXISTS)
        and user.organization_id is not None
    ):
        return Participant.objects.none()
    in_my_programs = Episode.objects.filter(
        participant=OuterRef("pk"), program_id__in=program_ids_for(user)
    )
    return Participant.objects.filter(organization_id=user.organization_id).filter(
        Exists(in_my_programs)
    )


def may_access(user: User | AnonymousUser, access: Access) -> TypeGuard[User]:
    return bool(user.is_authenticated and user.can(_LEVEL_PERM[access]))


def participant_for(
    request: HttpRequest,
    public_id: UUID | str,
    *,
    access: Access = Access.IDENTITY,
    write: bool = False,
    object_type: str = "participant",
    object_id: str = "",
) -> Participant:
    """`object_id` names what of the participant is looked at (a note), for the audit row;
    the participant's own id by default."""
    user = request.user
    try:
        participant = participants_for(user).get(public_id=public_id)
    except (Participant.DoesNotExist, ValidationError, ValueError):
        raise Http404("No such participant.") from None
    if not may_access(user, access) or (write and not user.can(Perm.PARTICIPANT_WRITE)):
        access_record(
            request=request,
            action=AccessAction.DENIED,
            object_type=object_type,
            participant=participant,
            object_id=object_id,
        )
        raise PermissionDenied("Your role does not allow this for this participant.")
    writing = write and request.method not in _SAFE_METHODS
    access_record(
        request=request,
        action=AccessAction.UPDATE if writing else AccessAction.VIEW,
        object_type=object_type,
        participant=participant,
        object_id=object_id,
    )
    return participant


def level_for(access: Access, program: Program) -> Access:
    """The level a program's records need: clinical content of a program that treats
    substance use is a 42 CFR Part 2 record."""
    if access >= Access.CLINICAL and program.treats_sud:
        return Access.SUD
    return access


def readable_program_ids(user: User | AnonymousUser, access: Access) -> list[int]:
    """The programs the user works in whose records they may read at `access`: lists of
    alerts, coaching requests and inquiries leave out a substance-use program's for a role
    without SUD access."""
    ids = program_ids_for(user)
    if not ids or not may_access(user, access):
        return []
    if may_access(user, level_for(access, Program(treats_sud=True))):
        return ids
    return list(Program.objects.filter(pk__in=ids, treats_sud=False).values_list("pk", flat=True))


def _participant_programs(
    user: User | AnonymousUser, participant: Participant
) -> QuerySet[Program]:
    return (
        Program.objects.filter(
            pk__in=program_ids_for(user),
            organization_id=participant.organization_id,
            episodes__participant=participant,
        )
        .distinct()
        .order_by("name", "pk")
    )


def participant_programs(
    user: User | AnonymousUser, participant: Participant, *, access: Access = Access.IDENTITY
) -> list[Program]:
    """The participant's programs whose records the user may read at `access`: programs the
    user works in where the participant has an episode (docs/architecture.md, "What belongs
    to the person"). Another program's records of the same person are never among them."""
    return [
        p
        for p in _participant_programs(user, participant)
        if may_access(user, level_for(access, p))
    ]


def program_check(
    request: HttpRequest,
    participant: Participant,
    program: Program | int,
    *,
    access: Access,
    object_type: str,
) -> None:
    """Before showing or changing a record of `participant` kept in `program`: 404 when the
    viewer does not work in that program, 403 (and a denied row) when their role lacks the
    level its records need."""
    user = request.user
    program_id = program if isinstance(program, int) else program.pk
    if program_id not in program_ids_for(user):
        raise Http404("No such record in your programs.")
    if isinstance(program, int):
        program = Program.objects.get(pk=program_id)
    if not may_access(user, level_for(access, program)):
        access_record(
            request=request,
            action=AccessAction.DENIED,
            object_type=object_type,
            participant=participant,
        )
        raise PermissionDenied(
            "Substance-use treatment records need SUD access."
            if program.treats_sud
            else "Your role does not allow this for this participant."
        )


def participant_program(
    request: HttpRequest,
    participant: Participant,
    program_id: UUID | str,
    *,
    access: Access,
    object_type: str,
) -> Program:
    """One of the participant's programs, named by its public id, checked as program_check."""
    try:
        program = _participant_programs(request.user, participant).get(public_id=program_id)
    except (Program.DoesNotExist, ValidationError, ValueError):
        raise Http404("No such program.") from None
    program_check(request, participant, program, access=access, object_type=object_type)
    return program


def chosen_episode(
    request: HttpRequest,
    participant: Participant,
    *,
    access: Access,
    object_type: str,
    statuses: frozenset[str] | None = None,
) -> tuple[Episode, list[Program]]:
    """For a page about the participant's record in one program (their treatment plan, their
    diary targets): the episode in the program named by `program` (query or form field) among
    those the viewer may read at `access`, or else their open episode there (then the latest).
    Returns the programs too, so the page can offer the others. 404 when there is none; 403
    when the viewer works only in programs whose records their role may not read."""
    user = request.user
    programs = participant_programs(user, participant, access=access)
    wanted = request.POST.get("program") or request.GET.get("program")
    if wanted:
        chosen = [
            participant_program(
                request, participant, wanted, access=access, object_type=object_type
            )
        ]
    else:
        if not programs:
            for program in participant_programs(user, participant):
                program_check(request, participant, program, access=access, object_type=object_type)
        chosen = programs
    episodes = participant.episodes.filter(program__in=chosen).select_related("program")
    if statuses is not None:
        episodes = episodes.filter(status__in=statuses)
    ordered = list(episodes.order_by("-inquiry_on", "-id"))
    episode = next((e for e in ordered if e.is_open), ordered[0] if ordered else None)
    if episode is None:
        raise Http404("No episode in your programs.")
    return episode, programs


def record_created(request: HttpRequest, participant: Participant) -> Participant:
    """Log the access row of a participant record the request has just created (a new
    participant, an inquiry converted), and return the record."""
    access_record(
        request=request,
        action=AccessAction.CREATE,
        object_type="participant",
        participant=participant,
    )
    return participant


def treatment_episode_for(user: User | AnonymousUser, participant: Participant) -> Episode | None:
    """The participant's latest episode in treatment (admitted, active or on hold) in a program
    `user` works in, with its program; None when there is none."""
    return (
        participant.episodes.filter(
            program_id__in=program_ids_for(user), status__in=IN_TREATMENT_STATUSES
        )
        .select_related("program")
        .order_by("-inquiry_on", "-id")
        .first()
    )


class PortalClosed(PermissionDenied):
    """A portal page the participant's account no longer opens: every episode is discharged,
    so only what alumni follow-up needs stays (home, alumni check-ins, own permissions)."""


def portal_participant(
    request: HttpRequest, *, object_type: str = "portal.home", alumni: bool = False
) -> Participant:
    """The signed-in participant's own record; there is no way to name another one.

    A participant in care (an open episode) reaches every portal page. Once every episode is
    discharged the account keeps only the pages that pass `alumni=True`; the others raise
    PortalClosed (a 403 page that says why) and leave a `denied` row."""
    user = request.user
    if not user.is_authenticated:
        raise Http404("No participant record is linked to this account.")
    try:
        participant = Participant.objects.select_related("organization").get(user=user)
    except Participant.DoesNotExist:
        raise Http404("No participant record is linked to this account.") from None
    in_care = participant.episodes.filter(status__in=OPEN_STATUSES).exists()
    # Pages an alumnus keeps read-only (the safety plan) look at this to offer no new step.
    # An attribute of this request only (read with getattr); HttpRequest declares no such field.
    request.openiop_alumni = not in_care  # type: ignore[attr-defined]
    if not in_care and not alumni:
        access_record(
            request=request,
            action=AccessAction.DENIED,
            object_type=object_type,
            participant=participant,
        )
        raise PortalClosed(
            "Your time in the program has ended, so this page is closed. Your safety plan, your "
            "alumni check-ins and your permissions are still on your portal home."
        )
    access_record(
        request=request,
        action=AccessAction.VIEW,
        object_type=object_type,
        participant=participant,
    )
    return participant


def family_consents_for(request: HttpRequest) -> list[FamilyGrant]:
    """What the signed-in family member may see today: exactly what active consents to them
    grant (participants.consents.family_grants). A revoked consent is gone from the next
    request on; an expiry counts in the participant's program's day. Without one the account
    shows nothing: a family member's account works only while a release covers them."""
    grants = family_grants(request.user)
    for participant in {g.participant.pk: g.participant for g in grants}.values():
        access_record(
            request=request,
            action=AccessAction.VIEW,
            object_type="family.home",
            participant=participant,
        )
    return grants
