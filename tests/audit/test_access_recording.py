"""Every staff look at a participant leaves an access-log row: who, what, which participant,
when, which page and from which address; so does every refusal."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from openiop.audit.models import AccessAction, AccessLog
from openiop.participants.access import Access, participant_for

ADDRESS = "203.0.113.21"


def test_the_participant_list_records_each_participant_shown(world, login):
    response = login(world.clinician).get("/participants/", REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200

    row = AccessLog.objects.get(actor=world.clinician, path="/participants/")
    assert row.action == AccessAction.LIST
    assert row.participant == world.participant
    assert row.actor_role == "clinician"
    assert row.address == ADDRESS
    assert row.organization == world.org
    assert row.at is not None


def test_the_list_records_no_one_it_did_not_show(world, login):
    login(world.clinician).get("/participants/")
    shown = set(
        AccessLog.objects.filter(path="/participants/").values_list("participant", flat=True)
    )
    assert world.other_participant.pk not in shown


def test_opening_a_chart_records_a_view(world, login):
    path = f"/participants/{world.participant.public_id}/"
    response = login(world.billing).get(path, REMOTE_ADDR=ADDRESS)
    assert response.status_code == 200

    row = AccessLog.objects.get(actor=world.billing, path=path)
    assert row.action == AccessAction.VIEW
    assert row.object_type == "participant.chart"
    assert row.participant == world.participant
    assert row.object_id == str(world.participant.public_id)
    assert row.address == ADDRESS


def test_the_recorded_path_never_holds_the_query_string(world, login):
    login(world.clinician).get("/participants/", {"q": "Patricia"})
    paths = set(AccessLog.objects.values_list("path", flat=True))
    assert paths == {"/participants/"}


def test_an_outsider_is_not_recorded_against_a_participant_they_cannot_see(world, login):
    path = f"/participants/{world.participant.public_id}/"
    response = login(world.outsider_clinician).get(path)
    assert response.status_code == 404
    assert not AccessLog.objects.filter(actor=world.outsider_clinician).exists()


def _request(user, path: str):
    request = RequestFactory().get(path, REMOTE_ADDR=ADDRESS)
    request.user = user
    return request


def test_billing_asking_for_clinical_content_is_refused_and_recorded(world):
    path = f"/participants/{world.participant.public_id}/notes/"
    request = _request(world.billing, path)

    with pytest.raises(PermissionDenied):
        participant_for(
            request, world.participant.public_id, access=Access.CLINICAL, object_type="note"
        )

    row = AccessLog.objects.get()
    assert row.action == AccessAction.DENIED
    assert row.actor == world.billing
    assert row.participant == world.participant
    assert row.object_type == "note"
    assert row.path == path
    assert row.address == ADDRESS


def test_a_clinician_asking_for_clinical_content_is_recorded_as_a_view(world):
    request = _request(world.clinician, "/participants/x/notes/")
    participant_for(request, world.participant.public_id, access=Access.CLINICAL)
    assert AccessLog.objects.get().action == AccessAction.VIEW


def test_a_write_by_a_read_only_role_is_refused_and_recorded(world):
    request = RequestFactory().post("/participants/x/edit/", REMOTE_ADDR=ADDRESS)
    request.user = world.billing
    with pytest.raises(PermissionDenied):
        participant_for(request, world.participant.public_id, write=True)
    assert AccessLog.objects.get().action == AccessAction.DENIED


def test_an_outsider_lookup_is_a_404_without_revealing_the_participant(world):
    request = _request(world.other_org_clinician, "/participants/x/")
    with pytest.raises(Http404):
        participant_for(request, world.participant.public_id)
    assert not AccessLog.objects.exists()
