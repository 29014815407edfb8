from __future__ import annotations

from openiop.audit.models import Event, EventKind


def _url(world):
    return f"/participants/{world.participant.public_id}/edit/"


def _data(world, **overrides):
    p = world.participant
    data = {
        "legal_first_name": p.legal_first_name,
        "legal_last_name": p.legal_last_name,
        "preferred_name": p.preferred_name,
        "pronouns": p.pronouns,
        "date_of_birth": p.date_of_birth.isoformat(),
        "phone": p.phone,
        "email": p.email,
        "address": p.address,
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
        "emergency_contact_relationship": "",
    }
    data.update(overrides)
    return data


def test_it_shows_the_current_details(world, login):
    response = login(world.clinician).get(_url(world))
    assert response.status_code == 200
    assert b'value="Patricia"' in response.content


def test_it_saves_changes_and_records_an_event(world, login):
    for user in (world.clinician, world.intake, world.director):
        response = login(user).post(_url(world), _data(world, pronouns=f"they/them {user.pk}"))
        assert response.status_code == 302
    world.participant.refresh_from_db()
    assert world.participant.pronouns == f"they/them {world.director.pk}"
    assert Event.objects.filter(kind=EventKind.PARTICIPANT_UPDATED).count() == 3


def test_billing_gets_403(world, login):
    assert login(world.billing).get(_url(world)).status_code == 403


def test_an_outsider_gets_404(world, login):
    assert login(world.outsider_clinician).get(_url(world)).status_code == 404
    assert login(world.other_org_clinician).post(_url(world), _data(world)).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(world, client):
    assert "/accounts/login/" in client.get(_url(world)).url


def test_invalid_input_saves_nothing(world, login):
    response = login(world.clinician).post(
        _url(world), _data(world, legal_first_name="", email="not-an-address")
    )
    assert response.status_code == 200
    assert b"Enter a valid email address." in response.content
    world.participant.refresh_from_db()
    assert world.participant.legal_first_name == "Patricia"
    assert not Event.objects.filter(kind=EventKind.PARTICIPANT_UPDATED).exists()
