from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from openiop.demo.synthetic import DEMO_LOGINS, DEMO_PASSWORD, ORGANIZATION_NAME
from openiop.participants.models import Participant
from openiop.programs.models import Organization
from tests import factories as f


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_seeds_an_empty_database_and_prints_every_roles_login(db, settings):
    settings.DEMO_MODE = True
    output = run_demo()
    assert Organization.objects.get().name == ORGANIZATION_NAME
    for role, email in DEMO_LOGINS:
        line = next(line for line in output.splitlines() if email in line)
        assert role in line
        assert DEMO_PASSWORD in line
    assert "openiop totp EMAIL" in output
    assert "http://127.0.0.1:8000/" in output


def test_it_prints_the_chosen_port(db, settings):
    settings.DEMO_MODE = True
    assert "http://127.0.0.1:8123/" in run_demo("--port", "8123")


def test_it_does_not_seed_twice(db, settings):
    settings.DEMO_MODE = True
    run_demo()
    count = Participant.objects.count()
    output = run_demo()
    assert "not seeding" in output
    assert Participant.objects.count() == count
    assert "director@example.org" in output


def test_it_leaves_a_database_with_other_data_alone(db, settings):
    settings.DEMO_MODE = True
    f.OrganizationFactory(name="A Real Clinic")
    output = run_demo()
    assert "No demo accounts" in output
    assert Organization.objects.count() == 1
    assert DEMO_PASSWORD not in output


def test_it_refuses_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="OPENIOP_DEMO=1"):
        run_demo()
    assert Organization.objects.count() == 0


def test_it_refuses_a_port_out_of_range(db, settings):
    settings.DEMO_MODE = True
    with pytest.raises(CommandError, match="--port"):
        run_demo("--port", "70000")
    assert Organization.objects.count() == 0


def test_a_demo_director_signs_in_with_the_password_and_a_printed_code(db, settings):
    settings.DEMO_MODE = True
    run_demo()
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": "director@example.org", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    code = StringIO()
    call_command("totp", "director@example.org", stdout=code, stderr=StringIO())
    response = client.post(reverse("accounts:mfa_verify"), {"token": code.getvalue().strip()})
    assert response.status_code == 302
    assert client.session.get("otp_device_id")
