from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts.roles import Role
from tests import factories as f


@pytest.fixture
def director(db):
    user = f.UserFactory(email="director@example.org", role=Role.DIRECTOR)
    TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
    return user


def test_it_prints_a_code_the_device_accepts(director, settings):
    settings.DEMO_MODE = True
    out = StringIO()
    call_command("totp", "Director@Example.org", stdout=out, stderr=StringIO())
    code = out.getvalue().strip()
    assert len(code) == 6
    assert code.isdigit()
    device = TOTPDevice.objects.get(user=director)
    assert device.verify_token(code)


def test_it_refuses_outside_demo_mode(director, settings):
    settings.DEMO_MODE = False
    out = StringIO()
    with pytest.raises(CommandError, match="only in demo mode"):
        call_command("totp", "director@example.org", stdout=out)
    assert out.getvalue() == ""


def test_it_explains_an_account_without_an_authenticator(db, settings):
    settings.DEMO_MODE = True
    f.UserFactory(email="participant@example.org", role=Role.PARTICIPANT)
    with pytest.raises(CommandError, match="No confirmed authenticator"):
        call_command("totp", "participant@example.org")


def test_it_ignores_an_unconfirmed_device(db, settings):
    settings.DEMO_MODE = True
    user = f.UserFactory(email="new@example.org", role=Role.CLINICIAN)
    TOTPDevice.objects.create(user=user, name="Enrolling", confirmed=False)
    with pytest.raises(CommandError, match="No confirmed authenticator"):
        call_command("totp", "new@example.org")
