"""Staff week views: mine, a room, a track, a participant; who may see them; weeks in the
program's zone; query budgets with 200 participants."""

from __future__ import annotations

from datetime import time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from openiop.audit.models import AccessLog
from openiop.participants.models import EpisodeStatus
from openiop.scheduling.models import Session
from tests import factories as f
from tests.scheduling.calendar_support import (
    add_calendar_setup,
    local,
    make_session,
    monday_of,
    program_today,
    put_on_roster,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cal(world: SimpleNamespace) -> SimpleNamespace:
    w = add_calendar_setup(world)
    w.monday = monday_of(program_today())
    w.group = make_session(w, starts_at=local(w.monday, time(9)), room=w.willow, track=w.morning)
    put_on_roster(w.group, w.participant, w.episode)
    w.not_mine = make_session(
        w,
        starts_at=local(w.monday + timedelta(days=1), time(13)),
        room=w.willow,
        facilitators=[w.director],
        session_type=w.individual,
    )
    return w


def test_my_week_lists_the_sessions_i_facilitate(cal: SimpleNamespace, login: Any) -> None:
    response = login(cal.clinician).get(reverse("scheduling:week_mine"))
    assert response.status_code == 200
    sessions = [s for d in response.context["days"] for s in d.sessions]
    assert sessions == [cal.group]
    assert b"DBT skills group" in response.content
    assert b"1 expected" in response.content


def test_my_week_shows_no_participant_names(cal: SimpleNamespace, login: Any) -> None:
    response = login(cal.clinician).get(reverse("scheduling:week_mine"))
    assert b"Example" not in response.content
    assert cal.participant.record_number.encode() not in response.content


def test_another_week_is_chosen_with_start(cal: SimpleNamespace, login: Any) -> None:
    later = make_session(cal, starts_at=local(cal.monday + timedelta(days=9), time(9)))
    start = (cal.monday + timedelta(days=10)).isoformat()
    response = login(cal.clinician).get(reverse("scheduling:week_mine") + f"?start={start}")
    sessions = [s for d in response.context["days"] for s in d.sessions]
    assert sessions == [later]
    assert response.context["week"].monday == cal.monday + timedelta(days=7)
    assert f"?start={cal.monday.isoformat()}".encode() in response.content


def test_a_nonsense_start_shows_this_week(cal: SimpleNamespace, login: Any) -> None:
    response = login(cal.clinician).get(reverse("scheduling:week_mine") + "?start=tuesday")
    assert response.status_code == 200
    assert response.context["week"].monday == cal.monday


def test_a_late_evening_session_belongs_to_its_local_day(cal: SimpleNamespace, login: Any) -> None:
    # 22:30 in Chicago is the next day in UTC: the grid must still put it on the local day.
    late = make_session(
        cal, starts_at=local(cal.monday + timedelta(days=2), time(22, 30)), minutes=60
    )
    response = login(cal.clinician).get(reverse("scheduling:week_mine"))
    wednesday = response.context["days"][2]
    assert late in wednesday.sessions


def test_the_week_refuses_administrators(cal: SimpleNamespace, login: Any) -> None:
    assert login(cal.admin).get(reverse("scheduling:week_mine")).status_code == 403


def test_the_week_refuses_participants(cal: SimpleNamespace, login: Any) -> None:
    assert login(cal.participant_user).get(reverse("scheduling:week_mine")).status_code == 403


def test_the_week_sends_anonymous_visitors_to_login(cal: SimpleNamespace, client: Client) -> None:
    response = client.get(reverse("scheduling:week_mine"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_room_week_shows_the_rooms_sessions(cal: SimpleNamespace, login: Any) -> None:
    url = reverse("scheduling:week_room", args=[cal.willow.public_id])
    response = login(cal.clinician).get(url)
    sessions = [s for d in response.context["days"] for s in d.sessions]
    assert sessions == [cal.group, cal.not_mine]


def test_a_room_week_shows_other_programs_only_as_booked(cal: SimpleNamespace, login: Any) -> None:
    make_session(
        cal,
        program=cal.other_program,
        session_type=cal.other_type,
        starts_at=local(cal.monday + timedelta(days=3), time(15)),
        room=cal.willow,
        facilitators=[cal.outsider_clinician],
    )
    response = login(cal.clinician).get(
        reverse("scheduling:week_room", args=[cal.willow.public_id])
    )
    assert b"Booked by another program" in response.content
    assert b"Teen group" not in response.content


def test_a_room_of_another_organization_is_not_found(cal: SimpleNamespace, login: Any) -> None:
    far = f.RoomFactory(site=cal.other_org_program.site)
    url = reverse("scheduling:week_room", args=[far.public_id])
    assert login(cal.clinician).get(url).status_code == 404


def test_a_track_week_shows_the_tracks_sessions(cal: SimpleNamespace, login: Any) -> None:
    url = reverse("scheduling:week_track", args=[cal.morning.public_id])
    response = login(cal.billing).get(url)
    sessions = [s for d in response.context["days"] for s in d.sessions]
    assert sessions == [cal.group]


def test_a_track_of_another_program_is_not_found(cal: SimpleNamespace, login: Any) -> None:
    track = f.TrackFactory(program=cal.other_program)
    url = reverse("scheduling:week_track", args=[track.public_id])
    assert login(cal.clinician).get(url).status_code == 404


def test_a_participant_week_shows_their_roster_and_is_logged(
    cal: SimpleNamespace, login: Any
) -> None:
    url = reverse("scheduling:week_participant", args=[cal.participant.public_id])
    response = login(cal.clinician).get(url)
    sessions = [s for d in response.context["days"] for s in d.sessions]
    assert sessions == [cal.group]
    assert AccessLog.objects.filter(
        participant=cal.participant, actor=cal.clinician, object_type="schedule.week"
    ).exists()


def test_a_participant_week_is_not_found_for_outsiders(cal: SimpleNamespace, login: Any) -> None:
    url = reverse("scheduling:week_participant", args=[cal.participant.public_id])
    assert login(cal.outsider_clinician).get(url).status_code == 404
    assert login(cal.other_org_clinician).get(url).status_code == 404


def test_a_participant_week_refuses_administrators(cal: SimpleNamespace, login: Any) -> None:
    url = reverse("scheduling:week_participant", args=[cal.participant.public_id])
    assert login(cal.admin).get(url).status_code == 403


def _crowd(cal: SimpleNamespace, n: int) -> None:
    """n participants on the morning track, each on every session of the week."""
    sessions = [cal.group] + [
        make_session(
            cal,
            starts_at=local(cal.monday + timedelta(days=d), time(9)),
            track=cal.morning,
            room=cal.willow,
        )
        for d in (2, 4)
    ]
    from openiop.scheduling.models import RosterEntry, RosterSource

    entries = []
    for _ in range(n):
        episode = f.EpisodeFactory(
            participant=f.ParticipantFactory(organization=cal.org),
            program=cal.program,
            track=cal.morning,
            status=EpisodeStatus.ACTIVE,
        )
        for s in sessions:
            entries.append(
                RosterEntry(
                    organization=cal.org,
                    session=s,
                    participant=episode.participant,
                    episode=episode,
                    source=RosterSource.TRACK,
                )
            )
    RosterEntry.objects.bulk_create(entries)


@pytest.mark.parametrize("which", ["mine", "room", "track", "participant"])
def test_week_views_keep_a_fixed_number_of_queries_with_200_participants(
    cal: SimpleNamespace, login: Any, django_assert_max_num_queries: Any, which: str
) -> None:
    _crowd(cal, 200)
    urls = {
        "mine": reverse("scheduling:week_mine"),
        "room": reverse("scheduling:week_room", args=[cal.willow.public_id]),
        "track": reverse("scheduling:week_track", args=[cal.morning.public_id]),
        "participant": reverse("scheduling:week_participant", args=[cal.participant.public_id]),
    }
    client = login(cal.clinician)
    with django_assert_max_num_queries(14):
        response = client.get(urls[which])
    assert response.status_code == 200
    assert Session.objects.count() == 4
    assert b"201 expected" in response.content
