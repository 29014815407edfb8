"""A FHIR export is a disclosure: it leaves the program only to a recipient a consent names
(a Part 2 consent in a substance-use program), refused without one, and goes into the
participant's accounting of disclosures. A Part 2 export carries the redisclosure notice."""

from __future__ import annotations

import json
from typing import Any

from openiop.audit.models import AccessAction, AccessLog
from openiop.measures.services import response_record
from openiop.participants.consents import consent_revoke
from openiop.participants.models import (
    ConsentInfo,
    ConsentKind,
    ConsentRevokedHow,
    Disclosure,
    DisclosureChannel,
)
from openiop.participants.part2 import REDISCLOSURE_NOTICE
from tests.measures.helpers import PHQ9_MILD
from tests.participants.consent_support import sign, sud_world


def _response(world: Any, episode: Any) -> Any:
    return response_record(
        participant=world.participant,
        episode=episode,
        instrument_code="PHQ-9",
        answers=PHQ9_MILD,
        entered_by=world.clinician,
        mode="in_session",
    )


def _sud_response(world: Any) -> tuple[Any, Any]:
    _, episode = sud_world(world)
    return episode, _response(world, episode)


def _export_url(world: Any, response: Any) -> str:
    return (
        f"/measures/participants/{world.participant.public_id}/responses/"
        f"{response.public_id}/fhir.json"
    )


def _disclose(client: Any, world: Any, response: Any, consent: Any) -> Any:
    return client.post(
        _export_url(world, response),
        {"consent": str(consent.public_id), "channel": DisclosureChannel.FHIR, "confirm": "on"},
    )


def test_without_a_part2_consent_there_is_nothing_to_choose_and_nothing_leaves(
    world, login
) -> None:
    _, response = _sud_response(world)
    client = login(world.clinician)
    page = client.get(_export_url(world, response)).content.decode()
    assert "No consent covers this" in page
    assert "42 CFR Part 2 consent" in page
    refused = client.post(_export_url(world, response), {"confirm": "on"})
    assert refused.status_code == 400
    assert "attachment" not in refused.get("Content-Disposition", "")
    assert Disclosure.objects.count() == 0
    assert AccessLog.objects.filter(
        action=AccessAction.DENIED, object_type="measures.response.fhir"
    ).exists()
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


def test_a_consent_for_other_information_is_not_offered(world, login) -> None:
    episode, response = _sud_response(world)
    other = sign(
        episode, world.clinician, ConsentKind.PART2, information=[ConsentInfo.DISCHARGE_SUMMARY]
    )
    client = login(world.clinician)
    assert "No consent covers this" in client.get(_export_url(world, response)).content.decode()
    assert _disclose(client, world, response, other).status_code == 400
    assert Disclosure.objects.count() == 0


def test_with_a_part2_consent_the_export_carries_the_notice_and_is_accounted(world, login) -> None:
    episode, response = _sud_response(world)
    consent = sign(
        episode, world.clinician, ConsentKind.PART2, information=[ConsentInfo.ASSESSMENTS]
    )
    exported = _disclose(login(world.clinician), world, response, consent)
    assert exported.status_code == 200
    assert "attachment" in exported["Content-Disposition"]
    bundle = json.loads(exported.content)
    codes = [label["code"] for label in bundle["meta"]["security"]]
    assert codes == ["42CFRPart2", "NORDSCLCD"]
    assert bundle["meta"]["tag"][0]["display"] == REDISCLOSURE_NOTICE
    assert AccessLog.objects.filter(action=AccessAction.EXPORT).exists()
    row = Disclosure.objects.get()
    assert row.consent == consent
    assert row.recipient == "Dr. Rivera, Northside Clinic"
    assert row.channel == DisclosureChannel.FHIR
    assert row.information == [ConsentInfo.ASSESSMENTS]
    assert row.redisclosure_notice is True
    assert row.disclosed_by == world.clinician


def test_revoking_the_consent_closes_the_export_at_once(world, login) -> None:
    episode, response = _sud_response(world)
    consent = sign(
        episode, world.clinician, ConsentKind.PART2, information=[ConsentInfo.ASSESSMENTS]
    )
    client = login(world.clinician)
    assert _disclose(client, world, response, consent).status_code == 200
    consent_revoke(actor=world.clinician, consent=consent, how=ConsentRevokedHow.WRITING)
    assert _disclose(client, world, response, consent).status_code == 400
    assert Disclosure.objects.count() == 1


def test_a_release_covers_an_export_of_a_program_without_substance_use_treatment(
    world, login
) -> None:
    response = _response(world, world.episode)
    consent = sign(world.episode, world.clinician, information=[ConsentInfo.ASSESSMENTS])
    exported = _disclose(login(world.clinician), world, response, consent)
    assert exported.status_code == 200
    assert "meta" not in json.loads(exported.content)
    assert Disclosure.objects.get().redisclosure_notice is False


def test_without_confirming_who_receives_it_nothing_leaves(world, login) -> None:
    response = _response(world, world.episode)
    consent = sign(world.episode, world.clinician, information=[ConsentInfo.ASSESSMENTS])
    refused = login(world.clinician).post(
        _export_url(world, response),
        {"consent": str(consent.public_id), "channel": DisclosureChannel.FHIR},
    )
    assert refused.status_code == 400
    assert "Confirm who receives it." in refused.content.decode()
    assert Disclosure.objects.count() == 0
