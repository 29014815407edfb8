from __future__ import annotations

import datetime as dt

from django.utils import timezone

from openiop.audit.models import AccessAction, AccessLog, Event, EventKind
from openiop.participants.models import Participant

URL = "/participants/new/"


def _data(world, **overrides):
    data = {
        "legal_first_name": "Robin",
        "legal_last_name": "Newperson",
        "date_of_birth": "1991-04-05",
        "program": str(world.program.public_id),
        "inquiry_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "referral_source": "Self",
    }
    data.update(overrides)
    return data


def test_it_creates_a_participant_and_opens_the_chart(world, login):
    response = login(world.intake).post(URL, _data(world))
    participant = Participant.objects.get(legal_last_name="Newperson")
    assert response.status_code == 302
    assert response.url == f"/participants/{participant.public_id}/"
    assert participant.episodes.get().program == world.program
    assert Event.objects.filter(
        participant=participant, kind=EventKind.PARTICIPANT_CREATED
    ).exists()
    assert AccessLog.objects.filter(
        participant=participant, action=AccessAction.CREATE, actor=world.intake
    ).exists()


def test_the_director_may_create(world, login):
    response = login(world.director).get(URL)
    assert response.status_code == 200
    assert b"Adult DBT IOP" in response.content
    # Only the user's own programs are offered.
    assert b"Adolescent IOP" not in response.content


def test_it_requires_the_create_permission(world, login):
    before = Participant.objects.count()
    for user in (world.clinician, world.billing, world.admin):
        assert login(user).post(URL, _data(world)).status_code == 403
    assert Participant.objects.count() == before


def test_anonymous_users_are_sent_to_sign_in(world, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_a_program_outside_the_users_assignments_is_refused(world, login):
    before = Participant.objects.count()
    response = login(world.intake).post(
        URL, _data(world, program=str(world.other_program.public_id))
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert Participant.objects.count() == before


def test_missing_fields_show_errors_and_save_nothing(world, login):
    before = Participant.objects.count()
    response = login(world.intake).post(URL, _data(world, legal_last_name="", date_of_birth=""))
    assert response.status_code == 200
    assert b"This field is required." in response.content
    assert b"nothing was saved" in response.content
    assert Participant.objects.count() == before


def test_a_future_birth_date_is_shown_on_its_field(world, login):
    before = Participant.objects.count()
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = login(world.intake).post(URL, _data(world, date_of_birth=future))
    assert response.status_code == 200
    assert b"The date of birth cannot be in the future." in response.content
    assert Participant.objects.count() == before
