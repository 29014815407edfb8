"""Builders for the companion's tests."""

from __future__ import annotations

from types import SimpleNamespace

from openiop.lib.timezones import today_in
from openiop.programs.curriculum import week_start
from openiop.programs.models import CurriculumBlock, Lesson, SkillsModule


def this_week_lesson(w: SimpleNamespace) -> Lesson:
    """The program's rotation starts this week with distress tolerance: STOP and TIPP."""
    today = today_in(w.program.time_zone)
    w.program.curriculum_starts_on = week_start(today)
    w.program.save(update_fields=["curriculum_starts_on"])
    block = CurriculumBlock.objects.create(
        organization=w.org,
        program=w.program,
        position=1,
        module=SkillsModule.DISTRESS_TOLERANCE,
        weeks=1,
    )
    return Lesson.objects.create(
        organization=w.org, block=block, week=1, title="Crisis survival", skills="STOP, TIPP"
    )
