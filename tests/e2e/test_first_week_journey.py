"""A clinic's first week in one journey (issue 13, "Done when"): intake admits a person and
invites them to the portal; on a phone the person opens the e-mailed link, chooses a password,
signs in and files a diary card with a high self-harm urge; a second clinician of the program,
to whom the alert was not sent, sees it arrive on their home without reloading; the primary
clinician takes it, keeps it ("mine" and home), starts a between-session contact note with a
chain analysis from it and signs; then, with the background worker and the scheduler running
on a frozen clock, an alert nobody takes escalates at the configured minute, not a second
before, and the second clinician's open home shows that too.

The worker and the scheduler are the real `openiop worker` and `openiop scheduler`, started as
processes (tests/e2e/clocked.py freezes their clock), against the database the live server
uses. That needs a database another process can open: PostgreSQL (the suite's PostgreSQL pass,
DATABASE_URL) or an SQLite file. pytest-django's SQLite test database is in memory, which no
other process can open; there the same commands run inside the test process, one pass of each
(`openiop scheduler --once`, `openiop worker --once`: the scheduler claims and enqueues the
due job, the worker takes it from the queue), on the same frozen clock.

The link is read from Django's outbox. Pictures go to test-artifacts/screenshots/, or to
docs/img with OPENIOP_DOCS_SCREENSHOTS=docs/img (portal-invite-admission, portal-welcome*,
portal-first-home, alerts-home-panel, note-chain-analysis, alert-escalation-chain and
director-home-alerts illustrate the intake, participant, clinician and director guides)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from openiop.accounts.roles import Role
from openiop.lib.timezones import today_in
from openiop.notes.models import ClinicalNote, NoteKind, NoteLink
from openiop.ops.models import PeriodicClaim
from openiop.ops.periodic import ESCALATION_JOB, due_time, registered_periodic
from openiop.participants.models import ConsentKind, EpisodeStatus
from openiop.safety.models import Alert, AlertStatus, RecipientReason
from openiop.safety.services import safety_settings_update
from tests import factories as f
from tests.e2e.conftest import (
    REPO_DIR,
    STAFF_VIEWPORT,
    forget_errors,
    screenshot_dir,
    sign_in_staff,
)
from tests.participants.consent_support import sign
from tests.scheduling.sessions_support import add_schedule_setup, morning_series

pytestmark = pytest.mark.e2e

PASSWORD = "kettle meadow lantern sparrow"
LIVE_TIMEOUT_MS = 15_000
WORKER_TIMEOUT_S = 60


def picture(page: Any, name: str, *, full_page: bool = False) -> None:
    """A picture for the guides (docs/img with OPENIOP_DOCS_SCREENSHOTS, else the artifacts)."""
    page.screenshot(path=str(screenshot_dir() / f"{name}.png"), full_page=full_page)


def _staff_page(browser: Any) -> tuple[Any, Any]:
    """A second staff browser (its own cookies), failing the journey on any page fault."""
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
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.openiop_problems = problems
    return context, page


def _tap(page: Any, legend: str, value: str) -> None:
    group = page.get_by_role("group", name=legend, exact=True)
    group.locator("label.segment", has_text=value).first.click()


def _radio(section: Any, legend: str, answer: str) -> None:
    section.get_by_role("group", name=legend).get_by_label(answer, exact=True).check()


def _link() -> str:
    found = re.search(r"https?://\S+", mail.outbox[-1].body)
    assert found is not None
    return found.group(0)


# --- The background work: real processes when the database can be shared, else in-process --


def _shared_database_url() -> str | None:
    """The live server's database as another process would open it, or None (in memory)."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        who = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
        return f"postgres://{who}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        return f"sqlite:///{s['NAME']}"
    return None


class Background:
    """`openiop worker` and `openiop scheduler` on a clock the test sets."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.mail_dir = workdir / "mail"
        self.clock_file = workdir / "clock"
        self.url = _shared_database_url()
        self.children: list[subprocess.Popen[bytes]] = []
        self.log_files: list[IO[bytes]] = []

    def start(self, instant: datetime) -> None:
        self.clock_file.write_text(instant.isoformat())
        if self.url is None:
            return
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENIOP_")}
        env.update(
            {
                "DATABASE_URL": self.url,
                "OPENIOP_TESTING": "1",
                "OPENIOP_TASKS_BACKEND": "database",
                "OPENIOP_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "OPENIOP_EMAIL_FILE_PATH": str(self.mail_dir),
                "OPENIOP_STATE_DIR": str(self.workdir / "state"),
                "OPENIOP_SCHEDULER_TICK_SECONDS": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        for command in (["worker", "--interval", "0.2"], ["scheduler"]):
            log = (self.workdir / f"{command[0]}.log").open("wb")
            self.log_files.append(log)
            self.children.append(
                subprocess.Popen(  # noqa: S603 — fixed argv
                    [sys.executable, "-m", "tests.e2e.clocked", str(self.clock_file), *command],
                    cwd=REPO_DIR,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )

    def run_at(self, instant: datetime) -> PeriodicClaim:
        """Moves the clock to `instant` and waits for the escalation job of that minute to have
        run: the scheduler claims and enqueues it, the worker takes it from the queue."""
        every = registered_periodic()[ESCALATION_JOB].every
        due = due_time(instant, every)
        if self.url is None:
            with time_machine.travel(instant, tick=False):
                call_command("scheduler", "--once", stdout=io.StringIO())
                call_command("worker", "--once", stdout=io.StringIO())
        else:
            self.clock_file.write_text(instant.isoformat())
        deadline = time.monotonic() + WORKER_TIMEOUT_S
        while True:
            claim = PeriodicClaim.objects.filter(name=ESCALATION_JOB, due_at=due).first()
            if claim is not None and claim.finished_at is not None:
                assert claim.ok, (claim.summary, self.logs())
                self._check_who_ran(claim)
                return claim
            assert time.monotonic() < deadline, f"no escalation run for {due}: {self.logs()}"
            for child in self.children:
                assert child.poll() is None, self.logs()
            time.sleep(0.2)

    def _check_who_ran(self, claim: PeriodicClaim) -> None:
        """The run went through the queue: claimed by a scheduler, taken by a worker (with
        processes, by the ones this test started)."""
        from django_tasks_db.models import DBTaskResult

        result = DBTaskResult.objects.get(id=claim.result_id)
        assert claim.claimed_by, claim
        assert result.worker_ids, result
        if self.children:
            worker, scheduler = self.children
            assert claim.claimed_by.endswith(f":{scheduler.pid}"), claim.claimed_by
            assert any(f":{worker.pid}:" in w for w in result.worker_ids), result.worker_ids

    def mail_to(self, address: str) -> list[str]:
        """Subjects of the e-mails the worker sent to `address` (waits a little for them: a
        notice is a task of its own, which the worker may take a moment after the job)."""
        deadline = time.monotonic() + WORKER_TIMEOUT_S
        while not (found := self._mail_to(address)) and time.monotonic() < deadline:
            time.sleep(0.2)
        return found

    def _mail_to(self, address: str) -> list[str]:
        if self.url is None:
            return [m.subject for m in mail.outbox if address in m.to]
        found = []
        for path in sorted(self.mail_dir.glob("*.log")) if self.mail_dir.exists() else []:
            text = path.read_text()
            if f"To: {address}" in text:
                found += re.findall(r"^Subject: (.*)$", text, flags=re.MULTILINE)
        return found

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.workdir.glob("*.log"))
        )

    def stop(self) -> None:
        for child in self.children:
            if child.poll() is None:
                child.terminate()
        for child in self.children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        for log in self.log_files:
            log.close()


@pytest.fixture
def background() -> Iterator[Background]:
    with tempfile.TemporaryDirectory(prefix="openiop-e2e-") as workdir:
        work = Background(Path(workdir))
        try:
            yield work
        finally:
            work.stop()


# --- The journey --------------------------------------------------------------------------


def _newcomer(w: SimpleNamespace) -> tuple[Any, Any]:
    participant = f.ParticipantFactory(
        organization=w.org,
        legal_first_name="Noor",
        legal_last_name="Haddad",
        email="noor.haddad@example.org",
    )
    episode = f.EpisodeFactory(
        participant=participant,
        program=w.program,
        status=EpisodeStatus.ASSESSED,
        track=None,
        primary_clinician=None,
        inquiry_on=timezone.localdate() - dt.timedelta(days=6),
        assessed_on=timezone.localdate() - dt.timedelta(days=1),
        admitted_on=None,
        started_on=None,
    )
    sign(episode, w.intake, ConsentKind.TREATMENT)
    return participant, episode


def _admit_and_invite(page: Any, w: SimpleNamespace, participant: Any, episode: Any) -> None:
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
    assert main.get_by_text("Invitation sent", exact=True).is_visible()
    picture(page, "portal-invite-admission", full_page=True)

    # The e-mail: neutral wording, one link, nothing about the person or the program.
    assert [m.to for m in mail.outbox] == [["noor.haddad@example.org"]]
    assert mail.outbox[0].subject == "Set up your account"
    assert "Haddad" not in mail.outbox[0].body
    assert w.program.name not in mail.outbox[0].body


def _set_up_the_account_on_a_phone(phone: Any, link: str) -> None:
    phone.goto(link)
    assert phone.locator("h1").inner_text() == "Set up your account"
    assert "/welcome/" in phone.url
    assert "key=" not in phone.url
    picture(phone, "portal-welcome")
    phone.get_by_label("Choose a password").fill(PASSWORD)
    phone.get_by_label("Type the password again").fill(PASSWORD)
    phone.get_by_role("button", name="Create my account").click()
    phone.wait_for_load_state()
    assert "Your account is ready" in phone.locator("main").inner_text()
    assert phone.locator("h1").inner_text() == "Sign in"
    phone.get_by_label("E-mail").fill("noor.haddad@example.org")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == "Hi, Noor"
    picture(phone, "portal-first-home")


def _file_a_card_with_a_high_urge(phone: Any) -> None:
    phone.get_by_role("link", name="Fill in today's diary card").click()
    phone.wait_for_load_state()
    _tap(phone, "Urge to die by suicide", "1")
    _tap(phone, "Urge to hurt yourself", "5")
    _tap(phone, "Urge to use alcohol or drugs", "0")
    _tap(phone, "Did you hurt yourself?", "No")
    _tap(phone, "Did you use alcohol or drugs?", "No")
    _tap(phone, "Did you take your medication?", "Yes, as prescribed")
    phone.get_by_role("button", name="Send my card").click()
    phone.wait_for_load_state()
    assert phone.get_by_role("heading", level=1).inner_text() == "Thank you for telling us"


def _write_and_sign_the_chain_analysis(primary: Any, w: SimpleNamespace, alert: Alert) -> None:
    primary.goto(f"{w.url}/safety/alerts/{alert.public_id}/")
    primary.get_by_role("button", name="Start a note from this alert").click()
    primary.wait_for_load_state()
    note = ClinicalNote.objects.get()  # the only note of this journey
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
    primary.get_by_role("button", name="Save draft").click()
    primary.wait_for_load_state()
    assert primary.get_by_text("Every check passes").is_visible()
    picture(primary, "note-chain-analysis", full_page=True)
    primary.get_by_role("button", name="Save and sign").click()
    primary.wait_for_load_state()
    assert primary.get_by_text("Note signed.").is_visible()
    note.refresh_from_db()
    assert note.is_signed
    assert note.chain["behaviour"] == "Urge to cut at 5/5; did not act."
    assert NoteLink.objects.get(note=note).addressed
    primary.goto(f"{w.url}/safety/alerts/{alert.public_id}/")
    assert primary.get_by_text("marked as addressing this alert").is_visible()


def _quinn(w: SimpleNamespace) -> Any:
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


def _problems(page: Any) -> list[str]:
    """The page's console and response problems. On SQLite the test database is one in-memory
    database shared by the live server's thread and the worker run in-process (`--once`); while
    the worker writes, SQLite refuses readers at once ("database table is locked": an in-memory
    shared cache has no busy timeout), and a poll of the alert indicator or panel gets the calm
    503 page. The poll retries on its next beat, as it would after a real outage; a file
    database (deployments, and the PostgreSQL run here) waits for the lock instead."""
    problems = list(page.openiop_problems)
    if connection.vendor == "sqlite":
        problems = [p for p in problems if "503" not in p]
    return problems


def test_a_clinics_first_week_from_admission_to_an_escalated_alert(
    e2e_world: SimpleNamespace,
    page: Any,
    phone_page: Any,
    browser: Any,
    background: Background,
    settings: Any,
) -> None:
    settings.OPENIOP_ALERT_POLL_SECONDS = 2
    # The morning track's groups: three mornings a week, the program's nine-hour minimum.
    w = add_schedule_setup(e2e_world)
    morning_series(w, end_time=dt.time(12, 0))
    second = f.UserFactory(
        organization=w.org, role=Role.CLINICIAN, programs=[w.program], full_name="Sol Second"
    )
    participant, episode = _newcomer(w)

    # Intake admits Noor with the portal step ticked; the invitation goes out.
    _admit_and_invite(page, w, participant, episode)
    link = _link()

    # A second clinician of the program has their home open before anything happens.
    watch_context, watcher = _staff_page(browser)
    primary_context, primary = _staff_page(browser)
    try:
        sign_in_staff(watcher, w.url, second)
        assert "No open alerts in your programs." in watcher.locator("#alerts-panel").inner_text()
        watcher.locator("#alert-indicator", has_text="No open alerts").wait_for()

        # Noor, on a phone: the link, a password of their own, their home, a diary card.
        _set_up_the_account_on_a_phone(phone_page, link)
        _file_a_card_with_a_high_urge(phone_page)
        alert = Alert.objects.get(participant=participant)
        assert alert.recipients.filter(user=w.clinician).exists()
        assert not alert.recipients.filter(user=second).exists()

        # Without a reload, the second clinician's header and home show it within seconds.
        watcher.locator("#alert-indicator.pressing").wait_for(timeout=LIVE_TIMEOUT_MS)
        assert "1 alert waiting (1 high)" in watcher.locator("#alert-indicator").inner_text()
        watcher.locator("#alerts-panel", has_text="Noor Haddad").wait_for(timeout=LIVE_TIMEOUT_MS)
        row = watcher.locator("#alerts-panel tr", has_text="Noor Haddad")
        assert "Waiting" in row.inner_text()
        assert "Casey Clinician" in row.inner_text()
        assert "self-harm urge 5/5" in row.inner_text()
        picture(watcher, "alerts-home-panel")

        # The link is spent once used.
        phone_page.get_by_role("button", name="Sign out").click()
        phone_page.wait_for_load_state()
        phone_page.goto(link)
        assert phone_page.locator("h1").inner_text() == "This link has already been used"
        assert forget_errors(phone_page)  # the 410 the test asked for
        picture(phone_page, "portal-welcome-used")

        # The primary clinician takes it, and it stays theirs: home and "mine".
        sign_in_staff(primary, w.url, w.clinician)
        primary.locator("#alerts-panel").get_by_role("link", name="Noor Haddad").click()
        primary.wait_for_load_state()
        assert primary.get_by_role("heading", name="Escalation chain").is_visible()
        primary.get_by_role("button", name="Acknowledge").click()
        primary.wait_for_load_state()
        assert primary.get_by_text("Acknowledged: the alert is yours.").is_visible()
        primary.goto(f"{w.url}/")
        row = primary.locator("#alerts-panel tr", has_text="Noor Haddad")
        assert "Held by you" in row.inner_text()
        assert "Yours" in row.inner_text()
        primary.goto(f"{w.url}/safety/alerts/")
        assert primary.locator("table", has_text="Noor Haddad").is_visible()
        watcher.locator("#alerts-panel", has_text="Held by Casey Clinician").wait_for(
            timeout=LIVE_TIMEOUT_MS
        )

        # One click from the alert: a contact note with the alert linked and a chain analysis.
        _write_and_sign_the_chain_analysis(primary, w, alert)

        # Escalation with the worker running on a frozen clock: high alerts go up at 15 minutes.
        safety_settings_update(
            program=w.program,
            actor=w.director,
            urgent_escalate_minutes=5,
            high_escalate_minutes=15,
            low_escalate_minutes=None,
        )
        from openiop.diary.services import diary_card_submit
        from openiop.lib.timezones import today_in
        from tests.diary.helpers import answers

        # Filed a quarter of an hour ago, on a whole minute (so that the minute it falls due is
        # a run of its own): the worker's frozen clock then never runs ahead of the live
        # server's, and nothing it writes is dated in the future.
        raised_at = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=15)
        unanswered = diary_card_submit(
            participant=_quinn(w),
            day=today_in(w.program.time_zone),
            answers=answers(urge_self_harm=4),
            actor=w.clinician,
            now=raised_at,
        ).alerts[0]
        assert unanswered.escalate_at == raised_at + timedelta(minutes=15)

        background.start(raised_at + timedelta(minutes=14, seconds=59))
        background.run_at(raised_at + timedelta(minutes=14, seconds=59))
        unanswered.refresh_from_db()
        assert unanswered.escalation_level == 0, "escalated before its minute"

        background.run_at(raised_at + timedelta(minutes=15))
        unanswered.refresh_from_db()
        assert unanswered.escalation_level == 2  # no backup on the rota: the director
        assert unanswered.recipients.filter(
            user=w.director, reason=RecipientReason.DIRECTOR
        ).exists()
        assert unanswered.status == AlertStatus.OPEN
        assert background.mail_to(w.director.email), background.logs()

        # The second clinician's open home picks up the escalation by itself.
        watcher.locator("#alerts-panel tr", has_text="Quinn Waiting").filter(
            has_text="escalated"
        ).wait_for(timeout=LIVE_TIMEOUT_MS)
        primary.goto(f"{w.url}/safety/alerts/{unanswered.public_id}/")
        chain = primary.locator("ol.chain").inner_text()
        assert "Program director: Dana Director" in chain
        assert "Sent" in chain
        picture(primary, "alert-escalation-chain", full_page=True)

        # The director, now in the chain, finds both on their home: who holds what, since when.
        director_context, director = _staff_page(browser)
        try:
            sign_in_staff(director, w.url, w.director)
            panel = director.locator("#alerts-panel")
            assert "Held by Casey Clinician" in panel.locator("tr", has_text="Noor").inner_text()
            assert "Yours" in panel.locator("tr", has_text="Quinn Waiting").inner_text()
            picture(director, "director-home-alerts")
            assert _problems(director) == []
        finally:
            director_context.close()
        assert _problems(watcher) == []
        assert _problems(primary) == []
    finally:
        with contextlib.suppress(Exception):
            watch_context.close()
        with contextlib.suppress(Exception):
            primary_context.close()
