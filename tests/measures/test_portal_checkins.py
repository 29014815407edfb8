"""The participant's check-ins: one question per screen, resumable, reviewed, then sent; only
their own; a calm thank-you that shows crisis resources when an answer is critical."""

from __future__ import annotations

from openiop.measures.models import AdministrationStatus, DraftResponse, Response
from tests.measures.helpers import due


def _base(a) -> str:
    return f"/me/check-ins/{a.public_id}/"


def _answer_all(client, administration, answers: list[int]) -> None:
    for number, value in enumerate(answers, start=1):
        response = client.post(f"{_base(administration)}q/{number}/", {"answer": str(value)})
        assert response.status_code == 302


def test_the_portal_home_lists_due_check_ins(world, login) -> None:
    administration = due(world)
    page = login(world.participant_user).get("/me/").content.decode()
    assert "Check-ins" in page
    assert _base(administration) in page


def test_clinician_only_instruments_are_not_offered_in_the_portal(world, login) -> None:
    administration = due(world, "BSL-23")
    client = login(world.participant_user)
    assert _base(administration) not in client.get("/me/").content.decode()
    assert client.get(_base(administration)).status_code == 404


def test_a_participant_completes_a_phq9_one_question_at_a_time(world, login) -> None:
    administration = due(world)
    client = login(world.participant_user)
    start = client.get(_base(administration))
    assert start["Location"].endswith("/q/1/")
    page = client.get(f"{_base(administration)}q/1/").content.decode()
    assert "question 1 of 9" in page
    assert "Little interest or pleasure" in page
    _answer_all(client, administration, [1, 1, 1, 1, 1, 1, 0, 0, 0])
    review = client.get(f"{_base(administration)}review/").content.decode()
    assert "Check your answers" in review
    assert "Several days" in review
    done = client.post(f"{_base(administration)}review/")
    assert done["Location"].endswith("/done/")
    saved = Response.objects.get()
    assert (saved.total, saved.mode, saved.entered_by) == (6, "portal", world.participant_user)
    administration.refresh_from_db()
    assert administration.status == AdministrationStatus.COMPLETED
    thanks = client.get(done["Location"]).content.decode()
    assert "Thank you" in thanks
    assert "care team will follow up" not in thanks


def test_progress_is_kept_and_the_check_in_resumes_where_it_stopped(world, login) -> None:
    administration = due(world)
    client = login(world.participant_user)
    _answer_all(client, administration, [2, 1, 0])
    assert DraftResponse.objects.get().answers == {"0": 2, "1": 1, "2": 0}
    # Later, on another device: a new session resumes at question 4 with answers kept.
    again = login(world.participant_user)
    assert again.get(_base(administration))["Location"].endswith("/q/4/")
    page = again.get(f"{_base(administration)}q/1/").content.decode()
    assert 'value="2" checked' in page or 'checked value="2"' in page or "checked" in page


def test_no_answer_is_refused_with_a_message(world, login) -> None:
    administration = due(world)
    client = login(world.participant_user)
    response = client.post(f"{_base(administration)}q/1/", {})
    assert "Please choose an answer." in response.content.decode()
    assert not DraftResponse.objects.exists()


def test_sending_with_questions_unanswered_is_refused(world, login) -> None:
    administration = due(world)
    client = login(world.participant_user)
    _answer_all(client, administration, [1, 1])
    response = client.post(f"{_base(administration)}review/")
    assert response.status_code == 400
    assert "Please answer every question" in response.content.decode()
    assert Response.objects.count() == 0


def test_a_critical_answer_shows_crisis_resources_calmly(world, login) -> None:
    administration = due(world)
    client = login(world.participant_user)
    _answer_all(client, administration, [0, 0, 0, 0, 0, 0, 0, 0, 1])
    client.post(f"{_base(administration)}review/")
    thanks = client.get(f"{_base(administration)}done/").content.decode()
    assert "care team will follow up" in thanks
    assert 'href="tel:988"' in thanks
    assert world.program.phone in thanks


def test_the_cssrs_skips_questions_three_to_five_after_a_no_to_question_two(world, login) -> None:
    administration = due(world, "C-SSRS")
    client = login(world.participant_user)
    client.post(f"{_base(administration)}q/1/", {"answer": "1"})
    after_q2 = client.post(f"{_base(administration)}q/2/", {"answer": "0"})
    assert after_q2["Location"].endswith("/q/6/")
    assert client.get(f"{_base(administration)}q/3/").status_code == 404
    after_q6 = client.post(f"{_base(administration)}q/6/", {"answer": "0"})
    assert after_q6["Location"].endswith("/review/")
    client.post(f"{_base(administration)}review/")
    assert Response.objects.get().risk_tier == "low"


def test_another_participants_check_in_is_404(world, login) -> None:
    theirs = due(world, participant=world.other_participant, episode=world.other_episode)
    client = login(world.participant_user)
    for path in ("", "q/1/", "review/", "done/"):
        assert client.get(_base(theirs) + path).status_code == 404
    assert client.post(_base(theirs) + "q/1/", {"answer": "1"}).status_code == 404
    assert client.post(_base(theirs) + "review/").status_code == 404
    assert not DraftResponse.objects.exists()
    assert Response.objects.count() == 0


def test_staff_and_family_cannot_open_portal_check_ins(world, login) -> None:
    administration = due(world)
    assert login(world.clinician).get(_base(administration)).status_code == 403
    assert login(world.family_user).get(_base(administration)).status_code == 403


def test_a_completed_check_in_cannot_be_answered_again(world, login) -> None:
    administration = due(world)
    client = login(world.participant_user)
    _answer_all(client, administration, [0] * 9)
    client.post(f"{_base(administration)}review/")
    assert client.get(f"{_base(administration)}q/1/").status_code == 404
    assert client.post(f"{_base(administration)}review/").status_code == 404
    assert Response.objects.count() == 1
