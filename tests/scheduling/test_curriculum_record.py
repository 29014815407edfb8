"""The participant's curriculum record: lessons attended, the make-up list, the module the
rotation is in, and what is still needed for a full cycle; and its panel on the chart."""

from __future__ import annotations

from datetime import time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse

from openiop.programs.curriculum import (
    curriculum_anchor_set,
    curriculum_default,
    curriculum_load,
)
from openiop.programs.models import SkillsModule
from openiop.scheduling.curriculum import curriculum_record
from openiop.scheduling.models import AttendanceStatus
from tests.scheduling.calendar_support import (
    add_calendar_setup,
    local,
    make_session,
    mark,
    monday_of,
    program_today,
    put_on_roster,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rec(world: SimpleNamespace) -> SimpleNamespace:
    """The rotation started three weeks ago; the participant started then too and was on a
    skills group each week: present in week 1, late in week 2, absent in week 3."""
    w = add_calendar_setup(world)
    today = program_today()
    w.today = today
    anchor = monday_of(today) - timedelta(days=21)
    curriculum_default(w.program)
    curriculum_anchor_set(program=w.program, starts_on=anchor)
    w.episode.started_on = anchor
    w.episode.save()
    loaded = curriculum_load(w.program)
    w.lessons = [loaded.lesson_on(anchor + timedelta(days=7 * i)) for i in range(4)]
    statuses = [AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.ABSENT_UNEXCUSED]
    w.sessions = []
    for week, status in enumerate(statuses):
        s = make_session(
            w, starts_at=local(anchor + timedelta(days=7 * week), time(9)), lesson=w.lessons[week]
        )
        put_on_roster(s, w.participant, w.episode)
        mark(s, w.participant, w.episode, status, w.clinician)
        w.sessions.append(s)
    return w


def test_it_lists_lessons_attended(rec: SimpleNamespace) -> None:
    record = curriculum_record(rec.episode, today=rec.today)
    assert record is not None
    assert [m.lesson for m in record.attended] == rec.lessons[:2]


def test_it_lists_missed_lessons_as_make_up(rec: SimpleNamespace) -> None:
    record = curriculum_record(rec.episode, today=rec.today)
    assert record is not None
    assert [m.lesson for m in record.missed] == [rec.lessons[2]]
    assert record.missed[0].module_label == "Interpersonal effectiveness"


def test_a_made_up_lesson_leaves_the_make_up_list(rec: SimpleNamespace) -> None:
    make_up = make_session(
        rec, starts_at=rec.sessions[2].starts_at + timedelta(days=1), lesson=rec.lessons[2]
    )
    put_on_roster(make_up, rec.participant, rec.episode)
    mark(make_up, rec.participant, rec.episode, AttendanceStatus.LEFT_EARLY, rec.clinician)
    record = curriculum_record(rec.episode, today=rec.today)
    assert record is not None
    assert record.missed == []


def test_it_knows_the_current_module(rec: SimpleNamespace) -> None:
    record = curriculum_record(rec.episode, today=rec.today)
    assert record is not None
    assert record.current_block is not None
    assert record.current_block.module == SkillsModule.INTERPERSONAL
    assert record.current_lesson == rec.lessons[3]


def test_it_lists_what_is_still_needed_for_a_full_cycle(rec: SimpleNamespace) -> None:
    record = curriculum_record(rec.episode, today=rec.today)
    assert record is not None
    assert record.cycle_lessons == 24
    assert len(record.still_needed) == 22
    assert record.attended_in_cycle == 2
    assert rec.lessons[0] not in [m.lesson for m in record.still_needed]


def test_there_is_no_record_without_a_curriculum(world: SimpleNamespace) -> None:
    assert curriculum_record(world.episode) is None
    assert curriculum_record(None) is None


def test_the_chart_shows_the_record(rec: SimpleNamespace, login: Any) -> None:
    url = reverse("participants:chart", args=[rec.participant.public_id]) + "?panel=schedule"
    response = login(rec.clinician).get(url)
    assert response.status_code == 200
    assert b"Skills curriculum" in response.content
    assert b"2 of 24 lessons attended" in response.content
    assert rec.lessons[2].title.encode() in response.content


def test_the_records_queries_do_not_grow_with_history(
    rec: SimpleNamespace, django_assert_max_num_queries: Any
) -> None:
    for week in range(3, 12):
        s = make_session(
            rec,
            starts_at=rec.sessions[0].starts_at - timedelta(days=7 * week),
            lesson=rec.lessons[week % 4],
        )
        put_on_roster(s, rec.participant, rec.episode)
        mark(s, rec.participant, rec.episode, AttendanceStatus.PRESENT, rec.clinician)
    with django_assert_max_num_queries(5):
        curriculum_record(rec.episode, today=rec.today)


def test_a_lesson_taught_while_the_participant_was_not_placed_is_on_the_make_up_list(
    rec: SimpleNamespace,
) -> None:
    """The track's group of the fourth week ran full without them (they waited for a place):
    that lesson is theirs to make up too, said so."""
    from openiop.scheduling.models import RosterShortfall

    anchor = rec.episode.started_on
    full = make_session(
        rec,
        starts_at=local(anchor + timedelta(days=7 * 3 - 2), time(9)),
        lesson=rec.lessons[3],
        track=rec.episode.track,
    )
    RosterShortfall.objects.create(
        organization=rec.org, session=full, participant=rec.participant, episode=rec.episode
    )
    record = curriculum_record(rec.episode, today=rec.today)
    assert record is not None
    assert [(m.lesson, m.why) for m in record.missed] == [
        (rec.lessons[2], "missed"),
        (rec.lessons[3], "not placed"),
    ]
    page = rec_client_chart(rec)
    assert (
        "while not on the group&#x27;s roster" in page or "while not on the group's roster" in page
    )


def test_another_tracks_lessons_are_not_on_the_make_up_list(rec: SimpleNamespace) -> None:
    anchor = rec.episode.started_on
    make_session(
        rec,
        starts_at=local(anchor + timedelta(days=7 * 3 - 2), time(17)),
        lesson=rec.lessons[3],
        track=rec.evening,
    )
    record = curriculum_record(rec.episode, today=rec.today)
    assert record is not None
    assert [m.lesson for m in record.missed] == [rec.lessons[2]]


def rec_client_chart(rec: SimpleNamespace) -> str:
    from tests.conftest import verified_client

    client = verified_client(rec.clinician)
    return client.get(
        reverse("participants:chart", args=[rec.participant.public_id]) + "?panel=schedule"
    ).content.decode()
