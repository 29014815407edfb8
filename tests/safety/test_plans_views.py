"""Safety plan pages: staff write, sign and print; the participant reads, signs and prints
their own plan in the portal; everyone else is turned away."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AccessAction, AccessLog
from openiop.safety.models import PlanStatus, SafetyPlanVersion
from openiop.safety.plans import (
    safety_plan_draft_save,
    safety_plan_sign_clinician,
    safety_plan_sign_participant,
)
from tests import factories as f
from tests.diary.helpers import file_card

Login = Callable[[User], Client]
SECTIONS = {
    "warning_signs": "I stop answering texts",
    "coping_alone": "Cold shower",
    "distractions": "The library",
    "people_to_ask": "My sister Jo",
    "professionals": "988",
    "safer_surroundings": "Jo keeps my extra pills",
}


def _draft(w: SimpleNamespace) -> SafetyPlanVersion:
    return safety_plan_draft_save(
        participant=w.participant, program=w.program, actor=w.clinician, sections=SECTIONS
    )


def _signed(w: SimpleNamespace) -> SafetyPlanVersion:
    draft = _draft(w)
    safety_plan_sign_clinician(version=draft, actor=w.clinician)
    return safety_plan_sign_participant(
        version=draft, participant=w.participant, typed_name="Patricia Example"
    )


def test_the_clinician_writes_a_draft_from_the_staff_page(
    world: SimpleNamespace, login: Login
) -> None:
    client = login(world.clinician)
    url = reverse("safety:plan_edit", args=[world.participant.public_id])
    page = client.get(url)
    assert "988 Suicide" in page.content.decode()
    response = client.post(url, SECTIONS)
    plan = SafetyPlanVersion.objects.get(participant=world.participant)
    assert response.status_code == 302
    assert plan.warning_signs == "I stop answering texts"


def test_an_empty_draft_shows_the_error_and_saves_nothing(
    world: SimpleNamespace, login: Login
) -> None:
    client = login(world.clinician)
    url = reverse("safety:plan_edit", args=[world.participant.public_id])
    response = client.post(url, dict.fromkeys(SECTIONS, ""))
    assert response.status_code == 200
    assert "Write at least one step of the plan" in response.content.decode()
    assert SafetyPlanVersion.objects.count() == 0


def test_the_clinician_signs_on_the_staff_page(world: SimpleNamespace, login: Login) -> None:
    draft = _draft(world)
    client = login(world.clinician)
    client.post(reverse("safety:plan_sign", args=[world.participant.public_id, draft.public_id]))
    draft.refresh_from_db()
    assert draft.clinician_signed_by == world.clinician


def test_billing_is_refused_the_plan(world: SimpleNamespace, login: Login) -> None:
    client = login(world.billing)
    response = client.get(reverse("safety:plan", args=[world.participant.public_id]))
    assert response.status_code == 403


def test_a_clinician_of_another_program_gets_404(world: SimpleNamespace, login: Login) -> None:
    plan = _signed(world)
    client = login(world.outsider_clinician)
    pid = world.participant.public_id
    assert client.get(reverse("safety:plan", args=[pid])).status_code == 404
    assert client.get(reverse("safety:plan_print", args=[pid, plan.public_id])).status_code == 404
    assert client.post(reverse("safety:plan_edit", args=[pid]), SECTIONS).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(world: SimpleNamespace) -> None:
    response = Client().get(reverse("safety:plan", args=[world.participant.public_id]))
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]
    response = Client().get(reverse("portal:safety_plan"))
    assert response.status_code == 302


def test_the_staff_print_view_is_audited(world: SimpleNamespace, login: Login) -> None:
    plan = _signed(world)
    client = login(world.clinician)
    response = client.get(
        reverse("safety:plan_print", args=[world.participant.public_id, plan.public_id])
    )
    assert response.status_code == 200
    assert "Jo keeps my extra pills" in response.content.decode()
    row = AccessLog.objects.get(action=AccessAction.PRINT)
    assert row.actor == world.clinician
    assert row.object_id == str(plan.public_id)


def test_the_participant_sees_their_signed_plan_in_the_portal(
    world: SimpleNamespace, login: Login
) -> None:
    _signed(world)
    page = login(world.participant_user).get(reverse("portal:safety_plan")).content.decode()
    assert "Cold shower" in page
    assert "Print my plan" in page


def test_the_participant_signs_by_typing_their_name(world: SimpleNamespace, login: Login) -> None:
    draft = _draft(world)
    safety_plan_sign_clinician(version=draft, actor=world.clinician)
    client = login(world.participant_user)
    assert "Sign my plan" in client.get(reverse("portal:safety_plan")).content.decode()
    client.post(reverse("portal:safety_plan"), {"typed_name": "Patricia Example"})
    draft.refresh_from_db()
    assert draft.status == PlanStatus.SIGNED
    assert draft.participant_signed_name == "Patricia Example"


def test_signing_without_a_name_shows_the_error(world: SimpleNamespace, login: Login) -> None:
    draft = _draft(world)
    response = login(world.participant_user).post(reverse("portal:safety_plan"), {"typed_name": ""})
    assert "This field is required" in response.content.decode()
    draft.refresh_from_db()
    assert draft.participant_signed_at is None


def test_a_participant_sees_only_their_own_plan(world: SimpleNamespace, login: Login) -> None:
    _signed(world)
    page = login(world.other_participant_user).get(reverse("portal:safety_plan"))
    assert page.status_code == 200
    assert "Cold shower" not in page.content.decode()
    assert (
        login(world.other_participant_user).get(reverse("portal:safety_plan_print")).status_code
        == 404
    )


def test_staff_cannot_open_the_portal_plan(world: SimpleNamespace, login: Login) -> None:
    assert login(world.clinician).get(reverse("portal:safety_plan")).status_code == 403


def test_the_participants_own_print_is_audited(world: SimpleNamespace, login: Login) -> None:
    _signed(world)
    response = login(world.participant_user).get(reverse("portal:safety_plan_print"))
    assert response.status_code == 200
    assert AccessLog.objects.filter(
        action=AccessAction.PRINT, actor=world.participant_user
    ).exists()


def test_the_crisis_banner_links_to_the_plan_on_portal_pages(
    world: SimpleNamespace, login: Login
) -> None:
    client = login(world.participant_user)
    link = f'href="{reverse("portal:safety_plan")}"'
    for url in (reverse("portal:home"), reverse("portal:diary")):
        assert link in client.get(url).content.decode()


def test_family_members_do_not_get_the_plan_link(world: SimpleNamespace, login: Login) -> None:
    page = login(world.family_user).get(reverse("portal:family_home")).content.decode()
    assert reverse("portal:safety_plan") not in page


def test_the_chart_shows_the_plan_status(world: SimpleNamespace, login: Login) -> None:
    _signed(world)
    page = login(world.clinician).get(
        reverse("participants:chart", args=[world.participant.public_id]) + "?panel=safety"
    )
    assert "Version 1 in force" in page.content.decode()


def test_the_calm_screen_after_a_high_urge_shows_the_signed_plan(
    world: SimpleNamespace, login: Login
) -> None:
    _signed(world)
    filed = file_card(world, urge_self_harm=5)
    page = login(world.participant_user).get(
        reverse("portal:diary_support", args=[filed.card.public_id])
    )
    body = page.content.decode()
    assert "Jo keeps my extra pills" in body
    assert "Your care team can make a safety plan with you" not in body


def test_old_versions_stay_readable_after_a_new_one_is_signed(
    world: SimpleNamespace, login: Login
) -> None:
    first = _signed(world)
    second = safety_plan_draft_save(
        participant=world.participant,
        program=world.program,
        actor=world.clinician,
        sections={**SECTIONS, "coping_alone": "Listen to the rain playlist"},
    )
    safety_plan_sign_clinician(version=second, actor=world.clinician)
    safety_plan_sign_participant(
        version=second, participant=world.participant, typed_name="Patricia Example"
    )
    client = login(world.clinician)
    old = client.get(
        reverse("safety:plan_version", args=[world.participant.public_id, first.public_id])
    )
    body = old.content.decode()
    assert "Cold shower" in body
    assert "Replaced by a newer version" in body
    assert "Sign as clinician" not in body


def test_a_version_is_only_found_under_its_own_participant(
    world: SimpleNamespace, login: Login
) -> None:
    plan = _signed(world)
    other = f.EpisodeFactory(
        participant=f.ParticipantFactory(organization=world.org),
        program=world.program,
        primary_clinician=world.clinician,
    )
    url = reverse("safety:plan_version", args=[other.participant.public_id, plan.public_id])
    assert login(world.clinician).get(url).status_code == 404


def test_the_plan_page_keeps_a_bounded_query_count(
    world: SimpleNamespace, login: Login, django_assert_max_num_queries: Any
) -> None:
    for n in range(6):
        draft = safety_plan_draft_save(
            participant=world.participant,
            program=world.program,
            actor=world.clinician,
            sections={**SECTIONS, "distractions": f"Place {n}"},
        )
        safety_plan_sign_clinician(version=draft, actor=world.clinician)
        safety_plan_sign_participant(
            version=draft, participant=world.participant, typed_name="Patricia Example"
        )
    client = login(world.clinician)
    url = reverse("safety:plan", args=[world.participant.public_id])
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.content.decode().count("Version ") >= 6
