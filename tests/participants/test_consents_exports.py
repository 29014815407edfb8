"""Part 2 records leave a substance-use program only under a consent that covers them: the FHIR
export of a response is refused without one and carries the redisclosure notice with one."""

from __future__ import annotations

import json
from typing import Any

from openiop.audit.models import AccessAction, AccessLog
from openiop.measures.services import response_record
from openiop.participants.consents import consent_revoke
from openiop.participants.models import ConsentInfo, ConsentKind, ConsentRevokedHow
from openiop.participants.part2 import REDISCLOSURE_NOTICE
from tests.measures.helpers import PHQ9_MILD
from tests.participants.consent_support import sign, sud_world


def _sud_response(world: Any) -> tuple[Any, Any]:
    _, episode = sud_world(world)
    response = response_record(
        participant=world.participant,
        episode=episode,
        instrument_code="PHQ-9",
        answers=PHQ9_MILD,
        entered_by=world.clinician,
        mode="in_session",
    )
    return episode, response


def _export_url(world: Any, response: Any) -> str:
    return (
        f"/measures/participants/{world.participant.public_id}/responses/"
        f"{response.public_id}/fhir.json"
    )


def test_without_a_part2_consent_the_export_is_refused(world, login) -> None:
    _, response = _sud_response(world)
    client = login(world.clinician)
    refused = client.get(_export_url(world, response), follow=True)
    assert "attachment" not in refused.get("Content-Disposition", "")
    assert "no active 42 CFR Part 2 consent" in refused.content.decode()
    assert AccessLog.objects.filter(
        action=AccessAction.DENIED, object_type="measures.response.fhir"
    ).exists()
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


def test_a_consent_for_other_information_does_not_open_it(world, login) -> None:
    episode, response = _sud_response(world)
    sign(episode, world.clinician, ConsentKind.PART2, information=[ConsentInfo.DISCHARGE_SUMMARY])
    exported = login(world.clinician).get(_export_url(world, response))
    assert exported.status_code == 302


def test_with_a_part2_consent_the_export_carries_the_notice(world, login) -> None:
    episode, response = _sud_response(world)
    sign(episode, world.clinician, ConsentKind.PART2, information=[ConsentInfo.ASSESSMENTS])
    exported = login(world.clinician).get(_export_url(world, response))
    assert exported.status_code == 200
    assert "attachment" in exported["Content-Disposition"]
    bundle = json.loads(exported.content)
    codes = [label["code"] for label in bundle["meta"]["security"]]
    assert codes == ["42CFRPart2", "NORDSCLCD"]
    assert bundle["meta"]["tag"][0]["display"] == REDISCLOSURE_NOTICE
    assert AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


def test_revoking_the_consent_closes_the_export_at_once(world, login) -> None:
    episode, response = _sud_response(world)
    consent = sign(
        episode, world.clinician, ConsentKind.PART2, information=[ConsentInfo.ASSESSMENTS]
    )
    client = login(world.clinician)
    assert client.get(_export_url(world, response)).status_code == 200
    consent_revoke(actor=world.clinician, consent=consent, how=ConsentRevokedHow.WRITING)
    assert client.get(_export_url(world, response)).status_code == 302


def test_a_program_without_substance_use_treatment_exports_without_a_notice(world, login) -> None:
    response = response_record(
        participant=world.participant,
        episode=world.episode,
        instrument_code="PHQ-9",
        answers=PHQ9_MILD,
        entered_by=world.clinician,
        mode="in_session",
    )
    exported = login(world.clinician).get(_export_url(world, response))
    assert exported.status_code == 200
    assert "meta" not in json.loads(exported.content)
