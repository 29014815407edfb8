"""The program-level scoping getters (participants/access.py) and the SUD gates they carry
into every room (issue 14): each deny path has its own test."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.roles import Role
from openiop.audit.models import AccessAction, AccessLog
from openiop.intake.models import Inquiry, InquirySource, InquiryStatus, IntakeAssessment
from openiop.participants.access import (
    Access,
    chosen_episode,
    participant_program,
    participant_programs,
    program_check,
    readable_program_ids,
)
from openiop.participants.models import ConsentKind, EpisodeStatus
from tests import factories as f
from tests.participants.consent_support import sud_world


@pytest.fixture
def two(world: SimpleNamespace) -> SimpleNamespace:
    """The participant in the DBT program and a substance-use program; an intake coordinator
    works in both (intake has clinical access but no SUD access)."""
    program, episode = sud_world(world)
    world.sud_program, world.sud_episode = program, episode
    world.intake_both = f.UserFactory(
        organization=world.org, role=Role.INTAKE, programs=[world.program, program]
    )
    return world


def _request(user: Any, query: dict[str, str] | None = None) -> Any:
    request = RequestFactory().get("/x/", query or {})
    request.user = user
    return request


def test_a_role_without_sud_access_reads_only_the_other_programs_clinical_records(
    two: SimpleNamespace,
) -> None:
    clinical = participant_programs(two.intake_both, two.participant, access=Access.CLINICAL)
    assert clinical == [two.program]
    identity = participant_programs(two.intake_both, two.participant)
    assert set(identity) == {two.program, two.sud_program}
    assert readable_program_ids(two.intake_both, Access.CLINICAL) == [two.program.pk]
    both = participant_programs(two.clinician, two.participant, access=Access.CLINICAL)
    assert set(both) == {two.program, two.sud_program}


def test_program_check_is_404_outside_the_viewers_programs(two: SimpleNamespace) -> None:
    with pytest.raises(Http404):
        program_check(
            _request(two.director),
            two.participant,
            two.sud_program,
            access=Access.IDENTITY,
            object_type="t",
        )


def test_program_check_is_403_with_a_log_row_without_sud_access(two: SimpleNamespace) -> None:
    with pytest.raises(PermissionDenied):
        program_check(
            _request(two.intake_both),
            two.participant,
            two.sud_program,
            access=Access.CLINICAL,
            object_type="t",
        )
    row = AccessLog.objects.get(action=AccessAction.DENIED)
    assert row.actor == two.intake_both
    assert row.participant == two.participant


def test_a_program_named_by_a_malformed_or_foreign_id_is_404(two: SimpleNamespace) -> None:
    for bad in ("not-a-uuid", str(uuid.uuid4()), str(two.other_program.public_id)):
        with pytest.raises(Http404):
            participant_program(
                _request(two.clinician),
                two.participant,
                bad,
                access=Access.CLINICAL,
                object_type="t",
            )


def test_chosen_episode_follows_the_program_asked_for_and_lists_the_others(
    two: SimpleNamespace,
) -> None:
    request = _request(two.clinician, {"program": str(two.sud_program.public_id)})
    episode, programs = chosen_episode(
        request, two.participant, access=Access.CLINICAL, object_type="t"
    )
    assert episode == two.sud_episode
    assert set(programs) == {two.program, two.sud_program}


def test_chosen_episode_is_403_when_the_only_program_needs_sud_access(world: Any) -> None:
    program, _ = sud_world(world)
    intake = f.UserFactory(organization=world.org, role=Role.INTAKE, programs=[program])
    with pytest.raises(PermissionDenied):
        chosen_episode(_request(intake), world.participant, access=Access.CLINICAL, object_type="t")


# --- the gates in the rooms ---------------------------------------------------------------------


def test_intake_without_sud_access_is_refused_a_substance_use_intake_assessment(
    two: SimpleNamespace, login: Any
) -> None:
    IntakeAssessment.objects.create(
        organization=two.org,
        participant=two.participant,
        episode=two.sud_episode,
        presenting_concerns="Drinking most days",
        created_by=two.clinician,
    )
    url = reverse("intake:assessment", args=[two.participant.public_id, two.sud_episode.public_id])
    response = login(two.intake_both).get(url)
    assert response.status_code == 403
    assert "Drinking most days" not in response.content.decode()
    assert login(two.clinician).get(url).status_code == 200


def test_a_substance_use_programs_inquiries_need_sud_access(
    two: SimpleNamespace, login: Any
) -> None:
    inquiry = Inquiry.objects.create(
        organization=two.org,
        program=two.sud_program,
        status=InquiryStatus.NEW,
        source=InquirySource.WEB,
        name="Jo",
        phone="555-0150",
        consent_to_contact=True,
        received_at=timezone.now(),
    )
    url = reverse("intake:inquiry", args=[inquiry.public_id])
    assert login(two.intake_both).get(url).status_code == 404
    assert "Jo" not in login(two.intake_both).get(reverse("intake:board")).content.decode()
    assert login(two.clinician).get(url).status_code == 200


def test_the_part2_consent_is_offered_only_in_a_substance_use_program(
    world: SimpleNamespace, login: Any
) -> None:
    url = reverse("participants:consent_new", args=[world.participant.public_id])
    client = login(world.clinician)
    kinds = client.get(url).content.decode()
    assert f"?kind={ConsentKind.PART2}" not in kinds
    assert f"?kind={ConsentKind.RELEASE}" in kinds
    asked = client.get(f"{url}?kind={ConsentKind.PART2}", follow=True).content.decode()
    assert "recorded in a program that treats substance use" in asked
    assert 'name="typed_name"' not in asked


def test_in_a_substance_use_program_only_the_part2_consent_is_offered(
    world: SimpleNamespace, login: Any
) -> None:
    program, episode = sud_world(world)
    world.episode.status = EpisodeStatus.DISCHARGED
    world.episode.discharged_on = world.episode.started_on
    world.episode.save()
    url = reverse("participants:consent_new", args=[world.participant.public_id])
    client = login(world.clinician)
    kinds = client.get(url).content.decode()
    assert f"?kind={ConsentKind.PART2}" in kinds
    assert f"?kind={ConsentKind.RELEASE}" not in kinds
    form = client.get(f"{url}?kind={ConsentKind.PART2}").content.decode()
    assert str(episode.public_id) in form
    assert program.name in form
