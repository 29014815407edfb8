"""The staff home's plan lists (reviews due, first plans due, co-signatures waiting), and
bounded queries on the home, plan and review pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace

from django.test import Client
from django.urls import reverse

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.audit.models import AccessAction, AccessLog
from openiop.care.selectors import home_lists
from openiop.care.services import FIRST_PLAN_DAYS, plan_sign_clinician
from openiop.participants.models import CareTeamRole, EpisodeStatus
from tests import factories as f
from tests.care.helpers import backdate, complete_draft, signed_plan, today

Login = Callable[[User], Client]


def test_an_overdue_review_shows_for_the_primary_clinician(
    care: SimpleNamespace, login: Login
) -> None:
    backdate(signed_plan(care), 35)
    lists = home_lists(care.clinician)
    assert [row.state for row in lists["reviews"]] == ["overdue"]
    page = login(care.clinician).get(reverse("home")).content.decode()
    assert "Reviews due" in page
    assert "overdue since" in page
    assert AccessLog.objects.filter(
        actor=care.clinician, action=AccessAction.LIST, object_type="care.plan"
    ).exists()


def test_a_fresh_plan_is_not_due(care: SimpleNamespace) -> None:
    signed_plan(care)
    assert home_lists(care.clinician)["reviews"] == []


def test_an_expired_plan_shows_as_expired(care: SimpleNamespace) -> None:
    backdate(signed_plan(care), care.program.plan_valid_days + 2)
    assert [row.state for row in home_lists(care.clinician)["reviews"]] == ["expired"]


def test_first_plans_due_within_a_week_of_admission(care: SimpleNamespace) -> None:
    care.episode.admitted_on = today(care) - timedelta(days=2)
    care.episode.save(update_fields=["admitted_on"])
    rows = home_lists(care.clinician)["first"]
    assert [r.episode for r in rows] == [care.episode]
    assert rows[0].due_on == care.episode.admitted_on + timedelta(days=FIRST_PLAN_DAYS)
    assert rows[0].state == "due"
    care.episode.admitted_on = today(care) - timedelta(days=20)
    care.episode.save(update_fields=["admitted_on"])
    assert home_lists(care.clinician)["first"][0].state == "overdue"
    signed_plan(care)
    assert home_lists(care.clinician)["first"] == []


def test_a_colleague_not_on_the_team_does_not_see_it_but_a_director_does(
    care: SimpleNamespace,
) -> None:
    backdate(signed_plan(care), 35)
    colleague = f.UserFactory(organization=care.org, role=Role.CLINICIAN, programs=[care.program])
    assert home_lists(colleague)["reviews"] == []
    assert len(home_lists(care.director)["reviews"]) == 1
    f.CareTeamMemberFactory(episode=care.episode, user=colleague, role=CareTeamRole.GROUP)
    assert len(home_lists(colleague)["reviews"]) == 1
    assert home_lists(care.billing)["reviews"] == []


def test_a_cosignature_waits_on_the_supervisors_home(care: SimpleNamespace, login: Login) -> None:
    care.program.plan_cosign_required = True
    care.program.save(update_fields=["plan_cosign_required"])
    plan = complete_draft(care)
    plan_sign_clinician(actor=care.clinician, plan=plan)
    assert [row.plan for row in home_lists(care.director)["cosign"]] == [plan]
    assert home_lists(care.clinician)["cosign"] == []
    page = login(care.director).get(reverse("home")).content.decode()
    assert "Waiting for your co-signature" in page


def _many(w: SimpleNamespace, count: int) -> None:
    for _ in range(count):
        participant = f.ParticipantFactory(organization=w.org)
        episode = f.EpisodeFactory(
            participant=participant,
            program=w.program,
            primary_clinician=w.clinician,
            status=EpisodeStatus.ACTIVE,
        )
        ns = SimpleNamespace(**{**vars(w), "participant": participant, "episode": episode})
        backdate(signed_plan(ns), 40)


def test_the_home_lists_run_a_fixed_number_of_queries(
    care: SimpleNamespace, login: Login, django_assert_max_num_queries
) -> None:
    _many(care, 2)
    client = login(care.clinician)
    client.get(reverse("home"))
    with django_assert_max_num_queries(60) as few:
        client.get(reverse("home"))
    _many(care, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("home"))
    assert page.content.decode().count("overdue since") == 8


def test_the_plan_pages_run_a_bounded_number_of_queries(
    care: SimpleNamespace, login: Login, django_assert_max_num_queries
) -> None:
    plan = backdate(signed_plan(care), 30)
    client = login(care.clinician)
    for name in ("plan_version", "plan_review", "plan_print"):
        url = reverse(f"care:{name}", args=[care.participant.public_id, plan.public_id])
        with django_assert_max_num_queries(40):
            assert client.get(url).status_code == 200
    with django_assert_max_num_queries(40):
        assert (
            client.get(reverse("care:plan", args=[care.participant.public_id])).status_code == 200
        )
    with django_assert_max_num_queries(40):
        assert login(care.participant_user).get(reverse("care:my_plan")).status_code == 200
