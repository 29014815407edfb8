"""Adding and editing programs: time zone, weekly hours range, planned length."""

from __future__ import annotations

from typing import Any

import pytest

from openiop.accounts.models import StaffAssignment
from openiop.participants.models import EpisodeStatus
from openiop.programs.models import Program
from tests import factories as f
from tests.programs.conftest import REFUSED_ROLES, assert_sent_to_login

NEW = "/programs/new/"


def _edit(program) -> str:
    return f"/programs/{program.public_id}/edit/"


def _data(world, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Young Adult IOP",
        "site": str(world.site.public_id),
        "time_zone": "America/Denver",
        "weekly_hours_min": "9",
        "weekly_hours_max": "15",
        "planned_weeks": "8",
        "phone": "555-0199",
    }
    return {**data, **overrides}


def test_it_creates_a_program_and_assigns_me_to_it(world, director) -> None:
    response = director.post(NEW, _data(world))
    program = Program.objects.get(name="Young Adult IOP")
    assert response.status_code == 302
    assert response["Location"] == f"/programs/{program.public_id}/"
    assert program.organization == world.org
    assert program.time_zone == "America/Denver"
    assert StaffAssignment.objects.filter(user=world.director, program=program).exists()
    assert director.get(response["Location"]).status_code == 200


def test_it_preselects_the_site_from_the_overview_link(world, director) -> None:
    body = director.get(f"{NEW}?site={world.site.public_id}").content.decode()
    assert f'value="{world.site.public_id}" selected' in body


def test_it_offers_every_time_zone_as_a_suggestion(world, director) -> None:
    body = director.get(NEW).content.decode()
    assert 'list="time-zones"' in body
    assert '<option value="Europe/Berlin">' in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "is not a time zone name we know"),
        ({"weekly_hours_min": "20", "weekly_hours_max": "10"}, "must not be below the minimum"),
        ({"planned_weeks": "0"}, "greater than or equal to 1"),
        ({"name": "adolescent iop"}, "already has a program named"),
    ],
)
def test_invalid_input_is_explained_and_saves_nothing(
    world, director, overrides: dict[str, str], message: str
) -> None:
    before = (Program.objects.count(), StaffAssignment.objects.count())
    response = director.post(NEW, _data(world, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (Program.objects.count(), StaffAssignment.objects.count()) == before


def test_it_refuses_a_site_i_may_not_use(world, director) -> None:
    before = Program.objects.count()
    response = director.post(NEW, _data(world, site=str(world.other_org_program.site.public_id)))
    assert "Select a valid choice" in response.content.decode()
    assert Program.objects.count() == before


def test_it_edits_my_program(world, director) -> None:
    data = _data(world, name="Adult DBT IOP", weekly_hours_min="12", is_active="on")
    response = director.post(_edit(world.program), data)
    assert response.status_code == 302
    world.program.refresh_from_db()
    assert world.program.weekly_hours_min == 12
    assert world.program.time_zone == "America/Denver"


def test_it_will_not_deactivate_a_program_with_open_episodes(world, director) -> None:
    response = director.post(_edit(world.program), _data(world, name="Adult DBT IOP"))
    assert "still open in this program" in response.content.decode()
    world.program.refresh_from_db()
    assert world.program.is_active


def test_it_deactivates_a_program_once_everyone_is_discharged(world, director) -> None:
    world.episode.status = EpisodeStatus.DISCHARGED
    world.episode.discharged_on = world.episode.inquiry_on
    world.episode.save()
    response = director.post(_edit(world.program), _data(world, name="Adult DBT IOP"))
    assert response.status_code == 302
    world.program.refresh_from_db()
    assert not world.program.is_active


def test_invalid_edit_changes_nothing(world, director) -> None:
    data = _data(world, name="Renamed", weekly_hours_min="30", weekly_hours_max="5", is_active="on")
    response = director.post(_edit(world.program), data)
    assert "must not be below the minimum" in response.content.decode()
    world.program.refresh_from_db()
    assert world.program.name == "Adult DBT IOP"


def test_it_is_404_for_programs_not_mine(world, director) -> None:
    for program in (world.other_program, world.other_org_program):
        response = director.post(_edit(program), _data(world, name="Hijacked", is_active="on"))
        assert response.status_code == 404
    assert not Program.objects.filter(name="Hijacked").exists()


@pytest.mark.parametrize("persona", REFUSED_ROLES)
def test_it_refuses_other_staff_roles(world, login, persona: str) -> None:
    client = login(getattr(world, persona))
    before = Program.objects.count()
    assert client.post(NEW, _data(world)).status_code == 403
    assert client.get(_edit(world.program)).status_code == 403
    assert Program.objects.count() == before


def test_it_sends_anonymous_visitors_to_sign_in(client, world) -> None:
    assert_sent_to_login(client.get(NEW))
    assert_sent_to_login(client.get(_edit(world.program)))


def test_a_new_director_program_at_an_empty_site_becomes_editable(world, director) -> None:
    annex = f.SiteFactory(organization=world.org, name="Annex")
    director.post(NEW, _data(world, site=str(annex.public_id), name="Annex IOP"))
    program = Program.objects.get(name="Annex IOP")
    assert director.get(f"/programs/sites/{annex.public_id}/edit/").status_code == 200
    assert director.get(_edit(program)).status_code == 200
