"""An administrator names a staff member's clinical supervisor, who co-signs their notes and,
where a program requires it, their treatment plans."""

from __future__ import annotations

import pytest

from openiop.accounts.models import AccountEvent, AccountEventKind, User
from tests import factories as f


def _url(user: User) -> str:
    return f"/accounts/users/{user.public_id}/edit/"


def _data(user: User, supervisor: User | None) -> dict[str, object]:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "credentials": user.credentials,
        "role": user.role,
        "programs": [a.program_id for a in user.assignments.all()],
        "supervisor": str(supervisor.public_id) if supervisor else "",
    }


def test_it_sets_the_supervisor_and_records_it(world, login) -> None:
    client = login(world.admin)
    response = client.post(_url(world.clinician), _data(world.clinician, world.director))
    assert response.status_code == 302
    world.clinician.refresh_from_db()
    assert world.clinician.supervisor == world.director
    event = AccountEvent.objects.get(subject=world.clinician, kind=AccountEventKind.UPDATED)
    assert "Supervisor: " in event.summary or "supervisor: " in event.summary
    detail = client.get(f"/accounts/users/{world.clinician.public_id}/").content.decode()
    assert world.director.full_name in detail


def test_it_removes_the_supervisor(world, login) -> None:
    world.clinician.supervisor = world.director
    world.clinician.save()
    login(world.admin).post(_url(world.clinician), _data(world.clinician, None))
    world.clinician.refresh_from_db()
    assert world.clinician.supervisor is None


@pytest.mark.parametrize("case", ["self", "loop", "billing"])
def test_bad_supervisors_are_refused_and_nothing_changes(world, login, case) -> None:
    if case == "self":
        supervisor = world.clinician
        message = "Nobody can supervise themselves"
    elif case == "loop":
        world.director.supervisor = world.clinician
        world.director.save()
        supervisor = world.director
        message = "is supervised by this person already"
    else:
        supervisor = world.billing
        message = "Select a valid choice"
    response = login(world.admin).post(_url(world.clinician), _data(world.clinician, supervisor))
    assert response.status_code == 200
    assert message in response.content.decode()
    world.clinician.refresh_from_db()
    assert world.clinician.supervisor is None


def test_a_supervisor_from_another_organization_is_not_offered(world, login) -> None:
    stranger = f.UserFactory(organization=f.OrganizationFactory(), role="clinician")
    response = login(world.admin).post(_url(world.clinician), _data(world.clinician, stranger))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    world.clinician.refresh_from_db()
    assert world.clinician.supervisor is None
