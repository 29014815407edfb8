"""The pipeline board: who may see it, what it shows, and its query budget."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openiop.audit.models import AccessLog
from openiop.intake.models import InquiryStatus
from tests.intake.helpers import make_inquiry

URL = "/intake/"


def test_the_coordinator_sees_columns_with_counts(world: Any, login: Any) -> None:
    make_inquiry(world.program, name="Ash")
    make_inquiry(world.program, status=InquiryStatus.CONTACTED, name="Birch")
    make_inquiry(world.program, status=InquiryStatus.CONTACTED, name="Cedar")
    response = login(world.intake).get(URL)
    assert response.status_code == 200
    columns = {c.status: c for c in response.context["columns"]}
    assert columns["new"].count == 1
    assert columns["contacted"].count == 2
    assert "Birch" in response.content.decode()


def test_overdue_follow_ups_are_marked(world: Any, login: Any) -> None:
    make_inquiry(world.program, follow_up_on=timezone.localdate() - timedelta(days=3))
    response = login(world.intake).get(URL)
    assert "overdue" in response.content.decode()


def test_it_hides_inquiries_of_other_programs(world: Any, login: Any) -> None:
    make_inquiry(world.other_program, name="Elsewhere-Person")
    response = login(world.intake).get(URL)
    assert "Elsewhere-Person" not in response.content.decode()


def test_it_logs_each_inquiry_shown(world: Any, login: Any) -> None:
    inquiry = make_inquiry(world.program)
    login(world.intake).get(URL)
    row = AccessLog.objects.get(object_type="inquiry.board")
    assert row.object_id == str(inquiry.public_id)
    assert row.participant is None


def test_a_clinician_may_read_but_not_add(world: Any, login: Any) -> None:
    response = login(world.clinician).get(URL)
    assert response.status_code == 200
    assert "New referral" not in response.content.decode()


def test_billing_is_refused(world: Any, login: Any) -> None:
    assert login(world.billing).get(URL).status_code == 403


def test_the_administrator_is_refused(world: Any, login: Any) -> None:
    assert login(world.admin).get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(world: Any) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def _queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    return len(ctx.captured_queries)


def _fill(world: Any, n: int) -> None:
    statuses = list(InquiryStatus.values)
    for i in range(n):
        make_inquiry(world.program, status=statuses[i % len(statuses)], assigned_to=world.intake)


def test_the_query_count_does_not_grow_with_inquiries(world: Any, login: Any) -> None:
    client = login(world.intake)
    _fill(world, 10)
    small = _queries(client)
    _fill(world, 190)
    large = _queries(client)
    # SQLite caps the parameters of one statement, so the access-log insert for 200 cards may
    # be split into two; nothing else may grow.
    assert large <= small + 1
    assert large <= 14
