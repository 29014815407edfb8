"""Alerts nobody can miss, as a clinic lives them: a participant files a diary card with a high
self-harm urge on a phone; a second clinician of the program, to whom the alert was not sent,
sees it arrive on their home without reloading; the primary clinician takes it, keeps it, writes
a between-session contact note with a chain analysis from it and signs; an alert nobody takes
escalates at the configured minute when the worker's escalation job runs. And a hold frees a
seat in a full group for the first member waiting."""

from __future__ import annotations

from datetime import time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from openiop.accounts.roles import Role
from openiop.notes.models import ClinicalNote, NoteKind, NoteLink
from openiop.participants.models import EpisodeStatus
from openiop.safety.models import Alert, AlertStatus, RecipientReason
from openiop.safety.services import safety_settings_update
from openiop.safety.tasks import escalate
from tests import factories as f
from tests.e2e.conftest import STAFF_VIEWPORT, screenshot_dir, sign_in, sign_in_staff

pytestmark = pytest.mark.e2e

LIVE_TIMEOUT_MS = 15_000


def _tap(page: Any, legend: str, value: str) -> None:
    group = page.get_by_role("group", name=legend, exact=True)
    group.locator("label.segment", has_text=value).first.click()


def _staff_page(browser: Any) -> tuple[Any, Any]:
    context = browser.new_context(viewport=STAFF_VIEWPORT, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.openiop_problems = problems
    return context, page


def picture(page: Any, name: str, *, full_page: bool = False) -> None:
    """A picture for the guides (docs/img with OPENIOP_DOCS_SCREENSHOTS, else the artifacts)."""
    page.screenshot(path=str(screenshot_dir() / f"{name}.png"), full_page=full_page)


def _radio(section: Any, legend: str, answer: str) -> None:
    section.get_by_role("group", name=legend).get_by_label(answer, exact=True).check()


def test_a_high_urge_reaches_everyone_and_is_followed_through(
    e2e_world: SimpleNamespace, phone_page: Any, browser: Any, shot: Any, settings: Any
) -> None:
    settings.OPENIOP_ALERT_POLL_SECONDS = 2
    w = e2e_world
    second = f.UserFactory(
        organization=w.org, role=Role.CLINICIAN, programs=[w.program], full_name="Sol Second"
    )

    # A second clinician of the program has their home open before anything happens.
    watch_context, watcher = _staff_page(browser)
    primary_context, primary = _staff_page(browser)
    try:
        sign_in_staff(watcher, w.url, second)
        panel = watcher.locator("#alerts-panel")
        assert "No open alerts in your programs." in panel.inner_text()
        watcher.locator("#alert-indicator", has_text="No open alerts").wait_for()

        # The participant files a card on a phone.
        page = phone_page
        sign_in(page, w.url, w.participant_user)
        page.get_by_role("link", name="Fill in my diary card").click()
        page.wait_for_load_state()
        _tap(page, "Urge to die by suicide", "1")
        _tap(page, "Urge to hurt yourself", "5")
        _tap(page, "Urge to use alcohol or drugs", "0")
        _tap(page, "Did you hurt yourself?", "No")
        _tap(page, "Did you use alcohol or drugs?", "No")
        _tap(page, "Did you take your medication?", "Yes, as prescribed")
        page.get_by_role("button", name="Send my card").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text() == "Thank you for telling us"
        alert = Alert.objects.get(participant=w.participant)
        assert not alert.recipients.filter(user=second).exists()

        # Without a reload, the watcher's header and home show it within seconds.
        watcher.locator("#alert-indicator.pressing").wait_for(timeout=LIVE_TIMEOUT_MS)
        assert "1 alert waiting (1 high)" in watcher.locator("#alert-indicator").inner_text()
        watcher.locator("#alerts-panel", has_text="Pat Example").wait_for(timeout=LIVE_TIMEOUT_MS)
        row = watcher.locator("#alerts-panel tr", has_text="Pat Example")
        assert "Waiting" in row.inner_text() and "Casey Clinician" in row.inner_text()
        assert "self-harm urge 5/5" in row.inner_text()
        shot(watcher, "alerts-live-second-clinician")
        picture(watcher, "alerts-home-panel")

        # The primary clinician takes it, and it stays theirs.
        sign_in_staff(primary, w.url, w.clinician)
        primary.locator("#alerts-panel").get_by_role("link", name="Pat Example").click()
        primary.wait_for_load_state()
        assert primary.get_by_role("heading", name="Escalation chain").is_visible()
        primary.get_by_role("button", name="Acknowledge").click()
        primary.wait_for_load_state()
        assert primary.get_by_text("Acknowledged: the alert is yours.").is_visible()
        primary.goto(f"{w.url}/")
        row = primary.locator("#alerts-panel tr", has_text="Pat Example")
        assert "Held by you" in row.inner_text() and "Yours" in row.inner_text()
        primary.goto(f"{w.url}/safety/alerts/")
        assert primary.locator("table", has_text="Pat Example").is_visible()
        shot(primary, "alerts-mine-held")
        watcher.locator("#alerts-panel", has_text="Held by Casey Clinician").wait_for(
            timeout=LIVE_TIMEOUT_MS
        )

        # One click from the alert: a contact note with the alert linked and a chain analysis.
        primary.goto(f"{w.url}/safety/alerts/{alert.public_id}/")
        assert "a between-session contact note" in primary.locator("#notes-h + *").inner_text() or (
            primary.get_by_text("a between-session contact note").count() >= 1
        )
        primary.get_by_role("button", name="Start a note from this alert").click()
        primary.wait_for_load_state()
        note = ClinicalNote.objects.get()
        assert note.kind == NoteKind.CONTACT
        assert primary.get_by_role("heading", name="DBT chain analysis").is_visible()
        primary.get_by_label("Minutes").fill("20")
        primary.get_by_label("Data").fill("Called back ten minutes after the alert; 20 minutes.")
        primary.get_by_label("Assessment").fill("Urge high, passing; no plan or intent.")
        primary.get_by_label("Plan", exact=True).fill("Check in tomorrow; card review in group.")
        primary.get_by_label("Vulnerabilities").fill("Four hours of sleep; skipped lunch.")
        primary.get_by_label("Prompting event").fill("A text from an ex late in the evening.")
        primary.get_by_label("Links in the chain").fill(
            "Shame, then 'I ruin everything', chest tight, went to the bathroom."
        )
        primary.get_by_label("Problem behaviour").fill("Urge to cut at 5/5; did not act.")
        primary.get_by_label("Consequences").fill("Urge fell within the hour; drained after.")
        primary.get_by_label("Skills to use next time").fill("TIPP with cold water; call Jo.")
        primary.get_by_label("High alert: Diary card: self-harm urge 5/5").check()
        entry = primary.locator("section.note-entry")
        _radio(entry, "Suicidal ideation asked about", "Yes")
        _radio(entry, "Suicidal ideation present", "No")
        _radio(entry, "Homicidal ideation asked about", "Yes")
        _radio(entry, "Homicidal ideation present", "No")
        shot(primary, "note-chain-analysis")
        picture(primary, "note-chain-analysis", full_page=True)
        primary.get_by_role("button", name="Save and sign").click()
        primary.wait_for_load_state()
        assert primary.get_by_text("Note signed.").is_visible(), primary.content()[:3000]
        note.refresh_from_db()
        assert note.is_signed and note.chain["behaviour"] == "Urge to cut at 5/5; did not act."
        assert NoteLink.objects.get(note=note).addressed
        shot(primary, "note-contact-signed")
        primary.goto(f"{w.url}/safety/alerts/{alert.public_id}/")
        assert primary.get_by_text("marked as addressing this alert").is_visible()

        # Escalation: another participant's alert that nobody takes goes up at the set minute.
        safety_settings_update(
            program=w.program,
            actor=w.director,
            urgent_escalate_minutes=5,
            high_escalate_minutes=15,
            low_escalate_minutes=None,
        )
        quinn = _second_participant(w)
        raised_at = timezone.now()
        from openiop.diary.services import diary_card_submit
        from openiop.lib.timezones import today_in
        from tests.diary.helpers import answers

        filed = diary_card_submit(
            participant=quinn,
            day=today_in(w.program.time_zone),
            answers=answers(urge_self_harm=4),
            actor=w.clinician,
            now=raised_at,
        )
        unanswered = filed.alerts[0]
        escalate(raised_at + timedelta(minutes=14, seconds=59))
        unanswered.refresh_from_db()
        assert unanswered.escalation_level == 0
        escalate(raised_at + timedelta(minutes=15))
        unanswered.refresh_from_db()
        assert unanswered.escalation_level == 2  # no backup on the rota: the director
        assert unanswered.recipients.filter(
            user=w.director, reason=RecipientReason.DIRECTOR
        ).exists()
        assert unanswered.status == AlertStatus.OPEN
        # The watcher's open home picks up the escalation by itself.
        watcher.locator("#alerts-panel tr", has_text="Quinn Waiting").wait_for(
            timeout=LIVE_TIMEOUT_MS
        )
        assert "escalated" in watcher.locator("#alerts-panel tr", has_text="Quinn").inner_text()
        primary.goto(f"{w.url}/safety/alerts/{unanswered.public_id}/")
        chain = primary.locator("ol.chain").inner_text()
        assert "Program director: Dana Director" in chain and "Sent" in chain
        shot(primary, "alert-escalated-chain")
        picture(primary, "alert-escalation-chain")
        assert watcher.openiop_problems == [] and primary.openiop_problems == []
    finally:
        watch_context.close()
        primary_context.close()


def _second_participant(w: SimpleNamespace) -> Any:
    quinn = f.ParticipantFactory(
        organization=w.org, legal_first_name="Quinn", legal_last_name="Waiting"
    )
    f.EpisodeFactory(
        participant=quinn,
        program=w.program,
        track=w.evening,
        primary_clinician=w.clinician,
        status=EpisodeStatus.ACTIVE,
    )
    return quinn


def test_a_hold_gives_the_seat_to_the_first_member_waiting(
    e2e_world: SimpleNamespace, page: Any, shot: Any
) -> None:
    from openiop.scheduling.models import Session, ShortfallReason
    from openiop.scheduling.rosters import roster_sync_for_episode
    from tests.scheduling.sessions_support import add_schedule_setup, local, program_today

    w = add_schedule_setup(e2e_world)
    day = program_today() + timedelta(days=2)
    session = Session.objects.create(
        organization=w.org,
        program=w.program,
        track=w.morning,
        session_type=w.skills,
        starts_at=local(day, time(9, 0)),
        ends_at=local(day, time(10, 30)),
        room=w.willow,
        capacity=1,
        created_by=w.director,
    )
    session.facilitators.set([w.clinician])
    roster_sync_for_episode(w.episode)  # Pat Example takes the one place
    waiting = []
    for name in ("Robin", "Sasha"):
        participant = f.ParticipantFactory(
            organization=w.org, legal_first_name=name, legal_last_name="Queue"
        )
        episode = f.EpisodeFactory(
            participant=participant,
            program=w.program,
            track=w.morning,
            primary_clinician=w.clinician,
            status=EpisodeStatus.ACTIVE,
        )
        roster_sync_for_episode(episode)
        waiting.append(episode)

    sign_in_staff(page, w.url, w.director)
    page.goto(f"{w.url}/schedule/sessions/{session.public_id}/")
    waiting_list = page.locator("ol.waiting-list")
    assert waiting_list.inner_text().index("Robin Queue") < waiting_list.inner_text().index(
        "Sasha Queue"
    )
    shot(page, "session-waiting-list")
    picture(page, "session-waiting-list")

    page.goto(
        f"{w.url}/discharge/participants/{w.participant.public_id}/episodes/"
        f"{w.episode.public_id}/hold/"
    )
    page.get_by_label("Reason").fill("In hospital for a few days")
    page.get_by_role("button", name="Put on hold").click()
    page.wait_for_load_state()
    assert page.get_by_text("each place goes to the first member waiting").is_visible()

    page.goto(f"{w.url}/schedule/sessions/{session.public_id}/")
    roster = page.locator("ul.roster").inner_text()
    assert "Robin Queue" in roster and "Pat Example" not in roster
    assert "Sasha Queue" in page.locator("ol.waiting-list").inner_text()
    shot(page, "session-refilled-after-hold")
    assert list(
        session.shortfalls.filter(reason=ShortfallReason.FULL).values_list(
            "participant__legal_first_name", flat=True
        )
    ) == ["Sasha"]
