"""Write functions for accounts."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from openiop.accounts.models import User


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
