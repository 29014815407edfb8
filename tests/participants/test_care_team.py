from __future__ import annotations

from typing import cast

from openiop.accounts.models import User
from openiop.audit.models import Event, EventKind
from openiop.participants.models import CareTeamMember, CareTeamRole
from tests import factories as f


def _url(world, suffix=""):
    return (
        f"/participants/{world.participant.public_id}/episodes/"
        f"{world.episode.public_id}/care-team/{suffix}"
    )


def _colleague(world) -> User:
    return cast(
        User,
        f.UserFactory(
            organization=world.org,
            role="clinician",
            programs=[world.program],
            full_name="Gil Group",
        ),
    )


def test_it_lists_the_current_team(world, login):
    response = login(world.clinician).get(_url(world))
    assert response.status_code == 200
    assert b"Casey Clinician" in response.content
    assert b"Primary therapist" in response.content


def test_it_adds_a_clinician_of_the_program(world, login):
    colleague = _colleague(world)
    response = login(world.director).post(
        _url(world), {"user": str(colleague.public_id), "role": CareTeamRole.GROUP}
    )
    assert response.status_code == 302
    assert CareTeamMember.objects.filter(
        episode=world.episode, user=colleague, role=CareTeamRole.GROUP, until__isnull=True
    ).exists()
    event = Event.objects.get(kind=EventKind.CARE_TEAM)
    assert event.summary == "Adult DBT IOP: Gil Group joined the care team (Group facilitator)"


def test_a_clinician_of_another_program_cannot_be_added(world, login):
    before = CareTeamMember.objects.count()
    response = login(world.director).post(
        _url(world), {"user": str(world.outsider_clinician.public_id), "role": CareTeamRole.GROUP}
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert CareTeamMember.objects.count() == before


def test_adding_someone_twice_in_one_role_is_refused(world, login):
    colleague = _colleague(world)
    client = login(world.director)
    client.post(_url(world), {"user": str(colleague.public_id), "role": CareTeamRole.GROUP})
    before = CareTeamMember.objects.count()
    response = client.post(
        _url(world), {"user": str(colleague.public_id), "role": CareTeamRole.GROUP}
    )
    assert b"already on the care team in that role" in response.content
    assert CareTeamMember.objects.count() == before


def test_adding_a_primary_therapist_changes_the_primary_clinician(world, login):
    colleague = _colleague(world)
    login(world.director).post(
        _url(world), {"user": str(colleague.public_id), "role": CareTeamRole.PRIMARY}
    )
    world.episode.refresh_from_db()
    assert world.episode.primary_clinician == colleague
    primaries = CareTeamMember.objects.filter(
        episode=world.episode, role=CareTeamRole.PRIMARY, until__isnull=True
    )
    assert [m.user for m in primaries] == [colleague]


def test_ending_a_membership(world, login):
    colleague = _colleague(world)
    client = login(world.director)
    client.post(_url(world), {"user": str(colleague.public_id), "role": CareTeamRole.GROUP})
    response = client.post(_url(world, "end/"), {"member": f"{colleague.public_id}:group"})
    assert response.status_code == 302
    member = CareTeamMember.objects.get(episode=world.episode, user=colleague)
    assert member.until is not None
    assert "left the care team" in Event.objects.filter(kind=EventKind.CARE_TEAM).first().summary


def test_the_primary_row_cannot_simply_be_ended(world, login):
    response = login(world.director).post(
        _url(world, "end/"), {"member": f"{world.clinician.public_id}:primary"}, follow=True
    )
    assert b"choose a new primary clinician" in response.content
    assert CareTeamMember.objects.get(episode=world.episode, user=world.clinician).until is None


def test_billing_gets_403(world, login):
    assert login(world.billing).get(_url(world)).status_code == 403
    assert login(world.billing).post(_url(world, "end/"), {}).status_code == 403


def test_outsiders_get_404(world, login):
    assert login(world.outsider_clinician).get(_url(world)).status_code == 404
    assert login(world.other_org_clinician).post(_url(world, "end/"), {}).status_code == 404
