"""Sessions end after a period without requests: staff after OPENIOP_STAFF_IDLE_MINUTES,
participants and family after OPENIOP_PORTAL_IDLE_MINUTES. The clock is not frozen: the
last-seen time in the session is moved back instead."""

from __future__ import annotations

import time

from django.test import Client

from openiop.accounts.middleware import LAST_SEEN_SESSION_KEY


def _seen_minutes_ago(client: Client, minutes: float) -> None:
    session = client.session
    session[LAST_SEEN_SESSION_KEY] = time.time() - minutes * 60
    session.save()


def test_staff_are_signed_out_after_the_idle_limit(world, login, settings):
    settings.OPENIOP_STAFF_IDLE_MINUTES = 15
    client = login(world.clinician)
    client.get("/participants/")
    _seen_minutes_ago(client, 16)
    response = client.get("/participants/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    assert b"signed out after a period of inactivity" in response.content
    assert b"Example" not in response.content
    assert "_auth_user_id" not in client.session


def test_staff_activity_within_the_window_keeps_the_session(world, login, settings):
    settings.OPENIOP_STAFF_IDLE_MINUTES = 15
    client = login(world.clinician)
    client.get("/participants/")
    _seen_minutes_ago(client, 14)
    assert client.get("/participants/").status_code == 200
    # The request above refreshed last-seen, so another 14 minutes later it still works.
    _seen_minutes_ago(client, 14)
    assert client.get("/participants/").status_code == 200


def test_the_staff_limit_is_configurable(world, login, settings):
    settings.OPENIOP_STAFF_IDLE_MINUTES = 5
    client = login(world.clinician)
    client.get("/participants/")
    _seen_minutes_ago(client, 6)
    response = client.get("/participants/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_participants_keep_their_longer_portal_window(world, login, settings):
    settings.OPENIOP_STAFF_IDLE_MINUTES = 15
    settings.OPENIOP_PORTAL_IDLE_MINUTES = 30
    client = login(world.participant_user)
    client.get("/me/")
    _seen_minutes_ago(client, 20)
    assert client.get("/me/").status_code == 200


def test_participants_are_signed_out_after_the_portal_limit(world, login, settings):
    settings.OPENIOP_PORTAL_IDLE_MINUTES = 30
    client = login(world.participant_user)
    client.get("/me/")
    _seen_minutes_ago(client, 31)
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_family_are_signed_out_after_the_portal_limit(world, login, settings):
    settings.OPENIOP_PORTAL_IDLE_MINUTES = 30
    client = login(world.family_user)
    client.get("/me/family/")
    _seen_minutes_ago(client, 31)
    assert client.get("/me/family/").status_code == 302
    assert "_auth_user_id" not in client.session
