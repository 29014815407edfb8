"""The scoping getters for program configuration: every lookup of a site, program, track,
room or session type by a staff page goes through these.

A director configures only what is theirs: programs in their organization that they are
assigned to (StaffAssignment), the sites those programs run at, and sites of their
organization that host no program yet (so a newly added site can receive its first program).
Anything else, including another organization's objects, is a 404: we never reveal that it
exists. The role check (Perm.PROGRAM_CONFIGURE) is repeated here so a getter can never hand
out configuration to a role that the view decorator forgot to stop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from openiop.accounts.roles import Perm
from openiop.programs.models import Organization, Program, Room, SessionType, Site, Track

if TYPE_CHECKING:
    from openiop.accounts.models import User


def _organization_id(user: User) -> int | None:
    """The organization the user configures, or None when their role may not configure."""
    if not (user.is_authenticated and user.is_staff_member and user.can(Perm.PROGRAM_CONFIGURE)):
        return None
    return user.organization_id


def programs_for(user: User) -> QuerySet[Program]:
    """Programs the user may configure: their organization's, and assigned to them."""
    org_id = _organization_id(user)
    if org_id is None:
        return Program.objects.none()
    return Program.objects.filter(organization_id=org_id, staff_assignments__user=user)


def sites_for(user: User) -> QuerySet[Site]:
    """Sites the user may configure: those hosting one of their programs, and their
    organization's sites that host no program at all yet."""
    org_id = _organization_id(user)
    if org_id is None:
        return Site.objects.none()
    hosts_mine = Program.objects.filter(site=OuterRef("pk"), pk__in=programs_for(user))
    hosts_any = Program.objects.filter(site=OuterRef("pk"))
    return Site.objects.filter(organization_id=org_id).filter(
        Q(Exists(hosts_mine)) | ~Q(Exists(hosts_any))
    )


def _one(queryset: QuerySet[Any], public_id: UUID | str, what: str) -> Any:
    try:
        return queryset.get(public_id=public_id)
    except (queryset.model.DoesNotExist, ValidationError, ValueError):
        raise Http404(f"No such {what}.") from None


def program_for(user: User, public_id: UUID | str) -> Program:
    return _one(programs_for(user).select_related("site", "organization"), public_id, "program")


def site_for(user: User, public_id: UUID | str) -> Site:
    return _one(sites_for(user), public_id, "site")


def track_for(user: User, public_id: UUID | str) -> Track:
    tracks = Track.objects.filter(program__in=programs_for(user)).select_related("program")
    return _one(tracks, public_id, "track")


def session_type_for(user: User, public_id: UUID | str) -> SessionType:
    types = SessionType.objects.filter(program__in=programs_for(user)).select_related("program")
    return _one(types, public_id, "session type")


def room_for(user: User, public_id: UUID | str) -> Room:
    rooms = Room.objects.filter(site__in=sites_for(user)).select_related("site")
    return _one(rooms, public_id, "room")


def organization_for(user: User) -> Organization:
    """The organization in which the user may add sites."""
    if _organization_id(user) is None or user.organization is None:
        raise Http404("No organization to configure.")
    return user.organization
