"""The participant's companion on a phone (issue 20): this week's skill on the home page, the
skill's page, homework practice logged, and the clinician seeing it on the chart.

    OPENIOP_DOCS_SCREENSHOTS=docs/img .venv/bin/pytest tests/e2e/test_companion_journey.py
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from openiop.homework.services import homework_assign, practice_log
from openiop.lib.timezones import today_in
from openiop.measures.models import ResponseMode
from openiop.measures.services import response_record
from openiop.safety.plans import (
    safety_plan_draft_save,
    safety_plan_sign_clinician,
    safety_plan_sign_participant,
)
from tests.e2e.conftest import forget_errors, screenshot_dir, sign_in, sign_in_staff
from tests.homework.helpers import this_week_lesson

pytestmark = pytest.mark.e2e


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_participant_reads_this_weeks_skill_and_logs_homework(
    e2e_world: SimpleNamespace, phone_page: Any, browser: Any
) -> None:
    w = e2e_world
    this_week_lesson(w)
    homework_assign(
        episode=w.episode,
        skill_id="tipp",
        due_on=today_in(w.program.time_zone) + timedelta(days=3),
        instructions="Try the cold water step once this week, when you feel a strong urge.",
        actor=w.clinician,
    )
    page = phone_page
    pictures = screenshot_dir()

    sign_in(page, w.url, w.participant_user)
    week = page.get_by_role("region", name="This week in group")
    assert "Crisis survival" in week.inner_text()
    assert week.get_by_role("link", name="STOP").is_visible()
    homework = page.get_by_role("region", name="My homework")
    assert "TIPP" in homework.inner_text()
    _fits(page)
    page.screenshot(path=str(pictures / "portal-companion-home.png"), full_page=True)

    page.get_by_role("link", name="Skills library").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Skills"
    page.get_by_role("link", name="Panic or overwhelm").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="TIPP").first.is_visible()
    _fits(page)
    page.screenshot(path=str(pictures / "portal-skills-library.png"), full_page=False)

    page.goto(f"{w.url}/me/skills/tipp/")
    assert "Health caution" in page.locator("main").inner_text()
    assert page.get_by_role("heading", name="Steps").is_visible()
    assert page.get_by_role("heading", name="Where this comes from").is_visible()
    _fits(page)
    page.screenshot(path=str(pictures / "portal-skill-page.png"), full_page=False)

    page.get_by_role("region", name="Your homework").get_by_role(
        "link", name="Log practice"
    ).click()
    page.wait_for_load_state()
    page.get_by_label("Done").check()
    page.get_by_label("4").check()
    page.get_by_label("A short note (optional)").fill("The cold water helped me slow down.")
    _fits(page)
    page.screenshot(path=str(pictures / "portal-practice-log.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Practice saved" in page.locator("main").inner_text()

    staff_context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        staff = staff_context.new_page()
        sign_in_staff(
            staff,
            w.url,
            w.clinician,
            next_path=f"/participants/{w.participant.public_id}/?panel=diary",
        )
        panel = staff.get_by_role("region", name="Homework")
        assert "1 of 1 done" in panel.inner_text()
        assert "The cold water helped me slow down." in panel.inner_text()
        panel.screenshot(path=str(pictures / "chart-homework-panel.png"))
    finally:
        staff_context.close()


CACHE_KEYS = """async () => {
  if (!(await caches.has("openiop-safety-plan-v1"))) { return null; }
  const cache = await caches.open("openiop-safety-plan-v1");
  return (await cache.keys()).map((r) => new URL(r.url).pathname);
}"""


def _cache_when(page: Any, ready: Any) -> Any:
    """The kept cache's paths (None without a cache) once `ready` holds; page.evaluate awaits
    the promise, which wait_for_function would not."""
    for _ in range(50):
        keys = page.evaluate(CACHE_KEYS)
        if ready(keys):
            return keys
        page.wait_for_timeout(200)
    raise AssertionError(f"the cache never got there: {keys}")


def test_the_safety_plan_opens_without_a_network_and_sign_out_deletes_it(
    e2e_world: SimpleNamespace, phone_page: Any
) -> None:
    w = e2e_world
    draft = safety_plan_draft_save(
        participant=w.participant,
        program=w.program,
        actor=w.clinician,
        sections={
            "warning_signs": "I stop answering texts",
            "coping_alone": "Cold water on my face",
            "distractions": "The library",
            "people_to_ask": "My sister Jo",
            "professionals": "My therapist",
            "safer_surroundings": "Jo keeps my extra pills",
        },
    )
    safety_plan_sign_clinician(version=draft, actor=w.clinician)
    safety_plan_sign_participant(
        version=draft, participant=w.participant, typed_name="Patricia Example"
    )
    page = phone_page
    sign_in(page, w.url, w.participant_user)
    page.goto(f"{w.url}/me/safety-plan/")
    keep = page.get_by_role("region", name="Without a signal")
    keep.get_by_role("button", name="Keep my plan on this phone").click()
    expect_kept = keep.get_by_role("status")
    expect_kept.filter(has_text="Your plan is kept on this phone.").wait_for()
    kept = _cache_when(page, lambda keys: keys is not None and "/me/safety-plan/" in keys)
    assert "Your plan is kept on this phone." in expect_kept.inner_text()
    # Only the safety plan of all the participant's pages; the rest is our stylesheet and scripts.
    assert [path for path in kept if not path.startswith("/static/")] == ["/me/safety-plan/"]

    page.context.set_offline(True)
    try:
        page.goto(f"{w.url}/me/")
        main = page.locator("main").inner_text()
        assert "Cold water on my face" in main
        assert page.locator("#offline-notice").is_visible()
        assert "You are offline" in page.locator("#offline-notice").inner_text()
        banner = page.get_by_role("complementary", name="Crisis support")
        assert banner.locator('a[href="tel:988"]').count() == 1
        page.screenshot(path=str(screenshot_dir() / "portal-safety-plan-offline.png"))
    finally:
        page.context.set_offline(False)
        forget_errors(page)

    page.goto(f"{w.url}/me/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert _cache_when(page, lambda keys: keys is None) is None
    forget_errors(page)


def test_the_companion_in_spanish_and_my_progress(
    e2e_world: SimpleNamespace, phone_page: Any
) -> None:
    w = e2e_world
    this_week_lesson(w)
    today = today_in(w.program.time_zone)
    practice_log(episode=w.episode, skill_id="stop", outcome="done", practised_on=today)
    practice_log(episode=w.episode, skill_id="tipp", outcome="tried", practised_on=today)
    for days_ago, each in ((20, 2), (2, 1)):
        response_record(
            participant=w.participant,
            episode=w.episode,
            instrument_code="PHQ-9",
            answers=[each] * 9,
            entered_by=w.clinician,
            mode=ResponseMode.IN_SESSION,
            completed_at=timezone.now() - timedelta(days=days_ago),
        )
    page = phone_page
    pictures = screenshot_dir()
    sign_in(page, w.url, w.participant_user)
    page.get_by_role("link", name="My progress").click()
    page.wait_for_load_state()
    assert "feeling better" in page.locator("main").inner_text()
    _fits(page)
    page.screenshot(path=str(pictures / "portal-my-progress.png"), full_page=True)

    page.goto(f"{w.url}/me/language/")
    page.get_by_label("Español").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.get_by_role("region", name="Esta semana en el grupo").is_visible()
    page.goto(f"{w.url}/me/skills/stop/")
    assert page.get_by_role("heading", name="Pasos").is_visible()
    _fits(page)
    page.screenshot(path=str(pictures / "portal-skill-page-es.png"), full_page=False)
    page.goto(f"{w.url}/me/progress/")
    assert page.get_by_role("heading", level=1).inner_text() == "Mi progreso"
    page.screenshot(path=str(pictures / "portal-my-progress-es.png"), full_page=False)
