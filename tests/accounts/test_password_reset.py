"""Password reset by e-mail: a link with a one-time token, no names in the subject, and the
same answer whether or not an account uses the address."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client

from openiop.accounts.models import User

NEW_PASSWORD = "a brand new passphrase 42"


def _without_csrf(content: bytes) -> bytes:
    # The masked CSRF token differs on every render; everything else must be identical.
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)


def _reset_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/password-reset/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def test_it_sends_a_reset_email_without_phi_in_the_subject(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = Client().post("/accounts/password-reset/", {"email": world.clinician.email})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.clinician.email]
    assert message.subject == "OpenIOP password reset"
    assert world.clinician.full_name not in message.subject
    assert world.clinician.full_name not in message.body


def test_the_address_is_matched_case_insensitively(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Client().post("/accounts/password-reset/", {"email": world.clinician.email.upper()})
    assert len(mail.outbox) == 1


def test_the_link_sets_a_new_password(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = Client()
    client.post("/accounts/password-reset/", {"email": world.clinician.email})
    link = _reset_link(mail.outbox[0].body)
    # Django swaps the token for a session marker and redirects to a set-password URL.
    form_page = client.get(link, follow=True)
    assert b"Choose a new password" in form_page.content
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == "/accounts/password-reset/done/"
    user = User.objects.get(pk=world.clinician.pk)
    assert user.check_password(NEW_PASSWORD)
    signed_in = Client()
    login = signed_in.post(
        "/accounts/login/", {"username": world.clinician.email, "password": NEW_PASSWORD}
    )
    assert login.status_code == 302


def test_a_used_link_no_longer_works(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = Client()
    client.post("/accounts/password-reset/", {"email": world.clinician.email})
    link = _reset_link(mail.outbox[0].body)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = Client().get(link, follow=True)
    assert b"Link no longer valid" in again.content


def test_a_weak_password_is_refused_and_nothing_changes(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = Client()
    client.post("/accounts/password-reset/", {"email": world.clinician.email})
    set_url = client.get(_reset_link(mail.outbox[0].body), follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    assert b"This password is too short" in response.content
    assert User.objects.get(pk=world.clinician.pk).check_password("correct horse battery staple")


def test_an_unknown_address_gets_the_same_page_and_no_email(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client = Client()
    known = client.post("/accounts/password-reset/", {"email": world.clinician.email}, follow=True)
    mail.outbox.clear()
    unknown = client.post(
        "/accounts/password-reset/", {"email": "nobody@example.test"}, follow=True
    )
    assert unknown.redirect_chain == known.redirect_chain
    assert b"If an account uses that address" in unknown.content
    assert _without_csrf(unknown.content) == _without_csrf(known.content)
    assert mail.outbox == []


def test_a_deactivated_account_gets_no_email(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.clinician.is_active = False
    world.clinician.save(update_fields=["is_active"])
    response = Client().post("/accounts/password-reset/", {"email": world.clinician.email})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []
