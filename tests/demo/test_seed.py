from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openiop.accounts.models import User
from openiop.participants.models import Participant
from openiop.programs.models import Organization
from tests import factories as f


@pytest.fixture
def demo_mode(settings):
    settings.DEMO_MODE = True
    return settings


def test_it_seeds_an_empty_database_and_reports_progress(db, demo_mode):
    out = StringIO()
    call_command("seed", stdout=out)
    assert Organization.objects.count() == 1
    assert 35 <= Participant.objects.count() <= 45
    assert "participants 36/36" in out.getvalue()
    assert "Demo clinic created" in out.getvalue()


def test_it_refuses_a_database_that_holds_an_organization(db, demo_mode):
    f.OrganizationFactory(name="A Real Clinic")
    with pytest.raises(CommandError, match="already holds an organization") as refusal:
        call_command("seed")
    assert refusal.value.returncode != 0
    assert Organization.objects.count() == 1
    assert User.objects.count() == 0
    assert Participant.objects.count() == 0


def test_force_seeds_next_to_existing_data_without_touching_it(db, demo_mode):
    existing = f.OrganizationFactory(name="A Real Clinic")
    call_command("seed", "--force", stdout=StringIO())
    assert Organization.objects.count() == 2
    existing.refresh_from_db()
    assert existing.name == "A Real Clinic"


def test_force_still_refuses_when_the_demo_is_already_there(db, demo_mode):
    call_command("seed", stdout=StringIO())
    counts = (User.objects.count(), Participant.objects.count())
    with pytest.raises(CommandError, match="already in this database"):
        call_command("seed", "--force")
    assert (User.objects.count(), Participant.objects.count()) == counts


def test_it_refuses_when_a_demo_e_mail_is_taken(db, demo_mode):
    f.UserFactory(email="director@example.org", organization=None)
    with pytest.raises(CommandError, match=re.escape("director@example.org")):
        call_command("seed", "--force")
    assert Organization.objects.count() == 0


def test_it_refuses_outside_demo_and_debug_mode(db, settings):
    settings.DEMO_MODE = False
    settings.DEBUG = False
    with pytest.raises(CommandError, match="OPENIOP_DEMO=1"):
        call_command("seed")
    assert Organization.objects.count() == 0
    assert User.objects.count() == 0
