"""The chart's Measures section: trajectories with bands, change from baseline, outcome class,
open critical findings and outstanding check-ins; bounded queries however long the history."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openiop.measures.models import AdministrationStatus
from tests.measures.helpers import PHQ9_ITEM9, due, phq9, record


def _chart(client, w) -> str:
    response = client.get(f"/participants/{w.participant.public_id}/?panel=measures")
    assert response.status_code == 200
    return response.content.decode()


def test_the_chart_shows_progress_with_outcome_class(world, login) -> None:
    start = timezone.now() - timedelta(days=28)
    for week, total in enumerate([16, 13, 11, 8]):
        record(world, "PHQ-9", phq9(total), at=start + timedelta(days=7 * week))
    page = _chart(login(world.clinician), world)
    assert 'id="measures-h"' in page
    assert "<svg" in page
    assert "<polyline" in page
    assert 'style="' not in page.split('id="measures-h"')[1].split("Timeline")[0]
    assert "Recovered" in page  # 16 → 8: a drop of 8 that crosses 10
    assert "-8" in page
    assert "moderately severe" in page
    assert "mild" in page


def test_open_critical_findings_are_shown(world, login) -> None:
    record(world, "PHQ-9", PHQ9_ITEM9)
    page = _chart(login(world.clinician), world)
    assert "Open critical findings" in page
    assert "PHQ-9 item 9" in page


def test_missed_and_overdue_check_ins_are_listed(world, login) -> None:
    overdue = due(world)
    overdue.due_at = timezone.now() - timedelta(days=3)
    overdue.save()
    missed = due(world, "GAD-7")
    missed.status = AdministrationStatus.MISSED
    missed.save()
    page = _chart(login(world.clinician), world)
    assert "Overdue" in page
    assert "Missed" in page


def test_billing_sees_the_chart_but_no_scores(world, login) -> None:
    record(world, "PHQ-9", PHQ9_ITEM9)
    page = _chart(login(world.billing), world)
    assert 'id="measures-h"' not in page
    assert "critical" not in page.lower()


def test_entered_in_error_responses_leave_the_chart(world, login) -> None:
    from openiop.measures.services import response_mark_entered_in_error

    saved = record(world, "PHQ-9", phq9(12))
    response_mark_entered_in_error(response=saved, reason="Wrong person", actor=world.clinician)
    page = _chart(login(world.clinician), world)
    assert "<polyline" not in page
    assert "<circle" not in page


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_chart_query_count_does_not_grow_with_the_score_history(world, login) -> None:
    client = login(world.clinician)
    url = f"/participants/{world.participant.public_id}/"
    start = timezone.now() - timedelta(days=400)

    def add(n: int, offset: int) -> None:
        for i in range(n):
            at = start + timedelta(days=offset + i)
            record(world, "PHQ-9" if i % 2 else "GAD-7", phq9(i % 20) if i % 2 else [1] * 7, at=at)
        due(world, "PHQ-9" if offset else "GAD-7")

    add(5, 0)
    small = _count(client, url)
    add(45, 10)
    assert _count(client, url) == small
