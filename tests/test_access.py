"""The scoping getters (participants/access.py): each deny path has its own test."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from openiop.audit.models import AccessAction, AccessLog
from openiop.participants.access import Access, participant_for, participants_for
from tests import factories as f


def _request(user, method: str = "get"):
    request = getattr(RequestFactory(), method)("/participants/x/", REMOTE_ADDR="10.1.2.3")
    request.user = user
    return request


def test_a_clinician_sees_participants_of_their_program(world) -> None:
    visible = set(participants_for(world.clinician))
    assert world.participant in visible
    assert world.other_participant not in visible


def test_a_clinician_of_another_program_gets_404(world) -> None:
    with pytest.raises(Http404):
        participant_for(_request(world.outsider_clinician), world.participant.public_id)


def test_a_clinician_of_another_organization_gets_404(world) -> None:
    with pytest.raises(Http404):
        participant_for(_request(world.other_org_clinician), world.participant.public_id)


def test_an_unknown_or_malformed_id_gets_404(world) -> None:
    for bad in (uuid.uuid4(), "not-a-uuid"):
        with pytest.raises(Http404):
            participant_for(_request(world.clinician), bad)


def test_billing_may_see_that_a_participant_exists(world) -> None:
    assert participant_for(_request(world.billing), world.participant.public_id)


def test_billing_may_not_open_clinical_content(world) -> None:
    with pytest.raises(PermissionDenied):
        participant_for(
            _request(world.billing), world.participant.public_id, access=Access.CLINICAL
        )
    denied = AccessLog.objects.get(actor=world.billing, action=AccessAction.DENIED)
    assert denied.participant == world.participant


def test_billing_may_not_write(world) -> None:
    with pytest.raises(PermissionDenied):
        participant_for(_request(world.billing, "post"), world.participant.public_id, write=True)


def test_intake_may_not_open_sud_records(world) -> None:
    with pytest.raises(PermissionDenied):
        participant_for(_request(world.intake), world.participant.public_id, access=Access.SUD)


def test_a_clinician_may_open_clinical_and_sud_content(world) -> None:
    for level in (Access.CLINICAL, Access.SUD):
        assert participant_for(_request(world.clinician), world.participant.public_id, access=level)


def test_the_administrator_has_no_participant_access(world) -> None:
    assert not participants_for(world.admin).exists()
    with pytest.raises(Http404):
        participant_for(_request(world.admin), world.participant.public_id)


def test_participants_and_family_see_no_one_through_staff_getters(world) -> None:
    assert not participants_for(world.participant_user).exists()
    assert not participants_for(world.family_user).exists()


def test_an_inactive_user_sees_no_one(world) -> None:
    world.clinician.is_active = False
    world.clinician.save()
    assert not participants_for(world.clinician).exists()


def test_a_read_is_audited_with_actor_address_and_path(world) -> None:
    participant_for(_request(world.clinician), world.participant.public_id)
    entry = AccessLog.objects.get(actor=world.clinician)
    assert entry.action == AccessAction.VIEW
    assert entry.participant == world.participant
    assert entry.address == "10.1.2.3"
    assert entry.path == "/participants/x/"


def test_a_write_is_audited_as_an_update(world) -> None:
    participant_for(_request(world.clinician, "post"), world.participant.public_id, write=True)
    assert AccessLog.objects.get(actor=world.clinician).action == AccessAction.UPDATE


def test_a_participant_in_two_programs_is_visible_from_either(world) -> None:
    f.EpisodeFactory(participant=world.other_participant, program=world.program)
    assert world.other_participant in set(participants_for(world.clinician))


# Over HTTP: the same rules as a user meets them.


def test_outsider_clinician_gets_404_for_a_guessed_chart_url(world, login) -> None:
    response = login(world.outsider_clinician).get(f"/participants/{world.participant.public_id}/")
    assert response.status_code == 404
    assert world.participant.legal_last_name.encode() not in response.content


def test_a_participant_cannot_open_another_participants_chart(world, login) -> None:
    client = login(world.participant_user)
    theirs = client.get(f"/participants/{world.other_participant.public_id}/")
    made_up = client.get(f"/participants/{uuid.uuid4()}/")
    assert theirs.status_code == made_up.status_code == 403
    assert world.other_participant.legal_last_name.encode() not in theirs.content


def test_a_participant_cannot_list_participants(world, login) -> None:
    assert login(world.participant_user).get("/participants/").status_code == 403


def test_family_cannot_open_the_chart_of_the_participant_they_support(world, login) -> None:
    response = login(world.family_user).get(f"/participants/{world.participant.public_id}/")
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(world, client) -> None:
    response = client.get(f"/participants/{world.participant.public_id}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_every_chart_view_leaves_an_audit_record(world, login) -> None:
    client = login(world.clinician)
    for _ in range(2):
        assert client.get(f"/participants/{world.participant.public_id}/").status_code == 200
    views = AccessLog.objects.filter(
        actor=world.clinician, participant=world.participant, action=AccessAction.VIEW
    )
    # One row for each chart view; a panel that records its own read (the medication list)
    # adds its row only when it is opened.
    assert views.filter(object_type="participant.chart").count() == 2
    assert not views.filter(object_type="substance_use.medications").exists()
    url = f"/participants/{world.participant.public_id}/?panel=medications"
    assert client.get(url).status_code == 200
    assert views.filter(object_type="participant.chart").count() == 3
    assert views.filter(object_type="substance_use.medications").count() == 1
