"""Adding and editing sites."""

from __future__ import annotations

import pytest

from openiop.programs.models import Site
from tests import factories as f
from tests.programs.conftest import REFUSED_ROLES, assert_sent_to_login

NEW = "/programs/sites/new/"


def _edit(site) -> str:
    return f"/programs/sites/{site.public_id}/edit/"


def test_it_adds_a_site_in_my_organization(world, director) -> None:
    response = director.post(NEW, {"name": "Riverside", "address": "1 River Rd", "phone": ""})
    assert response.status_code == 302
    site = Site.objects.get(name="Riverside")
    assert site.organization == world.org


def test_a_new_empty_site_shows_on_the_overview(world, director) -> None:
    director.post(NEW, {"name": "Riverside"})
    assert "Riverside" in director.get("/programs/").content.decode()


def test_it_refuses_a_duplicate_name_with_a_clear_message(world, director) -> None:
    before = Site.objects.count()
    response = director.post(NEW, {"name": "main street"})
    assert response.status_code == 200
    assert "already has a site named" in response.content.decode()
    assert Site.objects.count() == before


def test_a_blank_name_saves_nothing(world, director) -> None:
    before = Site.objects.count()
    response = director.post(NEW, {"name": "  "})
    assert "This field is required." in response.content.decode()
    assert Site.objects.count() == before


def test_it_edits_my_site(world, director) -> None:
    response = director.post(_edit(world.site), {"name": "Main St.", "address": "", "phone": "555"})
    assert response.status_code == 302
    world.site.refresh_from_db()
    assert (world.site.name, world.site.phone) == ("Main St.", "555")


def test_it_is_404_for_a_site_only_others_use(world, director) -> None:
    theirs = f.SiteFactory(organization=world.org)
    f.ProgramFactory(site=theirs)
    assert director.get(_edit(theirs)).status_code == 404
    assert director.get(_edit(world.other_org_program.site)).status_code == 404
    response = director.post(_edit(world.other_org_program.site), {"name": "Taken over"})
    assert response.status_code == 404
    assert not Site.objects.filter(name="Taken over").exists()


@pytest.mark.parametrize("persona", REFUSED_ROLES)
def test_it_refuses_other_staff_roles(world, login, persona: str) -> None:
    client = login(getattr(world, persona))
    assert client.get(NEW).status_code == 403
    assert client.post(_edit(world.site), {"name": "Hijacked"}).status_code == 403
    assert not Site.objects.filter(name="Hijacked").exists()


def test_it_sends_anonymous_visitors_to_sign_in(client, world) -> None:
    assert_sent_to_login(client.get(NEW))
    assert_sent_to_login(client.get(_edit(world.site)))
