"""Staff actions on portal accounts, from the chart, a family contact or the admission page:
invite (or send again), revoke a pending invitation, turn an account off. The rules live in
participants.invitations; these views look the participant up through participant_for
(write) and report the outcome."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.lib.forms import message_errors
from openiop.lib.http import AuthedRequest
from openiop.participants import invitations
from openiop.participants.access import participant_for, program_ids_for
from openiop.participants.models import FamilyContact, InvitationStatus, Participant

ACTIONS = frozenset({"invite", "revoke", "turn-off"})


def _back(request: AuthedRequest, participant: Participant) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("participants:chart", args=[participant.public_id])


def _act(
    request: AuthedRequest, participant: Participant, contact: FamilyContact | None, action: str
) -> None:
    user = request.user
    if action == "invite":
        invitation = invitations.portal_invitation_send(
            actor=user,
            participant=participant,
            contact=contact,
            site_url=request.build_absolute_uri("/"),
        )
        # The e-mail leaves once the write commits; if it fails, the chart says so.
        messages.success(
            request,
            f"Invitation e-mailed to {invitation.email}. The link works once, for "
            f"{invitations.invitation_hours()} hours.",
        )
    elif action == "revoke":
        pending = participant.portal_invitations.filter(
            contact=contact, status=InvitationStatus.PENDING
        ).first()
        if pending is None:
            raise ValidationError("There is no pending invitation to revoke.")
        invitations.portal_invitation_revoke(actor=user, invitation=pending)
        messages.success(request, "Invitation revoked: its link no longer works.")
    else:
        invitations.portal_account_turn_off(actor=user, participant=participant, contact=contact)
        messages.success(request, "Portal account turned off; the person is signed out.")


def _run(
    request: AuthedRequest, public_id: UUID, action: str, contact_id: UUID | None = None
) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such action.")
    participant = participant_for(request, public_id, write=True, object_type="portal.invitation")
    # A contact belongs to the program whose staff recorded it: another program's contact is
    # not this viewer's to know of (404), as on the contact's own edit page.
    contact = (
        get_object_or_404(
            participant.family_contacts.filter(program_id__in=program_ids_for(request.user)),
            public_id=contact_id,
        )
        if contact_id is not None
        else None
    )
    with message_errors(request):
        _act(request, participant, contact, action)
    return redirect(_back(request, participant))


@staff(Perm.PARTICIPANT_WRITE)
@require_POST
def portal_account(request: AuthedRequest, public_id: UUID, action: str) -> HttpResponse:
    return _run(request, public_id, action)


@staff(Perm.PARTICIPANT_WRITE)
@require_POST
def family_portal_account(
    request: AuthedRequest, public_id: UUID, contact_id: UUID, action: str
) -> HttpResponse:
    return _run(request, public_id, action, contact_id)
