"""The participant's diary card in the portal."""

from __future__ import annotations

from datetime import timedelta

from openiop.diary.models import DiaryCard, DiaryReminder
from openiop.safety.models import Alert
from tests.diary.helpers import file_card, post_data, today


def test_the_card_form_shows_big_segmented_buttons(world, login) -> None:
    response = login(world.participant_user).get("/me/diary/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="segment"' in body
    assert "Urge to hurt yourself" in body
    assert 'type="range"' not in body
    assert "style=" not in body


def test_a_participant_files_todays_card(world, login) -> None:
    response = login(world.participant_user).post("/me/diary/", post_data(today(world)))
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    card = DiaryCard.objects.get()
    assert card.participant == world.participant
    assert card.filled_late is False
    assert card.emotions == {"sadness": 2}
    assert card.skills == {"mindfulness": 4}


def test_a_high_self_harm_urge_leads_to_the_calm_screen(world, login) -> None:
    client = login(world.participant_user)
    response = client.post("/me/diary/", post_data(today(world), urge_self_harm=5), follow=True)
    body = response.content.decode()
    assert "Thank you for telling us" in body
    assert "Your care team has been told" in body
    assert 'href="tel:988"' in body
    assert 'href="sms:988"' in body
    assert "555-0100" in body  # the program's phone
    assert "Your care team can make a safety plan with you" in body
    assert Alert.objects.filter(participant=world.participant).count() == 1


def test_missing_answers_are_shown_and_nothing_is_saved(world, login) -> None:
    data = post_data(today(world))
    del data["urge_suicide"]
    response = login(world.participant_user).post("/me/diary/", data)
    assert response.status_code == 200
    assert "Choose a number (0 means none)." in response.content.decode()
    assert DiaryCard.objects.count() == 0


def test_substance_use_needs_what_was_used(world, login) -> None:
    data = post_data(today(world), action_substance="yes")
    response = login(world.participant_user).post("/me/diary/", data)
    assert "Say what you used" in response.content.decode()
    assert DiaryCard.objects.count() == 0


def test_a_missed_day_can_be_filled_later_and_is_marked_late(world, login) -> None:
    yesterday = today(world) - timedelta(days=1)
    client = login(world.participant_user)
    assert yesterday.strftime("%A") in client.get("/me/diary/").content.decode()
    client.post(f"/me/diary/?day={yesterday}", post_data(yesterday))
    card = DiaryCard.objects.get()
    assert card.day == yesterday
    assert card.filled_late is True


def test_a_day_already_filed_cannot_be_filed_again(world, login) -> None:
    file_card(world)
    response = login(world.participant_user).post("/me/diary/", post_data(today(world)))
    assert response.status_code == 200
    assert DiaryCard.objects.count() == 1


def test_a_participant_cannot_open_another_participants_support_screen(world, login) -> None:
    filed = file_card(world, urge_suicide=5)
    other = login(world.other_participant_user)
    assert other.get(f"/me/diary/{filed.card.public_id}/support/").status_code == 404


def test_a_participant_files_only_their_own_card(world, login) -> None:
    # The form has no field naming a participant: the card is always the signed-in one's.
    login(world.other_participant_user).post("/me/diary/", post_data(today(world)))
    assert not DiaryCard.objects.filter(participant=world.participant).exists()


def test_staff_cannot_use_the_portal_card(world, login) -> None:
    assert login(world.clinician).get("/me/diary/").status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client, world) -> None:
    response = client.get("/me/diary/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_participant_chooses_a_reminder_time(world, login) -> None:
    world.participant.email = "pat@example.test"
    world.participant.save(update_fields=["email"])
    response = login(world.participant_user).post(
        "/me/diary/reminder/", {"enabled": "on", "at": "19:30"}
    )
    assert response.status_code == 302
    reminder = DiaryReminder.objects.get()
    assert reminder.enabled
    assert reminder.at.hour == 19
    assert reminder.at.minute == 30


def test_an_invalid_reminder_time_is_refused(world, login) -> None:
    response = login(world.participant_user).post("/me/diary/reminder/", {"at": "25:99"})
    assert response.status_code == 200
    assert "Enter a valid time." in response.content.decode()
    assert DiaryReminder.objects.count() == 0
