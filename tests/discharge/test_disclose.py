"""Handing a discharge summary to an outside provider is a "disclose to..." step: it picks the
consent that covers it, is refused without one, and goes into the participant's accounting
(issue 14 point 3)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from openiop.audit.models import AccessAction, AccessLog
from openiop.discharge.services import summary_save, summary_sign
from openiop.lib.timezones import today_in
from openiop.participants.models import (
    ConsentExpiry,
    ConsentInfo,
    ConsentKind,
    Disclosure,
    DisclosureChannel,
)
from tests.discharge.conftest import discharge
from tests.participants.consent_support import sign, sud_world


def _release(world: Any, episode: Any = None, **kw: Any) -> Any:
    episode = episode or world.episode
    fields: dict[str, Any] = {
        "information": [ConsentInfo.DISCHARGE_SUMMARY],
        "expiry": ConsentExpiry.DATE,
        "expires_on": today_in(episode.program.time_zone) + timedelta(days=90),
        "recipient_name": "Dr. Lee",
        "recipient_organization": "Riverside Counseling",
    }
    fields.update(kw)
    return sign(episode, world.clinician, **fields)


def _signed_summary(world: Any, **kw: Any) -> Any:
    summary = discharge(world, **kw)
    summary = summary_save(
        actor=world.clinician,
        summary=summary,
        sections={"course_of_treatment": "Attended nine weeks; goals met."},
    )
    return summary_sign(actor=world.clinician, summary=summary)


def _url(world: Any, summary: Any) -> str:
    return reverse(
        "discharge:summary_disclose", args=[world.participant.public_id, summary.public_id]
    )


def _post(client: Any, world: Any, summary: Any, consent: Any, channel: str) -> Any:
    return client.post(
        _url(world, summary),
        {"consent": str(consent.public_id), "channel": channel, "confirm": "on"},
    )


def test_the_summary_page_offers_the_step(world: Any, login: Any) -> None:
    summary = _signed_summary(world)
    page = login(world.clinician).get(
        reverse("discharge:summary", args=[world.participant.public_id, summary.public_id])
    )
    assert _url(world, summary) in page.content.decode()


def test_it_lists_the_consents_that_cover_the_summary(world: Any, login: Any) -> None:
    covering = _release(world)
    _release(world, information=[ConsentInfo.ATTENDANCE], recipient_name="Coach Kim")
    ends_on_discharge = _release(world, expiry=ConsentExpiry.DISCHARGE, recipient_name="Dr. Ng")
    summary = _signed_summary(world)
    page = login(world.clinician).get(_url(world, summary)).content.decode()
    assert str(covering.public_id) in page
    assert "Dr. Lee, Riverside Counseling" in page
    assert "Coach Kim" not in page
    assert str(ends_on_discharge.public_id) not in page  # ended when the episode did


def test_handing_over_a_pdf_records_the_disclosure_with_the_consent(world: Any, login: Any) -> None:
    consent = _release(world)
    summary = _signed_summary(world)
    response = _post(login(world.clinician), world, summary, consent, DisclosureChannel.PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    row = Disclosure.objects.get()
    assert row.consent == consent
    assert row.recipient == "Dr. Lee, Riverside Counseling"
    assert row.information == [ConsentInfo.DISCHARGE_SUMMARY]
    assert row.channel == DisclosureChannel.PDF
    assert row.object_id == str(summary.public_id)
    assert row.episode == world.episode
    assert AccessLog.objects.filter(
        action=AccessAction.EXPORT, object_id=str(summary.public_id)
    ).exists()
    portal = login(world.participant_user).get(reverse("portal:disclosures")).content.decode()
    assert "Dr. Lee, Riverside Counseling" in portal
    assert "Release of information signed" in portal


def test_a_printed_copy_says_to_whom_and_under_what(world: Any, login: Any) -> None:
    consent = _release(world)
    summary = _signed_summary(world)
    page = _post(login(world.clinician), world, summary, consent, DisclosureChannel.PRINT)
    body = page.content.decode()
    assert "Disclosed to Dr. Lee, Riverside Counseling" in body
    assert Disclosure.objects.get().channel == DisclosureChannel.PRINT


def test_without_a_consent_it_is_refused_and_nothing_is_recorded(world: Any, login: Any) -> None:
    summary = _signed_summary(world)
    client = login(world.clinician)
    page = client.get(_url(world, summary)).content.decode()
    assert "No consent covers this" in page
    refused = client.post(_url(world, summary), {"channel": "pdf", "confirm": "on"})
    assert refused.status_code == 200
    assert refused["Content-Type"].startswith("text/html")
    assert Disclosure.objects.count() == 0


def test_a_draft_summary_does_not_leave_the_program(world: Any, login: Any) -> None:
    consent = _release(world)
    summary = discharge(world)
    response = _post(login(world.clinician), world, summary, consent, DisclosureChannel.PDF)
    assert response.status_code == 302
    assert Disclosure.objects.count() == 0


def test_a_substance_use_programs_summary_needs_a_part2_consent(world: Any, login: Any) -> None:
    program, episode = sud_world(world)
    part2 = sign(
        episode,
        world.clinician,
        ConsentKind.PART2,
        information=[ConsentInfo.SUD_RECORDS],
        expiry=ConsentExpiry.DATE,
        expires_on=today_in(program.time_zone) + timedelta(days=30),
    )
    world.episode = episode
    summary = _signed_summary(world)
    response = _post(login(world.clinician), world, summary, part2, DisclosureChannel.PDF)
    assert response.status_code == 200
    row = Disclosure.objects.get()
    assert row.redisclosure_notice is True
    assert row.program == program


@pytest.mark.parametrize("persona", ["billing", "admin"])
def test_roles_that_may_not_write_are_refused(world: Any, login: Any, persona: str) -> None:
    summary = _signed_summary(world)
    assert login(getattr(world, persona)).get(_url(world, summary)).status_code == 403


def test_outsiders_get_404_and_anonymous_users_sign_in(world: Any, login: Any, client: Any) -> None:
    summary = _signed_summary(world)
    assert login(world.outsider_clinician).get(_url(world, summary)).status_code == 404
    assert client.get(_url(world, summary)).status_code == 302
