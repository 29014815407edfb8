"""Clinician entry, a response's page, entered-in-error, correction, FHIR export and battery
configuration: who may, who may not, and bad input saving nothing."""

from __future__ import annotations

import json

import pytest

from openiop.audit.models import AccessAction, AccessLog
from openiop.measures.models import Battery, CriticalFinding, Response, ResponseStatus
from openiop.participants.models import ConsentInfo
from tests.measures.helpers import PHQ9_ITEM9, PHQ9_MILD, record
from tests.participants.consent_support import sign


def _response_url(w, saved, suffix: str = "") -> str:
    return f"/measures/participants/{w.participant.public_id}/responses/{saved.public_id}/{suffix}"


def _entry(w) -> str:
    return f"/measures/participants/{w.participant.public_id}/enter/PHQ-9/"


def _post_phq9(answers: list[int]) -> dict[str, str]:
    return {f"item_{i + 1}": str(v) for i, v in enumerate(answers)}


def test_a_clinician_enters_a_phq9_in_session(world, login) -> None:
    client = login(world.clinician)
    assert "Little interest or pleasure" in client.get(_entry(world)).content.decode()
    response = client.post(_entry(world), _post_phq9(PHQ9_ITEM9))
    saved = Response.objects.get()
    assert response.status_code == 302
    assert str(saved.public_id) in response["Location"]
    assert saved.mode == "in_session"
    assert saved.entered_by == world.clinician
    assert CriticalFinding.objects.filter(response=saved).exists()


def test_a_missing_answer_is_shown_and_nothing_saved(world, login) -> None:
    client = login(world.clinician)
    data = _post_phq9(PHQ9_MILD)
    del data["item_9"]
    response = client.post(_entry(world), data)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Response.objects.count() == 0


def test_cssrs_entry_leaves_unasked_questions_blank(world, login) -> None:
    client = login(world.clinician)
    url = f"/measures/participants/{world.participant.public_id}/enter/C-SSRS/"
    response = client.post(url, {"item_1": "1", "item_2": "0", "item_6": "0"})
    assert response.status_code == 302
    assert Response.objects.get().risk_tier == "low"


def test_cssrs_entry_that_skips_a_question_that_was_due_is_refused(world, login) -> None:
    client = login(world.clinician)
    url = f"/measures/participants/{world.participant.public_id}/enter/C-SSRS/"
    response = client.post(url, {"item_1": "1", "item_2": "1", "item_6": "0"})
    assert response.status_code == 200
    assert "not scored with unanswered items" in response.content.decode()
    assert Response.objects.count() == 0


@pytest.mark.parametrize("persona", ["billing", "admin"])
def test_roles_without_clinical_access_may_not_enter_or_see_scores(world, login, persona) -> None:
    saved = record(world, "PHQ-9", PHQ9_MILD)
    client = login(getattr(world, persona))
    base = f"/measures/participants/{world.participant.public_id}/responses/{saved.public_id}/"
    assert client.get(_entry(world)).status_code == 403
    assert client.post(_entry(world), _post_phq9(PHQ9_MILD)).status_code == 403
    assert client.get(base).status_code == 403
    assert client.get(base + "fhir.json").status_code == 403
    assert Response.objects.count() == 1


def test_billing_is_refused_by_the_scoping_getter_with_a_log_row(world, login) -> None:
    """The decorator stops billing first; the getter would too (Access.CLINICAL)."""
    client = login(world.billing)
    assert client.get(_entry(world)).status_code == 403
    chart = client.get(f"/participants/{world.participant.public_id}/").content.decode()
    assert 'id="measures-h"' not in chart


@pytest.mark.parametrize("persona", ["outsider_clinician", "other_org_clinician"])
def test_outsiders_get_404(world, login, persona) -> None:
    saved = record(world, "PHQ-9", PHQ9_MILD)
    client = login(getattr(world, persona))
    base = f"/measures/participants/{world.participant.public_id}/responses/{saved.public_id}/"
    assert client.get(_entry(world)).status_code == 404
    assert client.get(base).status_code == 404
    assert client.get(base + "fhir.json").status_code == 404


def test_anonymous_users_are_sent_to_sign_in(world, client) -> None:
    response = client.get(_entry(world))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_response_of_another_participant_is_404_under_this_participant(world, login) -> None:
    saved = record(world, "PHQ-9", PHQ9_MILD)
    other = world.other_participant  # not in the clinician's programs
    client = login(world.clinician)
    url = f"/measures/participants/{other.public_id}/responses/{saved.public_id}/"
    assert client.get(url).status_code == 404


def test_the_response_page_shows_answers_score_and_critical_item(world, login) -> None:
    saved = record(world, "PHQ-9", PHQ9_ITEM9)
    client = login(world.clinician)
    url = f"/measures/participants/{world.participant.public_id}/responses/{saved.public_id}/"
    page = client.get(url).content.decode()
    assert "Thoughts that you would be better off dead" in page
    assert "PHQ-9 item 9" in page
    assert "minimal" in page.lower()


def test_marking_entered_in_error_needs_a_reason(world, login) -> None:
    saved = record(world, "PHQ-9", PHQ9_MILD)
    client = login(world.clinician)
    url = _response_url(world, saved, "entered-in-error/")
    page = client.post(url, {"reason": ""}, follow=True).content.decode()
    assert "Say why this response was entered in error" in page
    saved.refresh_from_db()
    assert saved.status == ResponseStatus.FINAL
    client.post(url, {"reason": "Wrong person"})
    saved.refresh_from_db()
    assert saved.status == ResponseStatus.ENTERED_IN_ERROR


def test_intake_coordinators_may_read_but_billing_may_not_mark_in_error(world, login) -> None:
    saved = record(world, "PHQ-9", PHQ9_MILD)
    url = _response_url(world, saved, "entered-in-error/")
    assert login(world.billing).post(url, {"reason": "x"}).status_code == 403
    saved.refresh_from_db()
    assert saved.status == ResponseStatus.FINAL


def test_a_correction_through_the_page(world, login) -> None:
    saved = record(world, "PHQ-9", PHQ9_MILD)
    client = login(world.clinician)
    url = (
        f"/measures/participants/{world.participant.public_id}/responses/{saved.public_id}/correct/"
    )
    page = client.post(url, _post_phq9([2] * 8 + [0]))  # no reason
    assert "This field is required." in page.content.decode()
    assert Response.objects.count() == 1
    response = client.post(url, {**_post_phq9([2] * 8 + [0]), "reason": "Typed wrongly"})
    assert response.status_code == 302
    assert Response.objects.final().get().total == 16


def _fhir_disclosed(world, client, saved):
    consent = sign(world.episode, world.clinician, information=[ConsentInfo.ASSESSMENTS])
    url = _response_url(world, saved, "fhir.json")
    return client.post(url, {"consent": str(consent.public_id), "channel": "fhir", "confirm": "on"})


def test_the_fhir_export_is_a_download_recorded_as_an_export(world, login) -> None:
    saved = record(world, "PHQ-9", PHQ9_ITEM9)
    client = login(world.clinician)
    response = _fhir_disclosed(world, client, saved)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    bundle = json.loads(response.content)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds[0] == "QuestionnaireResponse"
    assert "Observation" in kinds
    codes = json.dumps(bundle)
    assert "44261-6" in codes
    assert "44260-8" in codes
    assert AccessLog.objects.filter(
        action=AccessAction.EXPORT, object_id=str(saved.public_id), actor=world.clinician
    ).exists()


def test_an_entered_in_error_response_exports_with_that_status(world, login) -> None:
    from openiop.measures.services import response_mark_entered_in_error

    saved = record(world, "PHQ-9", PHQ9_MILD)
    response_mark_entered_in_error(response=saved, reason="Wrong person", actor=world.clinician)
    client = login(world.clinician)
    bundle = json.loads(_fhir_disclosed(world, client, saved).content)
    assert {e["resource"]["status"] for e in bundle["entry"]} == {"entered-in-error"}


def test_a_director_configures_batteries(world, login) -> None:
    client = login(world.director)
    url = f"/measures/programs/{world.program.public_id}/batteries/"
    page = client.get(url).content.decode()
    assert "default batteries" in page
    client.post(url, {"intake": ["PHQ-9", "C-SSRS"], "weekly": ["PHQ-9"], "discharge": ["PHQ-9"]})
    phases = dict(Battery.objects.filter(program=world.program).values_list("phase", "instruments"))
    assert phases["weekly"] == ["PHQ-9"]
    assert phases["intake"] == ["C-SSRS", "PHQ-9"] or set(phases["intake"]) == {"PHQ-9", "C-SSRS"}


def test_an_unknown_instrument_in_a_battery_is_refused(world, login) -> None:
    client = login(world.director)
    url = f"/measures/programs/{world.program.public_id}/batteries/"
    page = client.post(url, {"weekly": ["NOPE"]}).content.decode()
    assert "Select a valid choice" in page
    assert Battery.objects.count() == 0


def test_only_directors_of_the_program_configure_batteries(world, login) -> None:
    url = f"/measures/programs/{world.program.public_id}/batteries/"
    assert login(world.clinician).get(url).status_code == 403
    other = f"/measures/programs/{world.other_program.public_id}/batteries/"
    assert login(world.director).get(other).status_code == 404
