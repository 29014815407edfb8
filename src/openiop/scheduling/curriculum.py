"""Where a participant stands in their program's skills rotation (programs/curriculum.py):
the lessons they attended, missed and still need, read from the sessions they were on."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q

from openiop.lib.timezones import today_in
from openiop.participants.models import Episode, Participant
from openiop.programs.curriculum import curriculum_load, program_local_date
from openiop.programs.models import CurriculumBlock, Lesson, Program
from openiop.scheduling.models import (
    ATTENDED_STATUSES,
    Attendance,
    RosterEntry,
    Session,
    SessionStatus,
)


@dataclass
class LessonMark:
    lesson: Lesson
    module_label: str
    on: date | None = None
    # Why a lesson is on the make-up list: missed (on the roster, did not attend) or not placed
    # (the group ran without the participant on its roster, e.g. it was full).
    why: str = ""


@dataclass
class CurriculumRecord:
    """Where a participant stands in the program's skills rotation."""

    program: Program
    current_block: CurriculumBlock | None
    current_lesson: Lesson | None
    attended: list[LessonMark]
    missed: list[LessonMark]
    still_needed: list[LessonMark]
    cycle_lessons: int

    @property
    def attended_in_cycle(self) -> int:
        return self.cycle_lessons - len(self.still_needed)


def curriculum_record(
    episode: Episode | None, *, today: date | None = None
) -> CurriculumRecord | None:
    """The participant's curriculum record in the episode's program: lessons attended (present,
    late or left early at a session with a lesson), lessons missed since they started and not
    made up since (the make-up list), the module the rotation is in today, and the cycle's
    lessons not yet attended. A fixed number of queries however long the history."""
    if episode is None:
        return None
    program = episode.program
    curriculum = curriculum_load(program)
    if not curriculum.blocks:
        return None
    participant: Participant = episode.participant
    today = today or today_in(program.time_zone)
    block_of = {lesson.pk: block for block, lessons in curriculum.weeks for lesson in lessons}

    def mark(lesson: Lesson, on: date | None) -> LessonMark:
        block = block_of.get(lesson.pk)
        label = block.get_module_display() if block else lesson.block.get_module_display()
        return LessonMark(lesson=lesson, module_label=str(label), on=on)

    attended_rows = (
        Attendance.objects.filter(
            participant=participant,
            session__program=program,
            session__lesson__isnull=False,
            status__in=list(ATTENDED_STATUSES),
        )
        .select_related("session__lesson__block")
        .order_by("session__starts_at")
    )
    attended: dict[int, LessonMark] = {}
    for row in attended_rows:
        lesson = row.session.lesson
        assert lesson is not None
        attended[lesson.pk] = mark(lesson, program_local_date(program, row.session.starts_at))

    missed: dict[int, LessonMark] = {}
    started = episode.started_on
    if started is not None:
        tz = zoneinfo.ZoneInfo(program.time_zone)
        since = datetime.combine(started, datetime.min.time(), tzinfo=tz)
        until = datetime.combine(today, datetime.min.time(), tzinfo=tz)
        rostered = (
            RosterEntry.objects.filter(
                participant=participant,
                session__program=program,
                session__lesson__isnull=False,
                session__status=SessionStatus.SCHEDULED,
                session__starts_at__gte=since,
                session__ends_at__lt=until,
            )
            .filter(~Q(session__lesson_id__in=list(attended)))
            .select_related("session__lesson__block")
            .order_by("session__starts_at")
        )
        rostered_sessions: set[int] = set()
        for entry in rostered:
            lesson = entry.session.lesson
            assert lesson is not None
            rostered_sessions.add(entry.session_id)
            found = mark(lesson, program_local_date(program, entry.session.starts_at))
            found.why = "missed"
            missed.setdefault(lesson.pk, found)
        # Lessons the track's groups taught while the participant was not on the roster (the
        # group was full, or a conflict kept them off): also theirs to make up.
        if episode.track_id is not None:
            unplaced = (
                Session.objects.filter(
                    track_id=episode.track_id,
                    program=program,
                    lesson__isnull=False,
                    status=SessionStatus.SCHEDULED,
                    starts_at__gte=since,
                    ends_at__lt=until,
                )
                .exclude(pk__in=rostered_sessions)
                .exclude(roster__participant=participant)
                .filter(~Q(lesson_id__in=list(attended)))
                .select_related("lesson__block")
                .order_by("starts_at")
            )
            for session in unplaced:
                lesson = session.lesson
                assert lesson is not None
                found = mark(lesson, program_local_date(program, session.starts_at))
                found.why = "not placed"
                missed.setdefault(lesson.pk, found)

    cycle = curriculum.lessons
    return CurriculumRecord(
        program=program,
        current_block=curriculum.block_on(today),
        current_lesson=curriculum.lesson_on(today),
        attended=list(attended.values()),
        missed=sorted(missed.values(), key=lambda m: (m.on or date.min, m.lesson.pk)),
        still_needed=[mark(lesson, None) for lesson in cycle if lesson.pk not in attended],
        cycle_lessons=len(cycle),
    )
