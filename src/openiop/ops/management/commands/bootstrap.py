"""`openiop bootstrap`: the first organization and its first administrator on a new install.

Everything after this happens in the web UI: the administrator signs in through the printed
link, sets up two-step sign-in and invites the program director, who configures the site,
program, tracks and rooms.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.programs.models import Organization


class Command(BaseCommand):
    help = "Create an organization and its first administrator; prints a set-password link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", required=True, help="The organization's name.")
        parser.add_argument("--email", required=True, help="The administrator's e-mail.")
        parser.add_argument("--name", required=True, help="The administrator's full name.")
        parser.add_argument(
            "--site-url",
            required=True,
            help="Where OpenIOP is served, e.g. https://iop.example.org (for the link).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["organization"].strip()
        email = options["email"].strip().lower()
        full_name = options["name"].strip()
        site_url = options["site_url"].strip().rstrip("/")
        if not name or not full_name:
            raise CommandError("Both names are needed: the organization and the administrator.")
        if not site_url.startswith(("https://", "http://")):
            raise CommandError("--site-url must start with https:// (or http:// for a test).")
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an e-mail address.") from None
        with transaction.atomic():
            if Organization.objects.filter(name__iexact=name).exists():
                raise CommandError(f"An organization named {name!r} exists already.")
            if User.objects.filter(email__iexact=email).exists():
                raise CommandError(f"An account with {email} exists already.")
            organization = Organization.objects.create(name=name)
            admin = User(
                organization=organization,
                email=email,
                full_name=full_name,
                role=Role.ADMINISTRATOR,
            )
            admin.set_unusable_password()
            admin.full_clean()
            admin.save()
        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(admin.pk)),
                "token": default_token_generator.make_token(admin),
            },
        )
        self.stdout.write(f"Created {organization.name} and its administrator {email}.")
        self.stdout.write("Open this link (valid for three days) to choose a password:")
        self.stdout.write(f"  {site_url}{path}")
        self.stdout.write(
            "Then sign in, set up two-step sign-in, and invite your program director under Users."
        )
