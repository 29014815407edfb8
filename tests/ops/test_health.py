"""Health for supervisors and load balancers, the directors' warning when escalation is late,
and the calm page a participant gets when the database is down."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path
from django.utils import timezone

from openiop.accounts.policy import public
from openiop.ops.helpline import help_phones_read, help_phones_write
from openiop.ops.models import PeriodicClaim
from openiop.ops.periodic import registered_periodic


@public
def _database_down(request: HttpRequest) -> HttpResponse:
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


@public
def _bug(request: HttpRequest) -> HttpResponse:
    raise ValueError("a bug")


urlpatterns = [path("down/", _database_down), path("bug/", _bug)]
handler500 = "openiop.ops.views.server_error"


def _all_ran(at):
    for name in registered_periodic():
        PeriodicClaim.objects.create(
            name=name, due_at=at, claimed_at=at, finished_at=at, ok=True, summary="0"
        )


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_health_is_503_and_names_the_late_jobs_until_every_job_has_run(db) -> None:
    response = Client().get("/health/")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["database"] == "ok"
    assert "safety.escalate" in body["late"]
    _all_ran(timezone.now())
    response = Client().get("/health/")
    body = json.loads(response.content)
    assert response.status_code == 200
    assert body["late"] == []
    assert body["periodic"]["safety.escalate"]["every_seconds"] == 60
    assert body["periodic"]["safety.escalate"]["last_ok"] is not None
    assert response["Cache-Control"].startswith("max-age=0")


def test_directors_see_a_warning_in_the_header_when_escalation_is_late(world, login) -> None:
    PeriodicClaim.objects.create(
        name="safety.escalate",
        due_at=timezone.now() - timedelta(minutes=30),
        claimed_at=timezone.now() - timedelta(minutes=30),
        finished_at=timezone.now() - timedelta(minutes=30),
        ok=True,
    )
    page = login(world.director).get("/").content.decode()
    assert "Alert escalation is not running" in page
    assert "30\xa0minutes ago" in page
    # Clinicians are not the ones who can restart it; their header stays as it was.
    assert "Alert escalation is not running" not in login(world.clinician).get("/").content.decode()


def test_no_warning_when_escalation_runs_on_time(world, login) -> None:
    _all_ran(timezone.now())
    assert "Alert escalation is not running" not in login(world.director).get("/").content.decode()


@override_settings(ROOT_URLCONF="tests.ops.test_health")
def test_with_the_database_down_a_participant_gets_a_calm_page_with_crisis_numbers(
    settings, tmp_path
) -> None:
    settings.OPENIOP_STATE_DIR = tmp_path
    settings.OPENIOP_HELP_PHONE = "555-0100"
    response = Client(raise_request_exception=False).get("/down/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "Server Error (500)" not in page
    assert "unavailable for a moment" in page
    assert 'href="tel:988"' in page
    assert 'href="tel:555-0100"' in page
    assert "diary card you were sending is kept on this device" in page
    assert "diary-keep.js" in page


@override_settings(ROOT_URLCONF="tests.ops.test_health")
def test_any_other_error_gets_the_same_calm_page_as_a_500(settings, tmp_path) -> None:
    settings.OPENIOP_STATE_DIR = tmp_path
    response = Client(raise_request_exception=False).get("/bug/")
    assert response.status_code == 500
    assert 'href="tel:988"' in response.content.decode()


def test_the_program_phones_are_kept_in_a_file_the_error_page_can_read(
    world, settings, tmp_path
) -> None:
    settings.OPENIOP_STATE_DIR = tmp_path / "state"
    settings.OPENIOP_HELP_PHONE = ""
    world.program.phone = "555-0142"
    world.program.save()
    assert help_phones_read() == []
    help_phones_write()
    assert {"name": "Adult DBT IOP", "phone": "555-0142"} in help_phones_read()
    (tmp_path / "state" / "help-phones.json").write_text("{not json")
    assert help_phones_read() == []  # a broken file never breaks the error page
