"""Portal accounts for participants and their family members.

Staff invite from the chart (the participant) or from a family contact (only while an active
release to that contact names something the family portal shows). The invitation is an e-mail
with a single-use link that works for OPENIOP_INVITATION_HOURS; the person chooses their own
password, and only then is the account created (or, after it was turned off, reactivated).

- The e-mail names no person, program or organization: a shared inbox or a lock screen shows
  only that someone was invited to set up an account.
- The link carries a random 256-bit token; the database keeps only its SHA-256, so a copy of
  the table accepts nothing. Accepting, revoking or sending a newer invitation ends a link, and
  acceptance locks the row first, so a replayed e-mail never creates or changes an account.
- An address another account uses (staff, participant or family) is refused without saying
  whose it is; at most INVITATIONS_PER_DAY invitations go to one person in 24 hours.
- Accounts follow the episode's access rules: a participant whose episodes are all discharged
  keeps only what alumni follow-up needs (access.portal_participant), and a family member's
  account opens pages only while a release covers them (access.family_consents_for).

Every step writes a timeline event (EventKind.PORTAL_ACCOUNT) naming who did it; the staff
views record their access through participant_for, and acceptance records its own row.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from openiop.accounts.models import User
from openiop.accounts.roles import Perm, Role
from openiop.audit.models import EventKind
from openiop.audit.services import event_record
from openiop.participants.consents import covered_contacts
from openiop.participants.models import (
    OPEN_STATUSES,
    FamilyContact,
    InvitationStatus,
    Participant,
    PortalInvitation,
)

log = logging.getLogger(__name__)

INVITATIONS_PER_DAY = 5
# Neutral on purpose: the subject is what a shared inbox or a phone's lock screen shows.
INVITATION_SUBJECT = "Set up your account"
EMAIL_IN_USE = (
    "This e-mail address cannot be used for a new portal account: each account needs an "
    "address of its own. Ask for another address."
)


def _account(user_id: int | None, *, lock: bool = False) -> User | None:
    if user_id is None:
        return None
    users = User.objects.select_for_update() if lock else User.objects.all()
    return users.filter(pk=user_id).first()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_hours() -> int:
    return int(settings.OPENIOP_INVITATION_HOURS)


# --- what the chart shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class PortalAccess:
    """One person's portal account as staff see it, and what they may do next.

    state: "none" (never invited), "pending", "expired", "revoked", "active", "alumni"
    (participant, every episode discharged), "paused" (family member, no release covers them
    now), "off" (turned off by staff)."""

    participant: Participant
    contact: FamilyContact | None
    account: User | None
    invitation: PortalInvitation | None
    state: str
    blocker: str

    @property
    def label(self) -> str:
        return {
            "none": "Not invited",
            "pending": "Invitation sent",
            "expired": "Invitation expired",
            "revoked": "Invitation revoked",
            "active": "Active",
            "alumni": "Active: alumni check-ins and permissions only",
            "paused": "Paused: no active release",
            "off": "Turned off",
        }[self.state]

    @property
    def can_invite(self) -> bool:
        return self.state in ("none", "expired", "revoked", "off") and not self.blocker

    @property
    def can_resend(self) -> bool:
        return self.state == "pending" and not self.blocker

    @property
    def can_revoke(self) -> bool:
        return self.state == "pending"

    @property
    def can_turn_off(self) -> bool:
        return self.state in ("active", "alumni", "paused")

    def _url(self, action: str) -> str:
        if self.contact is None:
            return reverse("participants:portal_account", args=[self.participant.public_id, action])
        return reverse(
            "participants:family_portal_account",
            args=[self.participant.public_id, self.contact.public_id, action],
        )

    @property
    def invite_url(self) -> str:
        return self._url("invite")

    @property
    def revoke_url(self) -> str:
        return self._url("revoke")

    @property
    def turn_off_url(self) -> str:
        return self._url("turn-off")


def _state(
    *,
    account: User | None,
    invitation: PortalInvitation | None,
    now: datetime,
    in_care: bool,
    covered: bool,
    family: bool,
) -> str:
    if account is not None and account.is_active and account.has_usable_password():
        if family:
            return "active" if covered else "paused"
        return "active" if in_care else "alumni"
    if invitation is not None:
        if invitation.status == InvitationStatus.PENDING:
            return "pending" if now < invitation.expires_at else "expired"
        if invitation.status == InvitationStatus.REVOKED:
            return "revoked"
    if account is not None:
        return "off"
    return "none"


def _blocker(address: str, *, family: bool, covered: bool) -> str:
    if family and not covered:
        return (
            "A family member is invited only while an active release to them names the "
            "family-session schedule, attendance or program contact."
        )
    if not address:
        return "Add an e-mail address first."
    try:
        validate_email(address)
    except ValidationError:
        return "The e-mail address on record is not valid; correct it first."
    return ""


def portal_access(
    participant: Participant, contacts: list[FamilyContact] | None = None
) -> tuple[PortalAccess, dict[int, PortalAccess]]:
    """The participant's own account and each family contact's (by contact id), in a fixed
    number of queries whatever the number of contacts (six, or seven without `contacts`
    loaded with their users)."""
    now = timezone.now()
    if contacts is None:
        contacts = list(participant.family_contacts.select_related("user"))
    latest: dict[int | None, PortalInvitation] = {}
    for invitation in participant.portal_invitations.order_by("-created_at", "-id"):
        latest.setdefault(invitation.contact_id, invitation)
    in_care = participant.episodes.filter(status__in=OPEN_STATUSES).exists()
    covered = covered_contacts(participant) if contacts else set()
    own_account = _account(participant.user_id)
    mine = PortalAccess(
        participant=participant,
        contact=None,
        account=own_account,
        invitation=latest.get(None),
        state=_state(
            account=own_account,
            invitation=latest.get(None),
            now=now,
            in_care=in_care,
            covered=False,
            family=False,
        ),
        blocker=_blocker(participant.email.strip(), family=False, covered=False),
    )
    family: dict[int, PortalAccess] = {}
    for contact in contacts:
        is_covered = contact.pk in covered
        family[contact.pk] = PortalAccess(
            participant=participant,
            contact=contact,
            account=contact.user,
            invitation=latest.get(contact.pk),
            state=_state(
                account=contact.user,
                invitation=latest.get(contact.pk),
                now=now,
                in_care=in_care,
                covered=is_covered,
                family=True,
            ),
            blocker=_blocker(contact.email.strip(), family=True, covered=is_covered),
        )
    return mine, family


# --- writes ------------------------------------------------------------------------------------


def _check_actor(actor: User, participant: Participant) -> None:
    """Staff with write access, in one of the participant's programs."""
    if not (actor.is_staff_member and actor.can(Perm.PARTICIPANT_WRITE)):
        raise PermissionDenied("Your role does not allow inviting to the portal.")
    if (
        actor.organization_id != participant.organization_id
        or not participant.episodes.filter(program__in=actor.assignments.values("program")).exists()
    ):
        raise PermissionDenied("You can only invite people in the programs you work in.")


def _check_address_free(address: str, *, own: User | None, invitation: PortalInvitation) -> None:
    """Nobody else's account, and no other person's live invitation, uses the address."""
    taken = User.objects.filter(email__iexact=address)
    if own is not None:
        taken = taken.exclude(pk=own.pk)
    others = PortalInvitation.objects.filter(
        email__iexact=address, status=InvitationStatus.PENDING, expires_at__gt=timezone.now()
    ).exclude(participant=invitation.participant, contact=invitation.contact)
    if taken.exists() or others.exists():
        raise ValidationError({"email": EMAIL_IN_USE})


def _summary(contact: FamilyContact | None, what: str) -> str:
    if contact is None:
        return f"Portal {what}"
    return f"Portal {what} for {contact.name} ({contact.relationship}, family)"


@transaction.atomic
def portal_invitation_send(
    *,
    actor: User,
    participant: Participant,
    contact: FamilyContact | None = None,
    site_url: str,
) -> PortalInvitation:
    """E-mail a new invitation to the participant (no `contact`) or to one of their family
    contacts, to the address on record. A pending invitation is replaced (its link stops
    working): this is also how an invitation is sent again. The e-mail goes out once the
    transaction commits."""
    _check_actor(actor, participant)
    # Lock the record: two staff inviting at once take turns, and the partial unique index
    # on pending invitations backs it where rows cannot be locked.
    Participant.objects.select_for_update().filter(pk=participant.pk).values_list("pk").get()
    if contact is not None:
        contact = FamilyContact.objects.select_related("user").get(pk=contact.pk)
        if contact.participant_id != participant.pk:
            raise ValidationError("That contact belongs to someone else.")
        account = contact.user
        address = contact.email.strip().lower()
        covered = contact.pk in covered_contacts(participant)
    else:
        participant = Participant.objects.get(pk=participant.pk)
        account = _account(participant.user_id)
        address = participant.email.strip().lower()
        covered = False
    if account is not None and account.is_active and account.has_usable_password():
        raise ValidationError(
            "This person already has an active portal account. If they forgot the password, "
            "they can reset it from the sign-in page."
        )
    blocker = _blocker(address, family=contact is not None, covered=covered)
    if blocker:
        raise ValidationError(blocker)
    now = timezone.now()
    earlier = PortalInvitation.objects.filter(participant=participant, contact=contact)
    if earlier.filter(created_at__gt=now - timedelta(days=1)).count() >= INVITATIONS_PER_DAY:
        raise ValidationError(
            f"{INVITATIONS_PER_DAY} invitations were sent to this person in the last 24 hours. "
            "Check the address with them, then try again tomorrow."
        )
    pending = list(earlier.select_for_update().filter(status=InvitationStatus.PENDING))
    token = secrets.token_urlsafe(32)
    invitation = PortalInvitation(
        organization_id=participant.organization_id,
        participant=participant,
        contact=contact,
        email=address,
        token_hash=token_hash(token),
        created_at=now,
        created_by=actor,
        expires_at=now + timedelta(hours=invitation_hours()),
    )
    _check_address_free(address, own=account, invitation=invitation)
    for old in pending:
        old.status = InvitationStatus.REPLACED
        old.ended_at = now
        old.ended_by = actor
        old.save(update_fields=["status", "ended_at", "ended_by"])
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        raise ValidationError(
            "Someone else sent an invitation to this person at the same moment."
        ) from None
    event_record(
        participant=participant,
        kind=EventKind.PORTAL_ACCOUNT,
        summary=_summary(contact, "invitation sent again" if pending else "invitation sent"),
        actor=actor,
    )
    link = invitation_link(site_url, token)
    pk = invitation.pk
    transaction.on_commit(lambda: invitation_email_send(invitation_id=pk, link=link))
    return invitation


def invitation_link(site_url: str, token: str) -> str:
    # The token rides in the query string: access logs and OpenIOP's own logs drop query
    # strings (lib/logging.NoPHIFilter, `openiop serve`), and the welcome page moves it into
    # the session at once.
    return f"{site_url.rstrip('/')}{reverse('welcome')}?{urlencode({'key': token})}"


def invitation_email_send(*, invitation_id: int, link: str) -> bool:
    """Send one invitation e-mail and note when it left. Kept small and self-contained so it
    can become a background task: it needs only the invitation's id and its link."""
    invitation = PortalInvitation.objects.filter(
        pk=invitation_id, status=InvitationStatus.PENDING
    ).first()
    if invitation is None:
        return False
    body = render_to_string(
        "participants/portal_invitation_email.txt",
        {"link": link, "hours": invitation_hours()},
    )
    try:
        send_mail(INVITATION_SUBJECT, body, None, [invitation.email])
    except Exception:
        # Ids only: the address stays out of the logs.
        log.exception("portal invitation e-mail failed for invitation %s", invitation.public_id)
        PortalInvitation.objects.filter(pk=invitation.pk).update(send_failed_at=timezone.now())
        return False
    PortalInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True


@transaction.atomic
def portal_invitation_revoke(*, actor: User, invitation: PortalInvitation) -> PortalInvitation:
    """End a pending invitation: its link stops working at once."""
    _check_actor(actor, invitation.participant)
    row = (
        PortalInvitation.objects.select_for_update(of=("self",))
        .select_related("contact", "participant")
        .get(pk=invitation.pk)
    )
    if row.status != InvitationStatus.PENDING:
        raise ValidationError("This invitation is no longer pending.")
    row.status = InvitationStatus.REVOKED
    row.ended_at = timezone.now()
    row.ended_by = actor
    row.save(update_fields=["status", "ended_at", "ended_by"])
    event_record(
        participant=row.participant,
        kind=EventKind.PORTAL_ACCOUNT,
        summary=_summary(row.contact, "invitation revoked"),
        actor=actor,
    )
    return row


@transaction.atomic
def portal_account_turn_off(
    *, actor: User, participant: Participant, contact: FamilyContact | None = None
) -> User:
    """Deactivate the participant's (or the family contact's) portal account: every session
    ends at its next request. It can be set up again with a new invitation."""
    _check_actor(actor, participant)
    if contact is not None and contact.participant_id != participant.pk:
        raise ValidationError("That contact belongs to someone else.")
    user_id = contact.user_id if contact is not None else participant.user_id
    account = _account(user_id, lock=True)
    if account is None or not account.is_active:
        raise ValidationError("There is no active portal account to turn off.")
    account.is_active = False
    account.save(update_fields=["is_active"])
    event_record(
        participant=participant,
        kind=EventKind.PORTAL_ACCOUNT,
        summary=_summary(contact, "account turned off"),
        actor=actor,
    )
    return account


# --- acceptance ---------------------------------------------------------------------------------


class InvitationUnusable(Exception):
    """Why a link cannot be used; `reason` picks the page the person sees."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def invitation_for_key(key: str) -> PortalInvitation | None:
    if not key or len(key) > 100:
        return None
    return (
        PortalInvitation.objects.select_related("participant", "contact")
        .filter(token_hash=token_hash(key))
        .first()
    )


def invitation_problem(invitation: PortalInvitation | None, now: datetime) -> str:
    """'' when the invitation can be accepted now, otherwise the reason it cannot:
    unknown, used, revoked, replaced, expired, no_release."""
    if invitation is None:
        return "unknown"
    if invitation.status == InvitationStatus.ACCEPTED:
        return "used"
    if invitation.status in (InvitationStatus.REVOKED, InvitationStatus.REPLACED):
        return str(invitation.status)
    if now >= invitation.expires_at:
        return "expired"
    contact = invitation.contact
    if contact is not None and contact.pk not in covered_contacts(invitation.participant):
        return "no_release"
    return ""


def account_preview(invitation: PortalInvitation) -> User:
    """An unsaved user standing for the account to be, so Django's password validators can
    compare the password with the e-mail address and name."""
    contact = invitation.contact
    name = contact.name if contact is not None else invitation.participant.display_name
    return User(email=invitation.email, full_name=name)


@transaction.atomic
def portal_invitation_accept(*, invitation: PortalInvitation, password: str) -> User:
    """The invited person chose a password: create their account (or reactivate the one staff
    turned off), link it to the record and end the invitation. Raises InvitationUnusable when
    the link may no longer be used, whatever happened since the page was opened."""
    row = (
        PortalInvitation.objects.select_for_update(of=("self",))
        .select_related("participant", "contact")
        .get(pk=invitation.pk)
    )
    now = timezone.now()
    problem = invitation_problem(row, now)
    if problem:
        raise InvitationUnusable(problem)
    participant = Participant.objects.select_for_update().get(pk=row.participant_id)
    contact = row.contact
    if contact is not None:
        contact = FamilyContact.objects.select_for_update().get(pk=contact.pk)
        account = _account(contact.user_id)
        role, name = Role.FAMILY, contact.name
    else:
        account = _account(participant.user_id)
        role, name = Role.PARTICIPANT, participant.display_name
    others = User.objects.filter(email__iexact=row.email)
    if account is not None:
        others = others.exclude(pk=account.pk)
    if others.exists():
        raise InvitationUnusable("email_in_use")
    if account is None:
        account = User(
            organization_id=participant.organization_id,
            email=row.email,
            full_name=name,
            role=role,
        )
        account.set_password(password)
        account.full_clean()
        account.save()
        if contact is not None:
            contact.user = account
            contact.save(update_fields=["user"])
        else:
            participant.user = account
            participant.save(update_fields=["user", "updated_at"])
        what = "account created"
    else:
        if account.role != role:
            raise InvitationUnusable("email_in_use")
        account.email = row.email
        account.is_active = True
        account.set_password(password)
        account.save(update_fields=["email", "is_active", "password"])
        what = "account set up again"
    row.status = InvitationStatus.ACCEPTED
    row.accepted_at = now
    row.user = account
    row.save(update_fields=["status", "accepted_at", "user"])
    event_record(
        participant=participant,
        kind=EventKind.PORTAL_ACCOUNT,
        summary=_summary(contact, f"invitation accepted; {what}"),
        actor=account,
    )
    return account
