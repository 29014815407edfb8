"""Builders for the portal-invitation tests: a newly admitted participant without an account,
and sending an invitation the way the chart does, reading the link from the outbox."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.core import mail
from django.test import TestCase

from openiop.accounts.models import User
from openiop.participants.invitations import portal_invitation_send
from openiop.participants.models import (
    ConsentInfo,
    EpisodeStatus,
    FamilyContact,
    Participant,
    PortalInvitation,
)
from tests import factories as f
from tests.participants.consent_support import sign

SITE = "http://testserver/"
PASSWORD = "lantern orchard pebble"  # long, uncommon, unlike the test names


def newcomer(world: Any, *, email: str = "newcomer@example.test") -> Participant:
    """An admitted participant of the world's program with no portal account."""
    participant = f.ParticipantFactory(
        organization=world.org,
        legal_first_name="Noor",
        legal_last_name="Newcomer",
        email=email,
    )
    f.EpisodeFactory(
        participant=participant,
        program=world.program,
        track=world.morning,
        primary_clinician=world.clinician,
        status=EpisodeStatus.ADMITTED,
    )
    return participant


def relative(participant: Participant, *, email: str = "quinn@example.test") -> FamilyContact:
    """A family contact with an e-mail address and no account, no release yet."""
    return f.FamilyContactFactory(
        participant=participant, name="Quinn Newcomer", relationship="Sibling", email=email
    )


def release_to(world: Any, contact: FamilyContact, *info: str) -> Any:
    episode = contact.participant.episodes.get()
    return sign(
        episode,
        world.clinician,
        recipient_contact=contact,
        information=list(info) or [ConsentInfo.FAMILY_SCHEDULE],
    )


def key_from(message: Any) -> str:
    link = re.search(r"https?://\S+", message.body)
    assert link is not None, message.body
    return parse_qs(urlsplit(link.group(0)).query)["key"][0]


def invite(
    actor: User, participant: Participant, contact: FamilyContact | None = None
) -> tuple[PortalInvitation, str]:
    """Send through the write function, run the on-commit e-mail, return the row and the key."""
    before = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        invitation = portal_invitation_send(
            actor=actor, participant=participant, contact=contact, site_url=SITE
        )
    assert len(mail.outbox) == before + 1
    invitation.refresh_from_db()
    return invitation, key_from(mail.outbox[-1])
