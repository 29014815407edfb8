from __future__ import annotations

import datetime as dt

from django.utils import timezone

from openiop.audit.services import event_record
from tests import factories as f
from tests.participants.consent_support import sign


def _chart(world):
    return f"/participants/{world.participant.public_id}/"


def test_the_list_offers_new_participant_to_those_who_may_create(world, login):
    assert b"New participant" in login(world.intake).get("/participants/").content
    assert b"New participant" in login(world.director).get("/participants/").content
    assert b"New participant" not in login(world.clinician).get("/participants/").content
    assert b"New participant" not in login(world.billing).get("/participants/").content


def test_the_chart_offers_write_actions_to_writers(world, login):
    content = login(world.clinician).get(_chart(world)).content
    assert f"/participants/{world.participant.public_id}/edit/".encode() in content
    assert f"/episodes/{world.episode.public_id}/status/".encode() in content
    assert f"/consents/{world.consent.public_id}/".encode() in content


def test_the_chart_hides_write_actions_from_billing(world, login):
    response = login(world.billing).get(_chart(world))
    assert response.status_code == 200
    assert b"/edit/" not in response.content
    assert b"/status/" not in response.content
    assert b"/revoke/" not in response.content


def test_the_chart_lists_consents_under_family(world, login):
    content = login(world.billing).get(_chart(world)).content
    assert b"Program and care-team contact" in content
    assert b"Consents for Sam Example" in content


def test_the_timeline_shows_newest_first(world, login):
    older = event_record(
        participant=world.participant, kind="consent", summary="Older thing", actor=None
    )
    newer = event_record(
        participant=world.participant, kind="consent", summary="Newer thing", actor=None
    )
    type(older).objects.filter(pk=older.pk).update(at=timezone.now() - dt.timedelta(days=2))
    content = login(world.clinician).get(_chart(world) + "?panel=audit").content.decode()
    assert content.index(newer.summary) < content.index("Older thing")


def test_the_chart_query_count_does_not_grow_with_family(
    world, login, django_assert_max_num_queries
):
    client = login(world.clinician)
    client.get(_chart(world))
    # 4 of them for the medication panel (consents in force, the list, reconciliations, its
    # access-log row).
    with django_assert_max_num_queries(49) as small:
        client.get(_chart(world))
    for _ in range(8):
        contact = f.FamilyContactFactory(participant=world.participant)
        f.FamilyReleaseFactory(recipient_contact=contact, recorded_by=world.clinician)
        sign(world.episode, world.clinician, recipient_contact=contact)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(_chart(world))
    assert response.status_code == 200
