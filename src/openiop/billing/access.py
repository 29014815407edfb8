"""The billing room's scoping getters.

Billing pages work at identity level (participants.access.Access.IDENTITY): coverage,
authorizations, billable days and claims are the program's business records, which billing
staff of that program handle, and never clinical content (note bodies, diary cards, safety
plans). An episode is reached through the participant (participant_for: outsiders 404) and
must be in one of the viewer's programs (404 otherwise); a payer belongs to the viewer's
organization (404 otherwise).
"""

from __future__ import annotations

from uuid import UUID

from django.http import Http404

from openiop.billing.models import Authorization, Diagnosis, Payer, PayerRule
from openiop.lib.http import AuthedRequest
from openiop.participants.access import Access, participant_for, program_check, program_ids_for
from openiop.participants.models import Episode, Participant

OBJECT_EPISODE = "billing.episode"


def org_id(request: AuthedRequest) -> int:
    """The viewer's organization: payers and rules are the organization's."""
    if request.user.organization_id is None:
        raise Http404("No organization.")
    return request.user.organization_id


def billing_episode(
    request: AuthedRequest,
    public_id: UUID,
    episode_id: UUID,
    *,
    access: Access = Access.IDENTITY,
    write: bool = False,
    object_type: str = OBJECT_EPISODE,
) -> tuple[Participant, Episode]:
    """The participant (audited by participant_for) and their episode in one of the viewer's
    programs. `access` above identity also applies the program's level (a substance-use
    program's clinical records need SUD access)."""
    participant = participant_for(
        request, public_id, access=access, write=write, object_type=object_type
    )
    episode = (
        participant.episodes.select_related("program", "participant", "primary_clinician")
        .filter(public_id=episode_id, program_id__in=program_ids_for(request.user))
        .first()
    )
    if episode is None:
        raise Http404("No such episode in your programs.")
    if access > Access.IDENTITY:
        program_check(request, participant, episode.program, access=access, object_type=object_type)
    return participant, episode


def payer_for(request: AuthedRequest, payer_id: UUID) -> Payer:
    payer = Payer.objects.filter(public_id=payer_id, organization_id=org_id(request)).first()
    if payer is None:
        raise Http404("No such payer.")
    return payer


def rule_for(request: AuthedRequest, rule_id: UUID) -> PayerRule:
    rule = (
        PayerRule.objects.select_related("payer")
        .filter(public_id=rule_id, organization_id=org_id(request))
        .first()
    )
    if rule is None:
        raise Http404("No such rule.")
    return rule


def authorization_for(episode: Episode, auth_id: UUID) -> Authorization:
    auth = (
        Authorization.objects.select_related("payer")
        .filter(public_id=auth_id, episode=episode)
        .first()
    )
    if auth is None:
        raise Http404("No such authorization.")
    return auth


def diagnosis_for(episode: Episode, diagnosis_id: UUID) -> Diagnosis:
    diagnosis = Diagnosis.objects.filter(public_id=diagnosis_id, episode=episode).first()
    if diagnosis is None:
        raise Http404("No such diagnosis.")
    return diagnosis
