"""`openiop demo`: migrate, seed if empty, print the demo logins and serve on localhost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from openiop.accounts.models import User
from openiop.demo.synthetic import DEMO_LOGINS, DEMO_PASSWORD
from openiop.programs.models import Organization


class Command(BaseCommand):
    help = (
        "Run the synthetic demo clinic on http://127.0.0.1:PORT: migrate, seed an empty "
        "database, print one login per role, serve. Demo mode only (OPENIOP_DEMO=1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-serve", action="store_true", help="Stop after printing the logins."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"]
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        if not settings.DEMO_MODE:
            # Settings are already loaded by the time a command runs, so the variable cannot
            # be switched on from here.
            raise CommandError(
                "openiop demo needs demo mode: run ./run demo, or set OPENIOP_DEMO=1 "
                "(e.g. OPENIOP_DEMO=1 .venv/bin/openiop demo). Demo mode allows a published "
                "password and printed sign-in codes; never use it for real data."
            )
        self._ensure_sqlite_directory()
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        if Organization.objects.exists():
            self.stdout.write("The database already holds data; not seeding.")
        else:
            call_command("seed", stdout=self.stdout, stderr=self.stderr)
        self._print_logins(port)
        if options["no_serve"]:
            return
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)

    def _ensure_sqlite_directory(self) -> None:
        database = settings.DATABASES["default"]
        if database["ENGINE"].endswith("sqlite3"):
            Path(database["NAME"]).parent.mkdir(parents=True, exist_ok=True)

    def _print_logins(self, port: int) -> None:
        present = dict(
            User.objects.filter(email__in=[email for _, email in DEMO_LOGINS]).values_list(
                "email", "role"
            )
        )
        rows = [(role, email) for role, email in DEMO_LOGINS if present.get(email) == role]
        if not rows:
            self.stdout.write(
                "No demo accounts in this database (it was not created by openiop seed)."
            )
            return
        width = max(len(str(role)) for role, _ in rows)
        email_width = max(len(email) for _, email in rows)
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        self.stdout.write(f"  {'role':<{width}}  {'e-mail':<{email_width}}  password")
        for role, email in rows:
            self.stdout.write(f"  {role!s:<{width}}  {email:<{email_width}}  {DEMO_PASSWORD}")
        self.stdout.write("")
        self.stdout.write(
            "Staff sign-in asks for a 6-digit code. Get the current one in another terminal:"
        )
        self.stdout.write("  ./run totp EMAIL    (or: OPENIOP_DEMO=1 .venv/bin/openiop totp EMAIL)")
        self.stdout.write("Participant and family accounts sign in with the password alone.")
        self.stdout.write(f"Open http://127.0.0.1:{port}/ (all data is synthetic).")
