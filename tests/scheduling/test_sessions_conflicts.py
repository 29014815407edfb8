"""Each conflict kind, and the director's override with a recorded reason."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from openiop.scheduling import services
from openiop.scheduling.conflicts import Proposal, conflicts_for
from openiop.scheduling.models import (
    ConflictKind,
    ConflictOverride,
    Session,
    UnavailabilityReason,
)
from tests import factories as f
from tests.scheduling.sessions_support import add_schedule_setup, local, program_today


@pytest.fixture
def w(world):
    return add_schedule_setup(world)


def _day():
    return program_today() + timedelta(days=3)


def _book(w, *, start=time(13, 0), end=time(13, 50), room=None, actor=None, **kw):
    return services.session_book_individual(
        actor=actor or w.clinician,
        participant=w.participant,
        program=w.program,
        session_type=w.individual,
        starts_at=local(_day(), start),
        ends_at=local(_day(), end),
        facilitators=kw.pop("facilitators", [w.clinician]),
        room=room or w.office,
        **kw,
    )


def _kinds(proposal: Proposal) -> list[str]:
    return [c.kind for c in conflicts_for(proposal)]


def _proposal(w, **kw):
    base = {
        "program": w.program,
        "session_type": w.process,
        "starts_at": local(_day(), time(13, 15)),
        "ends_at": local(_day(), time(14, 0)),
        "room": w.willow,
        "capacity": 8,
    }
    base.update(kw)
    return Proposal(**base)


def test_a_double_booked_room_is_a_conflict(w):
    _book(w)
    assert _kinds(_proposal(w, room=w.office, capacity=1)) == [ConflictKind.ROOM]


def test_virtual_rooms_are_never_double_booked(w):
    _book(w, room=w.virtual, telehealth_url="https://video.example.test/a")
    proposal = _proposal(w, room=w.virtual, telehealth_url="https://video.example.test/b")
    assert _kinds(proposal) == []


def test_a_double_booked_facilitator_is_a_conflict(w):
    _book(w)
    conflicts = conflicts_for(_proposal(w, facilitators=[w.clinician]))
    assert [c.kind for c in conflicts] == [ConflictKind.FACILITATOR]
    assert "Casey Clinician" in conflicts[0].detail


def test_a_double_booked_participant_is_a_conflict(w):
    _book(w)
    assert _kinds(_proposal(w, participants=[w.participant])) == [ConflictKind.PARTICIPANT]


def test_a_session_larger_than_its_room_is_a_conflict(w):
    assert _kinds(_proposal(w, room=w.office, capacity=8)) == [ConflictKind.CAPACITY]


def test_animal_assisted_therapy_needs_a_pet_friendly_room(w):
    assert _kinds(_proposal(w, session_type=w.animal)) == [ConflictKind.ROOM_FEATURE]
    assert _kinds(_proposal(w, session_type=w.animal, room=w.cedar)) == []


def test_telehealth_sessions_need_a_telehealth_room(w):
    proposal = _proposal(w, telehealth_url="https://video.example.test/x")
    assert _kinds(proposal) == [ConflictKind.ROOM_FEATURE]


def test_a_declared_unavailable_time_is_a_conflict_in_program_time(w):
    services.unavailability_add(
        actor=w.clinician,
        participant=w.participant,
        weekday=_day().weekday(),
        start_time=time(13, 30),
        end_time=time(17, 0),
        reason=UnavailabilityReason.WORK,
    )
    conflicts = conflicts_for(_proposal(w, participants=[w.participant]))
    assert [c.kind for c in conflicts] == [ConflictKind.UNAVAILABLE]
    assert "13:30 to 17:00 (work)" in conflicts[0].detail
    earlier = _proposal(
        w,
        participants=[w.participant],
        starts_at=local(_day(), time(12, 0)),
        ends_at=local(_day(), time(13, 30)),
    )
    assert _kinds(earlier) == []


def test_a_booking_with_a_conflict_saves_nothing(w):
    _book(w)
    other = f.UserFactory(organization=w.org, role="clinician", programs=[w.program])
    with pytest.raises(services.ConflictError) as caught:
        _book(w, facilitators=[other], start=time(13, 30), end=time(14, 20))
    assert ConflictKind.ROOM in [c.kind for c in caught.value.conflicts]
    assert Session.objects.count() == 1


def test_a_director_may_schedule_anyway_with_a_reason(w):
    _book(w)
    session = _book(
        w,
        actor=w.director,
        start=time(13, 30),
        end=time(14, 20),
        facilitators=[w.director],
        override_reason="Office shared on purpose",
    )
    overrides = ConflictOverride.objects.filter(session=session)
    assert {o.kind for o in overrides} == {ConflictKind.ROOM, ConflictKind.PARTICIPANT}
    assert {o.reason for o in overrides} == {"Office shared on purpose"}
    assert {o.overridden_by for o in overrides} == {w.director}


def test_a_clinician_cannot_override(w):
    _book(w)
    with pytest.raises(services.ConflictError, match="Only a program director"):
        _book(w, start=time(13, 30), end=time(14, 20), override_reason="Please")
    assert Session.objects.count() == 1
    assert ConflictOverride.objects.count() == 0


def test_a_series_into_a_booked_room_lists_the_conflicts(w):
    _book(w, room=w.willow, start=time(9, 30), end=time(10, 20))
    day = _day()
    with pytest.raises(services.ConflictError) as caught:
        services.series_create(
            actor=w.director,
            program=w.program,
            track=w.morning,
            session_type=w.process,
            weekdays=[day.weekday()],
            start_time=time(9, 0),
            end_time=time(10, 0),
            starts_on=day,
            ends_on=day + timedelta(days=14),
            facilitators=[w.director],
            room=w.willow,
        )
    assert [c.kind for c in caught.value.conflicts] == [ConflictKind.ROOM]
    assert Session.objects.count() == 1
