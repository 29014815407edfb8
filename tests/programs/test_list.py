"""The programs overview: sites with the director's programs, tracks, session types, rooms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openiop.accounts.models import StaffAssignment
from tests import factories as f
from tests.programs.conftest import REFUSED_ROLES, assert_sent_to_login

URL = "/programs/"


def test_it_shows_my_programs_with_tracks_session_types_and_rooms(world, director) -> None:
    f.SessionTypeFactory(
        program=world.program, name="Emotion regulation skills", billing_code="90853"
    )
    f.RoomFactory(
        site=world.site, name="Garden room", pet_friendly=True, wheelchair_accessible=True
    )
    response = director.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Main Street" in body
    assert "Adult DBT IOP" in body
    assert "Morning" in body
    assert "Evening" in body
    assert "Tue, Thu, Sat" in body  # the evening track's days label
    assert "09:00\u201312:00" in body
    assert "Emotion regulation skills" in body
    assert "90853" in body
    assert "Garden room" in body
    assert "Pet-friendly" in body
    assert "Wheelchair-accessible" in body


def test_it_leaves_out_programs_i_am_not_assigned_to(world, director) -> None:
    body = director.get(URL).content.decode()
    assert "Adolescent IOP" not in body
    assert "Elsewhere IOP" not in body


def test_it_marks_inactive_items(world, director) -> None:
    world.evening.is_active = False
    world.evening.save(update_fields=["is_active"])
    assert "Inactive" in director.get(URL).content.decode()


@pytest.mark.parametrize("persona", REFUSED_ROLES)
def test_it_refuses_other_staff_roles(world, login, persona: str) -> None:
    assert login(getattr(world, persona)).get(URL).status_code == 403


def test_it_refuses_participants_and_family(world, login) -> None:
    assert login(world.participant_user).get(URL).status_code == 403
    assert login(world.family_user).get(URL).status_code == 403


def test_it_sends_anonymous_visitors_to_sign_in(client, world) -> None:
    assert_sent_to_login(client.get(URL))


def _grow(world, n: int) -> None:
    """n more programs at fresh sites, each the director's, with tracks, types and rooms."""
    for _ in range(n):
        site = f.SiteFactory(organization=world.org)
        program = f.ProgramFactory(site=site)
        StaffAssignment.objects.create(user=world.director, program=program, organization=world.org)
        for hour in (8, 13):
            f.TrackFactory(program=program, start_time=dt.time(hour), end_time=dt.time(hour + 3))
        f.SessionTypeFactory(program=program)
        f.RoomFactory(site=site, telehealth=True)


def _count(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_its_query_count_does_not_grow_with_programs_and_tracks(world, director) -> None:
    _grow(world, 1)  # 2 programs
    small = _count(director)
    _grow(world, 8)  # 10 programs, 20 more tracks
    large = _count(director)
    assert small == large
    assert large <= 12
