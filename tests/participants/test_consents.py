"""Consent write functions: what each kind must name, Part 2's elements, append-only storage,
revocation, and the Part 2 disclosure check other apps ask."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from openiop.audit.models import Event, EventKind
from openiop.lib.timezones import today_in
from openiop.participants.consents import (
    consent_revoke,
    consent_verified,
    part2_disclosure_allowed,
    part2_missing_elements,
)
from openiop.participants.models import (
    Consent,
    ConsentExpiry,
    ConsentInfo,
    ConsentKind,
    ConsentRevokedHow,
    EpisodeStatus,
)
from openiop.participants.part2 import REDISCLOSURE_NOTICE
from tests import factories as f
from tests.participants.consent_support import sign, sud_world


def _today(world: Any) -> dt.date:
    return today_in(world.program.time_zone)


def test_consent_to_treatment_is_signed_with_its_statement_and_hash(world) -> None:
    consent = sign(
        world.episode, world.intake, ConsentKind.TREATMENT, typed_name="  Patricia  Example "
    )
    assert consent.typed_name == "Patricia Example"
    assert consent.recorded_by == world.intake
    assert consent.program == world.program
    assert consent.signed_on == _today(world)
    assert "Patricia Example" in consent.statement
    assert "revoke" in consent.statement
    assert len(consent.content_hash) == 64
    assert consent_verified(consent)
    event = Event.objects.get(kind=EventKind.CONSENT)
    assert event.summary == "Adult DBT IOP: Consent to treatment signed"
    assert event.program == world.program


def test_a_signed_consent_cannot_be_edited(world) -> None:
    consent = sign(world.episode, world.clinician)
    consent.purpose = "Something else"
    with pytest.raises(ValueError, match="cannot be edited"):
        consent.save()
    with pytest.raises(ValueError, match="cannot be edited"):
        consent.save(update_fields=["purpose"])


def test_changing_the_stored_text_breaks_the_hash(world) -> None:
    consent = sign(world.episode, world.clinician)
    Consent.objects.filter(pk=consent.pk).update(purpose="To sell my data")
    consent.refresh_from_db()
    assert not consent_verified(consent)


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"recipient_name": "", "recipient_contact": None}, "recipient_name"),
        ({"information": []}, "information"),
        ({"purpose": "  "}, "purpose"),
        ({"expiry": ConsentExpiry.NONE}, "expiry"),
        ({"expiry": ConsentExpiry.DATE, "expires_on": None}, "expires_on"),
        ({"typed_name": "P"}, "typed_name"),
        ({"information": [ConsentInfo.SUD_RECORDS]}, "information"),
    ],
)
def test_a_release_names_what_it_must(world, override, field) -> None:
    with pytest.raises(ValidationError) as error:
        sign(world.episode, world.clinician, ConsentKind.RELEASE, **override)
    assert field in error.value.message_dict
    assert not Consent.objects.exclude(pk=world.consent.pk).exists()


def test_a_release_cannot_end_in_the_past(world) -> None:
    with pytest.raises(ValidationError, match="cannot be in the past"):
        sign(
            world.episode,
            world.clinician,
            expiry=ConsentExpiry.DATE,
            expires_on=_today(world) - dt.timedelta(days=1),
        )


def test_a_recipient_contact_of_someone_else_is_refused(world) -> None:
    stranger = f.FamilyContactFactory(participant=world.other_participant)
    with pytest.raises(ValidationError, match="this person's contacts"):
        sign(world.episode, world.clinician, recipient_contact=stranger)


def test_staff_outside_the_program_cannot_record(world) -> None:
    with pytest.raises(ValidationError, match="assigned to"):
        sign(world.episode, world.outsider_clinician)


def test_a_second_active_treatment_consent_is_refused(world) -> None:
    sign(world.episode, world.clinician, ConsentKind.TREATMENT)
    with pytest.raises(ValidationError, match="already signed"):
        sign(world.episode, world.clinician, ConsentKind.TREATMENT)


def test_part2_is_only_for_programs_that_treat_substance_use(world) -> None:
    with pytest.raises(ValidationError, match="does not treat substance use"):
        sign(world.episode, world.clinician, ConsentKind.PART2)


def test_a_general_release_cannot_cover_a_substance_use_program(world) -> None:
    _, episode = sud_world(world)
    with pytest.raises(ValidationError, match="42 CFR Part 2 consent instead"):
        sign(episode, world.clinician, ConsentKind.RELEASE)


def test_a_part2_consent_carries_every_element(world) -> None:
    program, episode = sud_world(world)
    consent = sign(
        episode,
        world.clinician,
        ConsentKind.PART2,
        information=[ConsentInfo.ASSESSMENTS, ConsentInfo.ATTENDANCE],
        expiry=ConsentExpiry.DATE,
        expires_on=_today(world) + dt.timedelta(days=90),
        recipient_address="12 Elm St",
    )
    text = consent.statement
    for element in (
        "Patient: Patricia Example",  # the legal name, not the preferred one
        f"Program that discloses: {program.name}, {world.org.name}",
        "attendance and hours; assessments and scores",
        "Recipients: Dr. Rivera, Northside Clinic, 12 Elm St",
        "Purpose of the disclosure: To coordinate my care",
        "Right to revoke: I may revoke this consent at any time",
        "Expires: on ",
        "Signed: Patricia Example (typed) on ",
        REDISCLOSURE_NOTICE,
    ):
        assert element in text
    assert part2_missing_elements(consent) == []


def test_part2_needs_an_expiry_date_or_event(world) -> None:
    _, episode = sud_world(world)
    with pytest.raises(ValidationError) as error:
        sign(episode, world.clinician, ConsentKind.PART2, expiry=ConsentExpiry.NONE)
    assert "expiry" in error.value.message_dict


def test_sud_counseling_notes_need_their_own_consent(world) -> None:
    _, episode = sud_world(world)
    with pytest.raises(ValidationError, match="need their own consent"):
        sign(
            episode,
            world.clinician,
            ConsentKind.PART2,
            information=[ConsentInfo.SUD_RECORDS, ConsentInfo.SUD_COUNSELING_NOTES],
        )
    alone = sign(
        episode, world.clinician, ConsentKind.PART2, information=[ConsentInfo.SUD_COUNSELING_NOTES]
    )
    assert alone.information == [ConsentInfo.SUD_COUNSELING_NOTES]


def test_missing_part2_elements_are_named(world) -> None:
    blank = Consent(kind=ConsentKind.PART2, expiry=ConsentExpiry.NONE, typed_name="")
    assert part2_missing_elements(blank) == [
        "the patient's name",
        "the program that discloses",
        "what information",
        "the recipients",
        "the purpose",
        "an expiry date or event",
        "the signature",
        "the date",
    ]


def test_the_database_refuses_a_disclosure_without_expiry(world) -> None:
    consent = sign(world.episode, world.clinician)
    row = {
        field.attname: getattr(consent, field.attname)
        for field in Consent._meta.concrete_fields
        if field.attname not in {"id", "public_id"}
    }
    row.update(expiry=ConsentExpiry.NONE, expires_on=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(**row)


def test_the_database_refuses_a_half_recorded_revocation(world) -> None:
    consent = sign(world.episode, world.clinician)
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(revoked_how=ConsentRevokedHow.VERBAL)


def test_revocation_takes_effect_at_once_and_only_once(world) -> None:
    consent = sign(world.episode, world.clinician)
    assert consent.is_active_on(_today(world))
    consent_revoke(actor=world.clinician, consent=consent, how=ConsentRevokedHow.VERBAL)
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    assert consent.revoked_by == world.clinician
    assert not consent.is_active_on(_today(world))
    assert consent.status_label(_today(world)) == "Revoked"
    assert consent_verified(consent)  # revocation does not touch what was signed
    with pytest.raises(ValidationError, match="already been revoked"):
        consent_revoke(actor=world.clinician, consent=consent, how=ConsentRevokedHow.WRITING)
    summary = Event.objects.filter(kind=EventKind.CONSENT).order_by("-id").first()
    assert summary is not None
    assert summary.summary == (
        "Release of information to Dr. Rivera, Northside Clinic revoked (verbally, noted by staff)"
    )


def test_revocation_is_refused_to_outsiders_and_to_unknown_ways(world) -> None:
    consent = sign(world.episode, world.clinician)
    with pytest.raises(ValidationError):
        consent_revoke(actor=world.clinician, consent=consent, how="telepathy")
    with pytest.raises(ValidationError, match="assigned to"):
        consent_revoke(
            actor=world.outsider_clinician, consent=consent, how=ConsentRevokedHow.WRITING
        )
    with pytest.raises(ValidationError, match="Only the participant"):
        consent_revoke(actor=world.clinician, consent=consent, how=ConsentRevokedHow.PORTAL)
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_a_consent_dated_to_end_stops_after_that_day(world) -> None:
    end = _today(world) + dt.timedelta(days=3)
    consent = sign(world.episode, world.clinician, expiry=ConsentExpiry.DATE, expires_on=end)
    assert consent.is_active_on(end)
    assert not consent.is_active_on(end + dt.timedelta(days=1))
    assert consent.status_label(end + dt.timedelta(days=1)) == "Expired"


def test_a_consent_ending_on_discharge_stops_at_discharge(world) -> None:
    consent = sign(world.episode, world.clinician, expiry=ConsentExpiry.DISCHARGE)
    world.episode.status = EpisodeStatus.DISCHARGED
    world.episode.discharged_on = _today(world)
    world.episode.save()
    consent.refresh_from_db()
    assert not consent.is_active_on(_today(world))


def test_part2_disclosure_needs_an_active_consent_covering_the_information(world) -> None:
    program, episode = sud_world(world)
    today = _today(world)

    def allowed(information: str) -> bool:
        return part2_disclosure_allowed(
            participant=world.participant, program=program, information=information, on=today
        )

    # A program that does not treat substance use is not under Part 2.
    assert part2_disclosure_allowed(
        participant=world.participant,
        program=world.program,
        information=ConsentInfo.ASSESSMENTS,
        on=today,
    )
    assert not allowed(ConsentInfo.ASSESSMENTS)
    consent = sign(
        episode, world.clinician, ConsentKind.PART2, information=[ConsentInfo.ASSESSMENTS]
    )
    assert allowed(ConsentInfo.ASSESSMENTS)
    assert not allowed(ConsentInfo.DISCHARGE_SUMMARY)
    consent_revoke(actor=world.clinician, consent=consent, how=ConsentRevokedHow.WRITING)
    assert not allowed(ConsentInfo.ASSESSMENTS)


def test_sud_records_cover_all_but_counseling_notes(world) -> None:
    program, episode = sud_world(world)
    today = _today(world)
    sign(episode, world.clinician, ConsentKind.PART2, information=[ConsentInfo.SUD_RECORDS])
    for information, expected in (
        (ConsentInfo.DISCHARGE_SUMMARY, True),
        (ConsentInfo.ASSESSMENTS, True),
        (ConsentInfo.SUD_COUNSELING_NOTES, False),
    ):
        assert (
            part2_disclosure_allowed(
                participant=world.participant, program=program, information=information, on=today
            )
            is expected
        )


def test_a_part2_consent_of_another_program_does_not_count(world) -> None:
    _, episode = sud_world(world)
    sign(episode, world.clinician, ConsentKind.PART2, information=[ConsentInfo.ASSESSMENTS])
    other = f.ProgramFactory(site=world.site, treats_sud=True)
    assert not part2_disclosure_allowed(
        participant=world.participant,
        program=other,
        information=ConsentInfo.ASSESSMENTS,
        on=_today(world),
    )


def test_unknown_information_is_a_programming_error(world) -> None:
    with pytest.raises(ValueError, match="Unknown kind of information"):
        part2_disclosure_allowed(
            participant=world.participant, program=world.program, information="x", on=_today(world)
        )


def test_followup_consent_is_a_kind_of_its_own(world) -> None:
    consent = sign(world.episode, world.clinician, ConsentKind.FOLLOWUP)
    assert consent.kind == ConsentKind.FOLLOWUP
    assert "contact me after I leave the program" in consent.statement
    assert consent.information == []
    assert consent.recipient_label == ""
