"""Portal accounts in the browser, the paths the first-week journey does not take
(tests/e2e/test_first_week_journey.py admits, invites and sets up a participant's account on a
phone, and finds the used link spent; tests/e2e/test_family_journey.py invites a family member
under a release): an expired link says so and can be sent again, a revoked one is dead.

The link is read from Django's outbox (the test mail backend). Pictures go to
test-artifacts/screenshots/, or to docs/img with OPENIOP_DOCS_SCREENSHOTS=docs/img
(portal-invite-chart and portal-welcome-expired illustrate the clinician and participant
guides)."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from openiop.participants.models import (
    EpisodeStatus,
    InvitationStatus,
    PortalInvitation,
)
from tests import factories as f
from tests.e2e.conftest import forget_errors, screenshot_dir, sign_in_staff

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
