"""The director builds next week in the browser: the proposal with its reasons and who could
not be placed, a pinned session kept on re-solving, and the ticked sessions booked."""

from __future__ import annotations

from datetime import time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from openiop.participants.models import CareTeamRole, EpisodeStatus
from openiop.scheduling.models import (
    ClinicianHours,
    PlanRun,
    PlanState,
    Session,
    Unavailability,
    UnavailabilityReason,
)
from openiop.scheduling.planner import next_monday
from tests import factories as f
from tests.e2e.conftest import screenshot_dir, sign_in_staff
from tests.scheduling.sessions_support import (
    add_schedule_setup,
    morning_series,
    program_today,
)
from tests.taskrun import run_tasks

pytestmark = [pytest.mark.e2e, pytest.mark.tasks]

CASELOAD = [("Jordan", "Rivera"), ("Morgan", "Lee"), ("Avery", "Nguyen"), ("Riley", "Okafor")]


def picture(page: Any, name: str) -> None:
    """A picture for the guides (docs/img with OPENIOP_DOCS_SCREENSHOTS, else the artifacts)."""
    page.screenshot(path=str(screenshot_dir() / f"{name}.png"), full_page=True)


def _clinic(w: SimpleNamespace) -> SimpleNamespace:
    w = add_schedule_setup(w)
    w.program.time_zone = "America/Chicago"
    w.program.save()
    w.monday = next_monday(program_today())
    morning_series(w, ends_on=w.monday + timedelta(days=13))
    w.second = f.UserFactory(
        organization=w.org, role="clinician", programs=[w.program], full_name="Robin Santos"
    )
    for user, days, start, end in (
        (w.clinician, range(5), time(10, 30), time(16, 0)),
        (w.second, (1, 3), time(13, 0), time(18, 0)),
        (w.director, (0,), time(8, 0), time(9, 0)),
    ):
        for day in days:
            ClinicianHours.objects.create(
                organization=w.org,
                program=w.program,
                user=user,
                weekday=day,
                start_time=start,
                end_time=end,
            )
    for n, (first, last) in enumerate(CASELOAD):
        person = f.ParticipantFactory(
            organization=w.org, legal_first_name=first, legal_last_name=last
        )
        lead = w.clinician if n % 2 == 0 else w.second
        episode = f.EpisodeFactory(
            participant=person,
            program=w.program,
            track=w.morning,
            primary_clinician=lead,
            status=EpisodeStatus.ACTIVE,
        )
        f.CareTeamMemberFactory(episode=episode, user=lead, role=CareTeamRole.PRIMARY)
        if first == "Riley":
            # Works every weekday afternoon: no time meets Robin's hours.
            for day in range(5):
                Unavailability.objects.create(
                    organization=w.org,
                    participant=person,
                    weekday=day,
                    start_time=time(12, 0),
                    end_time=time(19, 0),
                    reason=UnavailabilityReason.WORK,
                )
    return w


def test_the_director_builds_pins_and_books_next_week(
    e2e_world: SimpleNamespace, page: Any
) -> None:
    w = _clinic(e2e_world)
    sign_in_staff(page, w.url, w.director, next_path="/schedule/series/")
    page.get_by_role("link", name="Plan a week").click()
    page.wait_for_load_state()
    assert "Plan a week" in page.locator("h1").inner_text()
    page.get_by_role("button", name="Build the week").click()
    page.wait_for_load_state()
    assert page.locator("#plan-progress").is_visible()
    run_tasks()
    page.reload()
    main = page.locator("main")
    assert "Ready to review" in main.inner_text()
    assert "Riley Okafor" in page.locator(".plan-unplaced").inner_text()
    assert "with the primary clinician" in main.inner_text()
    picture(page, "plan-proposal")

    proposal = PlanRun.objects.get().proposal
    assert proposal is not None
    first = proposal["sessions"][0]
    page.locator(f'input[name="pin"][value="{first["request"]}"]').check()
    page.get_by_role("button", name="Re-solve").click()
    page.wait_for_load_state()
    run_tasks()
    page.reload()
    assert "Pinned" in main.inner_text()
    page.get_by_role("button", name="Book the ticked sessions").click()
    page.wait_for_load_state()
    assert "sessions booked" in main.inner_text()
    latest = PlanRun.objects.order_by("-created_at", "-id").first()
    assert latest is not None
    assert latest.state == PlanState.APPLIED
    assert Session.objects.filter(session_type=w.individual).count() == latest.booked.count() > 0
