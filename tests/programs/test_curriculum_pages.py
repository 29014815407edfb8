"""The director's curriculum pages: who may reach them, editing through them, and invalid
input saving nothing."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from openiop.programs.curriculum import curriculum_default
from openiop.programs.models import CurriculumBlock, Lesson, SkillsModule
from tests.programs.conftest import REFUSED_ROLES, assert_sent_to_login

pytestmark = pytest.mark.django_db


def _page(world: SimpleNamespace) -> str:
    return reverse("programs:curriculum", args=[world.program.public_id])


def test_it_shows_the_rotation_to_the_director(world: SimpleNamespace, director: Client) -> None:
    curriculum_default(world.program)
    response = director.get(_page(world))
    assert response.status_code == 200
    assert b"Wise mind and the what skills" in response.content
    assert b"TIPP for intense emotion" in response.content
    assert b"repeats after 24 weeks" in response.content


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_it_refuses_other_roles(world: SimpleNamespace, login: Any, role: str) -> None:
    response = login(getattr(world, role)).get(_page(world))
    assert response.status_code == 403


def test_it_sends_anonymous_visitors_to_login(world: SimpleNamespace, client: Client) -> None:
    assert_sent_to_login(client.get(_page(world)))


def test_it_hides_other_programs(world: SimpleNamespace, director: Client) -> None:
    curriculum_default(world.other_program)
    block = CurriculumBlock.objects.filter(program=world.other_program).first()
    assert block is not None
    page = reverse("programs:curriculum", args=[world.other_program.public_id])
    assert director.get(page).status_code == 404
    edit = reverse("programs:curriculum_block_edit", args=[block.public_id])
    assert director.get(edit).status_code == 404
    remove = reverse("programs:curriculum_block_remove", args=[block.public_id])
    assert director.post(remove).status_code == 404
    assert CurriculumBlock.objects.filter(program=world.other_program).count() == 6


def test_reset_puts_the_standard_rotation_in_place(
    world: SimpleNamespace, director: Client
) -> None:
    url = reverse("programs:curriculum_reset", args=[world.program.public_id])
    response = director.post(url, follow=True)
    assert b"standard 24-week rotation is in place" in response.content
    assert Lesson.objects.filter(block__program=world.program).count() == 24


def test_it_saves_the_rotation_start(world: SimpleNamespace, director: Client) -> None:
    director.post(_page(world), {"starts_on": "2025-01-08"})
    world.program.refresh_from_db()
    assert world.program.curriculum_starts_on == date(2025, 1, 8)


def test_it_adds_a_block_at_the_end(world: SimpleNamespace, director: Client) -> None:
    curriculum_default(world.program)
    url = reverse("programs:curriculum_block_create", args=[world.program.public_id])
    director.post(url, {"module": SkillsModule.EMOTION_REGULATION, "weeks": "3"})
    last = CurriculumBlock.objects.filter(program=world.program).order_by("position").last()
    assert last is not None
    assert (last.position, last.weeks) == (7, 3)


def test_a_block_of_zero_weeks_is_refused(world: SimpleNamespace, director: Client) -> None:
    url = reverse("programs:curriculum_block_create", args=[world.program.public_id])
    response = director.post(url, {"module": SkillsModule.MINDFULNESS, "weeks": "0"})
    assert response.status_code == 200
    assert b"greater than or equal to 1" in response.content
    assert CurriculumBlock.objects.count() == 0


def test_shortening_a_block_below_its_lessons_is_refused(
    world: SimpleNamespace, director: Client
) -> None:
    curriculum_default(world.program)
    block = CurriculumBlock.objects.get(program=world.program, position=2)
    url = reverse("programs:curriculum_block_edit", args=[block.public_id])
    response = director.post(url, {"module": block.module, "weeks": "3"})
    assert response.status_code == 200
    assert b"has a lesson in week 4" in response.content
    block.refresh_from_db()
    assert block.weeks == 5


def test_a_lesson_outside_its_blocks_weeks_is_refused(
    world: SimpleNamespace, director: Client
) -> None:
    curriculum_default(world.program)
    block = CurriculumBlock.objects.get(program=world.program, position=1)
    url = reverse("programs:curriculum_lesson_create", args=[block.public_id])
    response = director.post(url, {"week": "3", "title": "Extra", "skills": ""})
    assert response.status_code == 200
    assert b"choose a week from 1 to 2" in response.content
    assert Lesson.objects.filter(block=block).count() == 2


def test_it_edits_and_removes_a_lesson(world: SimpleNamespace, director: Client) -> None:
    curriculum_default(world.program)
    lesson = Lesson.objects.get(block__program=world.program, title="TIPP for intense emotion")
    edit = reverse("programs:curriculum_lesson_edit", args=[lesson.public_id])
    director.post(
        edit, {"week": lesson.week, "title": "TIPP when emotion runs high", "skills": "TIPP"}
    )
    lesson.refresh_from_db()
    assert lesson.title == "TIPP when emotion runs high"
    director.post(reverse("programs:curriculum_lesson_remove", args=[lesson.public_id]))
    assert not Lesson.objects.filter(pk=lesson.pk).exists()


def test_it_moves_a_block_down(world: SimpleNamespace, director: Client) -> None:
    curriculum_default(world.program)
    first = CurriculumBlock.objects.get(program=world.program, position=1)
    url = reverse("programs:curriculum_block_move", args=[first.public_id])
    director.post(url, {"direction": "down"})
    first.refresh_from_db()
    assert first.position == 2


def test_the_page_keeps_a_fixed_number_of_queries(
    world: SimpleNamespace, director: Client, django_assert_max_num_queries: Any
) -> None:
    curriculum_default(world.program)
    with django_assert_max_num_queries(12):
        assert director.get(_page(world)).status_code == 200
