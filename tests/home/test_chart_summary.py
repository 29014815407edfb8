"""The chart at a glance (issue 22): the summary band's rules, which items each role sees, and
the panels loaded on demand through the chart's own access checks and audit."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from openiop.audit.models import AccessAction, AccessLog
from openiop.lib.sparkline import sparkline_svg
from openiop.safety.panels import safety_plan_flagged
from tests.care.helpers import backdate, signed_plan
from tests.diary.helpers import file_card

CLINICAL_ITEMS = ("alerts", "safety-plan", "plan", "measures", "urges")


def _chart(w: SimpleNamespace, query: str = "") -> str:
    return f"/participants/{w.participant.public_id}/{query}"


def _band(html: str) -> str:
    start = html.index('class="summary-band"')
    return html[start : html.index("</header>", start)]


def _items(band: str) -> dict[str, str]:
    """data-summary key -> the item's markup."""
    parts = re.split(r'(?=<div class="summary-item)', band)
    found = {}
    for part in parts[1:]:
        key = re.search(r'data-summary="([^"]+)"', part)
        assert key is not None
        found[key.group(1)] = part
    return found


@pytest.fixture
def attention(world: SimpleNamespace) -> SimpleNamespace:
    """The demo's case: eight weeks in, an open high alert, no safety plan, a plan whose
    review is overdue."""
    world.supervisor = world.director
    world.clinician.supervisor = world.director
    world.clinician.save(update_fields=["supervisor"])
    world.episode.admitted_on = timezone.localdate() - timedelta(weeks=8)
    world.episode.started_on = world.episode.admitted_on
    world.episode.inquiry_on = world.episode.admitted_on - timedelta(days=7)
    world.episode.save(update_fields=["inquiry_on", "admitted_on", "started_on"])
    file_card(world, urge_self_harm=5)
    backdate(signed_plan(world), days=40)
    return world


def test_the_band_puts_the_alert_the_missing_safety_plan_and_the_overdue_review_first(
    attention, login
) -> None:
    html = login(attention.clinician).get(_chart(attention)).content.decode()
    items = _items(_band(html))
    assert "tone-alert" in items["alerts"]
    assert "/safety/alerts/" in items["alerts"]  # each alert links to its page
    assert "tone-alert" in items["safety-plan"]
    assert "None" in items["safety-plan"]
    assert "56 days since admission" in items["safety-plan"]
    assert "Review overdue" in items["plan"]
    assert "tone-alert" in items["plan"]
    assert "urges" in items  # the card just filed
    # Each item links to its panel.
    assert 'href="/participants/' in items["plan"]
    assert "?panel=plans" in items["plan"]
    assert "?panel=safety" in items["safety-plan"]
    # The name in use and the legal name, labelled, and the pronouns.
    band = _band(html)
    assert "Pat Example" in band
    assert "Legal name</span> Patricia Example" in band
    assert "she/her" in band


def test_billing_sees_no_clinical_item_not_even_as_none(attention, login) -> None:
    html = login(attention.billing).get(_chart(attention)).content.decode()
    band = _band(html)
    items = _items(band)
    assert not set(CLINICAL_ITEMS) & set(items)
    assert "hours" in items  # identity-level items stay
    assert "Safety plan" not in band
    assert "Open alerts" not in band
    assert 'data-panel="measures"' not in html
    assert 'data-panel="safety"' not in html


@pytest.mark.parametrize(
    ("days", "due_days", "flagged"), [(6, 7, False), (7, 7, True), (10, 14, False), (14, 14, True)]
)
def test_no_safety_plan_is_flagged_after_the_programs_setting(days, due_days, flagged) -> None:
    today = timezone.localdate()
    assert (
        safety_plan_flagged(first_day=today - timedelta(days=days), today=today, due_days=due_days)
        is flagged
    )


def test_the_safety_plan_flag_follows_the_program_setting_on_the_page(world, login) -> None:
    world.episode.admitted_on = timezone.localdate() - timedelta(days=10)
    world.episode.save(update_fields=["admitted_on"])
    client = login(world.clinician)
    assert world.program.safety_plan_due_days == 7  # the default
    item = _items(_band(client.get(_chart(world)).content.decode()))["safety-plan"]
    assert "tone-alert" in item
    world.program.safety_plan_due_days = 14
    world.program.save(update_fields=["safety_plan_due_days"])
    item = _items(_band(client.get(_chart(world)).content.decode()))["safety-plan"]
    assert "tone-alert" not in item
    assert "None" in item


def test_hours_are_judged_against_the_programs_weekly_minimum(world, login) -> None:
    client = login(world.clinician)
    world.episode.started_on = timezone.localdate() - timedelta(weeks=4)
    world.episode.save(update_fields=["started_on"])
    item = _items(_band(client.get(_chart(world)).content.decode()))["hours"]
    assert "0 h attended of 9 h minimum" in item
    assert "tone-warn" in item
    world.program.weekly_hours_min = 0
    world.program.save(update_fields=["weekly_hours_min"])
    item = _items(_band(client.get(_chart(world)).content.decode()))["hours"]
    assert "0 h attended of 0 h minimum" in item
    assert "tone-warn" not in item


def test_the_first_week_is_not_judged(world, login) -> None:
    world.episode.started_on = timezone.localdate()
    world.episode.save(update_fields=["started_on"])
    item = _items(_band(login(world.clinician).get(_chart(world)).content.decode()))["hours"]
    assert "tone-warn" not in item
    assert "not judged" in item


def test_the_url_keeps_the_open_panel(world, login) -> None:
    client = login(world.clinician)
    html = client.get(_chart(world, "?panel=measures")).content.decode()
    assert re.search(r'data-panel="measures" aria-current="page"', html)
    assert 'id="measures-h"' in html
    # The default panel when none (or an unknown one) is named.
    html = client.get(_chart(world, "?panel=nonsense")).content.decode()
    assert re.search(r'data-panel="overview" aria-current="page"', html)
    assert 'id="details-h"' in html
    assert 'id="measures-h"' not in html


def test_a_panel_fragment_is_checked_and_recorded_like_the_chart(world, login) -> None:
    url = _chart(world, "panels/measures/")
    response = login(world.clinician).get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="measures-h"' in response.content.decode()
    assert "<html" not in response.content.decode()  # a fragment
    assert AccessLog.objects.filter(
        actor=world.clinician,
        participant=world.participant,
        object_type="participant.chart",
        object_id="measures",
    ).exists()
    assert login(world.billing).get(url).status_code == 403
    assert AccessLog.objects.filter(
        actor=world.billing, action=AccessAction.DENIED, object_id="measures"
    ).exists()
    assert login(world.billing).get(_chart(world, "panels/schedule/")).status_code == 200
    assert login(world.outsider_clinician).get(url).status_code == 404


def test_the_first_screen_loads_only_the_default_panel(world, login, django_assert_max_num_queries):
    client = login(world.clinician)
    client.get(_chart(world))  # warm the session
    with django_assert_max_num_queries(45):
        html = client.get(_chart(world)).content.decode()
    assert 'id="timeline-h"' not in html
    assert 'id="measures-h"' not in html


def test_a_sparkline_needs_two_values() -> None:
    assert sparkline_svg([5], low=0, high=27, label="PHQ-9") == ""
    svg = sparkline_svg([18, 11], low=0, high=27, label="PHQ-9 totals: 18, 11")
    assert svg.startswith("<svg")
    assert 'aria-label="PHQ-9 totals: 18, 11"' in svg
    assert "<polyline" in svg
