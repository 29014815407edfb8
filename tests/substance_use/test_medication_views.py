"""The medication pages and the chart's panel: who may read and change the list, in which
program, and the audit rows they leave."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AccessAction, AccessLog
from openiop.substance_use.models import Medication, MedicationReconciliation
from openiop.substance_use.services import medication_record
from tests.substance_use.test_medication_services import BUPRENORPHINE

Login = Callable[[User], Client]


def _list(w: SimpleNamespace) -> str:
    return reverse("substance_use:medications", args=[w.participant.public_id])


FORM = {
    "name": "Naltrexone",
    "dose": "50 mg",
    "route": "oral",
    "frequency": "once daily",
    "indication": "alcohol use disorder",
    "prescriber_kind": "outside",
    "prescriber_name": "Dr. Rae Osei",
    "source": "participant",
}


def test_a_clinician_adds_moud_naming_the_consent_and_sees_it_marked(
    sud: SimpleNamespace, login: Login
) -> None:
    client = login(sud.clinician)
    response = client.post(_list(sud), {**FORM, "coordination_consent": sud.part2.pk}, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Naltrexone 50 mg by mouth once daily" in body
    assert "MAUD" in body
    assert "Coordinating under a Part 2 consent" in body
    saved = Medication.objects.get()
    assert saved.coordination_consent == sud.part2
    assert saved.recorded_by == sud.clinician
    assert AccessLog.objects.filter(
        actor=sud.clinician, action=AccessAction.UPDATE, object_type="substance_use.medications"
    ).exists()


def test_an_incomplete_entry_shows_why_and_saves_nothing(
    sud: SimpleNamespace, login: Login
) -> None:
    client = login(sud.clinician)
    response = client.post(_list(sud), {**FORM, "prescriber_name": ""})
    assert response.status_code == 200
    assert "Name the outside prescriber or opioid treatment program" in response.content.decode()
    assert Medication.objects.count() == 0


def test_a_consent_of_another_participant_cannot_be_named(
    sud: SimpleNamespace, login: Login
) -> None:
    response = login(sud.clinician).post(
        _list(sud), {**FORM, "coordination_consent": sud.part2.pk + 999}
    )
    assert response.status_code == 200
    assert Medication.objects.count() == 0


def test_who_may_read_the_list_of_a_substance_use_program(
    sud: SimpleNamespace, login: Login
) -> None:
    medication_record(actor=sud.clinician, episode=sud.episode, data=BUPRENORPHINE)
    assert login(sud.director).get(_list(sud)).status_code == 200
    # Intake reads clinical content but not Part 2 records; billing sees that a person exists.
    assert login(sud.intake).get(_list(sud)).status_code == 403
    assert login(sud.billing).get(_list(sud)).status_code == 403
    assert AccessLog.objects.filter(actor=sud.intake, action=AccessAction.DENIED).exists()
    # Outsiders are not told the record exists.
    assert login(sud.outsider_clinician).get(_list(sud)).status_code == 404
    assert login(sud.other_org_clinician).get(_list(sud)).status_code == 404
    anonymous = Client().get(_list(sud))
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]


def test_in_a_program_without_part2_intake_reads_but_does_not_change_the_list(
    world: SimpleNamespace, login: Login
) -> None:
    medication_record(actor=world.clinician, episode=world.episode, data=BUPRENORPHINE)
    client = login(world.intake)
    page = client.get(_list(world))
    assert page.status_code == 200
    assert "Add a medication" not in page.content.decode()
    assert client.post(_list(world), FORM).status_code == 403
    assert Medication.objects.count() == 1


def test_editing_and_marking_in_error(sud: SimpleNamespace, login: Login) -> None:
    medication = medication_record(actor=sud.clinician, episode=sud.episode, data=BUPRENORPHINE)
    client = login(sud.clinician)
    edit = reverse(
        "substance_use:medication_edit", args=[sud.participant.public_id, medication.public_id]
    )
    assert "Buprenorphine/naloxone" in client.get(edit).content.decode()
    data = {**FORM, "name": "Buprenorphine/naloxone", "dose": "12 mg", "route": "sublingual"}
    assert client.post(edit, data).status_code == 302
    medication.refresh_from_db()
    assert medication.dose == "12 mg"
    # Another program's clinician cannot reach it, not even to mark it.
    error = reverse(
        "substance_use:medication_error", args=[sud.participant.public_id, medication.public_id]
    )
    assert login(sud.outsider_clinician).post(error).status_code == 404
    assert client.post(error).status_code == 302
    medication.refresh_from_db()
    assert medication.status == "entered_in_error"
    assert client.get(edit).status_code == 404


def test_signing_a_reconciliation_from_the_page(sud: SimpleNamespace, login: Login) -> None:
    medication_record(actor=sud.clinician, episode=sud.episode, data=BUPRENORPHINE)
    client = login(sud.clinician)
    url = reverse("substance_use:reconcile", args=[sud.participant.public_id])
    data = {
        "occasion": "admission",
        "reviewed_on": sud.today.isoformat(),
        "reviewed_with_participant": "on",
        "program": sud.program.public_id,
    }
    page = client.post(url, data, follow=True).content.decode()
    assert "Reconciliation signed." in page
    assert "started Buprenorphine/naloxone" in page
    again = client.post(url, data, follow=True).content.decode()
    assert "already signed" in again
    assert MedicationReconciliation.objects.count() == 1
    assert login(sud.intake).post(url, data).status_code == 403


def test_the_chart_shows_medications_to_those_who_read_the_program(
    sud: SimpleNamespace, login: Login
) -> None:
    medication_record(actor=sud.clinician, episode=sud.episode, data=BUPRENORPHINE)
    chart = reverse("participants:chart", args=[sud.participant.public_id]) + "?panel=medications"
    body = login(sud.clinician).get(chart).content.decode()
    assert "Buprenorphine/naloxone 8 mg under the tongue twice daily" in body
    assert "MOUD" in body
    assert "Not reconciled yet." in body
    assert AccessLog.objects.filter(
        actor=sud.clinician, object_type="substance_use.medications", action=AccessAction.VIEW
    ).exists()
    for viewer in (sud.billing, sud.intake):
        body = login(viewer).get(chart).content.decode()
        assert "Buprenorphine" not in body
    assert not AccessLog.objects.filter(
        actor__in=[sud.billing, sud.intake], object_type="substance_use.medications"
    ).exists()
