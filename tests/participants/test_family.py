from __future__ import annotations

import datetime as dt

from openiop.audit.models import Event, EventKind
from openiop.lib.timezones import today_in
from openiop.participants.models import Consent, ConsentKind, FamilyContact


def _base(world):
    return f"/participants/{world.participant.public_id}"


def test_it_adds_a_family_contact(world, login):
    response = login(world.clinician).post(
        f"{_base(world)}/family/new/",
        {"name": "Lee Example", "relationship": "Parent", "phone": "555-0150"},
    )
    assert response.status_code == 302
    contact = FamilyContact.objects.get(name="Lee Example")
    assert contact.participant == world.participant
    assert contact.organization == world.org
    event = Event.objects.get(kind=EventKind.FAMILY_CONTACT)
    assert event.summary == "Family contact added: Lee Example (Parent)"
    assert "555-0150" not in event.summary


def test_a_contact_without_a_name_is_refused(world, login):
    before = FamilyContact.objects.count()
    response = login(world.clinician).post(
        f"{_base(world)}/family/new/", {"name": "", "relationship": "Parent"}
    )
    assert response.status_code == 200
    assert b"This field is required." in response.content
    assert FamilyContact.objects.count() == before


def test_it_edits_a_contact(world, login):
    url = f"{_base(world)}/family/{world.family_contact.public_id}/edit/"
    response = login(world.intake).post(
        url, {"name": "Sam Example", "relationship": "Spouse", "is_emergency_contact": "on"}
    )
    assert response.status_code == 302
    world.family_contact.refresh_from_db()
    assert world.family_contact.relationship == "Spouse"
    assert world.family_contact.is_emergency_contact


def test_a_contact_of_another_participant_is_404(world, login):
    from tests import factories as f

    stranger = f.FamilyContactFactory(participant=world.other_participant)
    url = f"{_base(world)}/family/{stranger.public_id}/edit/"
    assert login(world.director).get(url).status_code == 404


def _release(world, **extra):
    data = {
        "kind": "release",
        "episode": str(world.episode.public_id),
        "recipient_contact": str(world.family_contact.public_id),
        "information": ["attendance"],
        "purpose": "So my partner knows how I am doing",
        "expiry": "discharge",
        "typed_name": "Patricia Example",
        "witnessed": "on",
    }
    data.update(extra)
    return data


def test_it_records_a_signed_release_to_a_family_member(world, login):
    response = login(world.clinician).post(f"{_base(world)}/consents/new/", _release(world))
    assert response.status_code == 302
    consent = Consent.objects.exclude(pk=world.consent.pk).get()
    assert consent.kind == ConsentKind.RELEASE
    assert consent.recorded_by == world.clinician
    assert consent.recipient_contact == world.family_contact
    assert consent.information == ["attendance"]
    assert consent.is_active_on(today_in(world.program.time_zone))
    assert Event.objects.get(kind=EventKind.CONSENT).summary == (
        "Adult DBT IOP: Release of information to Sam Example (Partner) signed"
    )


def test_a_release_without_the_witness_check_is_refused(world, login):
    data = _release(world)
    del data["witnessed"]
    response = login(world.clinician).post(f"{_base(world)}/consents/new/", data)
    assert response.status_code == 200
    assert b"This field is required." in response.content
    assert not Consent.objects.exclude(pk=world.consent.pk).exists()


def test_an_end_date_in_the_past_is_refused(world, login):
    today = today_in(world.program.time_zone)
    response = login(world.clinician).post(
        f"{_base(world)}/consents/new/",
        _release(world, expiry="date", expires_on=(today - dt.timedelta(days=1)).isoformat()),
    )
    assert b"The end date cannot be in the past." in response.content
    assert not Consent.objects.exclude(pk=world.consent.pk).exists()


def test_revoking_a_family_release_ends_it_at_once(world, login):
    url = f"{_base(world)}/consents/{world.consent.public_id}/revoke/"
    response = login(world.director).post(url, {"how": "verbal"})
    assert response.status_code == 302
    world.consent.refresh_from_db()
    today = today_in(world.program.time_zone)
    assert world.consent.revoked_on == today
    assert world.consent.revoked_at is not None
    assert not world.consent.is_active_on(today)
    summary = Event.objects.get(kind=EventKind.CONSENT).summary
    assert "to Sam Example (Partner) revoked (verbally, noted by staff)" in summary


def test_revoking_twice_changes_nothing(world, login):
    url = f"{_base(world)}/consents/{world.consent.public_id}/revoke/"
    client = login(world.director)
    client.post(url, {"how": "verbal"})
    response = client.post(url, {"how": "writing"}, follow=True)
    assert b"already been revoked" in response.content
    assert Event.objects.filter(kind=EventKind.CONSENT).count() == 1


def test_staff_cannot_choose_the_carried_over_revocation(world, login):
    url = f"{_base(world)}/consents/{world.consent.public_id}/revoke/"
    client = login(world.director)
    assert b'value="staff"' not in client.get(url).content
    response = client.post(url, {"how": "staff"})
    assert response.status_code == 200
    world.consent.refresh_from_db()
    assert world.consent.revoked_at is None


def test_family_pages_deny_billing_and_outsiders(world, login):
    urls = [
        f"{_base(world)}/family/new/",
        f"{_base(world)}/family/{world.family_contact.public_id}/edit/",
        f"{_base(world)}/consents/new/",
    ]
    revoke = f"{_base(world)}/consents/{world.consent.public_id}/revoke/"
    for url in urls:
        assert login(world.billing).get(url).status_code == 403
        assert login(world.outsider_clinician).get(url).status_code == 404
        assert login(world.other_org_clinician).get(url).status_code == 404
        assert login(world.family_user).get(url).status_code == 403
    assert login(world.billing).post(revoke).status_code == 403
    assert login(world.outsider_clinician).post(revoke).status_code == 404
    world.consent.refresh_from_db()
    assert world.consent.revoked_at is None
