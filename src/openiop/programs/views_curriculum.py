"""The skills curriculum pages for directors: the rotation's blocks in order with their weekly
lessons, the anchor date, reordering, adding and removing, and "reset to the standard rotation".

Blocks and lessons are reached only through the director's own programs (programs_for); the
rules live in programs/curriculum.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from openiop.accounts.policy import staff
from openiop.accounts.roles import Perm
from openiop.lib.forms import Form, message_errors
from openiop.lib.http import AuthedRequest
from openiop.lib.timezones import today_in
from openiop.programs import curriculum
from openiop.programs.access import program_for, programs_for
from openiop.programs.models import CurriculumBlock, Lesson, Program, SkillsModule
from openiop.programs.views import save_page

configure = staff(Perm.PROGRAM_CONFIGURE)


class AnchorForm(Form):
    starts_on = forms.DateField(
        required=False,
        label="Rotation starts on",
        help_text="Week 1 of the rotation is the program week (Monday to Sunday) containing this "
        "day; the rotation then repeats. Leave empty to switch the curriculum off.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class BlockForm(Form):
    module = forms.ChoiceField(choices=SkillsModule.choices)
    weeks = forms.IntegerField(
        min_value=1, max_value=52, help_text="How many weeks this block lasts."
    )


class LessonForm(Form):
    week = forms.IntegerField(min_value=1, help_text="Week within the block, from 1.")
    title = forms.CharField(max_length=200, help_text="In our own words; never handout text.")
    skills = forms.CharField(
        max_length=300, required=False, help_text="Skills taught, e.g. STOP, TIPP."
    )


def _block_for(request: AuthedRequest, public_id: UUID) -> CurriculumBlock:
    blocks = CurriculumBlock.objects.filter(program__in=programs_for(request.user))
    try:
        return blocks.select_related("program").get(public_id=public_id)
    except CurriculumBlock.DoesNotExist:
        raise Http404("No such curriculum block.") from None


def _lesson_for(request: AuthedRequest, public_id: UUID) -> Lesson:
    lessons = Lesson.objects.filter(block__program__in=programs_for(request.user))
    try:
        return lessons.select_related("block__program").get(public_id=public_id)
    except Lesson.DoesNotExist:
        raise Http404("No such lesson.") from None


def _page_url(program: Program) -> str:
    return reverse("programs:curriculum", args=[program.public_id])


def _post_action(
    request: AuthedRequest, program: Program, action: Callable[[], Any], ok: str
) -> HttpResponse:
    with message_errors(request):
        action()
        messages.success(request, ok)
    return redirect(_page_url(program))


@configure
@require_http_methods(["GET", "POST"])
def curriculum_page(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    program = program_for(request.user, public_id)
    form = AnchorForm(request.POST or None, initial={"starts_on": program.curriculum_starts_on})
    if request.method == "POST" and form.is_valid():
        curriculum.curriculum_anchor_set(
            program=program, starts_on=form.cleaned_data["starts_on"], actor=request.user
        )
        messages.success(request, "Rotation start saved.")
        return redirect(_page_url(program))
    loaded = curriculum.curriculum_load(program)
    today = today_in(program.time_zone)
    rows = []
    for block in loaded.blocks:
        lessons = sorted(block.lessons.all(), key=lambda x: (x.week, x.position))
        rows.append(
            {
                "block": block,
                "weeks": [
                    (week, [lesson for lesson in lessons if lesson.week == week])
                    for week in range(1, block.weeks + 1)
                ],
            }
        )
    context = {
        "program": program,
        "form": form,
        "rows": rows,
        "cycle_weeks": loaded.cycle_weeks,
        "current_block": loaded.block_on(today),
        "current_lesson": loaded.lesson_on(today),
        "block_form": BlockForm(),
    }
    return render(request, "programs/curriculum.html", context)


@configure
@require_POST
def curriculum_reset(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    program = program_for(request.user, public_id)
    return _post_action(
        request,
        program,
        lambda: curriculum.curriculum_default(program, actor=request.user),
        "The standard 24-week rotation is in place.",
    )


@configure
@require_http_methods(["GET", "POST"])
def block_create(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    program = program_for(request.user, public_id)
    form = BlockForm(request.POST or None)
    return save_page(
        request,
        form,
        save=lambda data: curriculum.curriculum_block_add(
            program=program, actor=request.user, **data
        ),
        success="Block added at the end of the rotation.",
        done_url=_page_url(program),
        heading="Add a curriculum block",
    )


@configure
@require_http_methods(["GET", "POST"])
def block_edit(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    block = _block_for(request, public_id)
    form = BlockForm(request.POST or None, initial={"module": block.module, "weeks": block.weeks})
    return save_page(
        request,
        form,
        save=lambda data: curriculum.curriculum_block_update(
            block=block, actor=request.user, **data
        ),
        success="Block saved.",
        done_url=_page_url(block.program),
        heading=f"Edit block {block.position}: {block.get_module_display()}",
    )


@configure
@require_POST
def block_move(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    block = _block_for(request, public_id)
    direction = request.POST.get("direction", "")
    return _post_action(
        request,
        block.program,
        lambda: curriculum.curriculum_block_move(
            block=block, direction=direction, actor=request.user
        ),
        "Block moved.",
    )


@configure
@require_POST
def block_remove(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    block = _block_for(request, public_id)
    return _post_action(
        request,
        block.program,
        lambda: curriculum.curriculum_block_remove(block=block, actor=request.user),
        "Block removed.",
    )


@configure
@require_http_methods(["GET", "POST"])
def lesson_create(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    block = _block_for(request, public_id)
    initial = {"week": request.GET.get("week", 1)}
    form = LessonForm(request.POST or None, initial=initial)
    return save_page(
        request,
        form,
        save=lambda data: curriculum.curriculum_lesson_add(block=block, actor=request.user, **data),
        success="Lesson added.",
        done_url=_page_url(block.program),
        heading=f"Add a lesson to block {block.position}: {block.get_module_display()} "
        f"({block.weeks} week{'s' if block.weeks != 1 else ''})",
    )


@configure
@require_http_methods(["GET", "POST"])
def lesson_edit(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    lesson = _lesson_for(request, public_id)
    form = LessonForm(
        request.POST or None,
        initial={"week": lesson.week, "title": lesson.title, "skills": lesson.skills},
    )
    return save_page(
        request,
        form,
        save=lambda data: curriculum.curriculum_lesson_update(
            lesson=lesson, actor=request.user, **data
        ),
        success="Lesson saved.",
        done_url=_page_url(lesson.block.program),
        heading="Edit lesson",
    )


@configure
@require_POST
def lesson_remove(request: AuthedRequest, public_id: UUID) -> HttpResponse:
    lesson = _lesson_for(request, public_id)
    return _post_action(
        request,
        lesson.block.program,
        lambda: curriculum.curriculum_lesson_remove(lesson=lesson, actor=request.user),
        "Lesson removed.",
    )
