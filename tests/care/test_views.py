"""Treatment plan pages: staff write, sign, review and print; the participant reads and signs
their own plan in the portal; everyone else is turned away."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AccessAction, AccessLog
from openiop.care.models import PlanObjective, PlanReview, PlanStatus, TreatmentPlan
from openiop.care.services import plan_draft_start, plan_sign_clinician
from openiop.programs.models import Program
from tests import factories as f
from tests.care.helpers import backdate, complete_draft, signed_plan, today

Login = Callable[[User], Client]


def _url(name: str, w: SimpleNamespace, *args: object) -> str:
    return reverse(f"care:{name}", args=[w.participant.public_id, *args])


# --- deny paths ---------------------------------------------------------------------------------


def test_an_outsider_gets_404_everywhere(care: SimpleNamespace, login: Login) -> None:
    plan = signed_plan(care)
    for who in (care.outsider_clinician, care.other_org_clinician):
        client = login(who)
        for url in (
            _url("plan", care),
            _url("plan_version", care, plan.public_id),
            _url("plan_print", care, plan.public_id),
            _url("relapse", care),
        ):
            assert client.get(url).status_code == 404, (who, url)
        assert client.post(_url("plan_start", care)).status_code == 404


def test_billing_gets_403(care: SimpleNamespace, login: Login) -> None:
    plan = signed_plan(care)
    client = login(care.billing)
    assert client.get(_url("plan", care)).status_code == 403
    assert client.get(_url("plan_version", care, plan.public_id)).status_code == 403
    assert client.get(_url("relapse", care)).status_code == 403


def test_intake_reads_but_cannot_sign(care: SimpleNamespace, login: Login) -> None:
    plan = complete_draft(care)
    client = login(care.intake)
    assert client.get(_url("plan_version", care, plan.public_id)).status_code == 200
    client.post(_url("plan_sign", care, plan.public_id))
    plan.refresh_from_db()
    assert plan.clinician_signed_at is None


def test_a_plan_of_another_participant_is_not_found_by_its_id(
    care: SimpleNamespace, login: Login
) -> None:
    plan = signed_plan(care)
    other = f.ParticipantFactory(organization=care.org)
    f.EpisodeFactory(participant=other, program=care.program)
    client = login(care.clinician)
    url = reverse("care:plan_version", args=[other.public_id, plan.public_id])
    assert client.get(url).status_code == 404


def test_a_sud_programs_plan_needs_sud_access(care: SimpleNamespace, login: Login) -> None:
    Program.objects.filter(pk=care.program.pk).update(treats_sud=True)
    plan = signed_plan(care)
    assert login(care.intake).get(_url("plan", care)).status_code == 403
    assert login(care.intake).get(_url("plan_version", care, plan.public_id)).status_code == 403
    assert login(care.clinician).get(_url("plan", care)).status_code == 200
    assert AccessLog.objects.filter(actor=care.intake, action=AccessAction.DENIED).exists()


# --- staff journey ------------------------------------------------------------------------------


def test_the_clinician_builds_a_plan_through_the_forms(care: SimpleNamespace, login: Login) -> None:
    client = login(care.clinician)
    response = client.post(_url("plan_start", care))
    plan = TreatmentPlan.objects.get(episode=care.episode)
    assert response.status_code == 302
    edit = client.get(_url("plan_edit", care, plan.public_id))
    assert "Add a problem" in edit.content.decode()
    client.post(
        _url("plan_item_add", care, plan.public_id, "problem"), {"description": "Panic at work"}
    )
    problem = plan.problems.get()
    client.post(
        _url("plan_item_add", care, plan.public_id, "goal"),
        {"parent": str(problem.public_id), "description": "Stay at work", "status": "active"},
    )
    goal = problem.goals.get()
    bad = client.post(
        _url("plan_item_add", care, plan.public_id, "objective"),
        {
            "parent": str(goal.public_id),
            "description": "GAD-7 under 10",
            "target_on": (today(care) + timedelta(days=30)).isoformat(),
            "measure_kind": "score",
            "instrument_code": "GAD-7",
            "direction": "",
            "threshold": "9",
            "status": "active",
        },
    )
    assert bad.status_code == 200
    assert "at most or at least" in bad.content.decode()
    assert not PlanObjective.objects.exists()
    client.post(
        _url("plan_item_add", care, plan.public_id, "objective"),
        {
            "parent": str(goal.public_id),
            "description": "GAD-7 under 10",
            "target_on": (today(care) + timedelta(days=30)).isoformat(),
            "measure_kind": "score",
            "instrument_code": "GAD-7",
            "direction": "at_most",
            "threshold": "9",
            "status": "active",
        },
    )
    objective = PlanObjective.objects.get()
    client.post(
        _url("plan_item_add", care, plan.public_id, "intervention"),
        {
            "parent": str(objective.public_id),
            "modality": "cbt",
            "description": "Exposure practice",
            "frequency": "weekly",
            "responsible": str(care.clinician.public_id),
        },
    )
    assert objective.interventions.count() == 1
    page = client.get(_url("plan_version", care, plan.public_id)).content.decode()
    assert "GAD-7 score at most 9" in page
    assert "Sign as clinician" in page
    client.post(_url("plan_sign", care, plan.public_id))
    plan.refresh_from_db()
    assert plan.clinician_signed_by == care.clinician
    assert plan.status == PlanStatus.DRAFT


def test_removing_an_item_from_a_signed_draft_clears_the_signature(
    care: SimpleNamespace, login: Login
) -> None:
    plan = complete_draft(care)
    plan_sign_clinician(actor=care.clinician, plan=plan)
    objective = PlanObjective.objects.filter(goal__problem__plan=plan).first()
    assert objective is not None
    client = login(care.clinician)
    client.post(_url("plan_item_remove", care, plan.public_id, "objective", objective.public_id))
    plan.refresh_from_db()
    assert plan.clinician_signed_at is None
    assert not PlanObjective.objects.filter(pk=objective.pk).exists()


def test_a_signed_version_has_no_editor(care: SimpleNamespace, login: Login) -> None:
    plan = signed_plan(care)
    client = login(care.clinician)
    assert client.get(_url("plan_edit", care, plan.public_id)).status_code == 404
    page = client.get(_url("plan_version", care, plan.public_id)).content.decode()
    assert "Edit the draft" not in page
    assert "Signed versions are read-only" in page


def test_print_is_audited(care: SimpleNamespace, login: Login) -> None:
    plan = signed_plan(care)
    response = login(care.clinician).get(_url("plan_print", care, plan.public_id))
    assert response.status_code == 200
    assert AccessLog.objects.filter(
        action=AccessAction.PRINT, object_type="care.plan", object_id=str(plan.public_id)
    ).exists()


def test_the_review_page_shows_the_pulled_figures_then_saves(
    care: SimpleNamespace, login: Login
) -> None:
    from tests.measures.helpers import phq9, record

    record(care, "PHQ-9", phq9(16))
    record(care, "PHQ-9", phq9(9))
    plan = backdate(signed_plan(care), 30)
    client = login(care.clinician)
    url = _url("plan_review", care, plan.public_id)
    page = client.get(url).content.decode()
    assert "From the record" in page
    assert "PHQ-9: 16" in page
    assert "scheduled sessions" in page
    objectives = PlanObjective.objects.filter(goal__problem__plan=plan)
    data = {
        "reviewed_on": today(care).isoformat(),
        "reason": "scheduled",
        "changes": "Lower the PHQ-9 target.",
    }
    for o in objectives:
        data[f"progress_{o.public_id}"] = "progressing"
    response = client.post(url, data)
    assert response.status_code == 302
    review = PlanReview.objects.get()
    assert review.new_plan is not None
    assert review.new_plan.version == 2
    detail = client.get(_url("review", care, review.public_id)).content.decode()
    assert "PHQ-9: 16" in detail
    # Both versions stay readable.
    v1 = client.get(_url("plan_version", care, plan.public_id))
    v2 = client.get(_url("plan_version", care, review.new_plan.public_id))
    assert v1.status_code == 200
    assert v2.status_code == 200
    assert "Compared with" in v2.content.decode()
    overview = client.get(_url("plan", care)).content.decode()
    assert "Reviewed: new version to sign" in overview
    assert "Review this plan" not in overview


def test_a_review_without_progress_saves_nothing(care: SimpleNamespace, login: Login) -> None:
    plan = backdate(signed_plan(care), 30)
    response = login(care.clinician).post(
        _url("plan_review", care, plan.public_id),
        {"reviewed_on": today(care).isoformat(), "reason": "scheduled", "changes": "x"},
    )
    assert response.status_code == 200
    assert not PlanReview.objects.exists()


def test_cosign_button_for_the_supervisor(care: SimpleNamespace, login: Login) -> None:
    care.program.plan_cosign_required = True
    care.program.save(update_fields=["plan_cosign_required"])
    plan = complete_draft(care)
    plan_sign_clinician(actor=care.clinician, plan=plan)
    client = login(care.director)
    assert (
        "Co-sign as supervisor"
        in client.get(_url("plan_version", care, plan.public_id)).content.decode()
    )
    client.post(_url("plan_cosign", care, plan.public_id))
    plan.refresh_from_db()
    assert plan.supervisor_signed_by == care.director


# --- portal -------------------------------------------------------------------------------------


def test_the_participant_signs_their_plan_in_the_portal(
    care: SimpleNamespace, login: Login
) -> None:
    plan = complete_draft(care)
    plan_sign_clinician(actor=care.clinician, plan=plan)
    client = login(care.participant_user)
    home = client.get(reverse("portal:home")).content.decode()
    assert "Read and sign my plan" in home
    page = client.get(reverse("care:my_plan")).content.decode()
    assert "PHQ-9 score at most 9" in page
    assert "As on your record: Patricia Example." in page
    bad = client.post(reverse("care:my_plan"), {"typed_name": ""})
    assert bad.status_code == 200
    preferred = client.post(reverse("care:my_plan"), {"typed_name": "Pat Example"})
    assert "Type your legal name as it is on your record" in preferred.content.decode()
    plan.refresh_from_db()
    assert plan.participant_signed_at is None
    client.post(reverse("care:my_plan"), {"typed_name": "patricia  example"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CURRENT
    assert plan.participant_signed_name == "patricia example"


def test_a_participant_sees_only_their_own_plan(care: SimpleNamespace, login: Login) -> None:
    complete_draft(care)
    client = login(care.other_participant_user)
    page = client.get(reverse("care:my_plan")).content.decode()
    assert "PHQ-9" not in page
    client.post(reverse("care:my_plan"), {"typed_name": "Someone Else"})
    assert not TreatmentPlan.objects.filter(participant_signed_at__isnull=False).exists()


def test_staff_cannot_use_the_portal_pages(care: SimpleNamespace, login: Login) -> None:
    assert login(care.clinician).get(reverse("care:my_plan")).status_code == 403
    assert login(care.participant_user).get(_url("plan", care)).status_code == 403


def test_an_incomplete_draft_is_not_offered_for_signing(
    care: SimpleNamespace, login: Login
) -> None:
    plan_draft_start(actor=care.clinician, episode=care.episode)
    client = login(care.participant_user)
    assert "Sign my plan" not in client.get(reverse("care:my_plan")).content.decode()


# --- chart panel --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["clinician", "billing"])
def test_the_chart_panel_is_for_clinical_viewers(
    care: SimpleNamespace, login: Login, role: str
) -> None:
    signed_plan(care)
    page = login(getattr(care, role)).get(
        reverse("participants:chart", args=[care.participant.public_id]) + "?panel=plans"
    )
    assert page.status_code == 200
    shown = "Version 1 in effect" in page.content.decode()
    assert shown is (role == "clinician")
