"""A participant completes a due PHQ-9 on a phone; the clinician sees the new point on the
chart with its severity and outcome class."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from openiop.measures.models import Response
from tests.e2e.conftest import sign_in, sign_in_staff
from tests.measures.helpers import due, phq9, record

pytestmark = pytest.mark.e2e

# 1+1+1+1+1+1+1+0+0 = 7: mild, and from a baseline of 16 a drop of 9 that crosses 10.
ANSWERS = ["Several days"] * 7 + ["Not at all"] * 2


def test_a_participant_completes_a_phq9_and_the_clinician_sees_it(
    e2e_world: SimpleNamespace, phone_page: Any, page: Any, shot: Any
) -> None:
    w = e2e_world
    start = timezone.now() - timedelta(days=21)
    for week, total in enumerate([16, 14, 12]):
        record(w, "PHQ-9", phq9(total), at=start + timedelta(days=7 * week))
    administration = due(w, "PHQ-9")

    phone = phone_page
    sign_in(phone, w.url, w.participant_user)
    checkins = phone.get_by_role("region", name="Check-ins")
    assert checkins.is_visible()
    shot(phone, "measures-portal-home-checkin")
    checkins.get_by_role("link", name="PHQ-9").click()

    for number, label in enumerate(ANSWERS, start=1):
        assert f"question {number} of 9" in phone.locator("main").inner_text()
        option = phone.get_by_label(label, exact=True)
        box = phone.locator("label.choice").first.bounding_box()
        assert box is not None
        assert box["height"] >= 44  # a comfortable tap target
        option.check()
        if number == 1:
            shot(phone, "measures-portal-question")
        phone.get_by_role("button", name="Next").click()
        phone.wait_for_load_state()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    assert phone.get_by_role("heading", level=1).inner_text() == "Check your answers"
    shot(phone, "measures-portal-review")
    phone.get_by_role("button", name="Send").click()
    phone.wait_for_load_state()
    assert phone.get_by_role("heading", level=1).inner_text() == "Thank you"
    assert "follow up" not in phone.locator("main").inner_text()
    shot(phone, "measures-portal-thanks")

    saved = Response.objects.get(administration=administration)
    assert (saved.total, saved.severity) == (7, "mild")

    sign_in_staff(
        page,
        w.url,
        w.clinician,
        next_path=f"/participants/{w.participant.public_id}/?panel=measures",
    )
    series = page.locator('tr[data-instrument="PHQ-9"]')
    text = series.inner_text()
    assert "Recovered" in text
    assert "mild" in text
    assert "-9" in text
    assert series.locator("svg.sparkline").count() == 1
    series.get_by_text("Full chart").click()
    assert series.locator("details svg circle").count() == 4
    series.scroll_into_view_if_needed()
    shot(page, "measures-chart-progress")
