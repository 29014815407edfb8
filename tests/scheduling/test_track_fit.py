"""Track placement from the database: the program's tracks ranked for a participant's open
episode, with the reasons, on a page everyone who may see the participant can open."""

from __future__ import annotations

import pytest

from openiop.audit.models import AccessLog
from openiop.participants.models import EpisodeStatus
from openiop.scheduling.planner import next_monday
from openiop.scheduling.track_fit import track_fits
from tests import factories as f
from tests.scheduling.sessions_support import (
    add_schedule_setup,
    morning_series,
    program_today,
    works_tuesdays,
)


@pytest.fixture
def placed(world):
    w = add_schedule_setup(world)
    works_tuesdays(w.participant)
    return w


def _rank(w):
    return track_fits(
        participant=w.participant, program=w.program, starts_on=next_monday(program_today())
    )


def test_a_track_that_meets_on_an_unavailable_time_ranks_below_one_that_fits(placed) -> None:
    first, second = _rank(placed)
    assert (first.name, first.fits) == ("Morning", True)
    assert (second.name, second.fits) == ("Evening", False)
    availability = next(r for r in second.rules if r.name == "Availability")
    assert availability.result == "clashes on Tue (work 08:00 to 17:00)"


def test_a_full_track_is_a_waitlist_not_a_fit(placed) -> None:
    morning_series(placed, capacity=1)
    other = f.ParticipantFactory(organization=placed.org)
    f.EpisodeFactory(
        participant=other,
        program=placed.program,
        track=placed.morning,
        status=EpisodeStatus.ACTIVE,
    )
    ranking = {fit.name: fit for fit in _rank(placed)}
    assert ranking["Morning"].fits is False
    seats = next(r for r in ranking["Morning"].rules if r.name == "Seats")
    assert seats.result == "full (1 of 1): waitlist"


def test_the_page_shows_the_ranking_with_reasons_and_is_audited(placed, login) -> None:
    url = f"/schedule/participants/{placed.participant.public_id}/tracks/"
    body = login(placed.intake).get(url).content.decode()
    assert body.index("Morning") < body.index("Evening")
    assert "clashes on Tue (work 08:00 to 17:00)" in body
    assert AccessLog.objects.filter(
        actor=placed.intake, participant=placed.participant, object_type="track_fit"
    ).exists()
    assert login(placed.outsider_clinician).get(url).status_code == 404
