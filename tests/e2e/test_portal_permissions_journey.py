"""On a phone, the participant opens My permissions from the portal home, reads what they
signed, and stops the release to their partner; the partner's access ends at once.

    OPENIOP_DOCS_SCREENSHOTS=docs/img .venv/bin/pytest tests/e2e/test_portal_permissions_journey.py

puts the guide's picture (portal-permissions.png) in docs/img/; otherwise it goes to
test-artifacts/."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from openiop.participants.consents import family_grants
from openiop.participants.models import Consent, ConsentInfo, ConsentKind, ConsentRevokedHow
from tests.e2e.conftest import screenshot_dir, sign_in
from tests.participants.consent_support import sign

pytestmark = pytest.mark.e2e


def test_the_participant_stops_a_release_from_their_phone(
    e2e_world: SimpleNamespace, phone_page: Any, shot: Any
) -> None:
    w = e2e_world
    # The journey (and its pictures) starts from the participant's own two consents: the
    # shared world's family release, built directly, would add a third card.
    Consent.objects.filter(pk=w.consent.pk).delete()
    sign(w.episode, w.clinician, ConsentKind.TREATMENT)
    release = sign(
        w.episode,
        w.clinician,
        recipient_contact=w.family_contact,
        information=[ConsentInfo.FAMILY_SCHEDULE, ConsentInfo.ATTENDANCE],
        purpose="So Sam can join family sessions",
    )
    assert ConsentInfo.FAMILY_SCHEDULE in {g.scope for g in family_grants(w.family_user)}

    page = phone_page
    sign_in(page, w.url, w.participant_user)
    page.get_by_role("link", name="My permissions").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "My permissions"
    assert page.get_by_text("Talk to your therapist if you want to stop treatment.").is_visible()
    card = page.get_by_role("region", name="Sharing my information")
    assert "Sam Example (Partner)" in card.inner_text()
    assert page.get_by_role("link", name="Stop this permission").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    card.get_by_role("link", name="Stop this permission").click()
    page.wait_for_load_state()
    assert page.get_by_text(
        "After you stop this permission, Sam Example (Partner) will no longer receive"
    ).is_visible()
    assert "Information already shared cannot be called back." in page.inner_text("main")
    shot(page, "portal-permissions-confirm")
    page.get_by_role("button", name="Stop this permission").click()
    page.wait_for_load_state()

    assert page.url == f"{w.url}/me/permissions/"
    assert page.get_by_role("status").inner_text() == "You stopped this permission. It ends now."
    card = page.get_by_role("region", name="Sharing my information")
    assert "Revoked" in card.inner_text()
    assert page.get_by_role("link", name="Stop this permission").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "portal-permissions-phone")
    page.screenshot(path=str(screenshot_dir() / "portal-permissions.png"), full_page=True)

    stopped = Consent.objects.get(pk=release.pk)
    assert stopped.revoked_how == ConsentRevokedHow.PORTAL
    assert ConsentInfo.FAMILY_SCHEDULE not in {g.scope for g in family_grants(w.family_user)}
