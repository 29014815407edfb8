"""Every page a demo login reaches from its home, the participant charts and the clinical
pages linked from them renders with the demo's own data (built for today, as `./run demo`
does). The unit tests use small hand-made worlds; this walk catches what only the fuller demo
clinic holds: long histories, reviewed plans, signed notes, discharged alumni."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from openiop.accounts.models import User
from openiop.demo.synthetic import build_demo
from openiop.participants.models import Participant
from tests.conftest import verified_client

# Links worth following from a chart: the clinical rooms' pages and the chart's own pages.
FOLLOW = re.compile(
    r'href="(/(?:care|notes|discharge|measures|diary|safety|participants)/[^"#?]+)"'
)
# Pages that change something on GET would be a bug in themselves; these are the only
# prefixes skipped: sign-out and the portal's own pages, walked separately.
SKIP = ("/accounts/logout",)


@pytest.fixture(scope="module")
def clinic(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        build_demo(today=timezone.localdate(), seed=7)
        yield
        transaction.set_rollback(True)


def _client(email: str) -> Client:
    return verified_client(User.objects.get(email=email))


def _links(body: str) -> set[str]:
    return {href for href in FOLLOW.findall(body) if not href.startswith(SKIP)}


def _walk(client: Client, start: list[str], *, depth: int = 1) -> dict[str, int]:
    """GET every start page and the links they show (to `depth`); status by path."""
    seen: dict[str, int] = {}
    frontier = list(start)
    for level in range(depth + 1):
        following: list[str] = []
        for path in frontier:
            if path in seen:
                continue
            response = client.get(path)
            seen[path] = response.status_code
            content_type = response.get("Content-Type", "")
            if level < depth and response.status_code == 200 and "html" in content_type:
                following.extend(_links(response.content.decode()))
        frontier = following
    return seen


def _charts() -> list[str]:
    return [f"/participants/{p.public_id}/" for p in Participant.objects.order_by("pk")]


@pytest.mark.parametrize("email", ["director@example.org", "clinician@example.org"])
def test_clinical_staff_reach_every_linked_page(clinic, db, email) -> None:
    client = _client(email)
    start = ["/", "/participants/", "/discharge/outcomes/", *_charts()]
    if email.startswith("director"):
        start.append("/notes/overdue/")
    statuses = _walk(client, start)
    broken = {path: code for path, code in statuses.items() if code >= 500}
    assert broken == {}
    refused = {path: code for path, code in statuses.items() if code not in (200, 302)}
    # Links are offered only where they may be followed.
    assert refused == {}, sorted(
        {re.sub(r"[0-9a-f-]{36}", "<id>", p) + f" {c}" for p, c in refused.items()}
    )
    # The walk really went through the clinical rooms.
    for room in ("/care/", "/notes/", "/discharge/"):
        assert any(path.startswith(room) for path in statuses), room


def test_billing_sees_charts_but_no_note_or_plan_bodies(clinic, db) -> None:
    client = _client("billing@example.org")
    statuses = _walk(client, ["/", *_charts()], depth=1)
    assert {p: c for p, c in statuses.items() if c >= 500} == {}
    assert not any(
        path.startswith(("/care/", "/discharge/")) and code == 200
        for path, code in statuses.items()
    )
    assert not any(path.startswith("/notes/") and code == 200 for path, code in statuses.items())


def test_the_portal_logins_reach_their_pages(clinic, db) -> None:
    participant = _client("participant@example.org")
    home = participant.get("/me/")
    assert home.status_code == 200
    body = home.content.decode()
    links = set(re.findall(r'href="(/(?:me|care|discharge|measures|diary)/[^"#?]*)"', body))
    assert "/care/me/plan/" in links
    for path in sorted(links):
        assert participant.get(path, follow=True).status_code == 200, path
    family = _client("family@example.org")
    assert family.get("/", follow=True).status_code == 200
