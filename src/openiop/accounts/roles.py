"""Roles and what each may do, declared once. Every check in the code asks `has_perm`-style
questions of this table; nothing else grants access."""

from __future__ import annotations

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    DIRECTOR = "director", "Program director"
    CLINICIAN = "clinician", "Clinician"
    INTAKE = "intake", "Intake coordinator"
    BILLING = "billing", "Billing / utilization"
    PARTICIPANT = "participant", "Participant"
    FAMILY = "family", "Family member"


class Perm(StrEnum):
    # Three separate levels of participant access (DESIGN.md "Scoping getters").
    PARTICIPANT_EXISTS = "participant.exists"  # identity, episodes, attendance and hours
    PARTICIPANT_CLINICAL = "participant.clinical"  # notes, scores, plans, risk
    PARTICIPANT_SUD = "participant.sud"  # 42 CFR Part 2 records
    PARTICIPANT_WRITE = "participant.write"
    PARTICIPANT_CREATE = "participant.create"
    PROGRAM_CONFIGURE = "program.configure"
    AUDIT_REVIEW = "audit.review"
    USER_MANAGE = "user.manage"
    PORTAL_SELF = "portal.self"
    PORTAL_FAMILY = "portal.family"
    # The billing room (issue 18): read coverage, authorizations, billable days and claims;
    # manage them (payers, coverage, authorizations, reviews, claims).
    BILLING_VIEW = "billing.view"
    BILLING_MANAGE = "billing.manage"


STAFF_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.DIRECTOR, Role.CLINICIAN, Role.INTAKE, Role.BILLING}
)

ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.ADMINISTRATOR: frozenset({Perm.AUDIT_REVIEW, Perm.USER_MANAGE}),
    Role.DIRECTOR: frozenset(
        {
            Perm.PARTICIPANT_EXISTS,
            Perm.PARTICIPANT_CLINICAL,
            Perm.PARTICIPANT_SUD,
            Perm.PARTICIPANT_WRITE,
            Perm.PARTICIPANT_CREATE,
            Perm.PROGRAM_CONFIGURE,
            Perm.AUDIT_REVIEW,
            Perm.BILLING_VIEW,
            Perm.BILLING_MANAGE,
        }
    ),
    Role.CLINICIAN: frozenset(
        {
            Perm.PARTICIPANT_EXISTS,
            Perm.PARTICIPANT_CLINICAL,
            Perm.PARTICIPANT_SUD,
            Perm.PARTICIPANT_WRITE,
            Perm.BILLING_VIEW,
        }
    ),
    Role.INTAKE: frozenset(
        {
            Perm.PARTICIPANT_EXISTS,
            Perm.PARTICIPANT_CLINICAL,
            Perm.PARTICIPANT_WRITE,
            Perm.PARTICIPANT_CREATE,
        }
    ),
    Role.BILLING: frozenset({Perm.PARTICIPANT_EXISTS, Perm.BILLING_VIEW, Perm.BILLING_MANAGE}),
    Role.PARTICIPANT: frozenset({Perm.PORTAL_SELF}),
    Role.FAMILY: frozenset({Perm.PORTAL_FAMILY}),
}


def role_has(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMS.get(role, frozenset())
