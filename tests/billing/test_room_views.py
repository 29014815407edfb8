"""The billing room's pages: who reaches them, what they show (never a note's text), that
every view and change is in the access log, and the writes behind the forms."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse

from openiop.audit.models import AccessAction, AccessLog
from openiop.billing.models import Authorization, Coverage, Diagnosis, PayerRule, Review
from tests.billing.room import attend, draft_note, sign

pytestmark = pytest.mark.django_db


def _episode_url(w: SimpleNamespace, name: str = "billing:episode", *extra: object) -> str:
    return reverse(name, args=[w.participant.public_id, w.episode.public_id, *extra])


def _logged(w: SimpleNamespace, user: object, action: str, object_type: str) -> bool:
    return AccessLog.objects.filter(
        actor=user, action=action, object_type=object_type, participant=w.participant
    ).exists()


def test_billing_sees_days_and_reasons_never_the_note(billed: SimpleNamespace, login) -> None:
    w = billed
    session = attend(w, w.start, 150)
    sign(draft_note(session, w.clinician), w.clinician)
    page = login(w.billing).get(_episode_url(w))
    assert page.status_code == 200
    body = page.content.decode()
    assert "2.5 h attended, below 3 h" in body
    assert "M123456789" in body
    assert w.auth.number in body
    assert "NOTE-BODY-SECRET" not in body
    assert _logged(w, w.billing, AccessAction.VIEW, "billing.episode")


def test_the_worklist_puts_what_needs_action_first_and_logs_each_row(
    billed: SimpleNamespace, login
) -> None:
    w = billed
    w.auth.approved_units = 1
    w.auth.save(update_fields=["approved_units"])
    session = attend(w, w.start, 180)
    sign(draft_note(session, w.clinician), w.clinician)
    page = login(w.billing).get(reverse("billing:worklist"))
    assert page.status_code == 200
    body = page.content.decode()
    assert w.participant.display_name in body
    assert f"authorization {w.auth.number}: all 1 approved days used" in body
    assert _logged(w, w.billing, AccessAction.LIST, "billing.worklist")


def test_billing_cannot_record_diagnoses_and_outsiders_get_404(
    billed: SimpleNamespace, login
) -> None:
    w = billed
    assert login(w.billing).get(_episode_url(w, "billing:diagnosis_new")).status_code == 403
    assert login(w.outsider_clinician).get(_episode_url(w)).status_code == 404
    assert login(w.intake).get(_episode_url(w)).status_code == 403


def test_payer_rules_are_configured_through_the_core_checks(billed: SimpleNamespace, login) -> None:
    w = billed
    client = login(w.billing)
    url = reverse("billing:rule_new", args=[w.payer.public_id])
    data = {
        "program_kind": "substance_use",
        "revenue_code": "906",
        "hcpcs": "H0015",
        "counted_categories": ["process_group", "skills_group"],
        "min_hours_per_day": "3",
        "min_days_per_week": "3",
        "partial_weeks": "exempt",
        "note_requirement": "each_session",
        "units_per_day": "1",
        "requires_authorization": "on",
        "charge_per_unit": "275.00",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert not PayerRule.objects.filter(program_kind="substance_use").exists()
    data["revenue_code"] = "0906"
    assert client.post(url, data).status_code == 302
    rule = PayerRule.objects.get(payer=w.payer, program_kind="substance_use")
    assert (rule.min_days_per_week, rule.note_requirement) == (3, "each_session")


def test_coverage_authorization_and_review_are_recorded_and_logged(
    world: SimpleNamespace, login
) -> None:
    from tests.billing.room import make_payer

    w = world
    payer = make_payer(w.org)
    client = login(w.billing)
    start = w.episode.inquiry_on
    response = client.post(
        _episode_url(w, "billing:coverage_new"),
        {
            "payer": payer.pk,
            "rank": "primary",
            "member_id": "XQ998877",
            "relationship": "18",
            "effective_from": start.isoformat(),
        },
    )
    assert response.status_code == 302
    assert Coverage.objects.get(participant=w.participant).member_id == "XQ998877"
    assert _logged(w, w.billing, AccessAction.UPDATE, "billing.coverage")

    response = client.post(
        _episode_url(w, "billing:authorization_new"),
        {
            "payer": payer.pk,
            "number": "AUTH-777",
            "level_of_care": "Intensive outpatient",
            "approved_units": "12",
            "start_on": start.isoformat(),
            "end_on": (start + timedelta(days=28)).isoformat(),
        },
    )
    assert response.status_code == 302
    auth = Authorization.objects.get(number="AUTH-777")
    response = client.post(
        _episode_url(w, "billing:review_new", auth.public_id),
        {
            "reviewed_on": (start + timedelta(days=7)).isoformat(),
            "outcome": "approved",
            "additional_units": "6",
            "new_end_on": (start + timedelta(days=42)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert Review.objects.get(authorization=auth).additional_units == 6
    assert _logged(w, w.billing, AccessAction.UPDATE, "billing.authorization")


def test_a_clinician_finds_and_records_a_billable_icd10_code(
    billed: SimpleNamespace, login
) -> None:
    w = billed
    client = login(w.clinician)
    url = _episode_url(w, "billing:diagnosis_new")
    found = client.post(url, {"q": "major depressive recurrent moderate", "search": "1"})
    assert found.status_code == 200
    assert "F33.1" in found.content.decode()
    assert "ICD-10-CM" in found.content.decode()
    heading = client.post(url, {"code": "F33", "save": "1"})
    assert heading.status_code == 400
    assert "is a heading, not billable" in heading.content.decode()
    assert client.post(url, {"code": "f331", "save": "1"}).status_code == 302
    dx = Diagnosis.objects.get(episode=w.episode)
    assert (dx.code, dx.is_primary) == ("F33.1", True)
    assert dx.release.startswith("ICD-10-CM, ")
    page = login(w.billing).get(_episode_url(w)).content.decode()
    assert "F33.1" in page


def test_the_clinicians_home_and_the_chart_warn(billed: SimpleNamespace, login) -> None:
    w = billed
    w.auth.end_on = w.start + timedelta(days=2)
    w.auth.save(update_fields=["end_on"])
    home = login(w.clinician).get("/").content.decode()
    assert f"authorization {w.auth.number} expired on" in home
    chart = (
        login(w.billing)
        .get(f"/participants/{w.participant.public_id}/?panel=billing")
        .content.decode()
    )
    assert "Billing and authorizations" in chart
    assert f"authorization {w.auth.number} expired on" in chart


def test_admission_warns_when_prior_authorization_is_missing(world: SimpleNamespace, login) -> None:
    from openiop.participants.models import EpisodeStatus
    from tests import factories as f
    from tests.billing.room import authorize, cover, make_payer

    w = world
    episode = f.EpisodeFactory(
        participant=f.ParticipantFactory(organization=w.org),
        program=w.program,
        status=EpisodeStatus.ASSESSED,
        track=None,
        admitted_on=None,
        started_on=None,
    )
    url = reverse("intake:admit", args=[episode.participant.public_id, episode.public_id])
    client = login(w.intake)
    assert "No coverage is on file" in client.get(url).content.decode()
    payer = make_payer(w.org, name="Prairie Health")
    cover(episode, payer, w.billing, since=episode.inquiry_on)
    page = client.get(url).content.decode()
    assert "Prairie Health requires prior authorization and none is on file" in page
    authorize(episode, payer, w.billing, start=episode.inquiry_on, units=10)
    page = client.get(url).content.decode()
    assert "requires prior authorization" not in page
    assert "Coverage and authorization" not in page
