"""The public 'contact us' form: no login, validation, honeypot, too fast, rate limit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from openiop.intake.forms import form_token
from openiop.intake.models import Inquiry, InquirySource, InquiryStatus, InquiryThrottle

URL = "/contact/"


def _data(world: Any, **kw: Any) -> dict[str, Any]:
    data = {
        "name": "J.K.",
        "phone": "555-0177",
        "email": "",
        "contact_time": "evening",
        "inquiry_for": "self",
        "program": str(world.program.public_id),
        "message": "Struggling since spring.",
        "consent_to_contact": "on",
        "website": "",
        "token": form_token(timezone.now().timestamp() - 30),
    }
    data.update(kw)
    return data


def _client(address: str = "203.0.113.5") -> Client:
    return Client(REMOTE_ADDR=address)


def test_it_needs_no_login_and_says_it_is_not_for_emergencies(world: Any, settings: Any) -> None:
    settings.OPENIOP_LOCAL_EMERGENCY_NUMBER = "112"
    response = _client().get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert "not for emergencies" in text
    assert "988" in text
    assert "112" in text
    assert 'name="website"' in text


def test_it_saves_an_inquiry_and_thanks_without_echoing_it(world: Any) -> None:
    response = _client().post(URL, _data(world), follow=True)
    assert response.redirect_chain[-1][0] == "/contact/thanks/"
    inquiry = Inquiry.objects.get()
    assert inquiry.status == InquiryStatus.NEW
    assert inquiry.source == InquirySource.WEB
    assert inquiry.organization == world.org
    assert inquiry.events.count() == 1
    text = response.content.decode()
    assert "J.K." not in text
    assert "555-0177" not in text
    assert "spring" not in text


def test_it_requires_a_way_to_reach_the_person(world: Any) -> None:
    response = _client().post(URL, _data(world, phone="", email=""))
    assert response.status_code == 200
    assert "Give a phone number or an e-mail address" in response.content.decode()
    assert Inquiry.objects.count() == 0


def test_it_requires_consent_to_be_contacted(world: Any) -> None:
    data = _data(world)
    del data["consent_to_contact"]
    response = _client().post(URL, data)
    assert "We can only reply if you agree to be contacted." in response.content.decode()
    assert Inquiry.objects.count() == 0


def test_it_limits_the_message_length(world: Any) -> None:
    response = _client().post(URL, _data(world, message="x" * 501))
    assert "at most 500 characters" in response.content.decode()
    assert Inquiry.objects.count() == 0


def test_it_rejects_a_bad_e_mail(world: Any) -> None:
    response = _client().post(URL, _data(world, email="not-an-address"))
    assert "Enter a valid email address." in response.content.decode()
    assert Inquiry.objects.count() == 0


def test_a_filled_honeypot_pretends_success_and_saves_nothing(world: Any) -> None:
    response = _client().post(URL, _data(world, website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == "/contact/thanks/"
    assert Inquiry.objects.count() == 0


def test_a_submission_within_three_seconds_is_refused(world: Any) -> None:
    response = _client().post(URL, _data(world, token=form_token()))
    assert response.status_code == 200
    assert "sent very quickly" in response.content.decode()
    assert Inquiry.objects.count() == 0


def test_a_form_older_than_a_day_is_refused(world: Any) -> None:
    old = form_token(timezone.now().timestamp() - 2 * 24 * 3600)
    response = _client().post(URL, _data(world, token=old))
    assert "This form has expired" in response.content.decode()
    assert Inquiry.objects.count() == 0


def test_a_forged_token_is_refused(world: Any) -> None:
    response = _client().post(URL, _data(world, token="12345:forged"))
    assert "This form has expired" in response.content.decode()
    assert Inquiry.objects.count() == 0


def test_an_inactive_program_cannot_be_chosen(world: Any) -> None:
    world.other_program.is_active = False
    world.other_program.save()
    response = _client().post(URL, _data(world, program=str(world.other_program.public_id)))
    assert "Select a valid choice" in response.content.decode()
    assert Inquiry.objects.count() == 0


@pytest.mark.django_db
def test_the_sixth_submission_in_an_hour_gets_429(world: Any) -> None:
    client = _client("198.51.100.7")
    for _ in range(5):
        assert client.post(URL, _data(world)).status_code == 302
    response = client.post(URL, _data(world))
    assert response.status_code == 429
    assert "Too many messages" in response.content.decode()
    assert Inquiry.objects.count() == 5


def test_the_limit_counts_per_address(world: Any) -> None:
    for _ in range(5):
        _client("198.51.100.7").post(URL, _data(world))
    assert _client("198.51.100.7").post(URL, _data(world)).status_code == 429
    assert _client("198.51.100.8").post(URL, _data(world)).status_code == 302
    assert Inquiry.objects.count() == 6


def test_the_throttle_does_not_store_the_address(world: Any) -> None:
    _client("198.51.100.9").post(URL, _data(world))
    row = InquiryThrottle.objects.get()
    assert "198.51.100.9" not in row.address_hash
    assert len(row.address_hash) == 64
