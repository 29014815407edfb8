"""Series: generation across a daylight-saving change, editing one occurrence or the rest."""

from __future__ import annotations

from datetime import UTC, date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openiop.scheduling import services
from openiop.scheduling.models import Session, SessionSeries, SessionStatus
from tests.scheduling.sessions_support import (
    CHICAGO,
    add_schedule_setup,
    local,
    morning_series,
    program_today,
)


@pytest.fixture
def w(world):
    return add_schedule_setup(world)


def _local_times(series: SessionSeries) -> list[tuple[date, time]]:
    return [
        (s.starts_at.astimezone(CHICAGO).date(), s.starts_at.astimezone(CHICAGO).time())
        for s in series.sessions.order_by("starts_at")
    ]


def test_a_series_keeps_local_nine_oclock_across_the_spring_dst_change(w):
    # US daylight saving starts on Sunday 10 March 2030.
    series = morning_series(
        w, starts_on=date(2030, 3, 4), ends_on=date(2030, 3, 15), weekdays=[0, 2, 4]
    )
    times = _local_times(series)
    assert [d for d, _ in times] == [
        date(2030, 3, 4),
        date(2030, 3, 6),
        date(2030, 3, 8),
        date(2030, 3, 11),
        date(2030, 3, 13),
        date(2030, 3, 15),
    ]
    assert {t for _, t in times} == {time(9, 0)}
    utc_hours = [s.starts_at.astimezone(UTC).hour for s in series.sessions.all()]
    assert utc_hours == [15, 15, 15, 14, 14, 14]


def test_sessions_get_the_series_facilitators_and_capacity(w):
    series = morning_series(w, room=w.office, capacity=3)
    session = series.sessions.first()
    assert session.capacity == 3
    assert list(session.facilitators.all()) == [w.clinician]
    assert session.track == w.morning


def test_a_capacity_above_the_room_is_refused_naming_the_room(w):
    from django.core.exceptions import ValidationError

    from openiop.scheduling.models import SessionSeries

    with pytest.raises(ValidationError) as caught:
        morning_series(w, room=w.office, capacity=12)
    assert caught.value.message_dict["capacity"] == [
        "Birch Office holds 3 people, so a group there can take at most 3. Choose a larger "
        "room to raise the capacity."
    ]
    assert not SessionSeries.objects.exists()


def test_a_series_follows_the_curriculum(w):
    from openiop.programs.curriculum import curriculum_default

    curriculum_default(w.program)
    w.program.refresh_from_db()
    if w.program.curriculum_starts_on is None:
        w.program.curriculum_starts_on = program_today() - timedelta(days=30)
        w.program.save(update_fields=["curriculum_starts_on"])
    series = morning_series(w, follows_curriculum=True)
    assert all(s.lesson_id is not None for s in series.sessions.all())


def test_a_series_without_facilitators_saves_nothing(w):
    with pytest.raises(ValidationError, match="at least one facilitator"):
        morning_series(w, facilitators=[])
    assert SessionSeries.objects.count() == 0
    assert Session.objects.count() == 0


def test_only_a_director_creates_a_series(w):
    with pytest.raises(ValidationError, match="Only a program director"):
        morning_series(w, actor=w.clinician)
    assert Session.objects.count() == 0


def test_editing_one_occurrence_detaches_it(w):
    series = morning_series(w)
    session = series.sessions.filter(starts_at__gt=timezone.now()).first()
    day = session.starts_at.astimezone(CHICAGO).date()
    services.session_update(
        actor=w.director,
        session=session,
        starts_at=local(day, time(11, 0)),
        ends_at=local(day, time(12, 30)),
        facilitators=[w.clinician],
        room=w.willow,
        topic="Moved for a fire drill",
    )
    session.refresh_from_db()
    assert session.detached is True
    assert session.starts_at.astimezone(CHICAGO).time() == time(11, 0)


def test_editing_the_rest_leaves_detached_and_past_sessions_alone(w):
    series = morning_series(w)
    future = list(series.sessions.filter(starts_at__gt=timezone.now()))
    detached = future[0]
    services.session_update(
        actor=w.director,
        session=detached,
        starts_at=detached.starts_at,
        ends_at=detached.ends_at,
        facilitators=[w.clinician],
        room=w.willow,
        topic="One-off topic",
    )
    past = series.sessions.filter(starts_at__lt=timezone.now()).first()
    from_on = program_today() + timedelta(days=1)
    services.series_update_rest(
        actor=w.director,
        series=series,
        from_on=from_on,
        weekdays=[0, 2, 4],
        start_time=time(10, 0),
        end_time=time(11, 30),
        ends_on=series.ends_on,
        facilitators=[w.clinician, w.director],
        room=w.cedar,
        capacity=10,
        topic="Rest of the cycle",
    )
    changed = series.sessions.filter(starts_at__gte=local(from_on, time(0)), detached=False)
    assert changed.exists()
    for session in changed:
        assert session.starts_at.astimezone(CHICAGO).time() == time(10, 0)
        assert session.room == w.cedar
        assert session.topic == "Rest of the cycle"
        assert session.facilitators.count() == 2
    detached.refresh_from_db()
    assert detached.topic == "One-off topic"
    assert detached.room == w.willow
    old_past = past.starts_at
    past.refresh_from_db()
    assert past.starts_at == old_past
    assert past.room == w.willow


def test_changing_the_weekdays_regenerates_the_future(w):
    series = morning_series(w)
    from_on = program_today() + timedelta(days=1)
    before_past = series.sessions.filter(starts_at__lt=local(from_on, time(0))).count()
    services.series_update_rest(
        actor=w.director,
        series=series,
        from_on=from_on,
        weekdays=[1, 3],
        start_time=time(9, 0),
        end_time=time(10, 30),
        ends_on=series.ends_on,
        facilitators=[w.clinician],
        room=w.willow,
    )
    future_days = {
        s.starts_at.astimezone(CHICAGO).weekday()
        for s in series.sessions.filter(starts_at__gte=local(from_on, time(0)))
    }
    assert future_days == {1, 3}
    assert series.sessions.filter(starts_at__lt=local(from_on, time(0))).count() == before_past
    # The world's participant is on the morning track: the new sessions have them too.
    new = series.sessions.filter(starts_at__gte=local(from_on, time(0))).first()
    assert new.roster.filter(participant=w.participant).exists()


def test_cancelling_keeps_the_roster(w):
    series = morning_series(w)
    session = series.sessions.filter(starts_at__gt=timezone.now()).first()
    assert session.roster.count() == 1
    services.session_cancel(actor=w.director, session=session, reason="Snow day")
    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    assert session.cancel_reason == "Snow day"
    assert session.roster.count() == 1


def test_cancelling_needs_a_reason(w):
    series = morning_series(w)
    session = series.sessions.first()
    with pytest.raises(ValidationError, match="reason"):
        services.session_cancel(actor=w.director, session=session, reason="  ")
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED


def test_a_family_session_names_who_attends(w):
    day = program_today() + timedelta(days=3)
    session = services.session_book_family(
        actor=w.clinician,
        participant=w.participant,
        program=w.program,
        session_type=w.family_type,
        starts_at=local(day, time(13, 0)),
        ends_at=local(day, time(13, 50)),
        facilitators=[w.clinician],
        contacts=[w.family_contact],
        room=w.office,
    )
    assert [a.contact for a in session.family.all()] == [w.family_contact]
    assert [e.participant for e in session.roster.all()] == [w.participant]


def test_an_individual_session_needs_the_individual_type(w):
    day = program_today() + timedelta(days=3)
    with pytest.raises(ValidationError, match="an individual therapy session type"):
        services.session_book_individual(
            actor=w.clinician,
            participant=w.participant,
            program=w.program,
            session_type=w.skills,
            starts_at=local(day, time(13, 0)),
            ends_at=local(day, time(13, 50)),
            facilitators=[w.clinician],
            room=w.office,
        )
    assert Session.objects.count() == 0
