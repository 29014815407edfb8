"""The portal home in the participant's words (issue 22, point 5): check-ins named for what
they ask (the code small beside), and one primary button at a time, the most pressing first:
today's diary card, then a due check-in, then a plan to sign."""

from __future__ import annotations

import re

from tests.diary.helpers import file_card
from tests.measures.helpers import due


def _primary_buttons(html: str) -> list[str]:
    return re.findall(r'<a class="button[^"]*\bprimary\b[^"]*" href="([^"]+)"', html)


def test_todays_diary_card_comes_first_and_is_the_only_primary_button(world, login) -> None:
    due(world, "PHQ-9")
    html = login(world.participant_user).get("/me/").content.decode()
    assert _primary_buttons(html) == ["/me/diary/"]
    assert "Fill in today's diary card" in html
    # The check-in is listed below in plain words, its code small beside it.
    assert "Mood check-in" in html
    assert re.search(r'Mood check-in<span class="checkin-meta">PHQ-9 · 9 questions', html)


def test_a_due_check_in_leads_once_the_card_is_filed(world, login) -> None:
    administration = due(world, "PHQ-9")
    file_card(world)
    html = login(world.participant_user).get("/me/").content.decode()
    assert _primary_buttons(html) == [f"/me/check-ins/{administration.public_id}/"]
    assert "Start the mood check-in" in html


def test_with_nothing_due_my_week_is_the_one_primary_button(world, login) -> None:
    file_card(world)
    html = login(world.participant_user).get("/me/").content.decode()
    assert _primary_buttons(html) == ["/me/week/"]
    assert "Nothing is waiting for you today" in html
