"""Issue 13 point 4: a family member invited under a release that covers the schedule and
attendance opens their page on a phone and sees the family session they are invited to and the
participant's attendance, from the program that gave the consent (the participant also
attends a substance-use program, which never appears); when the release is revoked, the next
look shows nothing. (The family guide's picture comes from test_docs_screenshots.py.)"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from openiop.participants.consents import consent_revoke
from openiop.participants.models import ConsentInfo, ConsentRevokedHow
from openiop.programs.models import SessionCategory
from openiop.scheduling.models import Attendance, AttendanceStatus, FamilyAttendee
from tests.e2e.conftest import sign_in
from tests.participants.consent_support import sign, sud_world
from tests.scheduling.attendance_support import make_session, session_type

pytestmark = pytest.mark.e2e


def test_a_family_member_sees_what_the_release_names_until_it_is_revoked(
    e2e_world: SimpleNamespace, phone_page: Any, shot: Any
) -> None:
    w = e2e_world
    # Only the signed release shares anything (not the world's older permission).
    w.consent.revoked_on = w.consent.granted_on
    w.consent.save()
    sud_program, _ = sud_world(w)
    release = sign(
        w.episode,
        w.clinician,
        recipient_contact=w.family_contact,
        information=[
            ConsentInfo.FAMILY_SCHEDULE,
            ConsentInfo.ATTENDANCE,
            ConsentInfo.PROGRAM_CONTACT,
        ],
        purpose="So Sam can join family sessions",
    )
    room = session_type(w.program, category=SessionCategory.FAMILY, name="Family therapy")
    invited = make_session(
        program=w.program,
        kind=room,
        starts_at=timezone.now() + timedelta(days=2),
        minutes=50,
        facilitators=[w.clinician],
        roster=[w.episode],
        created_by=w.director,
    )
    FamilyAttendee.objects.create(organization=w.org, session=invited, contact=w.family_contact)
    group = make_session(
        program=w.program,
        kind=session_type(w.program, name="DBT skills group"),
        starts_at=timezone.now() - timedelta(hours=2),
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

    page = phone_page
    sign_in(page, w.url, w.family_user, next_path="/me/family/")
    assert page.url == f"{w.url}/me/family/"
    main = page.inner_text("main")
    assert "Shared by Adult DBT IOP" in main
    assert "Family therapy" in main
    assert "DBT skills group" in main
    assert "Attended" in main
    assert "1.5 h" in main
    assert sud_program.name not in main
    assert "will appear" not in main
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "family-home-phone")

    page.get_by_role("link", name="OpenIOP").click()
    page.wait_for_load_state()
    assert page.url == f"{w.url}/me/family/"

    consent_revoke(actor=w.clinician, consent=release, how=ConsentRevokedHow.VERBAL)
    page.reload()
    main = page.inner_text("main")
    assert "Family therapy" not in main
    assert "DBT skills group" not in main
    assert "Nothing has been shared with you yet" in main
