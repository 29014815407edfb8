"""`openiop bootstrap`: the first organization and its first administrator on a new install;
with `--database-roles`, the PostgreSQL role split.

Everything after this happens in the web UI: the administrator signs in through the printed
link, sets up two-step sign-in and invites the program director, who configures the site,
program, tracks and rooms.

`openiop bootstrap --database-roles --app-role openiop_app`, run with DATABASE_URL naming the
role that owns the tables (the one that runs migrations), gives the application its own role:
it reads and writes rows, but owns nothing, so it cannot `ALTER TABLE ... DISABLE TRIGGER`,
drop the append-only triggers or `TRUNCATE` the audit tables; and UPDATE and DELETE on those
tables are not even granted. Idempotent: run it again after every upgrade.
"""

from __future__ import annotations

import os
import re
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import connection, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.lib.append_only import APPEND_ONLY_TABLES
from openiop.programs.models import Organization

_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


REQUIRED = ("organization", "email", "name", "site_url")


class Command(BaseCommand):
    help = "Create an organization and its first administrator; prints a set-password link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", help="The organization's name.")
        parser.add_argument("--email", help="The administrator's e-mail.")
        parser.add_argument("--name", help="The administrator's full name.")
        parser.add_argument(
            "--site-url",
            help="Where OpenIOP is served, e.g. https://iop.example.org (for the link).",
        )
        parser.add_argument(
            "--database-roles",
            action="store_true",
            help="PostgreSQL: give the application a role that does not own the tables "
            "(run as the owning role; see docs/operations.md).",
        )
        parser.add_argument(
            "--app-role", default="openiop_app", help="The application's role (created if new)."
        )
        parser.add_argument(
            "--app-password-env",
            default="OPENIOP_APP_DB_PASSWORD",
            help="Environment variable holding the new role's password (never on the command "
            "line, where process listings show it).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["database_roles"]:
            self._database_roles(options["app_role"], options["app_password_env"])
            return
        missing = [f"--{k.replace('_', '-')}" for k in REQUIRED if not options.get(k)]
        if missing:
            raise CommandError(f"These are needed: {', '.join(missing)}.")
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

    # --- the PostgreSQL role split -------------------------------------------------------

    def _database_roles(self, app_role: str, password_env: str) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "--database-roles is for PostgreSQL. SQLite has no roles: its append-only "
                "triggers stop the application, and the database file's permissions stop "
                "everyone else."
            )
        if not _ROLE_NAME.match(app_role):
            raise CommandError("--app-role must be a plain lower-case PostgreSQL role name.")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database()")
            owner, database = cursor.fetchone()
            if app_role == owner:
                raise CommandError("The application's role must not be the owning role.")
            cursor.execute(
                "SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND "
                "tablename = 'audit_accesslog'"
            )
            row = cursor.fetchone()
            if row is None:
                raise CommandError("Run `openiop migrate` first (as this owning role).")
            if row[0] != owner:
                raise CommandError(
                    f"Run this as the role that owns the tables ({row[0]}), not {owner}."
                )
            self._ensure_role(cursor, app_role, password_env)
            cursor.execute(
                "SELECT rolsuper OR rolcreaterole OR rolbypassrls, "
                "pg_has_role(%s, %s, 'MEMBER') FROM pg_roles WHERE rolname = %s",
                [app_role, owner, app_role],
            )
            powerful, member_of_owner = cursor.fetchone()
            if powerful or member_of_owner:
                raise CommandError(
                    f"{app_role} is a superuser, may create roles or bypass row security, or is "
                    f"a member of {owner}: it could act as the owner. Give the application a "
                    "plain role."
                )
            app, own, db = (
                _ident(cursor, app_role),
                _ident(cursor, owner),
                _ident(cursor, database),
            )
            for statement in (
                f"GRANT CONNECT ON DATABASE {db} TO {app}",
                f"GRANT USAGE ON SCHEMA public TO {app}",
                f"REVOKE CREATE ON SCHEMA public FROM {app}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
                f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {app}",
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {own} IN SCHEMA public "
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {own} IN SCHEMA public "
                f"GRANT USAGE, SELECT ON SEQUENCES TO {app}",
            ):
                cursor.execute(statement)
            for table in APPEND_ONLY_TABLES:
                cursor.execute(f"REVOKE UPDATE, DELETE ON {_ident(cursor, table)} FROM {app}")
        self.stdout.write(
            f"{app_role} reads and writes the tables of {database} and owns none of them: it "
            "cannot disable or drop the append-only triggers, TRUNCATE, UPDATE or DELETE "
            f"{', '.join(APPEND_ONLY_TABLES)}."
        )
        self.stdout.write(
            f"Serve with DATABASE_URL naming {app_role}; migrate with {owner}, and run this again "
            "after every upgrade."
        )

    def _ensure_role(self, cursor: Any, app_role: str, password_env: str) -> None:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app_role])
        exists = cursor.fetchone() is not None
        password = os.environ.get(password_env, "")
        if not exists and not password:
            raise CommandError(
                f"Role {app_role} does not exist: set {password_env} to its password to create "
                "it, or create it yourself (LOGIN, no other attributes)."
            )
        name = _ident(cursor, app_role)
        if not exists:
            cursor.execute(
                f"CREATE ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT "
                "PASSWORD %s",
                [password],
            )
            self.stdout.write(f"Created the role {app_role}.")
        elif password:
            cursor.execute(f"ALTER ROLE {name} PASSWORD %s", [password])


def _ident(cursor: Any, name: str) -> str:
    """`name` quoted as an SQL identifier (by PostgreSQL itself)."""
    cursor.execute("SELECT quote_ident(%s)", [name])
    return str(cursor.fetchone()[0])
