"""Issue 13 point 4, from the invitation on: under a release that covers the schedule and
attendance, the clinician invites the family contact from the chart; on a phone the family
member sets a password from the e-mailed link, lands on their own page and sees the family
session they are invited to and the participant's attendance, from the program that gave the
consent (the participant also attends a substance-use program, which never appears); the logo
brings them back to that page; when the participant revokes the release (noted by staff on the
consent page), the next look shows nothing. (The family guide's main picture comes from
test_docs_screenshots.py; family-first-home.png from here.)"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from openiop.participants.models import ConsentInfo
from openiop.programs.models import SessionCategory
from openiop.scheduling.models import Attendance, AttendanceStatus, FamilyAttendee
from tests import factories as f
from tests.e2e.conftest import clinic_hours, screenshot_dir, sign_in_staff
from tests.participants.consent_support import sign, sud_world
from tests.scheduling.attendance_support import make_session, session_type

pytestmark = pytest.mark.e2e


PASSWORD = "kettle meadow lantern sparrow"


def test_a_family_member_invited_under_a_release_sees_what_it_names_until_it_is_revoked(
    e2e_world: SimpleNamespace, page: Any, phone_page: Any, shot: Any
) -> None:
    w = e2e_world
    sud_program, _ = sud_world(w)
    contact = f.FamilyContactFactory(
        participant=w.participant,
        program=w.program,
        name="Rami Example",
        relationship="Brother",
        email="rami.example@example.org",
    )
    release = sign(
        w.episode,
        w.clinician,
        recipient_contact=contact,
        information=[
            ConsentInfo.FAMILY_SCHEDULE,
            ConsentInfo.ATTENDANCE,
            ConsentInfo.PROGRAM_CONTACT,
        ],
        purpose="So Sam can join family sessions",
    )
    group_start, family_evening = clinic_hours(w.program.time_zone)
    room = session_type(w.program, category=SessionCategory.FAMILY, name="Family therapy")
    invited = make_session(
        program=w.program,
        kind=room,
        starts_at=family_evening,
        minutes=50,
        facilitators=[w.clinician],
        roster=[w.episode],
        created_by=w.director,
    )
    FamilyAttendee.objects.create(organization=w.org, session=invited, contact=contact)
    group = make_session(
        program=w.program,
        kind=session_type(w.program, name="DBT skills group"),
        starts_at=group_start,
        minutes=90,
        facilitators=[w.clinician],
        roster=[w.episode],
        created_by=w.director,
    )
    Attendance.objects.create(
        organization=w.org,
        session=group,
        participant=w.participant,
        episode=w.episode,
        status=AttendanceStatus.PRESENT,
        minutes=90,
        recorded_by=w.clinician,
        recorded_at=timezone.now(),
    )

    # The clinician invites Rami from the chart.
    sign_in_staff(page, w.url, w.clinician)
    page.goto(f"{w.url}/participants/{w.participant.public_id}/")
    family = page.get_by_role("region", name="Family and contacts")
    family.get_by_role("button", name="Invite to the portal (Rami Example)").click()
    page.wait_for_load_state()
    family = page.get_by_role("region", name="Family and contacts")
    assert "rami.example@example.org" in family.inner_text()
    family.screenshot(path=str(screenshot_dir() / "portal-invite-family.png"))
    assert [m.to for m in mail.outbox] == [["rami.example@example.org"]]
    assert "Example" not in mail.outbox[0].body
    assert w.program.name not in mail.outbox[0].body
    found = re.search(r"https?://\S+", mail.outbox[0].body)
    assert found is not None

    # Rami, on a phone: a password of their own, then their own page.
    phone = phone_page
    phone.goto(found.group(0))
    assert phone.locator("h1").inner_text() == "Set up your account"
    phone.get_by_label("Choose a password").fill(PASSWORD)
    phone.get_by_label("Type the password again").fill(PASSWORD)
    phone.get_by_role("button", name="Create my account").click()
    phone.wait_for_load_state()
    phone.get_by_label("E-mail").fill("rami.example@example.org")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_load_state()
    assert phone.url == f"{w.url}/me/family/"
    phone.screenshot(path=str(screenshot_dir() / "family-first-home.png"))

    main = phone.inner_text("main")
    assert "Shared by Adult DBT IOP" in main
    assert "Family therapy" in main
    assert "DBT skills group" in main
    assert "Attended" in main
    assert "1.5 h" in main
    assert sud_program.name not in main
    assert "will appear" not in main
    assert "Pat Example" in main
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "family-home-phone")

    phone.get_by_role("link", name="OpenIOP").click()
    phone.wait_for_load_state()
    assert phone.url == f"{w.url}/me/family/"

    # Pat revokes the release; staff note it on the consent page. The next look shows nothing.
    page.goto(f"{w.url}/participants/{w.participant.public_id}/consents/{release.public_id}/")
    page.get_by_role("link", name="Revoke").click()
    page.wait_for_load_state()
    page.get_by_label("Verbally, noted by staff").check()
    page.get_by_role("button", name="Revoke now").click()
    page.wait_for_load_state()
    assert "Consent revoked" in page.locator(".messages").inner_text()
    phone.reload()
    main = phone.inner_text("main")
    assert "Family therapy" not in main
    assert "DBT skills group" not in main
    assert "Nothing has been shared with you yet" in main
