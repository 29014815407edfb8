"""The scoping getters for inquiries. Inquiries are not participants yet, but they hold PHI
(that someone sought care), so they follow the same rules as participants/access.py:

- Staff see inquiries of the programs they are assigned to, in their organization; anyone
  else gets 404 (we never reveal that an inquiry exists).
- Reading needs clinical access (intake coordinator, director, clinician); billing and the
  administrator are refused at the view (403).
- Changing an inquiry needs Perm.PARTICIPANT_CREATE (intake coordinator, director); a
  clinician who may read it gets 403.
- Every lookup and every refusal of a visible inquiry writes an access-log row with
  object_type "inquiry" and the inquiry's public id (the participant column stays empty).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from openiop.accounts.roles import Perm
from openiop.audit.models import AccessAction
from openiop.audit.services import access_record
from openiop.intake.models import Inquiry
from openiop.participants.access import Access, readable_program_ids

READ_PERM = Perm.PARTICIPANT_CLINICAL
WRITE_PERM = Perm.PARTICIPANT_CREATE
OBJECT_TYPE = "inquiry"

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def inquiries_for(user: Any) -> QuerySet[Inquiry]:
    if not user.is_authenticated:
        return Inquiry.objects.none()
    if not user.is_staff_member:
        return Inquiry.objects.none()
    if not user.can(READ_PERM):
        return Inquiry.objects.none()
    if user.organization_id is None:
        return Inquiry.objects.none()
    # An inquiry to a program that treats substance use is a 42 CFR Part 2 record (the person
    # applied for SUD treatment): only roles with SUD access see those.
    return Inquiry.objects.filter(
        organization_id=user.organization_id,
        program_id__in=readable_program_ids(user, Access.CLINICAL),
    )


def may_change_inquiries(user: Any) -> bool:
    return bool(user.is_authenticated and user.can(WRITE_PERM))


def inquiry_for(request: HttpRequest, public_id: UUID | str, *, write: bool = False) -> Inquiry:
    user = request.user
    try:
        inquiry = (
            inquiries_for(user)
            .select_related("program", "assigned_to", "participant", "episode")
            .get(public_id=public_id)
        )
    except (Inquiry.DoesNotExist, ValidationError, ValueError):
        raise Http404("No such inquiry.") from None
    if write and not may_change_inquiries(user):
        access_record(
            request=request,
            action=AccessAction.DENIED,
            object_type=OBJECT_TYPE,
            object_id=str(inquiry.public_id),
        )
        raise PermissionDenied("Your role may read inquiries but not change them.")
    writing = write and request.method not in _SAFE_METHODS
    access_record(
        request=request,
        action=AccessAction.UPDATE if writing else AccessAction.VIEW,
        object_type=OBJECT_TYPE,
        object_id=str(inquiry.public_id),
    )
    return inquiry
