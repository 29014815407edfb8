from __future__ import annotations

import datetime as dt

from django.utils import timezone

from openiop.audit.models import AccessLog
from openiop.participants.consents import consent_revoke
from openiop.participants.models import Consent, ConsentExpiry, ConsentRevokedHow
from tests import factories as f


def _ends_on(consent: Consent, day: dt.date) -> None:
    """Make the release one that ends on `day` (signed three days before): a signed consent
    is never edited through the model, so this writes the row directly."""
    Consent.objects.filter(pk=consent.pk).update(
        expiry=ConsentExpiry.DATE, expires_on=day, signed_on=day - dt.timedelta(days=3)
    )


def test_a_participant_sees_their_program_and_track(world, login) -> None:
    response = login(world.participant_user).get("/me/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Hi, Pat" in text
    assert world.program.name in text
    assert world.morning.name in text
    assert world.clinician.full_name in text


def test_the_crisis_banner_is_on_every_portal_page(world, login) -> None:
    text = login(world.participant_user).get("/me/").content.decode()
    assert 'href="tel:988"' in text
    assert "Suicide &amp; Crisis Lifeline" in text
    assert 'href="tel:911"' in text


def test_the_local_emergency_number_is_configurable(world, login, settings) -> None:
    settings.OPENIOP_LOCAL_EMERGENCY_NUMBER = "112"
    assert 'href="tel:112"' in login(world.participant_user).get("/me/").content.decode()


def test_a_portal_visit_is_audited(world, login) -> None:
    login(world.participant_user).get("/me/")
    assert AccessLog.objects.filter(
        actor=world.participant_user, participant=world.participant
    ).exists()


def test_a_participant_lands_on_the_portal_after_sign_in(world, login) -> None:
    response = login(world.participant_user).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/me/"


def test_staff_cannot_open_the_portal(world, login) -> None:
    assert login(world.clinician).get("/me/").status_code == 403


def test_the_portal_shows_only_the_signed_in_participant(world, login) -> None:
    text = login(world.other_participant_user).get("/me/").content.decode()
    assert "Pat" not in text
    assert world.other_program.name in text


def test_family_see_what_the_consent_grants(world, login) -> None:
    text = login(world.family_user).get("/me/family/").content.decode()
    assert world.participant.display_name in text
    assert world.program.name in text
    assert 'href="tel:988"' in text


def test_family_see_nothing_once_consent_is_revoked(world, login) -> None:
    consent_revoke(actor=world.clinician, consent=world.consent, how=ConsentRevokedHow.VERBAL)
    text = login(world.family_user).get("/me/family/").content.decode()
    assert world.participant.display_name not in text
    assert "Nothing has been shared with you yet" in text


def test_family_see_nothing_after_consent_expires(world, login) -> None:
    _ends_on(world.consent, timezone.localdate() - dt.timedelta(days=1))
    assert (
        world.participant.display_name
        not in login(world.family_user).get("/me/family/").content.decode()
    )


def test_a_family_member_without_consent_sees_nothing(world, login) -> None:
    contact = f.FamilyContactFactory(
        participant=world.participant,
        user=f.UserFactory(organization=world.org, role="family"),
    )
    text = login(contact.user).get("/me/family/").content.decode()
    assert world.participant.display_name not in text


def test_participants_cannot_open_the_family_page(world, login) -> None:
    assert login(world.participant_user).get("/me/family/").status_code == 403


def test_consent_dates_follow_the_programs_calendar_day(world, login) -> None:
    """An expiry dated 'today' in the program's zone lasts until the program's midnight, and
    one dated yesterday there has ended even where it is still that day in UTC. Picks a zone
    whose date differs from UTC's right now, so the test means the same at any hour."""
    from openiop.lib.timezones import today_in

    if timezone.now().hour >= 10:
        world.program.time_zone = "Pacific/Kiritimati"  # UTC+14: already tomorrow there
        world.program.save()
        _ends_on(world.consent, today_in(world.program.time_zone) - dt.timedelta(days=1))
        expect_visible = False
    else:
        world.program.time_zone = "Etc/GMT+12"  # UTC-12: still yesterday there
        world.program.save()
        _ends_on(world.consent, today_in(world.program.time_zone))
        expect_visible = True
    text = login(world.family_user).get("/me/family/").content.decode()
    assert (world.participant.display_name in text) is expect_visible


def test_a_participant_refused_a_staff_page_keeps_the_crisis_banner_and_a_way_home(
    world, login
) -> None:
    response = login(world.participant_user).get("/participants/")
    text = response.content.decode()
    assert response.status_code == 403
    assert 'href="tel:988"' in text
    assert 'href="/me/"' in text
    assert "ask your program director" not in text


def test_family_refused_a_staff_page_are_sent_back_to_the_family_page(world, login) -> None:
    text = login(world.family_user).get("/participants/").content.decode()
    assert 'href="/me/family/"' in text


def test_staff_see_no_menu_before_two_step_sign_in(world, client) -> None:
    client.force_login(world.clinician)
    page = client.get("/accounts/mfa/setup/").content.decode()
    assert 'href="/participants/"' not in page
