"""/audit/participant/<uuid>/: everything that touched one participant."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from openiop.audit.models import AccessAction, AccessLog
from tests import factories as f


def url(participant) -> str:
    return f"/audit/participant/{participant.public_id}/"


def test_it_sends_anonymous_visitors_to_sign_in(world, client):
    response = client.get(url(world.participant))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["clinician", "billing", "intake"])
def test_it_refuses_roles_without_audit_review(world, login, persona):
    assert login(getattr(world, persona)).get(url(world.participant)).status_code == 403


def test_it_shows_who_did_what_when_and_from_where(world, login, entry):
    entry(actor=world.clinician, participant=world.participant, address="203.0.113.5")
    entry(actor=world.billing, participant=world.participant, action=AccessAction.DENIED)
    entry(actor=world.outsider_clinician, participant=world.other_participant)

    response = login(world.director).get(url(world.participant))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Audit trail: Pat Example" in body
    assert "Casey Clinician" in body
    assert "Bo Billing" in body
    assert "Denied" in body
    assert "203.0.113.5" in body
    assert {r.participant for r in response.context["rows"]} == {world.participant}


def test_it_includes_the_participants_own_portal_activity(world, login, entry):
    own = entry(actor=world.participant_user, participant=world.participant, object_type="portal")
    response = login(world.admin).get(url(world.participant))
    assert own in response.context["rows"]


def test_director_gets_404_for_a_participant_outside_their_programs(world, login):
    assert login(world.director).get(url(world.other_participant)).status_code == 404


def test_administrator_reviews_any_participant_of_the_organization(world, login, entry):
    entry(actor=world.outsider_clinician, participant=world.other_participant)
    response = login(world.admin).get(url(world.other_participant))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 1


def test_another_organizations_participant_is_a_404(world, login):
    stranger = f.ParticipantFactory(organization=world.other_org)
    assert login(world.admin).get(url(stranger)).status_code == 404


def test_an_unknown_uuid_is_a_404(world, login):
    assert login(world.admin).get(f"/audit/participant/{uuid.uuid4()}/").status_code == 404


def test_it_filters_by_date(world, login, entry):
    now = timezone.now()
    recent = entry(actor=world.clinician, participant=world.participant, at=now)
    entry(actor=world.clinician, participant=world.participant, at=now - timedelta(days=40))
    since = (now - timedelta(days=3)).date().isoformat()

    response = login(world.director).get(url(world.participant), {"date_from": since})

    assert list(response.context["rows"]) == [recent]


def test_posting_the_filter_stays_on_the_participant_page(world, login):
    response = login(world.director).post(url(world.participant), {"action": "denied"})
    assert response.status_code == 302
    assert response["Location"] == f"{url(world.participant)}?action=denied"


def test_the_review_is_recorded_as_a_view_of_that_participant(world, login):
    login(world.director).get(url(world.participant), REMOTE_ADDR="192.0.2.9")
    review = AccessLog.objects.get(object_type="audit.review")
    assert review.action == AccessAction.VIEW
    assert review.participant == world.participant
    assert review.actor == world.director
    assert review.path == url(world.participant)
    assert review.address == "192.0.2.9"


def test_the_export_link_names_the_participant_by_uuid(world, login):
    response = login(world.director).get(url(world.participant))
    assert f"participant={world.participant.public_id}" in response.context["export_url"]


@pytest.mark.parametrize("rows", [10, 100])
def test_the_page_runs_a_bounded_number_of_queries(
    world, login, entry, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        entry(actor=world.clinician, participant=world.participant)
    client = login(world.director)
    client.get("/programs/")  # warm the session and OTP device lookups (a page without PHI)

    with django_assert_max_num_queries(16):
        response = client.get(url(world.participant))

    assert len(response.context["rows"]) == min(rows, 25)
