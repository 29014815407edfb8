"""The clinician's weekly diary review."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from openiop.audit.models import AccessLog
from tests.diary.helpers import bulk_cards, file_card


def _url(world) -> str:
    return f"/diary/participants/{world.participant.public_id}/"


def test_the_clinician_sees_the_week_grid_trend_and_agenda(world, login) -> None:
    file_card(
        world,
        urge_self_harm=5,
        action_substance=True,
        substance_what="wine",
        substance_amount="2 glasses",
        medication="partly",
    )
    response = login(world.clinician).get(_url(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Urge: self-harm" in body
    assert "Yes: wine (2 glasses)" in body
    assert "<svg" in body
    assert "<polyline" in body
    assert "style=" not in body
    agenda = body[body.index('class="agenda"') :]
    # Life-threatening items come before quality-of-life ones.
    assert agenda.index("Suicide or self-harm urges") < agenda.index("Substance use reported")
    assert agenda.index("Substance use reported") > agenda.index("Alert:")
    assert AccessLog.objects.filter(
        object_type="diary.review", participant=world.participant
    ).exists()


def test_missing_days_are_listed(world, login) -> None:
    body = login(world.clinician).get(_url(world)).content.decode()
    assert "Missing" in body


def test_billing_may_not_read_diary_cards(world, login) -> None:
    assert login(world.billing).get(_url(world)).status_code == 403


def test_an_outsider_gets_404(world, login) -> None:
    assert login(world.outsider_clinician).get(_url(world)).status_code == 404
    assert login(world.other_org_clinician).get(_url(world)).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, world) -> None:
    assert client.get(_url(world)).status_code == 302


def test_a_year_of_cards_keeps_the_query_count_bounded(world, login) -> None:
    client = login(world.clinician)
    bulk_cards(world, 10)
    with CaptureQueriesContext(connection) as small:
        assert client.get(_url(world)).status_code == 200
    from openiop.diary.models import DiaryCard

    DiaryCard.objects.all().delete()
    bulk_cards(world, 365)
    with CaptureQueriesContext(connection) as large:
        assert client.get(_url(world)).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(large.captured_queries) <= 25


def test_the_chart_shows_the_diary_panel_to_clinicians_only(world, login) -> None:
    file_card(world, urge_suicide=5)
    chart = f"/participants/{world.participant.public_id}/?panel=diary"
    assert "Diary and alerts" in login(world.clinician).get(chart).content.decode()
    assert "Diary and alerts" not in login(world.billing).get(chart).content.decode()
