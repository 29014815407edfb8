"""`openiop serve`: production serving with gunicorn, after collecting static files."""

from __future__ import annotations

import os
import re
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser, SystemCheckError

from openiop.lib.env import env_int
from openiop.ops.helpline import help_phones_refresh

# host:port (IPv4, name or [IPv6]) or a unix socket path.
_BIND = re.compile(r"^(unix:/.+|(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5})$")

# Gunicorn's default access line includes the query string, and searches can carry names:
# log the path only (URLs hold UUIDs, never PHI); the logger class takes calendar-feed tokens
# out of it (ops/gunicorn_logging.py).
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
LOGGER_CLASS = "openiop.ops.gunicorn_logging.RedactingLogger"


def gunicorn_argv(*, bind: str, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "openiop.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--logger-class",
        LOGGER_CLASS,
    ]


class Command(BaseCommand):
    help = (
        "Serve OpenIOP in production with gunicorn (collects static files first). Put it "
        "behind a TLS-terminating proxy; see docs/configuration.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="host:port or unix:/path")
        parser.add_argument(
            "--workers",
            type=int,
            default=env_int("WEB_CONCURRENCY", 3, minimum=1),
            help="Worker processes (default: $WEB_CONCURRENCY or 3).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Run the deployment checks first and refuse to start on errors.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bind, workers = options["bind"], options["workers"]
        if not _BIND.match(bind):
            raise CommandError(f"--bind must be host:port or unix:/path, not {bind!r}.")
        if not 1 <= workers <= 64:
            raise CommandError(f"--workers must be between 1 and 64, not {workers}.")
        if options["check"]:
            try:
                call_command("check", deploy=True, fail_level="ERROR")
            except SystemCheckError as error:
                raise CommandError(
                    f"Deployment checks found errors; not starting.\n{error}"
                ) from error
        call_command("collectstatic", interactive=False, verbosity=0)
        # The error page's phone numbers, current as of this start (ops/helpline.py).
        help_phones_refresh()
        self.stdout.write(f"Serving OpenIOP on {bind} with {workers} workers.")
        self.stdout.flush()
        argv = gunicorn_argv(bind=bind, workers=workers)
        # Replace this process so the service manager's signals reach gunicorn directly.
        os.execv(argv[0], argv)  # noqa: S606 — fixed program, arguments validated above
