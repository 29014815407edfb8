"""Coaching pages: the portal request and reply, the care team's list and answer page, the
director's settings, and who may see what."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from openiop.safety.coaching import coaching_request_respond, coaching_settings_update
from openiop.safety.models import Alert, CoachingRequest, CoachingSettings, CoachingStatus
from tests.diary.helpers import file_card
from tests.safety.test_coaching_helpers import ask, on_call

PORTAL = "/me/coaching/"
LIST = "/safety/coaching/"


def _form(**overrides: str | list[str]) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "situation": "Panicking after a phone call",
        "urge": "3",
        "skills_tried": ["TIPP", "Wise mind"],
        "reach_by": "callback",
        "callback_phone": "555-0100",
    }
    data.update(overrides)
    return data


def test_a_participant_asks_for_coaching_and_it_goes_to_the_on_call_clinician(world, login) -> None:
    oncall = on_call(world)
    response = login(world.participant_user).post(PORTAL, _form())
    assert response.status_code == 302
    made = CoachingRequest.objects.get()
    assert made.routed_to == oncall
    assert made.skills_tried == ["TIPP", "Wise mind"]
    assert made.callback_phone == "555-0100"
    page = login(oncall).get(LIST)
    assert "Patricia" in page.content.decode() or "Pat" in page.content.decode()
    assert "<strong>You</strong>" in page.content.decode()


def test_the_portal_form_shows_the_dbt_skills(world, login) -> None:
    page = login(world.participant_user).get(PORTAL).content.decode()
    for skill in ("Wise mind", "DEAR MAN", "Radical acceptance", "PLEASE"):
        assert skill in page


def test_invalid_requests_show_the_error_and_save_nothing(world, login) -> None:
    response = login(world.participant_user).post(PORTAL, _form(callback_phone="", situation=""))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter the number we should call." in page
    assert "This field is required." in page
    assert CoachingRequest.objects.count() == 0


def test_a_high_urge_from_the_portal_raises_an_alert(world, login) -> None:
    login(world.participant_user).post(PORTAL, _form(urge="5"))
    assert Alert.objects.filter(source="coaching").count() == 1


def test_the_participant_reads_a_message_reply_in_the_portal(world, login) -> None:
    made = ask(world).request
    coaching_request_respond(
        request=made,
        actor=world.clinician,
        method="message",
        reply="Try cold water on your face, then opposite action.",
        skills_suggested=["TIPP", "Opposite action"],
        outcome="skill_helped",
        outcome_note="",
    )
    client = login(world.participant_user)
    assert "a message for you" in client.get(PORTAL).content.decode()
    page = client.get(f"{PORTAL}{made.public_id}/").content.decode()
    assert "Try cold water on your face" in page
    assert "Opposite action" in page


def test_a_participant_cannot_open_another_participants_request(world, login) -> None:
    made = ask(world).request
    response = login(world.other_participant_user).get(f"{PORTAL}{made.public_id}/")
    assert response.status_code == 404


def test_after_self_harm_the_portal_explains_the_pause_and_saves_nothing(world, login) -> None:
    world.program.phone = "555-0199"
    world.program.save()
    coaching_settings_update(
        program=world.program, actor=world.director, pause_hours_after_self_harm=24
    )
    file_card(world, action_self_harm=True, now=timezone.now() - timedelta(hours=2))
    client = login(world.participant_user)
    page = client.get(PORTAL).content.decode()
    assert "Coaching is paused for now" in page
    assert 'href="tel:988"' in page
    assert "555-0199" in page
    response = client.post(PORTAL, _form())
    assert "Coaching is paused for now" in response.content.decode()
    assert CoachingRequest.objects.count() == 0


def test_the_on_call_clinician_claims_and_answers_by_callback(world, login) -> None:
    oncall = on_call(world)
    made = ask(world, reach_by="callback", callback_phone="555-0100").request
    client = login(oncall)
    assert client.post(reverse("safety:coaching_claim", args=[made.public_id])).status_code == 302
    response = client.post(
        reverse("safety:coaching_respond", args=[made.public_id]),
        {"method": "callback", "outcome": "safety_plan", "skills_suggested": ["STOP"]},
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == CoachingStatus.CLOSED
    assert made.responder == oncall
    assert made.skills_suggested == ["STOP"]


def test_answering_by_message_without_a_message_is_refused(world, login) -> None:
    made = ask(world).request
    response = login(world.clinician).post(
        reverse("safety:coaching_respond", args=[made.public_id]),
        {"method": "message", "reply": "", "outcome": "skill_helped"},
    )
    assert "Write the message the participant will read." in response.content.decode()
    assert CoachingRequest.objects.get(pk=made.pk).status == CoachingStatus.OPEN


def test_a_second_claim_from_the_page_names_who_has_it(world, login) -> None:
    oncall = on_call(world)
    made = ask(world).request
    login(world.clinician).post(reverse("safety:coaching_claim", args=[made.public_id]))
    response = login(oncall).post(
        reverse("safety:coaching_claim", args=[made.public_id]), follow=True
    )
    assert "Casey Clinician is already answering" in response.content.decode()


def test_directors_see_the_response_time_report(world, login) -> None:
    made = ask(world, now=timezone.now() - timedelta(minutes=30)).request
    coaching_request_respond(
        request=made,
        actor=world.clinician,
        method="callback",
        reply="",
        skills_suggested=[],
        outcome="skill_helped",
        outcome_note="",
    )
    page = login(world.director).get(LIST).content.decode()
    assert "Response times" in page
    assert "90th percentile" in page
    clinician_page = login(world.clinician).get(LIST).content.decode()
    assert "Response times" not in clinician_page


def test_the_list_keeps_a_bounded_query_count(world, login, django_assert_max_num_queries) -> None:
    for _ in range(15):
        ask(world)
    client = login(world.director)
    with django_assert_max_num_queries(25):
        response = client.get(LIST)
    assert response.content.decode().count("/safety/coaching/") >= 15


def test_billing_is_refused_the_list_and_the_request(world, login) -> None:
    made = ask(world).request
    client = login(world.billing)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("safety:coaching", args=[made.public_id])).status_code == 403


def test_an_outsider_gets_404_for_the_request_and_does_not_see_it_listed(world, login) -> None:
    made = ask(world).request
    client = login(world.outsider_clinician)
    assert client.get(reverse("safety:coaching", args=[made.public_id])).status_code == 404
    assert client.post(reverse("safety:coaching_claim", args=[made.public_id])).status_code == 404
    assert str(made.public_id) not in client.get(LIST).content.decode()


def test_another_organizations_clinician_gets_404(world, login) -> None:
    made = ask(world).request
    response = login(world.other_org_clinician).get(
        reverse("safety:coaching", args=[made.public_id])
    )
    assert response.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, world) -> None:
    for url in (LIST, PORTAL):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_staff_cannot_use_the_portal_page(world, login) -> None:
    assert login(world.clinician).get(PORTAL).status_code == 403


def test_only_directors_change_the_pause_and_bad_input_saves_nothing(world, login) -> None:
    url = reverse("safety:coaching_settings", args=[world.program.public_id])
    assert login(world.clinician).get(url).status_code == 403
    client = login(world.director)
    response = client.post(url, {"pause_hours_after_self_harm": "500"})
    assert "less than or equal to 168" in response.content.decode()
    assert CoachingSettings.objects.count() == 0
    assert client.post(url, {"pause_hours_after_self_harm": "24"}).status_code == 302
    world.program.refresh_from_db()
    assert world.program.coaching_settings.pause_hours_after_self_harm == 24


def test_the_portal_home_links_to_coaching(world, login) -> None:
    page = login(world.participant_user).get("/me/").content.decode()
    assert 'href="/me/coaching/"' in page


def test_the_portal_forms_groups_are_fieldsets_read_in_the_order_shown(world, login) -> None:
    import re
    from pathlib import Path

    page = login(world.participant_user).get(PORTAL).content.decode()
    form = page[page.index('<form method="post" class="card coaching-form"') :]
    # Each group's legend comes first, then its choices, in the order the page shows them.
    order = [
        form.index("What is happening?"),
        form.index("<legend>How strong is the urge right now?"),
        form.index('id="id_urge_0"'),
        form.index("<legend>Skills you have tried"),
        form.index('name="skills_tried"'),
        form.index("<legend>How should we reach you?"),
        form.index('name="reach_by"'),
        form.index("Number to call"),
    ]
    assert order == sorted(order)
    assert len(re.findall(r"<fieldset", form)) == 3
    css = (
        Path(__file__).resolve().parents[2] / "src/openiop/static/openiop/css/app.css"
    ).read_text()
    assert "order: -1" not in css  # nothing is moved visually away from its reading position


def test_the_queue_puts_the_strongest_urge_first_then_the_longest_waiting(world, login) -> None:
    now = timezone.now()
    mild_oldest = ask(world, urge=1, now=now - timedelta(minutes=50)).request
    strong_newest = ask(world, urge=5, now=now - timedelta(minutes=2)).request
    strong_older = ask(world, urge=5, now=now - timedelta(minutes=20)).request
    middle = ask(world, urge=3, now=now - timedelta(minutes=40)).request
    page = login(world.clinician).get(LIST).content.decode()
    order = [
        page.index(str(r.public_id)) for r in (strong_older, strong_newest, middle, mild_oldest)
    ]
    assert order == sorted(order)
