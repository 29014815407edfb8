from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from openiop.accounts.roles import STAFF_ROLES, Perm, Role, role_has
from openiop.lib import triggers as guards
from openiop.lib.models import OrganizationRecord, OrganizationScoped, PublicIdentified


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        # Addresses are stored lower-case, but a row written by hand or by an older import
        # must not become impossible to sign in to; the unique constraint on Lower(email)
        # keeps this lookup unambiguous.
        return self.get(email__iexact=username)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("role", Role.ADMINISTRATOR)
        extra.setdefault("full_name", "Administrator")
        extra["is_superuser"] = True
        return self.create_user(email, password, **extra)


# Who may supervise (co-sign) clinical work.
SUPERVISOR_ROLES = (Role.CLINICIAN, Role.DIRECTOR)


class User(PublicIdentified, AbstractBaseUser, PermissionsMixin):
    """Everyone who signs in: staff, participants and family members. What they may do comes
    from `role` (see roles.py) and, for staff, the programs they are assigned to."""

    organization = models.ForeignKey(
        settings.ORGANIZATION_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    credentials = models.CharField(
        max_length=100, blank=True, help_text="Licence and degree, e.g. LCSW, PhD."
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Clinical supervisor: co-signs this clinician's notes, and treatment plans where the
    # program requires a co-signature.
    supervisor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervisees",
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="user_role_valid"
            ),
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.full_name}, {self.credentials}" if self.credentials else self.full_name

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    # Django's admin flag; OpenIOP does not mount the Django admin.
    @property
    def is_staff(self) -> bool:
        return False

    def can(self, perm: Perm) -> bool:
        return self.is_active and role_has(self.role, perm)


class StaffAssignment(OrganizationScoped):
    """Which programs a staff member works in. Staff see participants only through these."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="staff_assignments"
    )
    on_call_eligible = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "program"], name="assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.program}"


class AppendOnlyError(Exception):
    pass


class AccountEventKind(models.TextChoices):
    CREATED = "created", "Account created"
    INVITED = "invited", "Invitation sent"
    UPDATED = "updated", "Details changed"
    DEACTIVATED = "deactivated", "Deactivated"
    REACTIVATED = "reactivated", "Reactivated"
    MFA_RESET = "mfa_reset", "Two-step sign-in reset"


class AccountEvent(OrganizationRecord):
    """What an administrator did to a user account, and who did it. Rows are only inserted,
    through accounts.services; they hold role and program names, never participant data."""

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(User, on_delete=models.PROTECT, related_name="account_events")
    kind = models.CharField(max_length=20, choices=AccountEventKind.choices)
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        triggers = [guards.append_only()]
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in AccountEventKind]),
                name="account_event_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Account history cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Account history cannot be deleted.")
