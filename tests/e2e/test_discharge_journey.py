"""A clinician discharges an active participant who completed the program: the summary is
drafted from the record, signing is refused until the clinician has written the course of
treatment and the aftercare plan, then it is signed, printed and downloaded as a PDF. The
program's outcomes page shows the aggregates, and the participant sees their alumni check-in
on a phone."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from openiop.discharge.models import DischargeSummary, SummaryStatus
from openiop.discharge.services import episode_discharge, followups_run
from openiop.lib.timezones import today_in
from openiop.measures.models import Administration, Phase, ResponseMode
from openiop.measures.services import response_record
from openiop.participants.models import CareTeamRole, DischargeKind, EpisodeStatus
from openiop.scheduling.models import Attendance, AttendanceStatus
from tests import factories as f
from tests.e2e.conftest import screenshot_dir, sign_in, sign_in_staff
from tests.measures.helpers import phq9
from tests.scheduling.attendance_support import make_session, session_type

pytestmark = pytest.mark.e2e


def _to_docs(path: Path) -> None:
    # Only a docs run (OPENIOP_DOCS_SCREENSHOTS=docs/img) may rewrite the guide's pictures.
    if os.environ.get("OPENIOP_DOCS_SCREENSHOTS"):
        shutil.copyfile(path, screenshot_dir() / path.name)


def _past_alumni(w: SimpleNamespace) -> None:
    """Three earlier participants of the program, discharged with scores and check-ins, so
    the outcomes page has figures to show."""
    today = today_in(w.program.time_zone)
    for n, (start, end, later, kind) in enumerate(
        [
            (17, 7, 6, DischargeKind.COMPLETED),
            (14, 6, 5, DischargeKind.COMPLETED),
            (12, 13, None, DischargeKind.AGAINST_ADVICE),
        ]
    ):
        participant = f.ParticipantFactory(organization=w.org, legal_last_name=f"Alumnus{n}")
        episode = f.EpisodeFactory(
            participant=participant,
            program=w.program,
            track=w.morning,
            primary_clinician=w.clinician,
            status=EpisodeStatus.ACTIVE,
        )
        f.CareTeamMemberFactory(episode=episode, user=w.clinician, role=CareTeamRole.PRIMARY)
        for total, days_ago in ((start, 14), (end, 1)):
            response_record(
                participant=participant,
                episode=episode,
                instrument_code="PHQ-9",
                answers=phq9(total),
                entered_by=w.clinician,
                mode=ResponseMode.IN_SESSION,
                completed_at=timezone.now() - timedelta(days=days_ago),
            )
        episode_discharge(
            actor=w.clinician,
            episode=episode,
            on=today,
            kind=kind,
            reason="Completed" if kind == DischargeKind.COMPLETED else "Stopped attending",
            destination="outpatient" if kind == DischargeKind.COMPLETED else "",
            provider="Riverside Counseling" if kind == DischargeKind.COMPLETED else "",
            followup_consent=kind == DischargeKind.COMPLETED,
        )
        if later is None:
            continue
        followups_run(now=datetime.combine(today + timedelta(days=30), time(18), tzinfo=UTC))
        admin = Administration.objects.get(
            episode=episode, phase=Phase.FOLLOWUP, instrument_code="PHQ-9"
        )
        response_record(
            participant=participant,
            episode=episode,
            instrument_code="PHQ-9",
            answers=phq9(later),
            entered_by=w.clinician,
            mode=ResponseMode.IN_SESSION,
            administration=admin,
        )


def _history(w: SimpleNamespace) -> None:
    """The participant's own record: two groups attended and scores that came down."""
    kind = session_type(w.program)
    for days_ago in (9, 2):
        session = make_session(
            program=w.program,
            kind=kind,
            starts_at=timezone.now() - timedelta(days=days_ago),
            minutes=180,
            facilitators=[w.clinician],
            roster=[w.episode],
            created_by=w.director,
        )
        Attendance.objects.create(
            organization=w.org,
            session=session,
            participant=w.participant,
            episode=w.episode,
            status=AttendanceStatus.PRESENT,
            minutes=180,
            recorded_by=w.clinician,
            recorded_at=timezone.now(),
        )
    for code, answers, days_ago in (
        ("PHQ-9", phq9(15), 14),
        ("GAD-7", [2, 2, 2, 1, 1, 1, 1], 14),
        ("PHQ-9", phq9(7), 1),
        ("GAD-7", [1, 1, 0, 0, 1, 0, 0], 1),
    ):
        response_record(
            participant=w.participant,
            episode=w.episode,
            instrument_code=code,
            answers=answers,
            entered_by=w.clinician,
            mode=ResponseMode.IN_SESSION,
            completed_at=timezone.now() - timedelta(days=days_ago),
        )


def test_a_clinician_discharges_edits_signs_prints_and_exports_the_summary(
    e2e_world: SimpleNamespace, page: Any, phone_page: Any, shot: Any
) -> None:
    w = e2e_world
    _past_alumni(w)
    _history(w)
    sign_in_staff(page, w.url, w.clinician)
    page.goto(f"{w.url}/participants/{w.participant.public_id}/?panel=plans")
    page.get_by_role("link", name="Transitions and discharge").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Discharge", exact=True).click()
    page.wait_for_load_state()

    page.get_by_label("Why the episode ends").select_option("completed")
    page.get_by_label("Reason for discharge").fill("Completed the program and met the main goals")
    page.get_by_label("Goes on to").select_option("outpatient")
    page.get_by_label("Provider").fill("Dr. Wren Halvorsen, Millbrook Counseling, 555-0140")
    page.get_by_label("Alumni check-ins").select_option("yes")
    page.get_by_role("button", name="Discharge").click()
    page.wait_for_load_state()
    assert "/discharge/participants/" in page.url
    assert "/summaries/" in page.url
    assert page.get_by_text("the summary is drafted").is_visible()
    assert page.get_by_text("Millbrook Counseling").first.is_visible()

    # Signing is refused while the clinician's sections are empty, and says which.
    page.get_by_role("button", name="Sign the summary").click()
    page.wait_for_load_state()
    refusal = page.locator(".messages")
    assert "Before signing, fill in: Course of treatment" in refusal.inner_text()
    assert "Medication follow-up" in refusal.inner_text()

    page.get_by_role("link", name="Edit the draft").click()
    page.wait_for_load_state()
    page.get_by_label("Course of treatment").fill(
        "Came in with low mood and missed work. Attended steadily and used the skills daily. "
        "Leaves steadier, back at work, with weekly therapy arranged."
    )
    page.get_by_label("Aftercare appointments").fill("Therapy intake with Dr. Halvorsen next week")
    page.get_by_label("Medication follow-up").fill("No medications.")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Sign the summary").click()
    page.wait_for_load_state()
    assert page.get_by_text("Signed. The summary is locked").is_visible()
    assert page.get_by_text("Signed by Casey Clinician").is_visible()
    _to_docs(shot(page, "discharge-summary"))

    summary = DischargeSummary.objects.get(episode=w.episode)
    assert summary.status == SummaryStatus.SIGNED
    assert summary.is_intact

    pdf_href = page.get_by_role("link", name="Download PDF").get_attribute("href")
    page.get_by_role("link", name="Print").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Discharge summary", level=1).is_visible()
    assert page.get_by_text("Came in with low mood").is_visible()
    page.emulate_media(media="print")
    shot(page, "discharge-summary-print")
    page.emulate_media(media="screen")

    response = page.request.get(f"{w.url}{pdf_href}")
    assert response.status == 200
    assert response.body().startswith(b"%PDF")
    disposition = response.headers["content-disposition"]
    assert disposition == f'attachment; filename="discharge-summary-{summary.public_id}.pdf"'
    assert "Example" not in disposition

    page.goto(f"{w.url}/discharge/outcomes/")
    assert page.get_by_role("heading", name="Adult DBT IOP").is_visible()
    assert page.get_by_text("Discharges by kind").is_visible()
    _to_docs(shot(page, "discharge-outcomes"))

    # The participant, now an alumnus, sees the discharge check-in on their phone.
    sign_in(phone_page, w.url, w.participant_user)
    phone_page.goto(f"{w.url}/me/")
    assert phone_page.get_by_role("heading", name="Alumni check-ins").is_visible()
    assert phone_page.get_by_text("Your discharge check-in").is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    _to_docs(shot(phone_page, "discharge-portal-alumni"))
