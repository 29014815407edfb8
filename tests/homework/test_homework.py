"""Skills practice (issue 20): the library as a program shows it on the portal and to staff,
homework given from the chart or a skills group, practice logged by the participant, and
completion seen by the clinician on the chart and the diary review."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from openiop.audit.models import AccessAction, AccessLog
from openiop.homework.library import lesson_items, program_library
from openiop.homework.models import Assignment, CompanionSettings, Outcome, Practice
from openiop.homework.services import homework_assign, practice_log
from openiop.lib.timezones import today_in
from openiop.programs.models import Lesson, SessionCategory
from openiop.skills.library import shipped_library
from tests import factories as f
from tests.homework.helpers import this_week_lesson
from tests.scheduling.attendance_support import make_session, session_type

pytestmark = pytest.mark.django_db


def _give(w: SimpleNamespace, skill: str = "tipp", **kw: object) -> Assignment:
    return homework_assign(
        episode=w.episode,
        skill_id=skill,
        due_on=today_in(w.program.time_zone) + timedelta(days=3),
        instructions="Try it once when the urge is strong.",
        actor=w.clinician,
        **kw,  # type: ignore[arg-type]
    )


# --- the library, tied to the program -------------------------------------------------------


def test_lesson_skills_resolve_to_library_items() -> None:
    library = shipped_library()
    lesson = Lesson(title="Interpersonal week 1", skills="DEAR MAN; GIVE and FAST")
    assert [i.id for i in lesson_items(library, [lesson])] == ["dear-man", "give", "fast"]
    # A lesson without listed skills falls back to its title; unknown names are left out.
    assert [i.id for i in lesson_items(library, [Lesson(title="Wise mind")])] == ["wise-mind"]
    assert lesson_items(library, [Lesson(title="Our own exercise", skills="Juggling")]) == []


def test_the_portal_shows_this_weeks_skills_first_and_the_whole_library(world, login) -> None:
    this_week_lesson(world)
    client = login(world.participant_user)
    home = client.get("/me/").content.decode()
    assert "This week in group" in home
    assert reverse("portal:skill", args=["tipp"]) in home
    page = client.get(reverse("portal:skills")).content.decode()
    assert page.index("This week in group") < page.index("Mindfulness")
    for module in ("Mindfulness", "Distress tolerance", "Emotion regulation"):
        assert module in page
    assert reverse("portal:skill", args=["dear-man"]) in page


def test_search_and_skills_for_right_now(world, login) -> None:
    client = login(world.participant_user)
    found = client.get(reverse("portal:skills"), {"q": "can't sleep"}).content.decode()
    assert reverse("portal:skill", args=["sleep-hygiene"]) in found
    now = client.get(reverse("portal:skills"), {"situation": "urge"}).content.decode()
    assert reverse("portal:skill", args=["stop"]) in now


def test_a_skill_page_has_its_steps_its_caution_and_its_sources(world, login) -> None:
    response = login(world.participant_user).get(reverse("portal:skill", args=["tipp"]))
    text = response.content.decode()
    assert response.status_code == 200
    for heading in ("What it is for", "When it helps", "Steps", "Practice"):
        assert heading in text
    assert "Health caution" in text
    assert "988" in text  # a crisis item carries the crisis note
    assert "National Center for Complementary and Integrative Health" in text
    assert "<script" not in text.split("</header>", 1)[1]


def test_an_unknown_or_hidden_skill_is_not_found_unless_it_was_homework(world, login) -> None:
    client = login(world.participant_user)
    assert client.get(reverse("portal:skill", args=["no-such-skill"])).status_code == 404
    CompanionSettings.objects.create(organization=world.org, program=world.program, hidden=["tipp"])
    assert "tipp" not in program_library(world.program)
    assert client.get(reverse("portal:skill", args=["tipp"])).status_code == 404
    assignment = _give(world, "stop")
    CompanionSettings.objects.filter(program=world.program).update(hidden=["tipp", "stop"])
    # Homework given before the item was hidden still opens.
    response = client.get(reverse("portal:skill", args=["stop"]))
    assert response.status_code == 200
    assert str(assignment.public_id) in response.content.decode()


def test_staff_read_the_same_library(world, login) -> None:
    client = login(world.clinician)
    assert "DEAR MAN" in client.get(reverse("homework:library")).content.decode()
    text = client.get(reverse("homework:skill", args=["dear-man"])).content.decode()
    assert "Steps" in text
    assert "Where this comes from" in text


# --- homework -------------------------------------------------------------------------------


def test_a_clinician_gives_homework_from_the_chart(world, login) -> None:
    client = login(world.clinician)
    url = reverse("homework:assign", args=[world.participant.public_id])
    assert client.get(url).status_code == 200
    due = today_in(world.program.time_zone) + timedelta(days=7)
    response = client.post(
        url, {"skill": "opposite-action", "due_on": due.isoformat(), "instructions": "Twice."}
    )
    assert response.status_code == 302
    given = Assignment.objects.get(participant=world.participant)
    assert (given.skill_id, given.due_on, given.episode) == ("opposite-action", due, world.episode)
    assert given.skill_version == shipped_library().get("opposite-action").version
    assert AccessLog.objects.filter(
        actor=world.clinician, action=AccessAction.UPDATE, object_type="homework"
    ).exists()
    assert "Opposite action" in login(world.participant_user).get("/me/").content.decode()


def test_homework_of_a_skill_the_program_hides_is_refused(world, login) -> None:
    CompanionSettings.objects.create(organization=world.org, program=world.program, hidden=["tipp"])
    due = today_in(world.program.time_zone) + timedelta(days=7)
    response = login(world.clinician).post(
        reverse("homework:assign", args=[world.participant.public_id]),
        {"skill": "tipp", "due_on": due.isoformat()},
    )
    assert response.status_code == 400
    assert not Assignment.objects.exists()


def test_a_clinician_of_another_program_cannot_give_homework(world, login) -> None:
    url = reverse("homework:assign", args=[world.participant.public_id])
    assert login(world.outsider_clinician).get(url).status_code == 404
    assert login(world.billing).get(url).status_code == 403


def test_a_facilitator_gives_the_skills_group_homework(world, login) -> None:
    lesson = this_week_lesson(world)
    kind = session_type(world.program, category=SessionCategory.SKILLS_GROUP)
    session = make_session(
        program=world.program,
        kind=kind,
        starts_at=timezone.now() - timedelta(hours=2),
        facilitators=[world.clinician],
        roster=[world.episode],
        created_by=world.director,
    )
    session.lesson = lesson
    session.save(update_fields=["lesson"])
    client = login(world.clinician)
    page = client.get(reverse("scheduling:session_detail", args=[session.public_id]))
    assign_url = reverse("homework:session_assign", args=[session.public_id])
    assert assign_url in page.content.decode()
    form = client.get(assign_url).content.decode()
    assert "STOP" in form
    assert world.participant.display_name in form
    due = today_in(world.program.time_zone) + timedelta(days=7)
    response = client.post(
        assign_url,
        {
            "skill": "stop",
            "due_on": due.isoformat(),
            "participants": [str(world.participant.public_id)],
        },
    )
    assert response.status_code == 302
    given = Assignment.objects.get()
    assert (given.session, given.participant, given.skill_id) == (
        session,
        world.participant,
        "stop",
    )
    # Nobody off the roster can be named.
    response = client.post(
        assign_url,
        {
            "skill": "stop",
            "due_on": due.isoformat(),
            "participants": [str(world.other_participant.public_id)],
        },
    )
    assert response.status_code == 400
    assert Assignment.objects.count() == 1


def test_the_participant_logs_practice_and_the_clinician_sees_it(world, login) -> None:
    assignment = _give(world)
    client = login(world.participant_user)
    url = reverse("portal:practice", args=["tipp"]) + f"?homework={assignment.public_id}"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "homework": str(assignment.public_id),
            "outcome": "done",
            "helpful": "4",
            "note": "Cold water worked.",
        },
    )
    assert response.status_code == 302
    practice = Practice.objects.get()
    assert (practice.assignment, practice.outcome, practice.helpful) == (
        assignment,
        Outcome.DONE,
        4,
    )
    assert AccessLog.objects.filter(
        actor=world.participant_user, action=AccessAction.CREATE, object_type="portal.practice"
    ).exists()
    # Done homework leaves the home page's list.
    assert "Log practice" not in client.get("/me/").content.decode()
    staff = login(world.clinician)
    chart = staff.get(
        reverse("participants:chart", args=[world.participant.public_id]) + "?panel=diary"
    )
    text = chart.content.decode()
    assert "1 of 1 done" in text
    assert "Cold water worked." in text
    review = staff.get(reverse("diary:review", args=[world.participant.public_id])).content
    assert "Homework and practice this week" in review.decode()
    assert "1 practice logged this week" in review.decode()


def test_a_participant_sees_and_logs_only_their_own_homework(world, login) -> None:
    assignment = _give(world)
    other = login(world.other_participant_user)
    assert "TIPP" not in other.get("/me/").content.decode()
    url = reverse("portal:practice", args=["tipp"])
    assert other.get(url, {"homework": str(assignment.public_id)}).status_code == 404
    response = other.post(url, {"homework": str(assignment.public_id), "outcome": "done"})
    assert response.status_code == 404
    assert not Practice.objects.exists()
    # Naming another skill than the homework's is refused too.
    own = login(world.participant_user)
    wrong = reverse("portal:practice", args=["stop"])
    assert own.get(wrong, {"homework": str(assignment.public_id)}).status_code == 404


def test_practice_without_homework_and_its_checks(world) -> None:
    today = today_in(world.program.time_zone)
    logged = practice_log(
        episode=world.episode, skill_id="wise-mind", outcome="tried", practised_on=today
    )
    assert logged.assignment is None
    assert logged.helpful is None
    with pytest.raises(ValidationError):
        practice_log(episode=world.episode, skill_id="nope", outcome="done", practised_on=today)
    with pytest.raises(ValidationError):
        practice_log(
            episode=world.episode, skill_id="stop", outcome="done", practised_on=today, helpful=6
        )
    other = f.EpisodeFactory(participant=world.participant, program=world.other_program)
    with pytest.raises(ValidationError):
        practice_log(
            episode=other,
            skill_id="stop",
            outcome="done",
            practised_on=today,
            assignment=_give(world),
        )
