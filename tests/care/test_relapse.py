"""Relapse prevention plans: drafts in the participant's words, agreeing makes a version,
portal suggestions accepted (new version) or declined with a note, the pre-discharge review."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.care.models import (
    ProposalStatus,
    RelapsePlanProposal,
    RelapsePlanStatus,
    RelapsePreventionPlan,
)
from openiop.care.selectors import relapse_plan_current
from openiop.care.services import (
    relapse_hash_intact,
    relapse_plan_agree,
    relapse_plan_discharge_review,
    relapse_plan_draft_save,
    relapse_proposal_accept,
    relapse_proposal_create,
    relapse_proposal_decline,
)

Login = Callable[[User], Client]
WORDS = {"reasons": "My kids", "external_triggers": "Payday\nThe bar on 5th", "supports": "Jo"}


def _agreed(w: SimpleNamespace) -> RelapsePreventionPlan:
    draft = relapse_plan_draft_save(
        actor=w.clinician, episode=w.episode, sections=WORDS, review_on=None
    )
    return relapse_plan_agree(actor=w.clinician, plan=draft)


def test_a_draft_needs_words_and_known_sections(care: SimpleNamespace) -> None:
    with pytest.raises(ValidationError):
        relapse_plan_draft_save(
            actor=care.clinician, episode=care.episode, sections={}, review_on=None
        )
    with pytest.raises(ValidationError):
        relapse_plan_draft_save(
            actor=care.clinician, episode=care.episode, sections={"nope": "x"}, review_on=None
        )
    with pytest.raises(ValidationError):
        relapse_plan_draft_save(
            actor=care.billing, episode=care.episode, sections=WORDS, review_on=None
        )
    assert not RelapsePreventionPlan.objects.exists()


def test_agreeing_makes_versions_and_keeps_the_old_one(care: SimpleNamespace) -> None:
    v1 = _agreed(care)
    assert v1.status == RelapsePlanStatus.CURRENT
    assert relapse_hash_intact(v1)
    draft = relapse_plan_draft_save(
        actor=care.clinician,
        episode=care.episode,
        sections={**WORDS, "reasons": "Me"},
        review_on=None,
    )
    assert draft.version == 2
    assert relapse_plan_current(care.episode) == v1
    relapse_plan_agree(actor=care.clinician, plan=draft)
    v1.refresh_from_db()
    assert v1.status == RelapsePlanStatus.SUPERSEDED
    assert v1.sections["reasons"] == "My kids"
    RelapsePreventionPlan.objects.filter(pk=v1.pk).update(sections={"reasons": "changed"})
    v1.refresh_from_db()
    assert not relapse_hash_intact(v1)


def test_an_accepted_suggestion_makes_a_new_version(care: SimpleNamespace) -> None:
    v1 = _agreed(care)
    proposal = relapse_proposal_create(
        participant=care.participant, plan=v1, section="supports", text="Jo\nMy sponsor Teresa"
    )
    v2 = relapse_proposal_accept(actor=care.clinician, proposal=proposal)
    assert v2.version == 2
    assert v2.sections["supports"] == "Jo\nMy sponsor Teresa"
    assert v2.sections["reasons"] == "My kids"
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    with pytest.raises(ValidationError):
        relapse_proposal_accept(actor=care.clinician, proposal=proposal)


def test_a_declined_suggestion_needs_a_note(care: SimpleNamespace) -> None:
    v1 = _agreed(care)
    proposal = relapse_proposal_create(
        participant=care.participant, plan=v1, section="reasons", text="Nothing"
    )
    with pytest.raises(ValidationError):
        relapse_proposal_decline(actor=care.clinician, proposal=proposal, note=" ")
    relapse_proposal_decline(actor=care.clinician, proposal=proposal, note="Let's talk Tuesday")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECLINED
    assert RelapsePreventionPlan.objects.count() == 1


def test_suggestions_are_checked(care: SimpleNamespace) -> None:
    v1 = _agreed(care)
    for section, text in (("nope", "x"), ("reasons", ""), ("reasons", "My kids")):
        with pytest.raises(ValidationError):
            relapse_proposal_create(
                participant=care.participant, plan=v1, section=section, text=text
            )
    with pytest.raises(ValidationError):
        relapse_proposal_create(
            participant=care.other_participant, plan=v1, section="reasons", text="Mine"
        )


def test_the_discharge_review_is_recorded(care: SimpleNamespace) -> None:
    v1 = _agreed(care)
    reviewed = relapse_plan_discharge_review(actor=care.clinician, plan=v1)
    assert reviewed.discharge_reviewed_at is not None
    assert reviewed.discharge_reviewed_by == care.clinician
    assert relapse_hash_intact(reviewed)


def test_the_portal_shows_the_plan_and_takes_a_suggestion(
    care: SimpleNamespace, login: Login
) -> None:
    _agreed(care)
    client = login(care.participant_user)
    assert "My relapse prevention plan" in client.get(reverse("portal:home")).content.decode()
    page = client.get(reverse("care:my_relapse_plan")).content.decode()
    assert "The bar on 5th" in page
    form = client.get(reverse("care:my_relapse_propose") + "?section=supports")
    assert "Jo" in form.content.decode()
    client.post(
        reverse("care:my_relapse_propose"), {"section": "supports", "text": "Jo\nMy cousin"}
    )
    assert RelapsePlanProposal.objects.get().status == ProposalStatus.PENDING
    assert "Waiting for the team" in client.get(reverse("care:my_relapse_plan")).content.decode()


def test_staff_accept_from_the_page(care: SimpleNamespace, login: Login) -> None:
    v1 = _agreed(care)
    proposal = relapse_proposal_create(
        participant=care.participant, plan=v1, section="supports", text="Jo\nDee"
    )
    client = login(care.clinician)
    page = client.get(reverse("care:relapse", args=[care.participant.public_id]))
    assert "Suggestions from the participant" in page.content.decode()
    client.post(
        reverse(
            "care:relapse_proposal_decide", args=[care.participant.public_id, proposal.public_id]
        ),
        {"decision": "accept"},
    )
    assert relapse_plan_current(care.episode).version == 2


def test_an_outsider_cannot_decide_a_suggestion(care: SimpleNamespace, login: Login) -> None:
    v1 = _agreed(care)
    proposal = relapse_proposal_create(
        participant=care.participant, plan=v1, section="supports", text="Jo\nDee"
    )
    url = reverse(
        "care:relapse_proposal_decide", args=[care.participant.public_id, proposal.public_id]
    )
    assert login(care.outsider_clinician).post(url, {"decision": "accept"}).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_the_staff_edit_page_saves_a_draft(care: SimpleNamespace, login: Login) -> None:
    client = login(care.clinician)
    url = reverse("care:relapse_edit", args=[care.participant.public_id])
    assert client.post(url, {"reasons": ""}).status_code == 200
    assert not RelapsePreventionPlan.objects.exists()
    assert client.post(url, {"reasons": "Staying well for my kids"}).status_code == 302
    assert RelapsePreventionPlan.objects.get().status == RelapsePlanStatus.DRAFT
