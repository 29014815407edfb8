"""The scoping getters in programs/access.py: a director reaches only their own programs,
their sites and what hangs off them; everyone else gets a 404."""

from __future__ import annotations

import uuid

import pytest
from django.http import Http404

from openiop.accounts.roles import Role
from openiop.programs.access import (
    organization_for,
    program_for,
    programs_for,
    room_for,
    session_type_for,
    site_for,
    sites_for,
    track_for,
)
from tests import factories as f


def test_it_returns_an_assigned_program(world) -> None:
    assert program_for(world.director, world.program.public_id) == world.program


def test_it_hides_an_unassigned_program_of_the_same_organization(world) -> None:
    with pytest.raises(Http404):
        program_for(world.director, world.other_program.public_id)


def test_it_hides_another_organizations_program(world) -> None:
    with pytest.raises(Http404):
        program_for(world.director, world.other_org_program.public_id)


def test_it_hides_an_assigned_program_in_another_organization(world) -> None:
    # An assignment that crosses organizations (a data error) must not open the program.
    from openiop.accounts.models import StaffAssignment

    StaffAssignment.objects.create(
        user=world.director,
        program=world.other_org_program,
        organization=world.other_org_program.organization,
    )
    with pytest.raises(Http404):
        program_for(world.director, world.other_org_program.public_id)


def test_it_answers_404_for_a_malformed_or_unknown_id(world) -> None:
    with pytest.raises(Http404):
        program_for(world.director, "not-a-uuid")
    with pytest.raises(Http404):
        program_for(world.director, uuid.uuid4())


@pytest.mark.parametrize("persona", ["clinician", "intake", "billing", "admin"])
def test_it_gives_other_roles_nothing(world, persona: str) -> None:
    user = getattr(world, persona)
    assert list(programs_for(user)) == []
    assert list(sites_for(user)) == []
    with pytest.raises(Http404):
        program_for(user, world.program.public_id)
    with pytest.raises(Http404):
        organization_for(user)


def test_a_deactivated_director_gets_nothing(world) -> None:
    world.director.is_active = False
    assert list(programs_for(world.director)) == []


def test_sites_are_those_hosting_my_programs_and_empty_ones(world) -> None:
    empty = f.SiteFactory(organization=world.org, name="Empty annex")
    theirs = f.SiteFactory(organization=world.org, name="Someone else's")
    f.ProgramFactory(site=theirs, name="Not mine")
    elsewhere = f.SiteFactory(organization=world.other_org, name="Far away")
    visible = set(sites_for(world.director))
    assert visible == {world.site, empty}
    for hidden in (theirs, elsewhere, world.other_org_program.site):
        with pytest.raises(Http404):
            site_for(world.director, hidden.public_id)


def test_tracks_session_types_and_rooms_follow_their_program_or_site(world) -> None:
    mine_type = f.SessionTypeFactory(program=world.program)
    other_type = f.SessionTypeFactory(program=world.other_program)
    other_track = f.TrackFactory(program=world.other_program)
    mine_room = f.RoomFactory(site=world.site)
    other_room = f.RoomFactory(site=world.other_org_program.site)

    assert track_for(world.director, world.morning.public_id) == world.morning
    assert session_type_for(world.director, mine_type.public_id) == mine_type
    assert room_for(world.director, mine_room.public_id) == mine_room
    with pytest.raises(Http404):
        track_for(world.director, other_track.public_id)
    with pytest.raises(Http404):
        session_type_for(world.director, other_type.public_id)
    with pytest.raises(Http404):
        room_for(world.director, other_room.public_id)


def test_a_director_without_an_organization_configures_nothing(world) -> None:
    loose = f.UserFactory(organization=None, role=Role.DIRECTOR)
    assert list(sites_for(loose)) == []
    with pytest.raises(Http404):
        organization_for(loose)
