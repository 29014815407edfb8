"""FHIR R4 export of one scored response: a QuestionnaireResponse and its Observations.

Plain dicts in, plain dicts out (JSON-ready), no database: the caller supplies the patient
reference, the time and the response's UUID. The tests validate the output with the
fhir.resources R4B models, which are R4-compatible for these resources.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from openiop.measures.definitions import Instrument
from openiop.measures.scoring import ScoreResult

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# Our own code systems for what has no LOINC code (instruments, subscales, flags).
INSTRUMENT_SYSTEM = "urn:openiop:instrument"
FLAG_SYSTEM = "urn:openiop:score-flag"

_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def questionnaire_canonical(instrument: Instrument) -> str:
    return f"urn:openiop:questionnaire:{instrument.code.lower()}|{instrument.version}"


def _check_common(response_id: str, patient_ref: str, authored: datetime) -> None:
    # Ids become parts of other ids ("<id>-total"), so leave room for the suffix.
    if not _FHIR_ID.match(response_id) or len(response_id) > 48:
        raise ValueError(f"response_id {response_id!r} is not a FHIR id (letters, digits, - .)")
    if not patient_ref.strip():
        raise ValueError("patient_ref is required, e.g. 'Patient/<uuid>'")
    if authored.tzinfo is None or authored.utcoffset() is None:
        raise ValueError("authored must be an aware datetime")


def _when(authored: datetime) -> str:
    return authored.isoformat(timespec="seconds")


def questionnaire_response(
    instrument: Instrument,
    answers: Sequence[int | None],
    result: ScoreResult,
    *,
    patient_ref: str,
    authored: datetime,
    response_id: str,
) -> dict[str, Any]:
    """The answers as a completed QuestionnaireResponse; unanswered items carry no answer."""
    _check_common(response_id, patient_ref, authored)
    if len(answers) != len(instrument.items):
        raise ValueError(f"{instrument.code} has {len(instrument.items)} items")
    if (result.instrument, result.version) != (instrument.code, instrument.version):
        raise ValueError("the result belongs to another instrument or version")
    items: list[dict[str, Any]] = []
    for item, value in zip(instrument.items, answers, strict=True):
        entry: dict[str, Any] = {"linkId": item.key}
        # Copyrighted wording is never exported, only the answer.
        if instrument.text_shipped:
            entry["text"] = item.text
        if value is not None:
            entry["answer"] = [{"valueInteger": value}]
        items.append(entry)
    return {
        "resourceType": "QuestionnaireResponse",
        "id": response_id,
        "questionnaire": questionnaire_canonical(instrument),
        "status": "completed",
        "subject": {"reference": patient_ref},
        "authored": _when(authored),
        "item": items,
    }


def _code(loinc: str | None, own_code: str, text: str) -> dict[str, Any]:
    coding = []
    if loinc:
        coding.append({"system": LOINC, "code": loinc})
    coding.append({"system": INSTRUMENT_SYSTEM, "code": own_code})
    return {"coding": coding, "text": text}


def _value(value: int | float) -> dict[str, Any]:
    if isinstance(value, int):
        return {"valueInteger": value}
    return {"valueQuantity": {"value": value, "unit": "{score}", "system": UCUM, "code": "{score}"}}


def _base(patient_ref: str, authored: datetime, response_id: str, suffix: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": f"{response_id}-{suffix}",
        "status": "final",
        "category": [
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
        ],
        "subject": {"reference": patient_ref},
        "effectiveDateTime": _when(authored),
        "derivedFrom": [{"reference": f"QuestionnaireResponse/{response_id}"}],
    }


def _flag_components(result: ScoreResult) -> list[dict[str, Any]]:
    components = []
    for flag, value in result.flags.items():
        if isinstance(value, bool):
            components.append(
                {
                    "code": {"coding": [{"system": FLAG_SYSTEM, "code": flag}], "text": flag},
                    "valueBoolean": value,
                }
            )
    critical_items = result.flags.get("critical_items") or []
    if critical_items:
        components.append(
            {
                "code": {
                    "coding": [{"system": FLAG_SYSTEM, "code": "critical_items"}],
                    "text": "critical_items",
                },
                "valueString": ", ".join(critical_items),
            }
        )
    return components


def observations(
    instrument: Instrument,
    answers: Sequence[int | None],
    result: ScoreResult,
    *,
    patient_ref: str,
    authored: datetime,
    response_id: str,
) -> list[dict[str, Any]]:
    """The score as Observations: one for the total (or the C-SSRS risk level), with the
    severity as its interpretation and subscales and flags as components; plus one per
    answered item that has its own LOINC code (PHQ-9 item 9)."""
    _check_common(response_id, patient_ref, authored)
    if (result.instrument, result.version) != (instrument.code, instrument.version):
        raise ValueError("the result belongs to another instrument or version")
    found: list[dict[str, Any]] = []
    total = _base(patient_ref, authored, response_id, "total")
    if instrument.method == "triage":
        total["code"] = _code(
            instrument.loinc_total, instrument.code, f"{instrument.code} risk level"
        )
        total["valueCodeableConcept"] = {"text": str(result.flags.get("risk_tier"))}
    elif result.total is not None:
        total["code"] = _code(
            instrument.loinc_total, instrument.code, f"{instrument.code} total score"
        )
        total.update(_value(result.total))
    else:  # pragma: no cover - every scored non-triage result has a total
        return found
    if result.severity:
        total["interpretation"] = [{"text": result.severity}]
    components = []
    for name, sub in result.subscales.items():
        if sub.score is None:
            continue
        component: dict[str, Any] = {
            "code": {
                "coding": [{"system": INSTRUMENT_SYSTEM, "code": f"{instrument.code}:{name}"}],
                "text": f"{instrument.code} {name}",
            },
            **_value(sub.score),
        }
        if sub.severity:
            component["interpretation"] = [{"text": sub.severity}]
        components.append(component)
    components.extend(_flag_components(result))
    if components:
        total["component"] = components
    if result.notes:
        total["note"] = [{"text": "; ".join(result.notes)}]
    found.append(total)

    for item, value in zip(instrument.items, answers, strict=True):
        if item.loinc is None or value is None:
            continue
        observation = _base(patient_ref, authored, response_id, f"item{item.number}")
        observation["code"] = _code(
            item.loinc,
            f"{instrument.code}:{item.key}",
            f"{instrument.code} item {item.number}",
        )
        observation["valueInteger"] = value
        if item.key in (result.flags.get("critical_items") or []):
            observation["interpretation"] = [{"text": "critical"}]
        found.append(observation)
    return found
