"""Staff must complete two-step sign-in (TOTP) before they see participant data."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts.models import User


def _password_only(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _code(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


def _chart_url(world) -> str:
    return f"/participants/{world.participant.public_id}/"


@pytest.mark.parametrize("path", ["/participants/", "chart"])
def test_it_sends_staff_without_a_device_to_setup(world, path):
    url = _chart_url(world) if path == "chart" else path
    response = _password_only(world.clinician).get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/mfa/setup/?next={quote(url, safe='')}"


@pytest.mark.parametrize("path", ["/participants/", "chart"])
def test_it_sends_staff_with_a_device_to_verify(world, path):
    TOTPDevice.objects.create(user=world.clinician, name="phone", confirmed=True)
    url = _chart_url(world) if path == "chart" else path
    response = _password_only(world.clinician).get(url, follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/mfa/verify/")
    assert b"Two-step sign-in" in response.content
    assert b"Example" not in response.content
    assert b"Patricia" not in response.content


def test_the_setup_page_shows_no_participant_data(world):
    response = _password_only(world.clinician).get(_chart_url(world), follow=True)
    assert response.status_code == 200
    assert b"Set up two-step sign-in" in response.content
    assert b"Patricia" not in response.content
    assert b"Example" not in response.content


def test_setup_with_a_valid_code_opens_the_chart(world):
    client = _password_only(world.clinician)
    url = _chart_url(world)
    client.get(f"/accounts/mfa/setup/?next={quote(url)}")
    device = TOTPDevice.objects.get(user=world.clinician)
    assert not device.confirmed
    response = client.post(f"/accounts/mfa/setup/?next={quote(url)}", {"token": _code(device)})
    assert response.status_code == 302
    assert response["Location"] == url
    device.refresh_from_db()
    assert device.confirmed
    chart = client.get(url)
    assert chart.status_code == 200
    assert b"Pat Example" in chart.content


def test_setup_shows_the_same_secret_until_confirmed(world):
    client = _password_only(world.clinician)
    client.get("/accounts/mfa/setup/")
    client.get("/accounts/mfa/setup/")
    assert TOTPDevice.objects.filter(user=world.clinician).count() == 1


def test_a_wrong_code_shows_an_error_and_leaves_the_device_unconfirmed(world):
    client = _password_only(world.clinician)
    client.get("/accounts/mfa/setup/")
    device = TOTPDevice.objects.get(user=world.clinician)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/mfa/setup/", {"token": wrong})
    assert response.status_code == 200
    assert b"That code did not match" in response.content
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/participants/").status_code == 302


def test_a_code_that_is_not_digits_is_refused(world):
    client = _password_only(world.clinician)
    client.get("/accounts/mfa/setup/")
    response = client.post("/accounts/mfa/setup/", {"token": "abcdef"})
    assert b"The code is six digits." in response.content
    assert not TOTPDevice.objects.get(user=world.clinician).confirmed


def test_verify_with_a_valid_code_opens_the_list(world):
    device = TOTPDevice.objects.create(user=world.clinician, name="phone", confirmed=True)
    client = _password_only(world.clinician)
    response = client.post("/accounts/mfa/verify/?next=/participants/", {"token": _code(device)})
    assert response["Location"] == "/participants/"
    listing = client.get("/participants/")
    assert listing.status_code == 200
    assert b"Example" in listing.content


def test_verify_with_a_wrong_code_keeps_the_gate_closed(world):
    device = TOTPDevice.objects.create(user=world.clinician, name="phone", confirmed=True)
    client = _password_only(world.clinician)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/mfa/verify/", {"token": wrong})
    assert b"That code did not match" in response.content
    assert client.get("/participants/").status_code == 302


def test_repeated_wrong_codes_are_throttled(world, settings):
    # A long back-off makes the test independent of how fast it runs.
    settings.OTP_TOTP_THROTTLE_FACTOR = 600
    device = TOTPDevice.objects.create(user=world.clinician, name="phone", confirmed=True)
    client = _password_only(world.clinician)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    for _ in range(3):
        client.post("/accounts/mfa/verify/", {"token": wrong})
    response = client.post("/accounts/mfa/verify/", {"token": _code(device)})
    assert b"Too many wrong codes" in response.content
    assert client.get("/participants/").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
    ],
)
def test_next_is_honoured_only_for_same_site_paths(world, target):
    device = TOTPDevice.objects.create(user=world.clinician, name="phone", confirmed=True)
    client = _password_only(world.clinician)
    response = client.post(
        f"/accounts/mfa/verify/?next={quote(target, safe='')}", {"token": _code(device)}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_setup_redirects_to_verify_once_a_device_is_confirmed(world):
    TOTPDevice.objects.create(user=world.clinician, name="phone", confirmed=True)
    response = _password_only(world.clinician).get("/accounts/mfa/setup/")
    assert response["Location"].startswith("/accounts/mfa/verify/")


@pytest.mark.parametrize("persona", ["participant_user", "family_user"])
def test_participants_and_family_are_not_forced_into_mfa(world, persona):
    client = _password_only(getattr(world, persona))
    response = client.get("/me/family/" if persona == "family_user" else "/me/")
    assert response.status_code == 200


def test_staff_get_in_without_mfa_when_it_is_switched_off(world, settings):
    settings.OPENIOP_REQUIRE_MFA = False
    response = _password_only(world.clinician).get(_chart_url(world))
    assert response.status_code == 200
    assert b"Pat Example" in response.content


def test_anonymous_visitors_cannot_reach_mfa_pages(db):
    response = Client().get("/accounts/mfa/setup/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert TOTPDevice.objects.count() == 0
