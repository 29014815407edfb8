"""Adding and editing tracks: days of the week and times."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openiop.participants.models import EpisodeStatus
from openiop.programs.models import Track
from tests.programs.conftest import REFUSED_ROLES, assert_sent_to_login


def _new(program) -> str:
    return f"/programs/{program.public_id}/tracks/new/"


def _edit(track) -> str:
    return f"/programs/tracks/{track.public_id}/edit/"


def _data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Afternoon",
        "days": ["0", "1", "3"],
        "start_time": "13:00",
        "end_time": "16:00",
    }
    return {**data, **overrides}


def test_it_adds_a_track_with_the_chosen_days(world, director) -> None:
    response = director.post(_new(world.program), _data())
    assert response.status_code == 302
    track = Track.objects.get(program=world.program, name="Afternoon")
    assert track.days == "0,1,3"
    assert track.days_label == "Mon, Tue, Thu"
    assert (track.start_time, track.end_time) == (dt.time(13), dt.time(16))
    assert track.organization == world.org


def test_the_form_offers_each_weekday_as_a_checkbox(world, director) -> None:
    body = director.get(_new(world.program)).content.decode()
    assert body.count('type="checkbox" name="days"') == 7
    assert "<legend>Days the track meets" in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_time": "12:00"}, "The track must end after it starts."),
        ({"end_time": "13:00"}, "The track must end after it starts."),
        ({"days": []}, "Choose at least one day the track meets."),
        ({"days": ["9"]}, "Select a valid choice"),
        ({"name": "morning"}, "already has a track named"),
    ],
)
def test_invalid_input_is_explained_and_saves_nothing(
    world, director, overrides: dict[str, Any], message: str
) -> None:
    before = Track.objects.count()
    response = director.post(_new(world.program), _data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Track.objects.count() == before


def test_it_edits_a_track_and_shows_its_days_checked(world, director) -> None:
    body = director.get(_edit(world.evening)).content.decode()
    assert 'value="1" id="id_days_1" checked>' in body
    assert 'value="0" id="id_days_0">' in body
    response = director.post(
        _edit(world.evening), _data(name="Evening", days=["4"], is_active="on")
    )
    assert response.status_code == 302
    world.evening.refresh_from_db()
    assert world.evening.days == "4"
    assert world.evening.start_time == dt.time(13)


def test_it_deactivates_a_track_nobody_is_on(world, director) -> None:
    response = director.post(_edit(world.evening), _data(name="Evening"))
    assert response.status_code == 302
    world.evening.refresh_from_db()
    assert not world.evening.is_active


def test_it_will_not_deactivate_a_track_with_open_episodes(world, director) -> None:
    assert world.episode.status == EpisodeStatus.ACTIVE
    response = director.post(_edit(world.morning), _data(name="Morning"))
    assert "open participant episode is on this track" in response.content.decode()
    world.morning.refresh_from_db()
    assert world.morning.is_active


def test_it_is_404_for_another_programs_tracks(world, director) -> None:
    from tests import factories as f

    theirs = f.TrackFactory(program=world.other_program)
    far = f.TrackFactory(program=world.other_org_program)
    before = Track.objects.count()
    assert director.post(_new(world.other_program), _data()).status_code == 404
    assert director.post(_new(world.other_org_program), _data()).status_code == 404
    assert director.get(_edit(theirs)).status_code == 404
    assert director.post(_edit(far), _data(is_active="on")).status_code == 404
    assert Track.objects.count() == before
    far.refresh_from_db()
    assert far.name != "Afternoon"


@pytest.mark.parametrize("persona", REFUSED_ROLES)
def test_it_refuses_other_staff_roles(world, login, persona: str) -> None:
    client = login(getattr(world, persona))
    before = Track.objects.count()
    assert client.post(_new(world.program), _data()).status_code == 403
    assert client.get(_edit(world.morning)).status_code == 403
    assert Track.objects.count() == before


def test_it_sends_anonymous_visitors_to_sign_in(client, world) -> None:
    assert_sent_to_login(client.get(_new(world.program)))
    assert_sent_to_login(client.get(_edit(world.morning)))
