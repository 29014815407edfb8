"""Builders for the consent and admission tests."""

from __future__ import annotations

from typing import Any

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.participants.consents import consent_sign
from openiop.participants.models import (
    Consent,
    ConsentExpiry,
    ConsentInfo,
    ConsentKind,
    Episode,
    FamilyContact,
)
from tests import factories as f


def sign(
    episode: Episode,
    actor: User,
    kind: str = ConsentKind.RELEASE,
    **kw: Any,
) -> Consent:
    """A consent signed with every element a kind needs; `kw` overrides any of them."""
    fields: dict[str, Any] = {"typed_name": episode.participant.legal_name}
    if kind in (ConsentKind.RELEASE, ConsentKind.PART2):
        fields.update(
            recipient_name="Dr. Rivera",
            recipient_organization="Northside Clinic",
            information=[ConsentInfo.ATTENDANCE],
            purpose="To coordinate my care",
            expiry=ConsentExpiry.DISCHARGE,
        )
    fields.update(kw)
    return consent_sign(
        actor=actor, participant=episode.participant, episode=episode, kind=kind, **fields
    )


def family_member(episode: Episode, name: str = "Robin Example") -> FamilyContact:
    """A family contact of the episode's participant with a portal account, no consents."""
    user = f.UserFactory(
        organization=episode.organization, role=Role.FAMILY, full_name=f"{name} (family)"
    )
    return f.FamilyContactFactory(
        participant=episode.participant,
        program=episode.program,
        user=user,
        name=name,
        relationship="Parent",
    )


def sud_world(world: Any) -> Any:
    """The world's participant also in a substance-use program the clinician works in."""
    program = f.ProgramFactory(site=world.site, name="Recovery IOP", treats_sud=True)
    world.clinician.assignments.create(program=program, organization=world.org)
    episode = f.EpisodeFactory(
        participant=world.participant,
        program=program,
        primary_clinician=world.clinician,
    )
    return program, episode
