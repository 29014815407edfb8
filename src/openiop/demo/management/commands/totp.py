"""`openiop totp EMAIL`: the current sign-in code of a demo account's authenticator."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Print the current 6-digit two-step sign-in code for a demo staff account. "
        "Demo mode only (OPENIOP_DEMO=1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="The account's e-mail address, e.g. director@example.org")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            # Printing codes from the server would make two-step sign-in worthless.
            raise CommandError(
                "openiop totp works only in demo mode (OPENIOP_DEMO=1): on a real installation "
                "the code comes from the user's authenticator app, never from the server."
            )
        email = options["email"].strip().lower()
        device = (
            TOTPDevice.objects.filter(user__email__iexact=email, confirmed=True)
            .order_by("id")
            .first()
        )
        if device is None:
            raise CommandError(
                f"No confirmed authenticator for {email}. Staff demo accounts have one; "
                "participant and family accounts sign in without a code."
            )
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        remaining = device.step - int(time.time() - device.t0) % device.step
        self.stdout.write(f"{code:0{device.digits}d}")
        self.stderr.write(f"(valid for about {remaining} more seconds)")
