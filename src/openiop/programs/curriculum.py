"""A program's DBT skills curriculum: blocks of modules in order, lessons per week, and which
lesson a skills group teaches on a given day.

The rotation is anchored at Program.curriculum_starts_on and repeats for as long as the program
runs. Weeks are program weeks (Monday to Sunday in the program's time zone), so a Monday group
and a Wednesday group of the same week teach the same lesson whatever weekday the anchor is.

The standard rotation comes from shared/reference/clinical.md §2; lesson titles are our own
words built from the named skills, never handout text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError

from openiop.lib.timezones import local_date
from openiop.programs.models import CurriculumBlock, Lesson, Program, SkillsModule

if TYPE_CHECKING:
    from openiop.accounts.models import User

# (module, [(lesson title, skills), ...]): one lesson per week. Titles are ours.
STANDARD_ROTATION: list[tuple[str, list[tuple[str, str]]]] = [
    (
        SkillsModule.MINDFULNESS,
        [
            ("Wise mind and the what skills", "wise mind, observe, describe, participate"),
            (
                "The how skills: without judging, one thing at a time",
                "non-judgmentally, one-mindfully, effectively",
            ),
        ],
    ),
    (
        SkillsModule.INTERPERSONAL,
        [
            ("DEAR MAN: asking for what you need", "DEAR MAN"),
            ("Saying no and standing your ground", "DEAR MAN"),
            ("GIVE: keeping the relationship while you ask", "GIVE"),
            ("FAST: keeping your self-respect", "FAST"),
            ("Weighing goal, relationship and self-respect", "DEAR MAN, GIVE, FAST"),
        ],
    ),
    (
        SkillsModule.MINDFULNESS,
        [
            ("Back to wise mind: noticing and putting words to it", "wise mind, observe, describe"),
            ("Throwing yourself into the moment", "participate, one-mindfully"),
        ],
    ),
    (
        SkillsModule.EMOTION_REGULATION,
        [
            ("What emotions are for and how to name them", "describe"),
            ("Check the facts before you act", "check the facts"),
            ("Opposite action when the emotion doesn't fit", "opposite action"),
            ("Problem solving when the emotion does fit", "problem solving"),
            ("ABC: building a life with more good moments", "ABC"),
            ("PLEASE: looking after the body to steady the mind", "PLEASE"),
            (
                "Putting the emotion regulation skills together",
                "check the facts, opposite action, ABC, PLEASE",
            ),
        ],
    ),
    (
        SkillsModule.MINDFULNESS,
        [
            ("Letting go of judgments", "non-judgmentally"),
            ("Doing what works", "effectively, wise mind"),
        ],
    ),
    (
        SkillsModule.DISTRESS_TOLERANCE,
        [
            ("STOP: a pause before acting on an urge", "STOP"),
            ("TIPP for intense emotion", "TIPP"),
            ("Pros and cons of acting on an urge", "pros and cons"),
            ("ACCEPTS: getting through a crisis by distracting", "ACCEPTS"),
            ("Self-soothe and IMPROVE the moment", "self-soothe, IMPROVE"),
            (
                "Radical acceptance, turning the mind and willingness",
                "radical acceptance, turning the mind, willingness",
            ),
        ],
    ),
]


def week_start(day: date) -> date:
    """Monday of the program week containing `day`."""
    return day - timedelta(days=day.weekday())


def program_local_date(program: Program, when: date | datetime) -> date:
    """A calendar day in the program's time zone. Aware datetimes are converted (a session at
    00:30 local on a DST morning belongs to that local day, not UTC's)."""
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError("A naive datetime has no program day; pass an aware one.")
        return local_date(when, program.time_zone)
    return when


@dataclass
class Curriculum:
    """A program's rotation loaded once (two queries) so many days can be looked up cheaply,
    e.g. while generating twelve weeks of sessions."""

    program: Program
    blocks: list[CurriculumBlock]
    # Per week of the cycle (0-based): the block and that week's lessons in order.
    weeks: list[tuple[CurriculumBlock, list[Lesson]]] = field(default_factory=list)

    @property
    def cycle_weeks(self) -> int:
        return len(self.weeks)

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for _, lessons in self.weeks for lesson in lessons]

    def week_index(self, when: date | datetime) -> int | None:
        """Week of the cycle (0-based) for a day, or None before the anchor or without one."""
        anchor = self.program.curriculum_starts_on
        if anchor is None or not self.weeks:
            return None
        day = program_local_date(self.program, when)
        if day < anchor:
            return None
        elapsed = (week_start(day) - week_start(anchor)).days // 7
        return elapsed % self.cycle_weeks

    def block_on(self, when: date | datetime) -> CurriculumBlock | None:
        index = self.week_index(when)
        return None if index is None else self.weeks[index][0]

    def lesson_on(self, when: date | datetime) -> Lesson | None:
        index = self.week_index(when)
        if index is None:
            return None
        lessons = self.weeks[index][1]
        return lessons[0] if lessons else None


def curriculum_load(program: Program) -> Curriculum:
    blocks = list(
        CurriculumBlock.objects.filter(program=program)
        .order_by("position")
        .prefetch_related("lessons")
    )
    weeks: list[tuple[CurriculumBlock, list[Lesson]]] = []
    for block in blocks:
        by_week: dict[int, list[Lesson]] = {}
        for lesson in sorted(block.lessons.all(), key=lambda x: (x.week, x.position)):
            by_week.setdefault(lesson.week, []).append(lesson)
        for week in range(1, block.weeks + 1):
            weeks.append((block, by_week.get(week, [])))
    return Curriculum(program=program, blocks=blocks, weeks=weeks)


def lesson_for(program: Program, day: date | datetime) -> Lesson | None:
    """The lesson a skills group of `program` teaches on a program-local day (or at an aware
    datetime); None without a curriculum, without an anchor, or before it."""
    if program.curriculum_starts_on is None:
        return None
    return curriculum_load(program).lesson_on(day)


# --- write functions ---------------------------------------------------------------------------
# Curriculum holds no participant data: nothing here touches the access log or timeline.


def _locked_program(program: Program) -> Program:
    # Serializes edits of one program's rotation: positions are renumbered as a whole.
    return Program.objects.select_for_update().get(pk=program.pk)


def _renumber(program: Program, blocks: list[CurriculumBlock]) -> None:
    """Give blocks positions 1..n in the given order. Two passes so the unique (program,
    position) constraint never sees two blocks on one position mid-way."""
    offset = (
        CurriculumBlock.objects.filter(program=program).aggregate(m=Max("position"))["m"] or 0
    ) + 1
    for i, block in enumerate(blocks):
        block.position = offset + i
        block.save(update_fields=["position"])
    for i, block in enumerate(blocks, start=1):
        block.position = i
        block.save(update_fields=["position"])


def _delete_blocks(blocks: list[CurriculumBlock]) -> None:
    try:
        Lesson.objects.filter(block__in=blocks).delete()
        CurriculumBlock.objects.filter(pk__in=[b.pk for b in blocks]).delete()
    except ProtectedError:
        raise ValidationError(
            "Some of these lessons are already on scheduled sessions, so they cannot be "
            "removed. Edit their titles instead, or change the sessions first."
        ) from None


@transaction.atomic
def curriculum_default(program: Program, *, actor: User | None = None) -> list[CurriculumBlock]:
    """Replace the program's rotation with the standard 24-week one (clinical.md §2), one
    lesson a week. Refused if the current lessons are already on sessions."""
    _locked_program(program)
    _delete_blocks(list(CurriculumBlock.objects.filter(program=program)))
    blocks = []
    for position, (module, lessons) in enumerate(STANDARD_ROTATION, start=1):
        block = CurriculumBlock.objects.create(
            organization_id=program.organization_id,
            program=program,
            position=position,
            module=module,
            weeks=len(lessons),
        )
        Lesson.objects.bulk_create(
            Lesson(
                organization_id=program.organization_id,
                block=block,
                week=week,
                position=1,
                title=title,
                skills=skills,
            )
            for week, (title, skills) in enumerate(lessons, start=1)
        )
        blocks.append(block)
    return blocks


def _check_module(module: str) -> None:
    if module not in SkillsModule.values:
        raise ValidationError({"module": "Choose one of the four skills modules."})


def _check_weeks(weeks: int) -> None:
    if weeks < 1:
        raise ValidationError({"weeks": "A block lasts at least one week."})
    if weeks > 52:
        raise ValidationError({"weeks": "A block lasts at most 52 weeks."})


@transaction.atomic
def curriculum_block_add(
    *, program: Program, module: str, weeks: int, actor: User | None = None
) -> CurriculumBlock:
    """Append a block at the end of the rotation."""
    _check_module(module)
    _check_weeks(weeks)
    _locked_program(program)
    last = CurriculumBlock.objects.filter(program=program).aggregate(m=Max("position"))["m"]
    block = CurriculumBlock(
        organization_id=program.organization_id,
        program=program,
        position=(last or 0) + 1,
        module=module,
        weeks=weeks,
    )
    block.full_clean()
    block.save()
    return block


@transaction.atomic
def curriculum_block_update(
    *, block: CurriculumBlock, module: str, weeks: int, actor: User | None = None
) -> CurriculumBlock:
    _check_module(module)
    _check_weeks(weeks)
    _locked_program(block.program)
    beyond = block.lessons.filter(week__gt=weeks).order_by("week").first()
    if beyond is not None:
        raise ValidationError(
            {
                "weeks": f"This block has a lesson in week {beyond.week}; remove or move it "
                f"before shortening the block to {weeks} week{'s' if weeks != 1 else ''}."
            }
        )
    block.module = module
    block.weeks = weeks
    block.full_clean()
    block.save(update_fields=["module", "weeks"])
    return block


@transaction.atomic
def curriculum_block_move(
    *, block: CurriculumBlock, direction: str, actor: User | None = None
) -> None:
    """Move a block one place up or down in the rotation."""
    if direction not in ("up", "down"):
        raise ValidationError("Move a block up or down.")
    program = _locked_program(block.program)
    blocks = list(CurriculumBlock.objects.filter(program=program).order_by("position"))
    index = next(i for i, b in enumerate(blocks) if b.pk == block.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(blocks):
        return
    blocks[index], blocks[other] = blocks[other], blocks[index]
    _renumber(program, blocks)


@transaction.atomic
def curriculum_block_remove(*, block: CurriculumBlock, actor: User | None = None) -> None:
    program = _locked_program(block.program)
    _delete_blocks([block])
    _renumber(program, list(CurriculumBlock.objects.filter(program=program).order_by("position")))


def _check_lesson(block: CurriculumBlock, week: int, title: str) -> None:
    errors: dict[str, str] = {}
    if not 1 <= week <= block.weeks:
        errors["week"] = (
            f"This block lasts {block.weeks} week{'s' if block.weeks != 1 else ''}: "
            f"choose a week from 1 to {block.weeks}."
        )
    if not title.strip():
        errors["title"] = "Give the lesson a title."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def curriculum_lesson_add(
    *, block: CurriculumBlock, week: int, title: str, skills: str = "", actor: User | None = None
) -> Lesson:
    """Add a lesson to a week of a block, after that week's other lessons."""
    _check_lesson(block, week, title)
    _locked_program(block.program)
    last = block.lessons.filter(week=week).aggregate(m=Max("position"))["m"]
    lesson = Lesson(
        organization_id=block.organization_id,
        block=block,
        week=week,
        position=(last or 0) + 1,
        title=title.strip(),
        skills=skills.strip(),
    )
    lesson.full_clean()
    lesson.save()
    return lesson


@transaction.atomic
def curriculum_lesson_update(
    *, lesson: Lesson, week: int, title: str, skills: str = "", actor: User | None = None
) -> Lesson:
    block = lesson.block
    _check_lesson(block, week, title)
    _locked_program(block.program)
    if week != lesson.week:
        last = block.lessons.filter(week=week).aggregate(m=Max("position"))["m"]
        lesson.position = (last or 0) + 1
    lesson.week = week
    lesson.title = title.strip()
    lesson.skills = skills.strip()
    lesson.full_clean()
    lesson.save(update_fields=["week", "position", "title", "skills"])
    return lesson


@transaction.atomic
def curriculum_lesson_remove(*, lesson: Lesson, actor: User | None = None) -> None:
    _locked_program(lesson.block.program)
    try:
        lesson.delete()
    except ProtectedError:
        raise ValidationError(
            "This lesson is already on scheduled sessions, so it cannot be removed. Edit its "
            "title instead."
        ) from None


@transaction.atomic
def curriculum_anchor_set(
    *, program: Program, starts_on: date | None, actor: User | None = None
) -> Program:
    """Set the first day of the rotation's week 1 (None switches the rotation off)."""
    locked = _locked_program(program)
    locked.curriculum_starts_on = starts_on
    locked.save(update_fields=["curriculum_starts_on"])
    program.curriculum_starts_on = starts_on
    return program
