"""The skills rotation: the standard default, which lesson a day teaches (across the cycle's
wrap and daylight-saving changes), and the editing rules."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from openiop.programs.curriculum import (
    curriculum_anchor_set,
    curriculum_block_add,
    curriculum_block_move,
    curriculum_block_remove,
    curriculum_block_update,
    curriculum_default,
    curriculum_lesson_add,
    curriculum_lesson_update,
    curriculum_load,
    lesson_for,
)
from openiop.programs.models import CurriculumBlock, Lesson, SkillsModule

pytestmark = pytest.mark.django_db

# A Monday, so week arithmetic in the tests is easy to read.
ANCHOR = date(2025, 1, 6)


@pytest.fixture
def rotation(world):
    curriculum_default(world.program)
    curriculum_anchor_set(program=world.program, starts_on=ANCHOR)
    return world.program


def test_the_default_is_the_standard_24_week_rotation(world) -> None:
    blocks = curriculum_default(world.program)
    assert [(b.module, b.weeks) for b in blocks] == [
        (SkillsModule.MINDFULNESS, 2),
        (SkillsModule.INTERPERSONAL, 5),
        (SkillsModule.MINDFULNESS, 2),
        (SkillsModule.EMOTION_REGULATION, 7),
        (SkillsModule.MINDFULNESS, 2),
        (SkillsModule.DISTRESS_TOLERANCE, 6),
    ]
    lessons = Lesson.objects.filter(block__program=world.program)
    assert lessons.count() == 24
    assert all(lesson.block.organization_id == world.org.pk for lesson in lessons)


def test_the_default_replaces_an_earlier_rotation(world) -> None:
    curriculum_default(world.program)
    curriculum_default(world.program)
    assert CurriculumBlock.objects.filter(program=world.program).count() == 6
    assert Lesson.objects.filter(block__program=world.program).count() == 24


def test_there_is_no_lesson_without_a_curriculum_or_anchor(world) -> None:
    assert lesson_for(world.program, ANCHOR) is None
    curriculum_default(world.program)
    assert lesson_for(world.program, ANCHOR) is None


def test_there_is_no_lesson_before_the_anchor(rotation) -> None:
    assert lesson_for(rotation, date(2025, 1, 5)) is None


def test_the_first_week_teaches_wise_mind(rotation) -> None:
    monday = lesson_for(rotation, ANCHOR)
    friday = lesson_for(rotation, date(2025, 1, 10))
    assert monday is not None
    assert monday.title == "Wise mind and the what skills"
    assert friday == monday


def test_weeks_follow_the_blocks_in_order(rotation) -> None:
    week3 = lesson_for(rotation, date(2025, 1, 20))
    assert week3 is not None
    assert week3.title == "DEAR MAN: asking for what you need"
    week_18 = lesson_for(rotation, date(2025, 5, 5))
    assert week_18 is not None
    assert week_18.block.module == SkillsModule.MINDFULNESS


def test_the_cycle_wraps_after_24_weeks(rotation) -> None:
    last = lesson_for(rotation, date(2025, 6, 16))  # week 24
    wrapped = lesson_for(rotation, date(2025, 6, 23))  # week 25 = week 1 again
    assert last is not None
    assert last.block.module == SkillsModule.DISTRESS_TOLERANCE
    assert wrapped == lesson_for(rotation, ANCHOR)


def test_a_mid_week_anchor_counts_program_weeks_from_monday(world) -> None:
    curriculum_default(world.program)
    curriculum_anchor_set(program=world.program, starts_on=date(2025, 1, 8))  # a Wednesday
    assert lesson_for(world.program, date(2025, 1, 7)) is None
    first = lesson_for(world.program, date(2025, 1, 10))
    second = lesson_for(world.program, date(2025, 1, 13))
    assert first is not None
    assert second is not None
    assert (first.week, second.week) == (1, 2)


def test_a_datetime_is_read_in_the_programs_time_zone_across_dst(rotation) -> None:
    # Sunday 9 March 2025 is the US spring-forward day. 05:30 UTC on Monday 10 March is still
    # Sunday night in Chicago (UTC-5 after the change): the week before, not the new week.
    sunday_night = datetime(2025, 3, 10, 4, 30, tzinfo=UTC)
    monday_morning = datetime(2025, 3, 10, 14, 0, tzinfo=UTC)
    before = lesson_for(rotation, sunday_night)
    after = lesson_for(rotation, monday_morning)
    assert before == lesson_for(rotation, date(2025, 3, 9))
    assert after == lesson_for(rotation, date(2025, 3, 10))
    assert before != after


def test_a_week_without_a_lesson_teaches_none(world) -> None:
    curriculum_block_add(program=world.program, module=SkillsModule.MINDFULNESS, weeks=2)
    curriculum_anchor_set(program=world.program, starts_on=ANCHOR)
    assert lesson_for(world.program, ANCHOR) is None
    assert curriculum_load(world.program).cycle_weeks == 2


def test_a_block_needs_at_least_one_week(world) -> None:
    with pytest.raises(ValidationError, match="at least one week"):
        curriculum_block_add(program=world.program, module=SkillsModule.MINDFULNESS, weeks=0)
    assert CurriculumBlock.objects.count() == 0


def test_a_lesson_must_fall_within_its_blocks_weeks(world) -> None:
    block = curriculum_block_add(program=world.program, module=SkillsModule.MINDFULNESS, weeks=2)
    with pytest.raises(ValidationError, match="choose a week from 1 to 2"):
        curriculum_lesson_add(block=block, week=3, title="Too late")
    assert Lesson.objects.count() == 0


def test_a_block_cannot_shrink_below_its_lessons(world) -> None:
    block = curriculum_block_add(program=world.program, module=SkillsModule.MINDFULNESS, weeks=3)
    curriculum_lesson_add(block=block, week=3, title="Week three")
    with pytest.raises(ValidationError, match="lesson in week 3"):
        curriculum_block_update(block=block, module=SkillsModule.MINDFULNESS, weeks=2)
    block.refresh_from_db()
    assert block.weeks == 3


def test_moving_a_lesson_to_another_week_puts_it_last(world) -> None:
    block = curriculum_block_add(program=world.program, module=SkillsModule.MINDFULNESS, weeks=2)
    curriculum_lesson_add(block=block, week=2, title="A")
    b = curriculum_lesson_add(block=block, week=1, title="B")
    moved = curriculum_lesson_update(lesson=b, week=2, title="B")
    assert (moved.week, moved.position) == (2, 2)


def test_blocks_can_be_reordered_and_removed(world) -> None:
    curriculum_default(world.program)
    blocks = list(CurriculumBlock.objects.filter(program=world.program).order_by("position"))
    curriculum_block_move(block=blocks[1], direction="up")
    order = list(
        CurriculumBlock.objects.filter(program=world.program)
        .order_by("position")
        .values_list("module", flat=True)
    )
    assert order[:2] == [SkillsModule.INTERPERSONAL, SkillsModule.MINDFULNESS]
    curriculum_block_remove(block=blocks[5])
    positions = list(
        CurriculumBlock.objects.filter(program=world.program)
        .order_by("position")
        .values_list("position", flat=True)
    )
    assert positions == [1, 2, 3, 4, 5]


def test_lessons_on_sessions_are_kept_and_the_reset_explains_why(world) -> None:
    from tests.scheduling.calendar_support import add_calendar_setup, make_session

    curriculum_default(world.program)
    lesson = Lesson.objects.filter(block__program=world.program).first()
    w = add_calendar_setup(world)
    make_session(w, starts_at=datetime(2025, 1, 6, 15, tzinfo=UTC), lesson=lesson)
    with pytest.raises(ValidationError, match="already on scheduled sessions"):
        curriculum_default(world.program)
    assert Lesson.objects.filter(block__program=world.program).count() == 24
