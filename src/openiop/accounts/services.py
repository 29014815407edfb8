"""Write functions for accounts: MFA enrolment and the administrator's user management.

Staff accounts only: participant and family accounts belong to the participant record and are
created and changed there. Every administrative change leaves an AccountEvent naming who did it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts.models import (
    SUPERVISOR_ROLES,
    AccountEvent,
    AccountEventKind,
    StaffAssignment,
    User,
)
from openiop.accounts.roles import STAFF_ROLES, Perm, Role

if TYPE_CHECKING:
    from openiop.programs.models import Program

log = logging.getLogger(__name__)

INVITATION_SUBJECT = "OpenIOP account invitation"


def mfa_device_for_enrolment(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device a user is enrolling, created on first request. Re-opening
    the page shows the same secret until it is confirmed."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def mfa_confirm(*, device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])


# --- user administration ---------------------------------------------------------------


def _require_admin(actor: User) -> int:
    """The administrator's organization id; every account change stays inside it."""
    if not actor.can(Perm.USER_MANAGE):
        raise PermissionDenied("Your role does not allow managing users.")
    if actor.organization_id is None:
        raise ValidationError("Your account is not linked to an organization.")
    return actor.organization_id


def _require_managed(actor: User, user: User) -> None:
    # Callers look users up through the organization already; this keeps the rule true for
    # any other caller of these functions.
    if user.organization_id != actor.organization_id or user.role not in STAFF_ROLES:
        raise PermissionDenied("This account is not managed here.")


def _clean_email(email: str, *, exclude: User | None = None) -> str:
    address = email.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid e-mail address."}) from None
    taken = User.objects.filter(email__iexact=address)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError({"email": "Another account already uses this e-mail address."})
    return address


def _clean_role_and_programs(
    *, actor: User, role: str, programs: Iterable[Program]
) -> tuple[Role, list[Program]]:
    if role in (Role.PARTICIPANT, Role.FAMILY):
        raise ValidationError(
            {
                "role": "Participant and family accounts are set up from the participant's "
                "record, not here."
            }
        )
    if role not in STAFF_ROLES:
        raise ValidationError({"role": "Choose one of the staff roles."})
    chosen = list({p.pk: p for p in programs}.values())
    if any(p.organization_id != actor.organization_id for p in chosen):
        raise ValidationError({"programs": "Choose programs of your own organization."})
    if role == Role.ADMINISTRATOR and chosen:
        raise ValidationError(
            {
                "programs": "Administrators work across the organization and are not "
                "assigned to programs (they have no access to participant records)."
            }
        )
    return Role(role), sorted(chosen, key=lambda p: p.name)


def _event(
    *, org_id: int, actor: User, subject: User, kind: AccountEventKind, summary: str = ""
) -> None:
    AccountEvent.objects.create(
        organization_id=org_id,
        actor=actor,
        subject=subject,
        kind=kind,
        summary=summary[:300],
    )


@transaction.atomic
def user_create(
    *,
    actor: User,
    email: str,
    full_name: str,
    credentials: str = "",
    role: str,
    programs: Iterable[Program] = (),
    site_url: str,
    supervisor: User | None = None,
) -> User:
    """A new staff account in the administrator's organization. It has no password: the
    person chooses one through the invitation e-mail, sent once the transaction commits."""
    org_id = _require_admin(actor)
    address = _clean_email(email)
    valid_role, chosen = _clean_role_and_programs(actor=actor, role=role, programs=programs)
    user = User(
        organization_id=org_id,
        email=address,
        full_name=full_name.strip(),
        credentials=credentials.strip(),
        role=valid_role,
        supervisor=supervisor,
    )
    _check_supervisor(user=user, supervisor=supervisor, org_id=org_id)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    StaffAssignment.objects.bulk_create(
        StaffAssignment(user=user, program=p, organization_id=p.organization_id) for p in chosen
    )
    _event(
        org_id=org_id,
        actor=actor,
        subject=user,
        kind=AccountEventKind.CREATED,
        summary=_describe(valid_role, chosen),
    )
    transaction.on_commit(lambda: user_invitation_send(actor=actor, user=user, site_url=site_url))
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    email: str,
    full_name: str,
    credentials: str = "",
    role: str,
    programs: Iterable[Program] = (),
    supervisor: User | None = None,
) -> User:
    org_id = _require_admin(actor)
    _require_managed(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_supervisor(user=user, supervisor=supervisor, org_id=org_id)
    address = _clean_email(email, exclude=user)
    valid_role, chosen = _clean_role_and_programs(actor=actor, role=role, programs=programs)
    # An administrator cannot demote or deactivate themselves, and only an active
    # administrator can act, so an organization always keeps at least one administrator.
    if user.pk == actor.pk and valid_role != user.role:
        raise ValidationError({"role": "You cannot change your own role."})

    changes: list[str] = []
    if address != user.email:
        changes.append("e-mail address")
    if full_name.strip() != user.full_name:
        changes.append("name")
    if credentials.strip() != user.credentials:
        changes.append("credentials")
    if valid_role != user.role:
        changes.append(f"role: {Role(user.role).label} → {valid_role.label}")
    supervisor_id = supervisor.pk if supervisor is not None else None
    if supervisor_id != user.supervisor_id:
        changes.append(
            f"supervisor: {supervisor.full_name}" if supervisor else "supervisor removed"
        )

    user.supervisor_id = supervisor_id
    user.email = address
    user.full_name = full_name.strip()
    user.credentials = credentials.strip()
    user.role = valid_role
    user.full_clean()
    user.save(update_fields=["email", "full_name", "credentials", "role", "supervisor"])

    current = {a.program_id: a for a in user.assignments.select_related("program")}
    wanted = {p.pk: p for p in chosen}
    removed = [a for pk, a in current.items() if pk not in wanted]
    added = [p for pk, p in wanted.items() if pk not in current]
    if removed:
        StaffAssignment.objects.filter(pk__in=[a.pk for a in removed]).delete()
        changes.append("left " + ", ".join(sorted(a.program.name for a in removed)))
    if added:
        StaffAssignment.objects.bulk_create(
            StaffAssignment(user=user, program=p, organization_id=p.organization_id) for p in added
        )
        changes.append("joined " + ", ".join(sorted(p.name for p in added)))
    if changes:
        _event(
            org_id=org_id,
            actor=actor,
            subject=user,
            kind=AccountEventKind.UPDATED,
            summary=_sentence("; ".join(changes)),
        )
    return user


def _check_supervisor(*, user: User, supervisor: User | None, org_id: int) -> None:
    """A supervisor is an active clinician or director of the same organization, not the
    person themselves, and not someone they supervise (no loops in co-signature chains)."""
    if supervisor is None:
        return
    problem = ""
    if supervisor.organization_id != org_id or not supervisor.is_active:
        problem = "Choose an active colleague of your organization."
    elif supervisor.role not in SUPERVISOR_ROLES:
        problem = "A supervisor must be a clinician or a program director."
    elif supervisor.pk == user.pk:
        problem = "Nobody can supervise themselves."
    else:
        seen = {user.pk}
        current: User | None = supervisor
        while current is not None and current.supervisor_id is not None:
            if current.supervisor_id in seen:
                problem = f"{supervisor.full_name} is supervised by this person already."
                break
            seen.add(current.pk)
            current = User.objects.filter(pk=current.supervisor_id).first()
    if problem:
        raise ValidationError({"supervisor": problem})


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """Signs the person out everywhere (inactive accounts fail every session lookup) and
    keeps the account, because notes, signatures and the audit log refer to it."""
    org_id = _require_admin(actor)
    _require_managed(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.pk:
        raise ValidationError("You cannot deactivate your own account.")
    if not user.is_active:
        raise ValidationError("This account is already deactivated.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    _event(org_id=org_id, actor=actor, subject=user, kind=AccountEventKind.DEACTIVATED)
    return user


@transaction.atomic
def user_reactivate(*, actor: User, user: User) -> User:
    org_id = _require_admin(actor)
    _require_managed(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        raise ValidationError("This account is already active.")
    user.is_active = True
    user.save(update_fields=["is_active"])
    _event(org_id=org_id, actor=actor, subject=user, kind=AccountEventKind.REACTIVATED)
    return user


@transaction.atomic
def user_mfa_reset(*, actor: User, user: User) -> int:
    """Removes the person's authenticator so they enrol a new one at their next sign-in (a
    lost or replaced phone). Sessions verified with the old device lose their verification
    at once. Returns how many devices were removed."""
    org_id = _require_admin(actor)
    _require_managed(actor, user)
    if user.pk == actor.pk:
        raise ValidationError("Ask another administrator to reset your own two-step sign-in.")
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    _event(
        org_id=org_id,
        actor=actor,
        subject=user,
        kind=AccountEventKind.MFA_RESET,
        summary=f"{removed} authenticator(s) removed",
    )
    return removed


def user_invitation_send(*, actor: User, user: User, site_url: str) -> bool:
    """E-mails a link to choose a password (Django's password-reset token, valid for
    PASSWORD_RESET_TIMEOUT). The subject carries no name. Returns False if the mail could
    not be sent, so the page can say so instead of failing after the account exists."""
    org_id = _require_admin(actor)
    _require_managed(actor, user)
    if not user.is_active:
        raise ValidationError("Reactivate the account before sending an invitation.")
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    body = render_to_string(
        "accounts/invitation_email.txt",
        {"link": site_url.rstrip("/") + path, "organization": user.organization},
    )
    try:
        send_mail(INVITATION_SUBJECT, body, None, [user.email])
    except Exception:
        # Ids only: the address and name stay out of the logs.
        log.exception("invitation e-mail failed for user %s", user.public_id)
        return False
    _event(org_id=org_id, actor=actor, subject=user, kind=AccountEventKind.INVITED)
    return True


def _describe(role: Role, programs: list[Program]) -> str:
    names = ", ".join(p.name for p in programs) or "no programs"
    return f"{role.label}; {names}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
