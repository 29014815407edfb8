"""The role table: every role is declared, and the three participant access levels differ."""

from __future__ import annotations

from openiop.accounts.roles import ROLE_PERMS, STAFF_ROLES, Perm, Role, role_has

LEVELS = {Perm.PARTICIPANT_EXISTS, Perm.PARTICIPANT_CLINICAL, Perm.PARTICIPANT_SUD}


def _levels(role: Role) -> set[Perm]:
    return set(ROLE_PERMS[role]) & LEVELS


def test_every_role_has_an_entry():
    assert set(ROLE_PERMS) == set(Role)


def test_billing_may_only_see_that_participants_exist():
    assert _levels(Role.BILLING) == {Perm.PARTICIPANT_EXISTS}
    assert not role_has(Role.BILLING, Perm.PARTICIPANT_WRITE)


def test_clinicians_see_clinical_content():
    assert {Perm.PARTICIPANT_EXISTS, Perm.PARTICIPANT_CLINICAL} <= _levels(Role.CLINICIAN)


def test_intake_sees_clinical_but_not_sud_content():
    assert _levels(Role.INTAKE) == {Perm.PARTICIPANT_EXISTS, Perm.PARTICIPANT_CLINICAL}


def test_administrators_have_no_participant_access():
    assert _levels(Role.ADMINISTRATOR) == set()
    assert role_has(Role.ADMINISTRATOR, Perm.USER_MANAGE)


def test_only_administrators_manage_users():
    assert [r for r in Role if role_has(r, Perm.USER_MANAGE)] == [Role.ADMINISTRATOR]


def test_the_three_levels_are_distinct_permissions():
    assert len({p.value for p in LEVELS}) == 3
    assert {frozenset(_levels(r)) for r in STAFF_ROLES} >= {
        frozenset(),
        frozenset({Perm.PARTICIPANT_EXISTS}),
        frozenset({Perm.PARTICIPANT_EXISTS, Perm.PARTICIPANT_CLINICAL}),
        frozenset(LEVELS),
    }


def test_clinical_access_always_implies_existence():
    for role in Role:
        if role_has(role, Perm.PARTICIPANT_CLINICAL) or role_has(role, Perm.PARTICIPANT_SUD):
            assert role_has(role, Perm.PARTICIPANT_EXISTS), role


def test_participants_and_family_are_not_staff():
    assert Role.PARTICIPANT not in STAFF_ROLES
    assert Role.FAMILY not in STAFF_ROLES
    assert not _levels(Role.PARTICIPANT)
    assert not _levels(Role.FAMILY)
