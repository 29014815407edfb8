"""`openiop seed`: fill an empty database with the synthetic demo clinic."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from openiop.accounts.models import User
from openiop.demo.synthetic import DEMO_LOGINS, ORGANIZATION_NAME, build_demo
from openiop.programs.models import Organization


class Command(BaseCommand):
    help = (
        "Create the synthetic demo clinic (one organization, an adult DBT IOP, staff for "
        "every role, about 40 invented participants). Refuses a database that already holds "
        "an organization. --force allows seeding next to existing data, but never deletes or "
        "changes anything: it still refuses if the demo organization or a demo e-mail address "
        "exists. Only in demo or debug mode (OPENIOP_DEMO=1 or OPENIOP_DEBUG=1), because the "
        "demo accounts share a published password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=7, help="Random seed: the same seed gives the same clinic."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even if other organizations exist (nothing is deleted or changed).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        refusal = seed_refusal(force=options["force"])
        if refusal:
            raise CommandError(refusal)
        summary = build_demo(
            today=timezone.localdate(), seed=options["seed"], progress=self.stdout.write
        )
        counts = ", ".join(f"{n} {status}" for status, n in sorted(summary.statuses.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo clinic created: {summary.participants} participants ({counts})."
            )
        )


def seed_refusal(*, force: bool) -> str:
    """Why the database must not be seeded, or "" if it may."""
    if not (settings.DEMO_MODE or settings.DEBUG):
        return (
            "Seeding creates accounts with a published demo password, so it runs only in demo "
            "or debug mode. Set OPENIOP_DEMO=1 (./run demo does this) and use a database of "
            "its own."
        )
    if Organization.objects.filter(name=ORGANIZATION_NAME).exists():
        return "The demo clinic is already in this database; nothing was changed."
    if not force and Organization.objects.exists():
        return (
            "This database already holds an organization; seeding is for empty databases. "
            "Nothing was changed. (--force seeds next to existing data without touching it.)"
        )
    taken = User.objects.filter(email__in=[email for _, email in DEMO_LOGINS])
    if taken.exists():
        emails = ", ".join(sorted(taken.values_list("email", flat=True)))
        return f"Demo e-mail addresses already in use ({emails}); nothing was changed."
    return ""
