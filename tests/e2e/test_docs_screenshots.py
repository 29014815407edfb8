"""The pictures in the user guides (docs/guide/), taken from the running application.

    OPENIOP_DOCS_SCREENSHOTS=docs/img .venv/bin/pytest tests/e2e/test_docs_screenshots.py

Without the variable the pictures go to test-artifacts/screenshots/ like every other journey,
so the module also runs in the ordinary suite and keeps asserting what each page must show.
Staff pages are taken at 1280x800, portal pages at a phone's 390x844. All data is synthetic.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from openiop.accounts.roles import Role
from openiop.audit.models import EventKind
from openiop.audit.services import event_record
from openiop.participants.models import CareTeamRole, EpisodeStatus
from openiop.programs.models import SessionCategory
from openiop.scheduling.models import Attendance, AttendanceStatus, FamilyAttendee
from tests import factories as f
from tests.conftest import verified_client
from tests.e2e.conftest import (
    axe_violations,
    clinic_hours,
    enter_code,
    screenshot_dir,
    sign_in,
    sign_in_staff,
    totp_code_from_secret,
)
from tests.scheduling.attendance_support import make_session, session_type

pytestmark = pytest.mark.e2e

# Synthetic people for a believable caseload (invented names, no real person).
_CASELOAD = [
    ("Jordan", "Rivera", "they/them", EpisodeStatus.ACTIVE, "morning"),
    ("Morgan", "Lee", "he/him", EpisodeStatus.ACTIVE, "evening"),
    ("Avery", "Nguyen", "she/her", EpisodeStatus.ADMITTED, "morning"),
    ("Riley", "Okafor", "", EpisodeStatus.ON_HOLD, "evening"),
    ("Quinn", "Delgado", "she/her", EpisodeStatus.ASSESSED, None),
]


def capture(page: Any, name: str, *, full_page: bool = False) -> Path:
    path = screenshot_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture
def clinic(e2e_world: SimpleNamespace) -> SimpleNamespace:
    """The shared personas plus a small caseload and a timeline worth looking at."""
    w = e2e_world
    for first, last, pronouns, status, track in _CASELOAD:
        participant = f.ParticipantFactory(
            organization=w.org,
            legal_first_name=first,
            legal_last_name=last,
            pronouns=pronouns,
        )
        episode = f.EpisodeFactory(
            participant=participant,
            program=w.program,
            track=getattr(w, track) if track else None,
            status=status,
            primary_clinician=w.clinician if track else None,
        )
        if track:
            f.CareTeamMemberFactory(episode=episode, user=w.clinician, role=CareTeamRole.PRIMARY)
    for kind, summary, actor in [
        (EventKind.PARTICIPANT_CREATED, "Record created from a self-referral", w.intake),
        (EventKind.EPISODE_OPENED, "Episode opened in Adult DBT IOP", w.intake),
        (EventKind.EPISODE_STATUS, "Admitted to the Morning track", w.intake),
        (EventKind.CARE_TEAM, "Casey Clinician joined as primary therapist", w.director),
        (EventKind.CONSENT, "Consent recorded: Sam Example may see program contact", w.clinician),
        (EventKind.EPISODE_STATUS, "Started treatment (week 1)", w.clinician),
    ]:
        event_record(participant=w.participant, kind=kind, summary=summary, actor=actor)
    return w


def test_sign_in_page(clinic: SimpleNamespace, page: Any) -> None:
    page.goto(f"{clinic.url}/accounts/login/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    assert page.get_by_label("E-mail").is_visible()
    capture(page, "sign-in")


def test_mfa_enrolment_and_verification(clinic: SimpleNamespace, page: Any) -> None:
    w = clinic
    sign_in(page, w.url, w.director)
    assert page.get_by_role("heading", level=1).inner_text() == "Set up two-step sign-in"
    secret = page.locator("code.secret").inner_text()
    capture(page, "mfa-setup")
    enter_code(page, totp_code_from_secret(secret))
    assert page.url == f"{w.url}/"

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    sign_in(page, w.url, w.director)
    assert page.get_by_role("heading", level=1).inner_text() == "Two-step sign-in"
    capture(page, "mfa-verify")


def test_clinician_pages(clinic: SimpleNamespace, page: Any) -> None:
    w = clinic
    sign_in_staff(page, w.url, w.clinician)
    main = page.locator("main")
    assert "My participants" in main.inner_text()
    assert "Jordan Rivera" in main.inner_text()
    capture(page, "clinician-home", full_page=True)

    page.goto(f"{w.url}/participants/?q=Rivera")
    assert "Jordan Rivera" in main.inner_text()
    assert "Morgan Lee" not in main.inner_text()
    page.goto(f"{w.url}/participants/")
    assert "Quinn Delgado" in main.inner_text()
    capture(page, "participant-list")

    page.goto(f"{w.url}/participants/{w.participant.public_id}/?panel=audit")
    assert page.locator("h1").inner_text() == "Pat Example"
    timeline = page.get_by_role("region", name="Timeline")
    assert "Admitted to the Morning track" in timeline.inner_text()
    capture(page, "participant-chart", full_page=True)


def test_safety_pages(clinic: SimpleNamespace, page: Any) -> None:
    """The director's escalation settings and the coaching queue, strongest urge first."""
    from openiop.safety.coaching import coaching_request_create

    w = clinic
    now = timezone.now()
    for urge, minutes, situation in (
        (2, 45, "Hard conversation with my landlord coming up"),
        (5, 6, "Strong urge after an argument at home"),
        (3, 25, "Can't sleep, thoughts racing"),
    ):
        coaching_request_create(
            participant=w.participant,
            episode=w.episode,
            actor=w.participant_user,
            situation=situation,
            urge=urge,
            skills_tried=["TIPP"],
            reach_by="message",
            callback_phone="",
            now=now - dt.timedelta(minutes=minutes),
        )
    sign_in_staff(page, w.url, w.director, next_path="/safety/coaching/")
    page.goto(f"{w.url}/safety/coaching/")
    rows = page.locator("table").first.inner_text()
    assert rows.index("5/5") < rows.index("3/5") < rows.index("2/5")
    capture(page, "coaching-queue")
    page.goto(f"{w.url}/safety/programs/{w.program.public_id}/rules/")
    escalation = page.get_by_role("region", name="Escalation")
    assert "High: escalate after (minutes)" in escalation.inner_text()
    escalation.scroll_into_view_if_needed()
    escalation.screenshot(path=str(screenshot_dir() / "director-escalation.png"))


def test_intake_pages(clinic: SimpleNamespace, page: Any) -> None:
    w = clinic
    sign_in_staff(page, w.url, w.intake, next_path="/participants/")
    new = page.get_by_role("link", name="New participant")
    assert new.is_visible()
    new.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().strip()
    assert page.locator("main form").count() >= 1
    capture(page, "participant-new", full_page=True)


def test_director_pages(clinic: SimpleNamespace, page: Any) -> None:
    w = clinic
    # Some chart views for the audit log to show.
    verified_client(w.clinician).get(f"/participants/{w.participant.public_id}/")
    sign_in_staff(page, w.url, w.director, next_path="/programs/")
    main = page.locator("main")
    assert page.locator("h1").inner_text() == "Programs"
    assert "Adult DBT IOP" in main.inner_text()
    capture(page, "programs", full_page=True)

    page.goto(f"{w.url}/programs/{w.program.public_id}/")
    assert "Adult DBT IOP" in page.locator("h1").inner_text()
    assert "Morning" in main.inner_text()
    capture(page, "program-detail", full_page=True)

    page.goto(f"{w.url}/audit/")
    assert "Casey Clinician" in main.inner_text()
    capture(page, "audit-log")


def test_billing_pages(clinic: SimpleNamespace, page: Any) -> None:
    w = clinic
    sign_in_staff(page, w.url, w.billing, next_path="/participants/")
    assert "Jordan Rivera" in page.locator("main").inner_text()
    page.goto(f"{w.url}/participants/{w.participant.public_id}/")
    assert page.locator("h1").inner_text() == "Pat Example"
    capture(page, "billing-chart")


def test_administrator_pages(clinic: SimpleNamespace, page: Any) -> None:
    w = clinic
    sign_in_staff(page, w.url, w.admin)
    main = page.locator("main")
    assert page.locator("h1").inner_text() == "Administration"
    capture(page, "admin-home")

    page.goto(f"{w.url}/accounts/users/")
    assert "Casey Clinician" in main.inner_text()
    # Portal accounts are not listed: a list of them would say who is in treatment.
    assert "Sam Family" not in main.inner_text()
    capture(page, "users", full_page=True)

    page.goto(f"{w.url}/accounts/users/{w.clinician.public_id}/")
    assert "Casey Clinician" in page.locator("h1").inner_text()
    capture(page, "user-detail", full_page=True)


def test_participant_portal(clinic: SimpleNamespace, phone_page: Any) -> None:
    w = clinic
    sign_in(phone_page, w.url, w.participant_user)
    assert phone_page.locator("h1").inner_text() == "Hi, Pat"
    banner = phone_page.get_by_role("complementary", name="Crisis support")
    assert "988" in banner.inner_text()
    assert axe_violations(phone_page) == []
    capture(phone_page, "portal-home")


def test_family_portal(clinic: SimpleNamespace, phone_page: Any) -> None:
    w = clinic
    f.FamilyReleaseFactory(
        recipient_contact=w.family_contact,
        information=["family_schedule", "attendance"],
        recorded_by=w.clinician,
        signed_on=timezone.localdate() - dt.timedelta(days=2),
    )
    group_start, family_evening = clinic_hours(w.program.time_zone)
    family = session_type(w.program, category=SessionCategory.FAMILY, name="Family therapy")
    invited = make_session(
        program=w.program,
        kind=family,
        starts_at=family_evening,
        minutes=50,
        facilitators=[w.clinician],
        roster=[w.episode],
        created_by=w.director,
    )
    FamilyAttendee.objects.create(organization=w.org, session=invited, contact=w.family_contact)
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
    sign_in(phone_page, w.url, w.family_user)
    main = phone_page.locator("main")
    assert "Pat Example" in main.inner_text()
    assert "Family therapy" in main.inner_text()
    assert "Attended" in main.inner_text()
    assert w.family_user.role == Role.FAMILY
    capture(phone_page, "family-home", full_page=True)
