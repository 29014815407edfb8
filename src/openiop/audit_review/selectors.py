"""What an audit reviewer may see, decided in one place.

- An administrator reviews the whole organization.
- Any other reviewer (the program director) reviews entries about participants of their
  assigned programs, plus everything they did themselves.
- A participant or user of another organization, or one outside a director's reach, is a 404:
  the review pages never confirm that a record exists.

Participant reach for directors comes from participants/access.py (`participants_for`), so
program scoping has a single definition. Administrators have no participant access of their
own (they cannot open a chart), which is why the organization-wide lookup lives here.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from openiop.accounts.roles import STAFF_ROLES, Perm, Role
from openiop.audit.models import AccessLog
from openiop.participants.access import participants_for
from openiop.participants.models import FamilyContact, Participant
from openiop.programs.models import Program

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from openiop.accounts.models import User


def _reviewer_org(user: User | AnonymousUser) -> int | None:
    if not (user.is_authenticated and user.is_staff_member and user.can(Perm.AUDIT_REVIEW)):
        return None
    org_id: int | None = user.organization_id
    return org_id


def reviews_whole_organization(user: User | AnonymousUser) -> bool:
    return bool(
        _reviewer_org(user) is not None
        and user.is_authenticated
        and user.role == Role.ADMINISTRATOR
    )


def reviewable_participants(user: User | AnonymousUser) -> QuerySet[Participant]:
    org_id = _reviewer_org(user)
    if org_id is None:
        return Participant.objects.none()
    if reviews_whole_organization(user):
        return Participant.objects.filter(organization_id=org_id)
    return participants_for(user)


def reviewable_entries(user: User | AnonymousUser) -> QuerySet[AccessLog]:
    org_id = _reviewer_org(user)
    if org_id is None:
        return AccessLog.objects.none()
    entries = AccessLog.objects.filter(organization_id=org_id)
    if reviews_whole_organization(user):
        return entries
    in_reach = Q(participant__in=participants_for(user).values("pk"))
    own = Q(actor=user)
    return entries.filter(in_reach | own)


def reviewable_users(user: User | AnonymousUser) -> QuerySet[User]:
    """Accounts whose activity the reviewer may open: for a director, staff of the
    organization and the portal accounts (participant or family) of participants in reach."""
    from openiop.accounts.models import User

    org_id = _reviewer_org(user)
    if org_id is None:
        return User.objects.none()
    users = User.objects.filter(organization_id=org_id)
    if reviews_whole_organization(user):
        return users
    in_reach = reviewable_participants(user).values("pk")
    family_in_reach = FamilyContact.objects.filter(user=OuterRef("pk"), participant__in=in_reach)
    return users.filter(
        Q(role__in=STAFF_ROLES) | Q(participant__in=in_reach) | Exists(family_in_reach)
    )


def staff_actors(user: User | AnonymousUser) -> QuerySet[User]:
    """The people offered in the "who" filter: staff only, because the names of portal
    accounts are participants' and family members' names."""
    return (
        reviewable_users(user)
        .filter(role__in=STAFF_ROLES)
        .only("public_id", "full_name", "credentials", "role")
        .order_by("full_name", "id")
    )


def _get_or_404(queryset: QuerySet[Any], public_id: UUID | str) -> Any:
    try:
        return queryset.get(public_id=public_id)
    except (queryset.model.DoesNotExist, ValidationError, ValueError):
        raise Http404("Nothing to review here.") from None


def reviewable_participant(user: User | AnonymousUser, public_id: UUID | str) -> Participant:
    participant: Participant = _get_or_404(reviewable_participants(user), public_id)
    return participant


def reviewable_user(user: User | AnonymousUser, public_id: UUID | str) -> User:
    subject: User = _get_or_404(reviewable_users(user), public_id)
    return subject


def review_time_zone(organization_id: int | None) -> zoneinfo.ZoneInfo:
    """Dates on the review pages are read in the programs' time zone when the organization's
    programs share one, and in UTC otherwise, so a "from" date always means the same instant
    for every reviewer of the organization."""
    if organization_id is None:
        return zoneinfo.ZoneInfo("UTC")
    zones = set(
        Program.objects.filter(organization_id=organization_id, is_active=True)
        .order_by()
        .values_list("time_zone", flat=True)
        .distinct()[:2]
    )
    if len(zones) == 1:
        return zoneinfo.ZoneInfo(zones.pop())
    return zoneinfo.ZoneInfo("UTC")


@dataclass(frozen=True)
class EntryFilter:
    date_from: date | None = None
    date_to: date | None = None
    action: str = ""
    actor: User | None = None
    participant: Participant | None = None


def _start_of(day: date, tz: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def entries_filtered(
    entries: QuerySet[AccessLog], spec: EntryFilter, *, tz: zoneinfo.ZoneInfo
) -> QuerySet[AccessLog]:
    """Newest first, with the actor and participant each row shows, in one query per page."""
    if spec.date_from is not None:
        entries = entries.filter(at__gte=_start_of(spec.date_from, tz))
    if spec.date_to is not None:
        # The whole "to" day is included: up to the start of the next local day.
        entries = entries.filter(at__lt=_start_of(spec.date_to + timedelta(days=1), tz))
    if spec.action:
        entries = entries.filter(action=spec.action)
    if spec.actor is not None:
        entries = entries.filter(actor=spec.actor)
    if spec.participant is not None:
        entries = entries.filter(participant=spec.participant)
    return entries.select_related("actor", "participant").order_by("-at", "-id")
