"""The installable portal and the offline safety plan (issue 20): the manifest and the service
worker are served with the CSP intact, and the worker can keep nothing but the safety plan."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_as_script_with_the_csp_intact(client: Client) -> None:
    response = client.get(reverse("portal:service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/me/"
    csp = response["Content-Security-Policy"]
    # Workers fall back to script-src: our own origin only, no inline code.
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp


def test_the_worker_keeps_only_the_safety_plan_and_our_own_assets(client: Client) -> None:
    script = client.get(reverse("portal:service_worker")).content.decode()
    assert 'const PLAN = "/me/safety\\u002Dplan/";' in script
    # One place puts a page into the cache, and it puts the plan.
    assert script.count("cache.put(") == 1
    assert "cache.put(PLAN, response)" in script
    assert script.count("addAll(") == 1
    assets = json.loads(script.split("const ASSETS = ", 1)[1].split(";", 1)[0])
    assert all(path.startswith("/static/openiop/") for path in assets)


def test_the_manifest_installs_the_portal(client: Client) -> None:
    response = client.get(reverse("portal:manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    assert "Content-Security-Policy" in response
    data = response.json()
    assert data["start_url"] == "/me/"
    assert data["display"] == "standalone"


def test_portal_pages_link_the_manifest_and_the_script(world, login) -> None:
    text = login(world.participant_user).get("/me/").content.decode()
    assert 'rel="manifest"' in text
    assert "offline-plan.js" in text
    assert 'id="offline-notice"' in text
    # The sign-in page deletes a kept plan.
    signin = Client().get(reverse("accounts:login")).content.decode()
    assert 'data-portal="signed-out"' in signin
