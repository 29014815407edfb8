"""/audit/: the organization's access log for directors and administrators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from openiop.audit.models import AccessAction, AccessLog
from tests import factories as f

URL = "/audit/"


def other_org_participant(world):
    participant = f.ParticipantFactory(organization=world.other_org, legal_last_name="Farland")
    f.EpisodeFactory(participant=participant, program=world.other_org_program)
    return participant


def test_it_sends_anonymous_visitors_to_sign_in(world, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["clinician", "intake", "billing"])
def test_it_refuses_roles_without_audit_review(world, login, persona):
    response = login(getattr(world, persona)).get(URL)
    assert response.status_code == 403


def test_it_refuses_participants(world, login):
    assert login(world.participant_user).get(URL).status_code == 403


def test_administrator_sees_the_whole_organization_and_no_other(world, login, entry):
    entry(actor=world.clinician, participant=world.participant)
    entry(actor=world.outsider_clinician, participant=world.other_participant)
    stranger = other_org_participant(world)
    entry(actor=world.other_org_clinician, participant=stranger)

    response = login(world.admin).get(URL)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Pat Example" in body
    assert "Elsewhere" in body
    assert "Farland" not in body
    assert "Fran Faraway" not in body
    assert "every entry of your organization" in body


def test_director_sees_own_programs_and_own_actions_only(world, login, entry):
    entry(actor=world.clinician, participant=world.participant)
    entry(actor=world.outsider_clinician, participant=world.other_participant)
    entry(actor=world.director, object_type="program.settings")
    entry(actor=world.admin, object_type="user.list")

    response = login(world.director).get(URL)

    rows = list(response.context["rows"])
    assert {(r.actor, r.object_type) for r in rows} == {
        (world.clinician, "participant.chart"),
        (world.director, "program.settings"),
    }
    assert "Elsewhere" not in response.content.decode()


def test_it_lists_newest_first_with_who_what_where(world, login, entry):
    now = timezone.now()
    old = entry(actor=world.clinician, participant=world.participant, at=now - timedelta(days=2))
    new = entry(actor=world.intake, participant=world.participant, at=now, address="203.0.113.9")

    response = login(world.admin).get(URL)

    assert list(response.context["rows"]) == [new, old]
    body = response.content.decode()
    assert "Ira Intake" in body
    assert "203.0.113.9" in body
    assert f"/participants/{world.participant.public_id}/" in body


def test_it_says_which_time_zone_dates_are_in(world, login):
    body = login(world.admin).get(URL).content.decode()
    assert "America/Chicago" in body


def test_it_reads_dates_in_utc_when_programs_disagree(world, login):
    world.other_program.time_zone = "America/New_York"
    world.other_program.save()
    response = login(world.admin).get(URL)
    assert response.context["time_zone"] == "UTC"
    assert "<strong>UTC</strong>" in response.content.decode()


def test_it_filters_by_date_range_in_the_program_time_zone(world, login, entry):
    # 03:30 UTC on 10 March is still 9 March in Chicago (UTC-6 that night).
    late_evening = entry(
        actor=world.clinician,
        participant=world.participant,
        at=datetime(2025, 3, 10, 3, 30, tzinfo=UTC),
    )
    next_day = entry(
        actor=world.clinician,
        participant=world.participant,
        at=datetime(2025, 3, 10, 15, 0, tzinfo=UTC),
    )

    client = login(world.admin)
    on_ninth = client.get(URL, {"date_from": "2025-03-09", "date_to": "2025-03-09"})
    on_tenth = client.get(URL, {"date_from": "2025-03-10", "date_to": "2025-03-10"})

    assert list(on_ninth.context["rows"]) == [late_evening]
    assert list(on_tenth.context["rows"]) == [next_day]


def test_it_filters_by_action_and_actor(world, login, entry):
    entry(actor=world.clinician, participant=world.participant, action=AccessAction.VIEW)
    denied = entry(actor=world.billing, participant=world.participant, action=AccessAction.DENIED)
    entry(actor=world.intake, participant=world.participant, action=AccessAction.DENIED)

    response = login(world.admin).get(
        URL, {"action": "denied", "actor": str(world.billing.public_id)}
    )

    assert list(response.context["rows"]) == [denied]


def test_it_filters_by_participant_uuid_and_shows_its_record_number(world, login, entry):
    mine = entry(actor=world.clinician, participant=world.participant)
    entry(actor=world.outsider_clinician, participant=world.other_participant)

    response = login(world.admin).get(URL, {"participant": str(world.participant.public_id)})

    assert list(response.context["rows"]) == [mine]
    assert f'value="{world.participant.record_number}"' in response.content.decode()


def test_posting_a_record_number_redirects_with_the_uuid_instead(world, login):
    response = login(world.admin).post(
        URL, {"record": world.participant.record_number.lower(), "action": "view"}
    )

    assert response.status_code == 302
    location = response["Location"]
    assert str(world.participant.public_id) in location
    assert world.participant.record_number not in location
    assert "action=view" in location


def test_an_unknown_record_number_is_refused_with_a_message(world, login):
    before = AccessLog.objects.count()
    response = login(world.admin).post(URL, {"record": "P-99999"})

    assert response.status_code == 200
    assert "No participant with record number P-99999" in response.content.decode()
    assert AccessLog.objects.count() == before


def test_director_cannot_filter_on_a_participant_outside_their_programs(world, login):
    before = AccessLog.objects.count()
    response = login(world.director).post(URL, {"record": world.other_participant.record_number})

    assert "No participant with record number" in response.content.decode()
    assert AccessLog.objects.count() == before


def test_a_to_date_before_the_from_date_is_refused(world, login):
    before = AccessLog.objects.count()
    response = login(world.admin).post(URL, {"date_from": "2025-03-10", "date_to": "2025-03-01"})

    assert response.status_code == 200
    assert "must be on or after the “from” date" in response.content.decode()
    assert AccessLog.objects.count() == before


def test_a_malformed_date_in_the_url_shows_an_error_and_no_rows(world, login, entry):
    entry(actor=world.clinician, participant=world.participant)
    response = login(world.admin).get(URL, {"date_from": "yesterday"})
    assert "Enter a valid date" in response.content.decode()
    assert response.context["rows"] == []


def test_an_unknown_actor_uuid_is_refused(world, login):
    response = login(world.admin).get(URL, {"actor": str(world.other_org_clinician.public_id)})
    assert "Choose a person from the list." in response.content.decode()


def test_the_who_filter_offers_staff_but_not_portal_accounts(world, login):
    body = login(world.admin).get(URL).content.decode()
    assert "Casey Clinician (Clinician)" in body
    assert str(world.participant_user.public_id) not in body
    assert "Fran Faraway" not in body


def test_reviewing_the_log_is_itself_recorded_per_participant_shown(world, login, entry):
    entry(actor=world.clinician, participant=world.participant)
    entry(actor=world.intake, participant=world.participant)
    entry(actor=world.outsider_clinician, participant=world.other_participant)

    login(world.admin).get(URL, REMOTE_ADDR="192.0.2.44")

    reviews = AccessLog.objects.filter(object_type="audit.review")
    assert {(r.participant, r.action, r.actor) for r in reviews} == {
        (world.participant, AccessAction.LIST, world.admin),
        (world.other_participant, AccessAction.LIST, world.admin),
    }
    assert {r.address for r in reviews} == {"192.0.2.44"}
    assert {r.path for r in reviews} == {URL}


def test_an_empty_review_still_leaves_a_record(world, login):
    login(world.admin).get(URL, {"date_from": "2001-01-01", "date_to": "2001-01-02"})
    review = AccessLog.objects.get(object_type="audit.review")
    assert review.participant is None
    assert review.actor == world.admin
    assert review.organization == world.org


def test_pagination_carries_the_filters(world, login, entry, settings):
    settings.OPENIOP_PAGE_SIZE = 5
    for _ in range(7):
        entry(actor=world.clinician, participant=world.participant, action=AccessAction.VIEW)

    response = login(world.admin).get(URL, {"action": "view"})

    assert response.context["page"].paginator.num_pages == 2
    assert "?action=view&amp;page=2" in response.content.decode()
    second = login(world.admin).get(URL, {"action": "view", "page": "2"})
    assert len(second.context["rows"]) == 2


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
    client.get("/programs/")  # warm the session and OTP device lookups (a page without PHI)

    with django_assert_max_num_queries(16):
        response = client.get(URL)

    assert response.status_code == 200
    assert len(response.context["rows"]) == min(rows, 25)


def test_the_export_link_carries_the_filters_without_the_record_number(world, login):
    response = login(world.admin).get(
        URL, {"participant": str(world.participant.public_id), "date_from": "2025-01-02"}
    )
    export_url = response.context["export_url"]
    assert export_url.startswith("/audit/export.csv?")
    assert f"participant={world.participant.public_id}" in export_url
    assert "date_from=2025-01-02" in export_url
    assert world.participant.record_number not in export_url


def test_the_export_link_has_no_stray_question_mark_when_unfiltered(world, login):
    assert login(world.admin).get(URL).context["export_url"] == "/audit/export.csv"
