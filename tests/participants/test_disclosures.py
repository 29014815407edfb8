"""The accounting of disclosures (issue 14 point 3): one function records every disclosure,
refused without a covering consent; the participant reads and downloads their list; staff see
their own programs' on the chart; rows never change."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from openiop.audit.models import AccessAction, AccessLog, Event, EventKind
from openiop.lib.timezones import today_in
from openiop.participants.consents import consent_revoke
from openiop.participants.disclosures import covering_consents, disclosure_record
from openiop.participants.models import (
    ConsentExpiry,
    ConsentInfo,
    ConsentKind,
    ConsentRevokedHow,
    Disclosure,
    DisclosureAppendOnlyError,
    DisclosureChannel,
)
from tests.participants.consent_support import sign, sud_world

SUMMARY = [ConsentInfo.DISCHARGE_SUMMARY]


def _disclose(world: Any, consent: Any, **kw: Any) -> Disclosure:
    args: dict[str, Any] = {
        "participant": world.participant,
        "program": world.program,
        "consent": consent,
        "information": SUMMARY,
        "description": "Discharge summary",
        "channel": DisclosureChannel.PDF,
        "actor": world.clinician,
    }
    args.update(kw)
    return disclosure_record(**args)


def test_a_disclosure_records_who_what_when_how_and_the_consent(world: Any) -> None:
    consent = sign(world.episode, world.clinician, information=SUMMARY)
    row = _disclose(world, consent, object_type="discharge.summary", object_id="s-1")
    assert row.recipient == "Dr. Rivera, Northside Clinic"
    assert row.consent == consent
    assert row.basis.startswith("Release of information signed ")
    assert row.information == SUMMARY
    assert row.channel == DisclosureChannel.PDF
    assert row.disclosed_by == world.clinician
    assert row.disclosed_on == today_in(world.program.time_zone)
    assert row.redisclosure_notice is False
    event = Event.objects.get(kind=EventKind.DISCLOSURE)
    assert event.program == world.program
    assert "disclosed to Dr. Rivera" in event.summary


def test_without_a_consent_nothing_is_recorded(world: Any) -> None:
    with pytest.raises(ValidationError, match="needs the consent"):
        _disclose(world, None)
    assert Disclosure.objects.count() == 0


def test_a_consent_that_does_not_cover_it_is_refused(world: Any) -> None:
    consent = sign(world.episode, world.clinician, information=[ConsentInfo.ATTENDANCE])
    with pytest.raises(ValidationError, match="does not cover"):
        _disclose(world, consent)
    assert (
        covering_consents(
            participant=world.participant,
            program=world.program,
            information=SUMMARY,
            on=today_in(world.program.time_zone),
        )
        == []
    )
    assert Disclosure.objects.count() == 0


def test_a_revoked_or_expired_consent_is_refused(world: Any) -> None:
    consent = sign(world.episode, world.clinician, information=SUMMARY)
    consent_revoke(actor=world.clinician, consent=consent, how=ConsentRevokedHow.VERBAL)
    with pytest.raises(ValidationError, match="no longer in force"):
        _disclose(world, consent)
    dated = sign(
        world.episode,
        world.clinician,
        information=SUMMARY,
        expiry=ConsentExpiry.DATE,
        expires_on=today_in(world.program.time_zone),
    )
    assert _disclose(world, dated).consent == dated
    assert Disclosure.objects.count() == 1


def test_another_programs_consent_is_refused(world: Any) -> None:
    _, episode = sud_world(world)
    part2 = sign(episode, world.clinician, ConsentKind.PART2, information=[ConsentInfo.SUD_RECORDS])
    with pytest.raises(ValidationError, match="given in another program"):
        _disclose(world, part2)
    assert Disclosure.objects.count() == 0


def test_a_substance_use_program_discloses_only_under_part2_with_the_notice(world: Any) -> None:
    program, episode = sud_world(world)
    part2 = sign(episode, world.clinician, ConsentKind.PART2, information=[ConsentInfo.SUD_RECORDS])
    row = _disclose(world, part2, program=program)
    assert row.redisclosure_notice is True
    assert row.basis.startswith("42 CFR Part 2 consent")


def test_family_portal_views_count_once_a_day(world: Any) -> None:
    contact = world.family_contact
    consent = sign(
        world.episode,
        world.clinician,
        recipient_contact=contact,
        recipient_name="",
        recipient_organization="",
        information=[ConsentInfo.ATTENDANCE],
    )
    first = _disclose(
        world, consent, information=[ConsentInfo.ATTENDANCE], channel="family_portal", actor=None
    )
    again = _disclose(
        world, consent, information=[ConsentInfo.ATTENDANCE], channel="family_portal", actor=None
    )
    assert first == again
    assert Disclosure.objects.count() == 1
    assert not Event.objects.filter(kind=EventKind.DISCLOSURE).exists()


# --- append-only ------------------------------------------------------------------------------


def test_a_disclosure_never_changes(world: Any) -> None:
    row = _disclose(world, sign(world.episode, world.clinician, information=SUMMARY))
    row.recipient = "Someone else"
    with pytest.raises(DisclosureAppendOnlyError):
        row.save()
    with pytest.raises(DisclosureAppendOnlyError):
        row.delete()
    with pytest.raises(DisclosureAppendOnlyError):
        Disclosure.objects.filter(pk=row.pk).update(recipient="x")
    with pytest.raises(DisclosureAppendOnlyError):
        Disclosure.objects.filter(pk=row.pk).delete()
    for statement in (
        "UPDATE participants_disclosure SET recipient = 'x' WHERE id = %s",
        "DELETE FROM participants_disclosure WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [row.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Disclosure._base_manager.filter(pk=row.pk).update(recipient="x")
    assert Disclosure.objects.get(pk=row.pk).recipient == "Dr. Rivera, Northside Clinic"


# --- the participant's portal ------------------------------------------------------------------


def test_the_participant_reads_their_accounting(world: Any, login: Any) -> None:
    _disclose(world, sign(world.episode, world.clinician, information=SUMMARY))
    client = login(world.participant_user)
    page = client.get(reverse("portal:disclosures")).content.decode()
    assert "Dr. Rivera, Northside Clinic" in page
    assert "Discharge summary" in page
    assert "Release of information signed" in page
    assert AccessLog.objects.filter(
        actor=world.participant_user, object_type="portal.disclosures"
    ).exists()


def test_the_participant_downloads_it_as_pdf_and_csv(world: Any, login: Any) -> None:
    _disclose(world, sign(world.episode, world.clinician, information=SUMMARY))
    client = login(world.participant_user)
    pdf = client.get(reverse("portal:disclosures_pdf"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "Example" not in pdf["Content-Disposition"]
    table = client.get(reverse("portal:disclosures_csv"))
    lines = table.content.decode().splitlines()
    assert lines[0] == "date,program,recipient,what,information,consent,how"
    assert "Dr. Rivera, Northside Clinic" in lines[1]
    assert (
        AccessLog.objects.filter(
            action=AccessAction.EXPORT, object_type="portal.disclosures"
        ).count()
        == 2
    )


def test_a_participant_sees_only_their_own(world: Any, login: Any) -> None:
    _disclose(world, sign(world.episode, world.clinician, information=SUMMARY))
    page = login(world.other_participant_user).get(reverse("portal:disclosures"))
    assert "Dr. Rivera" not in page.content.decode()
    assert "Nothing about you has been shared" in page.content.decode()


@pytest.mark.parametrize("name", ["portal:disclosures", "portal:disclosures_pdf"])
def test_staff_and_family_cannot_open_the_portal_accounting(
    world: Any, login: Any, client: Any, name: str
) -> None:
    assert login(world.clinician).get(reverse(name)).status_code == 403
    assert login(world.family_user).get(reverse(name)).status_code == 403
    assert client.get(reverse(name)).status_code == 302


def test_the_portal_list_keeps_a_bounded_query_count(
    world: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    consent = sign(world.episode, world.clinician, information=SUMMARY)
    for n in range(8):
        _disclose(world, consent, description=f"Discharge summary copy {n}")
    client = login(world.participant_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("portal:disclosures")).status_code == 200


# --- staff: the chart and the full list ----------------------------------------------------------


def test_staff_see_their_programs_disclosures_on_the_chart(world: Any, login: Any) -> None:
    _disclose(world, sign(world.episode, world.clinician, information=SUMMARY))
    chart = login(world.billing).get(
        reverse("participants:chart", args=[world.participant.public_id])
    )
    assert "Dr. Rivera, Northside Clinic" in chart.content.decode()
    full = login(world.clinician).get(
        reverse("participants:disclosures", args=[world.participant.public_id])
    )
    assert "Dr. Rivera, Northside Clinic" in full.content.decode()


def test_another_programs_disclosures_stay_with_that_program(world: Any, login: Any) -> None:
    program, episode = sud_world(world)
    part2 = sign(episode, world.clinician, ConsentKind.PART2, information=[ConsentInfo.SUD_RECORDS])
    part2_row = _disclose(world, part2, program=program, description="Counselor letter")
    dbt_only = world.director  # works in the DBT program only
    url = reverse("participants:disclosures", args=[world.participant.public_id])
    assert "Counselor letter" not in login(dbt_only).get(url).content.decode()
    assert "Counselor letter" in login(world.clinician).get(url).content.decode()
    portal = login(world.participant_user).get(reverse("portal:disclosures")).content.decode()
    assert "Counselor letter" in portal  # their own accounting has every program's
    assert part2_row.redisclosure_notice


def test_outsiders_get_404_on_the_staff_list(world: Any, login: Any) -> None:
    url = reverse("participants:disclosures", args=[world.participant.public_id])
    assert login(world.outsider_clinician).get(url).status_code == 404
    assert login(world.other_org_clinician).get(url).status_code == 404
    assert login(world.admin).get(url).status_code == 403
