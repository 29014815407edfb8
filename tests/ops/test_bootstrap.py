from __future__ import annotations

import re
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.accounts.roles import Role
from openiop.audit.models import AccessLog
from openiop.lib.append_only import APPEND_ONLY_TABLES, postgres_trigger_name
from openiop.programs.models import Organization

ARGS = {
    "organization": "Harbor Light Health",
    "email": "Admin@Harbor.example",
    "name": "Robin Admin",
    "site_url": "https://iop.harbor.example",
}


def _bootstrap(**overrides: str) -> str:
    out = StringIO()
    call_command("bootstrap", **{**ARGS, **overrides}, stdout=out)
    return out.getvalue()


def test_it_creates_the_organization_and_an_administrator(db) -> None:
    output = _bootstrap()
    admin = User.objects.get(email="admin@harbor.example")
    assert admin.role == Role.ADMINISTRATOR
    assert admin.organization == Organization.objects.get(name="Harbor Light Health")
    assert not admin.has_usable_password()
    assert "https://iop.harbor.example/accounts/password-reset/" in output


def test_the_printed_link_lets_the_administrator_choose_a_password(db, client) -> None:
    link = re.search(r"https://iop\.harbor\.example(\S+)", _bootstrap())
    assert link
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a long harbor passphrase", "new_password2": "a long harbor passphrase"},
    )
    assert response.status_code == 302
    assert User.objects.get(email="admin@harbor.example").check_password("a long harbor passphrase")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-address"}, "not an e-mail address"),
        ({"site_url": "iop.harbor.example"}, "must start with https://"),
        ({"name": "  "}, "Both names are needed"),
    ],
)
def test_bad_input_is_refused_and_creates_nothing(db, overrides, message) -> None:
    with pytest.raises(CommandError, match=message):
        _bootstrap(**overrides)
    assert not Organization.objects.exists()
    assert not User.objects.exists()


def test_it_refuses_an_existing_organization_or_address(db) -> None:
    _bootstrap()
    with pytest.raises(CommandError, match="exists already"):
        _bootstrap(email="other@harbor.example")
    with pytest.raises(CommandError, match="exists already"):
        _bootstrap(organization="Another Org")
    assert Organization.objects.count() == 1


# --- the PostgreSQL role split (issue 14) --------------------------------------------------

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="roles are a PostgreSQL feature"
)


def _attempt(statement: str, params: list[object] | None = None) -> str:
    """Run `statement` as the current role in a savepoint; '' if it worked, else the error."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    except DatabaseError as error:
        return str(error)
    return ""


@pytest.fixture
def app_role(world, monkeypatch):
    """A fresh application role set up by `openiop bootstrap --database-roles` (created in
    the test's transaction, so it is gone when the test ends)."""
    name = f"openiop_app_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("OPENIOP_APP_DB_PASSWORD", "a long test password")
    out = StringIO()
    call_command("bootstrap", database_roles=True, app_role=name, stdout=out)
    assert "owns none of them" in out.getvalue()
    return name


@needs_postgresql
def test_the_application_role_cannot_rewrite_or_empty_the_audit_tables(world, app_role) -> None:
    entry = AccessLog.objects.create(
        organization=world.org, at=timezone.now(), action="view", object_type="t"
    )
    with connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{app_role}"')
    try:
        for table in APPEND_ONLY_TABLES:
            assert "owner" in _attempt(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
            trigger = postgres_trigger_name(table)
            assert "owner" in _attempt(f"DROP TRIGGER {trigger} ON {table}")
            assert "permission denied" in _attempt(f"TRUNCATE {table}")
            assert "permission denied" in _attempt(f"DELETE FROM {table}")  # noqa: S608
            assert "permission denied" in _attempt(f"UPDATE {table} SET id = id")  # noqa: S608
        # ... and still does its work: reads, new log rows, ordinary changes.
        assert _attempt("SELECT count(*) FROM audit_accesslog") == ""
        assert (
            _attempt(
                "INSERT INTO audit_accesslog (public_id, at, actor_role, action, object_type, "
                "object_id, path) VALUES (%s, now(), '', 'view', 't', '', '')",
                [str(uuid.uuid4())],
            )
            == ""
        )
        assert _attempt("UPDATE participants_participant SET phone = phone") == ""
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert AccessLog.objects.filter(pk=entry.pk).exists()


@needs_postgresql
def test_the_owner_could_have_disabled_the_trigger_which_is_why_the_split_matters(world) -> None:
    """The hole the split closes: the owning role may disable the trigger."""
    name = postgres_trigger_name("audit_accesslog")
    assert _attempt(f"ALTER TABLE audit_accesslog DISABLE TRIGGER {name}") == ""


@needs_postgresql
def test_it_is_idempotent(world, app_role) -> None:
    out = StringIO()
    call_command("bootstrap", database_roles=True, app_role=app_role, stdout=out)
    assert "Created the role" not in out.getvalue()


@needs_postgresql
def test_it_refuses_to_make_the_owner_the_application(world) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError, match="must not be the owning role"):
        call_command("bootstrap", database_roles=True, app_role=owner, stdout=StringIO())


@needs_postgresql
def test_a_new_role_needs_its_password_from_the_environment(world, monkeypatch) -> None:
    monkeypatch.delenv("OPENIOP_APP_DB_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="OPENIOP_APP_DB_PASSWORD"):
        call_command(
            "bootstrap", database_roles=True, app_role="openiop_app_unset", stdout=StringIO()
        )


def test_on_sqlite_there_are_no_roles_to_split(db) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with pytest.raises(CommandError, match="SQLite has no roles"):
        call_command("bootstrap", database_roles=True, stdout=StringIO())


def test_without_the_role_split_the_organization_arguments_are_needed(db) -> None:
    with pytest.raises(CommandError, match="--organization"):
        call_command("bootstrap", email="a@b.example", stdout=StringIO())
