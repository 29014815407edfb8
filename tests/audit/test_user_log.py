"""/audit/user/<uuid>/: everything one user did."""

from __future__ import annotations

import pytest

from openiop.audit.models import AccessLog
from tests import factories as f


def url(user) -> str:
    return f"/audit/user/{user.public_id}/"


def test_it_sends_anonymous_visitors_to_sign_in(world, client):
    response = client.get(url(world.clinician))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["clinician", "billing", "intake"])
def test_it_refuses_roles_without_audit_review(world, login, persona):
    assert login(getattr(world, persona)).get(url(world.clinician)).status_code == 403


def test_administrator_sees_everything_the_user_did(world, login, entry):
    mine = entry(actor=world.outsider_clinician, participant=world.other_participant)
    entry(actor=world.clinician, participant=world.participant)

    response = login(world.admin).get(url(world.outsider_clinician))

    assert response.status_code == 200
    assert list(response.context["rows"]) == [mine]
    assert "Activity of Olly Outsider (Clinician)" in response.content.decode()


def test_director_sees_the_users_actions_within_their_programs_only(world, login, entry):
    seen = entry(actor=world.clinician, participant=world.participant)
    entry(actor=world.clinician, participant=world.other_participant)

    response = login(world.director).get(url(world.clinician))

    assert list(response.context["rows"]) == [seen]


def test_director_sees_all_of_their_own_actions(world, login, entry):
    entry(actor=world.director, object_type="program.settings")
    entry(actor=world.director, participant=world.participant)
    response = login(world.director).get(url(world.director))
    assert len(response.context["rows"]) == 2


def test_another_organizations_user_is_a_404(world, login):
    assert login(world.admin).get(url(world.other_org_clinician)).status_code == 404
    assert login(world.director).get(url(world.other_org_clinician)).status_code == 404


def test_director_gets_404_for_a_portal_account_outside_their_programs(world, login):
    assert login(world.director).get(url(world.other_participant_user)).status_code == 404


def test_director_may_review_portal_accounts_in_their_programs(world, login, entry):
    entry(actor=world.family_user, participant=world.participant, object_type="family.home")
    assert login(world.director).get(url(world.participant_user)).status_code == 200
    response = login(world.director).get(url(world.family_user))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 1


def test_the_review_is_recorded_with_the_reviewed_user(world, login):
    login(world.admin).get(url(world.intake))
    review = AccessLog.objects.get(object_type="audit.review")
    assert review.actor == world.admin
    assert review.participant is None
    assert review.object_id == str(world.intake.public_id)


def test_the_export_link_names_the_user_by_uuid(world, login):
    response = login(world.admin).get(url(world.participant_user))
    assert f"actor={world.participant_user.public_id}" in response.context["export_url"]


@pytest.mark.parametrize("rows", [10, 100])
def test_the_page_runs_a_bounded_number_of_queries(
    world, login, entry, django_assert_max_num_queries, rows
):
    participants = [
        f.EpisodeFactory(program=world.program, participant__organization=world.org).participant
        for _ in range(rows // 10)
    ]
    for i in range(rows):
        entry(actor=world.clinician, participant=participants[i % len(participants)])
    client = login(world.director)
    client.get("/")  # warm the session and OTP device lookups

    with django_assert_max_num_queries(16):
        response = client.get(url(world.clinician))

    assert len(response.context["rows"]) == min(rows, 25)
