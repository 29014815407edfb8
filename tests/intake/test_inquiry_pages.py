"""Inquiry detail, referral entry, pipeline moves, follow-ups and conversion."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from openiop.audit.models import AccessAction, AccessLog
from openiop.intake.models import Inquiry, InquiryStatus
from openiop.participants.models import EpisodeStatus, Participant
from tests.intake.helpers import make_inquiry


def _url(inquiry: Inquiry, rest: str = "") -> str:
    return f"/intake/inquiries/{inquiry.public_id}/{rest}"


def test_the_detail_is_logged_as_an_inquiry_access(world: Any, login: Any) -> None:
    inquiry = make_inquiry(world.program, name="Quill")
    response = login(world.intake).get(_url(inquiry))
    assert response.status_code == 200
    assert "Quill" in response.content.decode()
    row = AccessLog.objects.get(object_type="inquiry")
    assert (row.action, row.object_id, row.participant) == (
        AccessAction.VIEW,
        str(inquiry.public_id),
        None,
    )


def test_an_outsider_gets_404(world: Any, login: Any) -> None:
    inquiry = make_inquiry(world.program)
    assert login(world.outsider_clinician).get(_url(inquiry)).status_code == 404
    assert login(world.other_org_clinician).get(_url(inquiry)).status_code == 404


def test_billing_gets_403(world: Any, login: Any) -> None:
    inquiry = make_inquiry(world.program)
    assert login(world.billing).get(_url(inquiry)).status_code == 403


def test_anonymous_is_sent_to_sign_in(world: Any) -> None:
    inquiry = make_inquiry(world.program)
    assert "/accounts/login/" in Client().get(_url(inquiry))["Location"]


def test_the_coordinator_moves_an_inquiry_along_with_notes(world: Any, login: Any) -> None:
    inquiry = make_inquiry(world.program)
    client = login(world.intake)
    response = client.post(_url(inquiry, "move/contact/"), {"note": "Left a voicemail"})
    assert response.status_code == 302
    day = timezone.localdate() + timedelta(days=3)
    client.post(_url(inquiry, "move/screening/"), {"follow_up_on": day.isoformat()})
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.SCREENING
    assert inquiry.follow_up_on == day
    assert [e.to_status for e in inquiry.events.order_by("at", "id")] == [
        "contacted",
        "screening",
    ]
    assert inquiry.events.filter(note="Left a voicemail").exists()


def test_a_step_cannot_be_skipped(world: Any, login: Any) -> None:
    inquiry = make_inquiry(world.program)
    response = login(world.intake).post(_url(inquiry, "move/assess/"), {})
    assert "cannot become assessed" in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.NEW


def test_closing_needs_an_outcome_note(world: Any, login: Any) -> None:
    inquiry = make_inquiry(world.program)
    response = login(world.intake).post(_url(inquiry, "move/close/"), {"note": ""})
    assert "Write the outcome" in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.NEW
    assert inquiry.events.count() == 0


def test_referring_elsewhere_records_the_outcome(world: Any, login: Any) -> None:
    inquiry = make_inquiry(world.program, status=InquiryStatus.CONTACTED)
    login(world.intake).post(_url(inquiry, "move/refer_out/"), {"note": "Needs detox first"})
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.REFERRED_OUT
    assert inquiry.outcome_note == "Needs detox first"


def test_a_clinician_may_not_move_an_inquiry(world: Any, login: Any) -> None:
    inquiry = make_inquiry(world.program)
    response = login(world.clinician).post(_url(inquiry, "move/contact/"), {})
    assert response.status_code == 403
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.NEW


def test_an_outsider_cannot_move_an_inquiry(world: Any, login: Any) -> None:
    inquiry = make_inquiry(world.program)
    # The outsider role (clinician) lacks the write permission; a director elsewhere has it.
    response = login(world.outsider_clinician).post(_url(inquiry, "move/contact/"), {})
    assert response.status_code == 403
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.NEW


def test_the_follow_up_and_assignee_can_be_set(world: Any, login: Any) -> None:
    inquiry = make_inquiry(world.program)
    day = timezone.localdate() + timedelta(days=1)
    login(world.intake).post(
        _url(inquiry, "follow-up/"),
        {"follow_up_on": day.isoformat(), "assigned_to": str(world.intake.public_id)},
    )
    inquiry.refresh_from_db()
    assert (inquiry.follow_up_on, inquiry.assigned_to) == (day, world.intake)


def test_a_past_follow_up_date_is_refused(world: Any, login: Any) -> None:
    inquiry = make_inquiry(world.program)
    day = timezone.localdate() - timedelta(days=10)
    response = login(world.intake).post(_url(inquiry, "follow-up/"), {"follow_up_on": str(day)})
    assert "cannot be in the past" in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.follow_up_on is None


def test_staff_enter_a_referral(world: Any, login: Any) -> None:
    response = login(world.intake).post(
        "/intake/referrals/new/",
        {
            "program": str(world.program.public_id),
            "source": "step_down",
            "name": "R.M.",
            "phone": "",
            "email": "",
            "contact_time": "any",
            "inquiry_for": "self",
            "referrer_name": "Dr. Example",
            "referrer_organization": "Northside Hospital",
            "referrer_phone": "555-0190",
        },
    )
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert (inquiry.source, inquiry.created_by) == ("step_down", world.intake)


def test_a_referral_without_any_way_to_reach_is_refused(world: Any, login: Any) -> None:
    response = login(world.intake).post(
        "/intake/referrals/new/",
        {
            "program": str(world.program.public_id),
            "source": "therapist",
            "name": "R.M.",
            "contact_time": "any",
            "inquiry_for": "self",
        },
    )
    assert "Give a phone number or e-mail address" in response.content.decode()
    assert Inquiry.objects.count() == 0


def test_billing_cannot_enter_referrals(world: Any, login: Any) -> None:
    assert login(world.billing).get("/intake/referrals/new/").status_code == 403


def test_converting_at_screening_creates_a_referred_episode(world: Any, login: Any) -> None:
    inquiry = make_inquiry(world.program, status=InquiryStatus.SCREENING)
    response = login(world.intake).post(
        _url(inquiry, "convert/"),
        {"legal_first_name": "Rowan", "legal_last_name": "Sample", "date_of_birth": "1991-02-03"},
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    participant = Participant.objects.get(legal_last_name="Sample")
    assert inquiry.participant == participant
    assert inquiry.episode is not None
    assert inquiry.episode.status == EpisodeStatus.REFERRED
    assert inquiry.episode.program == world.program


def test_converting_a_new_inquiry_is_refused(world: Any, login: Any) -> None:
    inquiry = make_inquiry(world.program)
    response = login(world.intake).post(
        _url(inquiry, "convert/"),
        {"legal_first_name": "Rowan", "legal_last_name": "Sample", "date_of_birth": "1991-02-03"},
    )
    assert "once a screening is scheduled" in response.content.decode()
    assert not Participant.objects.filter(legal_last_name="Sample").exists()
