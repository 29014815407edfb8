"""A person treated in two programs has a safety plan in each; neither program reads the
other's (issue 14). The migration that made plans per program is tested on its own."""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from openiop.accounts.roles import Role
from openiop.audit.models import AccessAction, AccessLog
from openiop.safety.models import PlanStatus, SafetyPlanVersion
from openiop.safety.plans import (
    current_plan,
    safety_plan_draft_save,
    safety_plan_sign_clinician,
    safety_plan_sign_participant,
)
from tests import factories as f
from tests.participants.consent_support import sud_world


def _signed(world: SimpleNamespace, program: Any, words: str) -> SafetyPlanVersion:
    draft = safety_plan_draft_save(
        participant=world.participant,
        program=program,
        actor=world.clinician,
        sections={"warning_signs": words},
    )
    safety_plan_sign_clinician(version=draft, actor=world.clinician)
    return safety_plan_sign_participant(
        version=draft, participant=world.participant, typed_name="Patricia Example"
    )


@pytest.fixture
def two(world: SimpleNamespace) -> SimpleNamespace:
    """The world's participant in the DBT program and a substance-use program; the world's
    clinician works in both, `sud_clinician` only in the second, `dbt_clinician` (the world's
    director) only in the first; each program has a signed plan."""
    sud_program, sud_episode = sud_world(world)
    world.sud_program, world.sud_episode = sud_program, sud_episode
    world.sud_clinician = f.UserFactory(
        organization=world.org, role=Role.CLINICIAN, programs=[sud_program]
    )
    world.dbt_plan = _signed(world, world.program, "DBT words")
    world.sud_plan = _signed(world, sud_program, "SUD words")
    return world


def _url(name: str, world: SimpleNamespace, plan: SafetyPlanVersion) -> str:
    return reverse(name, args=[world.participant.public_id, plan.public_id])


def test_each_program_keeps_its_own_plan_in_force(two: SimpleNamespace) -> None:
    assert current_plan(two.participant, two.program) == two.dbt_plan
    assert current_plan(two.participant, two.sud_program) == two.sud_plan
    # Signing in one program replaced nothing in the other.
    two.dbt_plan.refresh_from_db()
    assert two.dbt_plan.status == PlanStatus.SIGNED
    assert two.dbt_plan.version == two.sud_plan.version == 1


@pytest.mark.parametrize("name", ["safety:plan_version", "safety:plan_print"])
def test_a_clinician_of_one_program_never_reads_the_others_plan(
    two: SimpleNamespace, login: Any, name: str
) -> None:
    sud_only = login(two.sud_clinician)
    assert sud_only.get(_url(name, two, two.dbt_plan)).status_code == 404
    assert sud_only.get(_url(name, two, two.sud_plan)).status_code == 200
    dbt_only = login(two.director)
    assert dbt_only.get(_url(name, two, two.sud_plan)).status_code == 404
    assert dbt_only.get(_url(name, two, two.dbt_plan)).status_code == 200


def test_the_overview_and_the_chart_show_only_the_viewers_programs(
    two: SimpleNamespace, login: Any
) -> None:
    overview = login(two.sud_clinician).get(
        reverse("safety:plan", args=[two.participant.public_id])
    )
    body = overview.content.decode()
    assert "SUD words" in body
    assert "DBT words" not in body
    both = login(two.clinician).get(reverse("safety:plan", args=[two.participant.public_id]))
    assert "SUD words" in both.content.decode()
    assert "DBT words" in both.content.decode()
    chart = login(two.sud_clinician).get(
        reverse("participants:chart", args=[two.participant.public_id]) + "?panel=safety"
    )
    assert two.program.name not in chart.content.decode().split('id="plan-panel-h"')[1][:600]


def test_signing_another_programs_draft_is_refused(two: SimpleNamespace, login: Any) -> None:
    draft = safety_plan_draft_save(
        participant=two.participant,
        program=two.program,
        actor=two.clinician,
        sections={"warning_signs": "New DBT words"},
    )
    response = login(two.sud_clinician).post(_url("safety:plan_sign", two, draft))
    assert response.status_code == 404
    with pytest.raises(ValidationError, match="this plan's program"):
        safety_plan_sign_clinician(version=draft, actor=two.sud_clinician)
    draft.refresh_from_db()
    assert draft.clinician_signed_at is None


def test_a_role_without_sud_access_is_refused_the_substance_use_plan_with_a_log_row(
    two: SimpleNamespace, login: Any
) -> None:
    intake = f.UserFactory(
        organization=two.org, role=Role.INTAKE, programs=[two.program, two.sud_program]
    )
    client = login(intake)
    assert client.get(_url("safety:plan_version", two, two.sud_plan)).status_code == 403
    assert AccessLog.objects.filter(actor=intake, action=AccessAction.DENIED).exists()
    page = client.get(reverse("safety:plan", args=[two.participant.public_id])).content.decode()
    assert "DBT words" in page
    assert "SUD words" not in page


def test_the_edit_page_asks_which_program_when_there_are_two(
    two: SimpleNamespace, login: Any
) -> None:
    client = login(two.clinician)
    url = reverse("safety:plan_edit", args=[two.participant.public_id])
    assert client.get(url).status_code == 302
    chosen = client.get(f"{url}?program={two.sud_program.public_id}")
    assert chosen.status_code == 200
    assert "SUD words" in chosen.content.decode()
    client.post(
        f"{url}?program={two.sud_program.public_id}", {"warning_signs": "Revised SUD words"}
    )
    draft = SafetyPlanVersion.objects.get(status=PlanStatus.DRAFT)
    assert draft.program == two.sud_program
    assert draft.version == 2


def test_the_participant_keeps_both_plans_in_the_portal(two: SimpleNamespace, login: Any) -> None:
    page = login(two.participant_user).get(reverse("portal:safety_plan")).content.decode()
    assert "DBT words" in page
    assert "SUD words" in page
    printed = login(two.participant_user).get(reverse("portal:safety_plan_print")).content.decode()
    assert "DBT words" in printed
    assert "SUD words" in printed


# --- the migration --------------------------------------------------------------------------


def test_the_migration_gives_each_version_its_episodes_program_and_restores_the_plan_in_force(
    two: SimpleNamespace,
) -> None:
    """Before: plans were per participant, so signing the SUD plan had marked the DBT plan
    replaced. Simulate that state (the DBT version filed under some other program, replaced)
    and run the migration's function."""
    migration = importlib.import_module("openiop.safety.migrations.0004_safety_plans_per_program")
    SafetyPlanVersion.objects.filter(pk=two.dbt_plan.pk).update(
        program=two.other_program, status=PlanStatus.SUPERSEDED
    )
    migration.assign_programs(apps, None)
    dbt, sud = (SafetyPlanVersion.objects.get(pk=p.pk) for p in (two.dbt_plan, two.sud_plan))
    assert dbt.program == two.program
    assert dbt.status == PlanStatus.SIGNED
    assert sud.program == two.sud_program
    assert sud.status == PlanStatus.SIGNED
    assert dbt.is_intact
    assert sud.is_intact
