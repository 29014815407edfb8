"""FHIR R4 export of a scored response, validated with the fhir.resources R4B models."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from openiop.measures.definitions import get_instrument, load_instruments
from openiop.measures.fhir import observations, questionnaire_response
from openiop.measures.scoring import score

WHEN = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
PATIENT = "Patient/5b1f0c5e-3c55-4a0e-9d64-1f7a4f0a8c11"
RESPONSE = "0b6d2f4e-8f1a-4c3b-9e2d-7a5c1b3d9e0f"


def export(code: str, answers: list[int | None], **kwargs):
    instrument = get_instrument(code)
    result = score(instrument, answers, **kwargs)
    common = {"patient_ref": PATIENT, "authored": WHEN, "response_id": RESPONSE}
    return (
        questionnaire_response(instrument, answers, result, **common),
        observations(instrument, answers, result, **common),
    )


def middle_answers(code: str) -> list[int | None]:
    instrument = get_instrument(code)
    answers: list[int | None] = [sorted(item.values)[1] for item in instrument.items]
    if code == "C-SSRS":
        answers = [1, 1, 1, 0, 0, 1, 0]
    return answers


@pytest.mark.parametrize("code", sorted(load_instruments()))
def test_every_instrument_exports_valid_fhir_r4_resources(code):
    response, found = export(code, middle_answers(code))
    parsed = QuestionnaireResponse.model_validate(response)
    assert parsed.status == "completed"
    assert parsed.subject.reference == PATIENT
    assert len(parsed.item) == len(get_instrument(code).items)
    assert found
    for observation in found:
        parsed_obs = Observation.model_validate(observation)
        assert parsed_obs.status == "final"
        assert observation["category"][0]["coding"][0]["code"] == "survey"
        assert parsed_obs.derivedFrom is not None
        assert parsed_obs.derivedFrom[0].reference == f"QuestionnaireResponse/{RESPONSE}"


def test_phq9_exports_the_loinc_total_and_item_9_observations():
    response, found = export("PHQ-9", [1, 0, 2, 3, 1, 0, 0, 1, 2])
    assert response["item"][8] == {
        "linkId": "phq9_9",
        "text": get_instrument("PHQ-9").item("phq9_9").text,
        "answer": [{"valueInteger": 2}],
    }
    total, item9 = found
    assert total["code"]["coding"][0] == {"system": "http://loinc.org", "code": "44261-6"}
    assert total["valueInteger"] == 10
    assert total["interpretation"] == [{"text": "moderate"}]
    assert total["id"] == f"{RESPONSE}-total"
    assert item9["code"]["coding"][0] == {"system": "http://loinc.org", "code": "44260-8"}
    assert item9["valueInteger"] == 2
    assert item9["interpretation"] == [{"text": "critical"}]


@pytest.mark.parametrize(("code", "loinc"), [("GAD-7", "70274-6"), ("AUDIT-C", "75626-2")])
def test_totals_carry_their_loinc_codes(code, loinc):
    _, found = export(code, middle_answers(code))
    assert found[0]["code"]["coding"][0] == {"system": "http://loinc.org", "code": loinc}


def test_instruments_without_a_loinc_total_use_our_own_code():
    _, found = export("K10", middle_answers("K10"))
    assert found[0]["code"]["coding"] == [{"system": "urn:openiop:instrument", "code": "K10"}]


def test_cssrs_exports_the_risk_level_as_a_coded_concept():
    _, found = export("C-SSRS", [1, 1, 0, 1, 0, 0, 0])
    (risk,) = found
    assert risk["code"]["coding"][0] == {"system": "http://loinc.org", "code": "93374-7"}
    assert risk["valueCodeableConcept"] == {"text": "high"}
    critical = next(c for c in risk["component"] if c["code"]["text"] == "critical")
    assert critical["valueBoolean"] is True


def test_a_mean_score_is_a_quantity():
    _, found = export("BSL-23", [1] * 23)
    assert found[0]["valueQuantity"]["value"] == 1.0
    assert "valueInteger" not in found[0]


def test_subscales_and_flags_become_components():
    _, found = export("DASS-21", [1] * 21)
    depression = next(c for c in found[0]["component"] if c["code"]["text"] == "DASS-21 depression")
    assert depression["valueInteger"] == 14
    assert depression["interpretation"] == [{"text": "moderate"}]


def test_copyrighted_item_text_is_never_exported():
    response, _ = export("BSL-23", [1] * 23)
    assert all("text" not in item for item in response["item"])


def test_an_unanswered_item_carries_no_answer():
    response, _ = export("C-SSRS", [1, 0, None, None, None, 0, None])
    assert "answer" not in response["item"][2]
    QuestionnaireResponse.model_validate(response)


def test_the_models_really_validate():
    _, found = export("GAD-7", [0] * 7)
    bad = {**found[0], "valueInteger": "ten"}
    with pytest.raises(ValidationError):
        Observation.model_validate(bad)


def test_a_naive_time_is_refused():
    instrument = get_instrument("GAD-7")
    result = score(instrument, [0] * 7)
    with pytest.raises(ValueError, match="aware datetime"):
        questionnaire_response(
            instrument,
            [0] * 7,
            result,
            patient_ref=PATIENT,
            authored=datetime(2026, 3, 2, 14, 30),  # noqa: DTZ001 - naive on purpose
            response_id=RESPONSE,
        )


def test_an_id_that_is_not_a_fhir_id_is_refused():
    instrument = get_instrument("GAD-7")
    result = score(instrument, [0] * 7)
    with pytest.raises(ValueError, match="not a FHIR id"):
        observations(
            instrument, [0] * 7, result, patient_ref=PATIENT, authored=WHEN, response_id="a b"
        )


def test_a_result_from_another_instrument_is_refused():
    gad7 = get_instrument("GAD-7")
    result = score(get_instrument("PHQ-9"), [0] * 9)
    with pytest.raises(ValueError, match="another instrument"):
        questionnaire_response(
            gad7, [0] * 7, result, patient_ref=PATIENT, authored=WHEN, response_id=RESPONSE
        )
