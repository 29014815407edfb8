"""`openiop demo`: migrate, seed if empty, print the demo logins, then run the web server, the
background worker and the scheduler together on localhost: escalation, reminders and due
check-ins happen in the demo as they would in a clinic. Ctrl-C stops all three."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from openiop.accounts.models import User
from openiop.demo.synthetic import DEMO_LOGINS, DEMO_PASSWORD
from openiop.programs.models import Organization


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


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
        # Ctrl-C or a plain kill stops the web server the same way, even where the shell
        # started us with SIGINT ignored (a background job); the finally stops the children.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _interrupt)
        children = self._start_background()
        try:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
        finally:
            self._stop_background(children)

    def _start_background(self) -> list[subprocess.Popen[bytes]]:
        """The worker and the scheduler as child processes of this one, with the same
        environment. They share the terminal's process group, so Ctrl-C reaches them too."""
        mail = Path(settings.EMAIL_FILE_PATH)
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            self.stdout.write(f"E-mails the demo sends (alert notices, invitations) go to {mail}/.")
        children = [
            subprocess.Popen([sys.executable, "-m", "openiop", name])  # noqa: S603 — fixed argv
            for name in ("worker", "scheduler")
        ]
        self.stdout.write(
            f"Background work runs beside the web server: worker (pid {children[0].pid}) and "
            f"scheduler (pid {children[1].pid}). Alert escalation runs every minute; reminders "
            "and due check-ins as scheduled. Ctrl-C stops all three."
        )
        self.stdout.flush()
        return children

    def _stop_background(self, children: list[subprocess.Popen[bytes]]) -> None:
        # After Ctrl-C they already have the terminal's SIGINT: give them a moment to finish
        # the task in hand before asking again.
        for signum in (None, signal.SIGTERM, signal.SIGKILL):
            for child in children:
                if signum is not None and child.poll() is None:
                    child.send_signal(signum)
            deadline = time.monotonic() + 5
            for child in children:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
            if all(child.poll() is not None for child in children):
                break
        self.stdout.write("Web server, worker and scheduler stopped.")

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
