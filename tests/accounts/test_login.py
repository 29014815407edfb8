"""Sign-in with e-mail and password, and the lockout after repeated failures (django-axes)."""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.utils import reset
from django.test import Client

PASSWORD = "correct horse battery staple"
LOGIN_URL = "/accounts/login/"


def _post(client: Client, email: str, password: str):
    return client.post(LOGIN_URL, {"username": email, "password": password})


def test_it_signs_in_with_email_and_password(world):
    client = Client()
    response = _post(client, world.clinician.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.clinician.pk)


def test_it_treats_the_email_case_insensitively(world):
    client = Client()
    response = _post(client, world.clinician.email.upper(), PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.clinician.pk)


def test_it_shows_a_clear_error_for_a_wrong_password(world):
    client = Client()
    response = _post(client, world.clinician.email, "not the password at all")
    assert response.status_code == 200
    assert b"did not match an active account" in response.content
    assert "_auth_user_id" not in client.session


def test_it_refuses_a_deactivated_account_with_the_same_error(world):
    world.clinician.is_active = False
    world.clinician.save(update_fields=["is_active"])
    client = Client()
    response = _post(client, world.clinician.email, PASSWORD)
    assert b"did not match an active account" in response.content
    assert "_auth_user_id" not in client.session


def test_it_locks_the_account_after_the_failure_limit(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        _post(client, world.clinician.email, "wrong password guess")
    response = _post(client, world.clinician.email, PASSWORD)
    assert response.status_code == 429
    assert b"Sign-in temporarily locked" in response.content
    assert b"locked for 15 minutes" in response.content
    assert "_auth_user_id" not in client.session


def test_it_counts_mixed_case_attempts_against_the_same_account(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    email = world.clinician.email
    for variant in (email, email.upper(), email.title()):
        _post(client, variant, "wrong password guess")
    response = _post(client, email, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_does_not_affect_other_accounts(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        _post(client, world.clinician.email, "wrong password guess")
    response = _post(client, world.director.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.director.pk)


def test_the_lockout_clears_after_a_reset(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        _post(client, world.clinician.email, "wrong password guess")
    assert _post(client, world.clinician.email, PASSWORD).status_code == 429
    reset(username=world.clinician.email)
    assert AccessAttempt.objects.count() == 0
    response = _post(client, world.clinician.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.clinician.pk)


def test_a_successful_sign_in_clears_earlier_failures(world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(2):
        _post(client, world.clinician.email, "wrong password guess")
    assert _post(client, world.clinician.email, PASSWORD).status_code == 302
    Client().post("/accounts/logout/")
    other = Client()
    for _ in range(2):
        _post(other, world.clinician.email, "wrong password guess")
    assert _post(other, world.clinician.email, PASSWORD).status_code == 302


def test_a_signed_in_user_visiting_login_is_sent_on(world, login):
    client = login(world.clinician)
    response = client.get(LOGIN_URL)
    assert response.status_code == 302


def test_anonymous_visitors_are_sent_to_login(db):
    response = Client().get("/participants/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_it_follows_a_same_site_next_after_sign_in(world):
    response = Client().post(
        f"{LOGIN_URL}?next=/participants/",
        {"username": world.clinician.email, "password": PASSWORD},
    )
    assert response["Location"] == "/participants/"


def test_it_ignores_a_next_that_leaves_the_site(world):
    response = Client().post(
        f"{LOGIN_URL}?next=https://evil.example/",
        {"username": world.clinician.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
