"""Portal accounts in the browser: staff admit a participant and invite them to the portal; on
a phone the participant opens the e-mailed link, chooses a password, signs in and reaches their
home; the link then works no more, an expired one says so, a revoked one is dead; a family
member invited from their contact under a release reaches their own page.

The link is read from Django's outbox (the test mail backend). Pictures go to
test-artifacts/screenshots/, or to docs/img with OPENIOP_DOCS_SCREENSHOTS=docs/img
(portal-invite-*.png and portal-welcome*.png illustrate the intake, clinician, participant and
family guides)."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from openiop.lib.timezones import today_in
from openiop.participants.models import (
    ConsentInfo,
    ConsentKind,
    EpisodeStatus,
    InvitationStatus,
    PortalInvitation,
)
from tests import factories as f
from tests.e2e.conftest import forget_errors, screenshot_dir, sign_in_staff
from tests.participants.consent_support import sign

pytestmark = pytest.mark.e2e

PASSWORD = "kettle meadow lantern sparrow"


def _shot(page: Any, name: str, *, full_page: bool = True) -> None:
    page.screenshot(path=str(screenshot_dir() / f"{name}.png"), full_page=full_page)


def _link(outbox_index: int = -1) -> str:
    found = re.search(r"https?://\S+", mail.outbox[outbox_index].body)
    assert found is not None
    return found.group(0)


def _newcomer(w: SimpleNamespace, status: str = EpisodeStatus.ASSESSED) -> Any:
    participant = f.ParticipantFactory(
        organization=w.org,
        legal_first_name="Noor",
        legal_last_name="Haddad",
        email="noor.haddad@example.org",
    )
    episode = f.EpisodeFactory(
        participant=participant,
        program=w.program,
        status=status,
        track=None if status == EpisodeStatus.ASSESSED else w.morning,
        primary_clinician=None if status == EpisodeStatus.ASSESSED else w.clinician,
        inquiry_on=timezone.localdate() - dt.timedelta(days=6),
        assessed_on=timezone.localdate() - dt.timedelta(days=1),
        admitted_on=None if status == EpisodeStatus.ASSESSED else timezone.localdate(),
        started_on=None if status == EpisodeStatus.ASSESSED else timezone.localdate(),
    )
    return participant, episode


def _choose_password(phone: Any, link: str) -> None:
    phone.goto(link)
    assert phone.locator("h1").inner_text() == "Set up your account"
    assert "/welcome/" in phone.url
    assert "key=" not in phone.url
    phone.get_by_label("Choose a password").fill(PASSWORD)
    phone.get_by_label("Type the password again").fill(PASSWORD)
    phone.get_by_role("button", name="Create my account").click()
    phone.wait_for_load_state()


def _sign_in_as(phone: Any, email: str) -> None:
    assert phone.locator("h1").inner_text() == "Sign in"
    phone.get_by_label("E-mail").fill(email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_load_state()


def test_admission_invites_and_the_participant_sets_up_their_portal_on_a_phone(
    e2e_world: SimpleNamespace, page: Any, phone_page: Any
) -> None:
    w = e2e_world
    participant, episode = _newcomer(w)
    sign(episode, w.intake, ConsentKind.TREATMENT)

    # Staff: admission, with the portal step ticked.
    sign_in_staff(page, w.url, w.intake)
    page.goto(
        f"{w.url}/intake/participants/{participant.public_id}/episodes/{episode.public_id}/admit/"
    )
    page.get_by_label("Track").select_option(label="Morning")
    page.get_by_label("Primary clinician").select_option(value=str(w.clinician.public_id))
    page.get_by_label("First day in program").fill(today_in(w.program.time_zone).isoformat())
    invite = page.get_by_label("E-mail an invitation to the portal")
    assert invite.is_checked()
    page.get_by_role("button", name="Admit").click()
    page.wait_for_load_state()
    main = page.locator("main")
    assert "Portal invitation e-mailed to noor.haddad@example.org." in main.inner_text()
    portal_card = main.get_by_text("Invitation sent", exact=True)
    assert portal_card.is_visible()
    _shot(page, "portal-invite-admission")

    # The e-mail: neutral wording, one link.
    assert [m.to for m in mail.outbox] == [["noor.haddad@example.org"]]
    message = mail.outbox[0]
    assert message.subject == "Set up your account"
    assert "Haddad" not in message.body
    assert w.program.name not in message.body

    # The participant, on a phone.
    link = _link()
    phone_page.goto(link)
    _shot(phone_page, "portal-welcome", full_page=False)
    _choose_password(phone_page, link)
    assert "Your account is ready" in phone_page.locator("main").inner_text()
    _sign_in_as(phone_page, "noor.haddad@example.org")
    assert phone_page.locator("h1").inner_text() == "Hi, Noor"
    assert w.program.name in phone_page.locator("main").inner_text()
    _shot(phone_page, "portal-first-home", full_page=False)

    # The chart shows the account; the e-mail's link is spent.
    page.goto(f"{w.url}/participants/{participant.public_id}/")
    card = page.get_by_role("region", name="Portal account")
    assert "Active" in card.inner_text()
    assert "noor.haddad@example.org" in card.inner_text()

    phone_page.get_by_role("button", name="Sign out").click()
    phone_page.wait_for_load_state()
    phone_page.goto(link)
    assert phone_page.locator("h1").inner_text() == "This link has already been used"
    assert forget_errors(phone_page)  # the 410 the test asked for
    _shot(phone_page, "portal-welcome-used", full_page=False)


def test_an_expired_link_says_so_and_creates_nothing(
    e2e_world: SimpleNamespace, page: Any, phone_page: Any
) -> None:
    w = e2e_world
    participant, _ = _newcomer(w, status=EpisodeStatus.ADMITTED)
    sign_in_staff(page, w.url, w.clinician)
    page.goto(f"{w.url}/participants/{participant.public_id}/")
    page.get_by_role("button", name="Invite to the portal").click()
    page.wait_for_load_state()
    invitation = PortalInvitation.objects.get(participant=participant)
    PortalInvitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - dt.timedelta(days=4),
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    phone_page.goto(_link())
    main = phone_page.locator("main").inner_text()
    assert phone_page.locator("h1").inner_text() == "This link has expired"
    assert "No account was created." in main
    assert forget_errors(phone_page)
    _shot(phone_page, "portal-welcome-expired", full_page=False)
    participant.refresh_from_db()
    assert participant.user is None

    page.reload()
    card = page.get_by_role("region", name="Portal account")
    assert "Invitation expired" in card.inner_text()
    card.get_by_role("button", name="Invite again").click()
    page.wait_for_load_state()
    assert "Invitation sent" in page.get_by_role("region", name="Portal account").inner_text()


def test_revoking_before_use_makes_the_link_dead(
    e2e_world: SimpleNamespace, page: Any, phone_page: Any
) -> None:
    w = e2e_world
    participant, _ = _newcomer(w, status=EpisodeStatus.ADMITTED)
    sign_in_staff(page, w.url, w.clinician)
    page.goto(f"{w.url}/participants/{participant.public_id}/")
    card = page.get_by_role("region", name="Portal account")
    card.get_by_role("button", name="Invite to the portal").click()
    page.wait_for_load_state()
    card = page.get_by_role("region", name="Portal account")
    assert "Invitation sent" in card.inner_text()
    _shot(page, "portal-invite-chart")
    link = _link()
    card.get_by_role("button", name="Revoke invitation").click()
    page.wait_for_load_state()
    assert "Invitation revoked" in page.locator("main").inner_text()
    assert PortalInvitation.objects.get(participant=participant).status == InvitationStatus.REVOKED

    phone_page.goto(link)
    assert phone_page.locator("h1").inner_text() == "This invitation was withdrawn"
    assert forget_errors(phone_page)
    participant.refresh_from_db()
    assert participant.user is None


def test_a_family_member_invited_under_a_release_reaches_their_page(
    e2e_world: SimpleNamespace, page: Any, phone_page: Any
) -> None:
    w = e2e_world
    participant, episode = _newcomer(w, status=EpisodeStatus.ACTIVE)
    contact = f.FamilyContactFactory(
        participant=participant,
        name="Rami Haddad",
        relationship="Brother",
        email="rami.haddad@example.org",
    )
    sign(
        episode,
        w.clinician,
        recipient_contact=contact,
        information=[ConsentInfo.FAMILY_SCHEDULE, ConsentInfo.PROGRAM_CONTACT],
    )
    sign_in_staff(page, w.url, w.clinician)
    page.goto(f"{w.url}/participants/{participant.public_id}/")
    family = page.get_by_role("region", name="Family and contacts")
    family.get_by_role("button", name="Invite to the portal (Rami Haddad)").click()
    page.wait_for_load_state()
    family = page.get_by_role("region", name="Family and contacts")
    assert "rami.haddad@example.org" in family.inner_text()
    family.screenshot(path=str(screenshot_dir() / "portal-invite-family.png"))

    _choose_password(phone_page, _link())
    _sign_in_as(phone_page, "rami.haddad@example.org")
    assert phone_page.url.endswith("/me/family/")
    main = phone_page.locator("main").inner_text()
    assert "Noor Haddad" in main
    _shot(phone_page, "family-first-home", full_page=False)
