"""The skills library (openiop.skills, a pure core) as a program sees it: the shipped items less
the ones its director hides, the lessons of its skills rotation resolved to library items, and
each item's page rendered for a reader. No participant data here."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.utils.safestring import SafeString, mark_safe

from openiop.homework.models import CompanionSettings
from openiop.programs.curriculum import curriculum_load
from openiop.programs.models import Lesson, Program
from openiop.skills.library import Item, Library, Page, normalize_language, shipped_library

SkillUrl = Callable[[str], str | None]


def companion_settings(program: Program) -> CompanionSettings:
    """The program's companion settings; the defaults (nothing hidden, everything shown) when
    its director has chosen nothing. Not saved."""
    found = CompanionSettings.objects.filter(program=program).first()
    return found or CompanionSettings(organization_id=program.organization_id, program=program)


def program_library(program: Program | None) -> Library:
    """The library a program's people read: the shipped items less those its director hid."""
    library = shipped_library()
    if program is None:
        return library
    hidden = [str(x) for x in companion_settings(program).hidden]
    return library.with_program(hidden=hidden) if hidden else library


_SPLIT = re.compile(r"[,;/+]| and | y ")


def lesson_items(library: Library, lessons: Iterable[Lesson]) -> list[Item]:
    """The library items a lesson names in its skills ("STOP, TIPP") or, failing those, its
    title ("Wise mind"), in order and without repeats. Names the library does not know are
    left out: a program may teach a skill we have no page for."""
    found: list[Item] = []
    for lesson in lessons:
        names = [part.strip() for part in _SPLIT.split(lesson.skills or "") if part.strip()]
        items = [item for item in (library.find(name) for name in names) if item is not None]
        if not items:
            title_item = library.find(lesson.title)
            items = [title_item] if title_item else []
        found.extend(item for item in items if item not in found)
    return found


@dataclass(frozen=True)
class Week:
    """The skills group's week in the program's rotation."""

    module_label: str
    lessons: list[Lesson]
    items: list[Item]


def week_in_group(program: Program, library: Library, today: date) -> Week | None:
    curriculum = curriculum_load(program)
    index = curriculum.week_index(today)
    if index is None:
        return None
    block, lessons = curriculum.weeks[index]
    return Week(
        module_label=str(block.get_module_display()),
        lessons=lessons,
        items=lesson_items(library, lessons),
    )


@dataclass(frozen=True)
class RenderedSection:
    key: str
    heading: str
    html: SafeString


@dataclass(frozen=True)
class SkillPage:
    item: Item
    page: Page
    sections: list[RenderedSection]
    crisis_note: str
    # The reader asked for a language this item has no page in (a program's own item).
    untranslated: bool
    # The "see also" items: id and name in the reader's language.
    related: list[tuple[str, str]]


def skill_page(library: Library, item: Item, language: str, skill_url: SkillUrl) -> SkillPage:
    page = item.page(language)
    sections = [
        # Rendered by markdown-it with raw HTML off and links checked at load (skills.library).
        RenderedSection(
            s.key,
            s.heading,
            mark_safe(library.render_section(s, skill_url=skill_url)),  # noqa: S308
        )
        for s in page.sections
    ]
    return SkillPage(
        item=item,
        page=page,
        sections=sections,
        crisis_note=item.crisis_note(language),
        untranslated=page.language != normalize_language(language),
        related=[(o.id, o.page(language).name) for o in library.related(item)],
    )
