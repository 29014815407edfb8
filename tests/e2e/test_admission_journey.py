"""From the contact form to the schedule, in the browser: a visitor sends an inquiry; the intake
coordinator works it on the board to a participant record and an assessment; the
recommendation shows its rules and is accepted; the participant signs consent to treatment and
a release to their partner; admission places them on the track's sessions from the first day.
(What a family member sees under a release, until it is revoked, is
tests/e2e/test_family_journey.py.)

Pictures go to test-artifacts/screenshots/, or to docs/img with
OPENIOP_DOCS_SCREENSHOTS=docs/img (admission.png and consent.png illustrate
docs/guide/intake.md)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from openiop.intake.forms import form_token
from openiop.intake.models import Inquiry, InquiryStatus
from openiop.lib.timezones import today_in
from openiop.participants.models import Consent, EpisodeStatus
from openiop.scheduling.models import RosterEntry, Session
from tests import factories as f
from tests.e2e.conftest import screenshot_dir, sign_in_staff
from tests.scheduling.attendance_support import local

pytestmark = pytest.mark.e2e


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(screenshot_dir() / f"{name}.png"), full_page=True)


def _morning_groups(w: SimpleNamespace, days: list[dt.date]) -> list[Session]:
    kind = f.SessionTypeFactory(program=w.program, name="Skills group", is_group=True)
    return [
        Session.objects.create(
            organization=w.org,
            program=w.program,
            track=w.morning,
            session_type=kind,
            starts_at=local(day, dt.time(9, 0)),
            ends_at=local(day, dt.time(10, 30)),
            created_by=w.director,
        )
        for day in days
    ]


def _send_inquiry(page: Any, w: SimpleNamespace) -> None:
    page.goto(f"{w.url}/contact/")
    page.get_by_label("Your first name or initials").fill("Jordan")
    page.get_by_label("Phone", exact=True).fill("555-0188")
    page.get_by_label("Program you are asking about").select_option(value=str(w.program.public_id))
    page.get_by_label("I agree that the program may contact me").check()
    page.locator("input[name=token]").evaluate(
        "(el, v) => { el.value = v; }", form_token(timezone.now().timestamp() - 60)
    )
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    assert page.url.endswith("/contact/thanks/")


def _move(page: Any, button: str, *, note: str = "", day: dt.date | None = None) -> None:
    if note:
        page.get_by_label("Outcome note").fill(note)
    if day:
        page.locator("form").filter(has=page.get_by_role("button", name=button)).get_by_label(
            "Follow up on"
        ).fill(day.isoformat())
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def test_an_inquiry_becomes_an_admitted_participant_on_the_schedule(
    e2e_world: SimpleNamespace, page: Any
) -> None:
    w = e2e_world
    today = today_in(w.program.time_zone)
    start = today + dt.timedelta(days=2)
    before, first, later = _morning_groups(
        w, [today + dt.timedelta(days=1), start, start + dt.timedelta(days=2)]
    )

    _send_inquiry(page, w)
    inquiry = Inquiry.objects.get()

    # The coordinator works the inquiry on the board.
    page.context.clear_cookies()
    sign_in_staff(page, w.url, w.intake, next_path="/intake/")
    page.get_by_role("region", name="New 1").get_by_role("link", name="Jordan").click()
    page.wait_for_load_state()
    _move(page, "Mark contacted", note="Called back.")
    _move(page, "Schedule screening", day=today)
    page.get_by_role("link", name="Convert to participant").click()
    page.wait_for_load_state()
    page.get_by_label("Legal first name").fill("Jordan")
    page.get_by_label("Legal last name").fill("Rivers")
    page.get_by_label("Date of birth").fill("1990-04-02")
    page.get_by_role("button", name="Create participant record").click()
    page.wait_for_load_state()
    inquiry.refresh_from_db()
    participant, episode = inquiry.participant, inquiry.episode
    assert participant is not None
    assert episode is not None

    # Assessment, with the recommendation's rules shown, accepted.
    page.get_by_role("link", name="Intake assessment").first.click()
    page.wait_for_load_state()
    page.get_by_label("Presenting concerns").fill("Low mood, missing work.")
    page.get_by_label("Goals").fill("Back to full days at work.")
    page.get_by_label("3. Emotional, behavioural or cognitive conditions").select_option("2")
    page.get_by_label("Needs more than weekly therapy").check()
    page.get_by_role("button", name="Save and see recommendation").click()
    page.wait_for_load_state()
    assert "Recommended: Intensive outpatient (IOP)" in page.locator("h2").first.inner_text()
    assert page.locator("table.loc-rules tbody tr").count() == 10
    page.get_by_label("Accept the recommendation").check()
    page.get_by_label("Track", exact=True).select_option(label="Morning")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Intake assessment").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Complete assessment").click()
    page.wait_for_load_state()
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ASSESSED
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ASSESSED

    # Admission: refused without consent to treatment.
    page.get_by_role("link", name="Admit").click()
    page.wait_for_load_state()
    assert (
        "Intensive outpatient (IOP)"
        in page.get_by_role("region", name="Level-of-care decision").inner_text()
    )
    page.get_by_label("Primary clinician").select_option(label=w.clinician.full_name)
    page.get_by_role("button", name="Admit", exact=True).click()
    page.wait_for_load_state()
    assert "Consent to treatment is not signed" in page.content()

    # Consent to treatment, typed by the participant with the coordinator present.
    page.get_by_role("link", name="Sign consent to treatment").click()
    page.wait_for_load_state()
    page.get_by_label("Participant's signature").fill("Jordan Rivers")
    page.get_by_label("The participant read this consent").check()
    page.get_by_role("button", name="Sign and record").click()
    page.wait_for_load_state()
    assert "/admit/" in page.url

    # Their partner, and a release naming only the family-session schedule.
    page.get_by_role("link", name="Add family or contact").click()
    page.wait_for_load_state()
    page.locator("#id_name").fill("Casey Rivers")
    page.get_by_label("Relationship").fill("Partner")
    page.get_by_role("button", name="Add contact").click()
    page.wait_for_load_state()
    page.goto(
        f"{w.url}/intake/participants/{participant.public_id}/episodes/{episode.public_id}/admit/"
    )
    page.get_by_role("link", name="Add a release of information").click()
    page.wait_for_load_state()
    page.get_by_label("Family member or contact").select_option(label="Casey Rivers (Partner)")
    page.get_by_label("Family-session schedule").check()
    page.get_by_label("Purpose").fill("So my partner can join family sessions")
    page.get_by_label("Participant's signature").fill("Jordan Rivers")
    page.get_by_label("The participant read this consent").check()
    _shot(page, "consent")
    page.get_by_role("button", name="Sign and record").click()
    page.wait_for_load_state()
    assert Consent.objects.filter(participant=participant).count() == 2

    # Admit from the day after tomorrow.
    page.get_by_label("Track", exact=True).select_option(label="Morning")
    page.get_by_label("Primary clinician").select_option(label=w.clinician.full_name)
    page.get_by_label("First day in program").fill(start.isoformat())
    page.get_by_label("Planned length (weeks)").fill("8")
    page.get_by_role("button", name="Admit", exact=True).click()
    page.wait_for_load_state()
    assert "First treatment plan due by" in page.locator(".messages").inner_text()
    admitted = page.get_by_role("region", name="Admitted")
    assert "2 upcoming sessions" in admitted.inner_text()
    assert "PHQ-9" in admitted.inner_text()
    _shot(page, "admission")
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.ADMITTED
    assert episode.started_on == start
    rostered = set(
        RosterEntry.objects.filter(participant=participant).values_list("session_id", flat=True)
    )
    assert rostered == {first.pk, later.pk}
    assert before.pk not in rostered
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.ADMITTED

    # On the schedule: the participant's week from the first day.
    page.get_by_role("link", name="Participant's week").click()
    page.wait_for_load_state()
    assert "Skills group" in page.content()
