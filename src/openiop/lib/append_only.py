"""Database triggers that keep the audit tables append-only, on PostgreSQL and on SQLite.

The access log, the account history and the accounting of disclosures are evidence: once a
row is written, no UPDATE or DELETE may change it, whatever path the statement takes (a model
method, a queryset, `_base_manager`, raw SQL through the application's connection). The models
refuse in Python; these triggers refuse in the database.

- PostgreSQL: each model declares a BEFORE UPDATE OR DELETE trigger that raises
  (`lib.triggers.append_only`, installed by its app's migrations through django-pgtrigger).
  Its remaining holes are the table owner's: `ALTER TABLE ... DISABLE TRIGGER` and `TRUNCATE`.
  In production the application connects as a role that does not own the tables
  (`openiop bootstrap --database-roles`, docs/operations.md).
- SQLite (the embedded default): two triggers per table raise with RAISE(ABORT). SQLite has no
  roles, so whoever can write the database file can drop them; they stop the application's own
  code, and anyone going through it, from rewriting history.

Django's SQLite schema editor rebuilds a table to alter it, and the rebuild drops its
triggers: `install(connection)` runs after every migrate (audit's post_migrate handler) and
creates whatever is missing (on PostgreSQL too, should one have been dropped by hand).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

APPEND_ONLY_TABLES = ("audit_accesslog", "accounts_accountevent", "participants_disclosure")

_SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS {table}_no_{op_lower}
BEFORE {op} ON {table}
BEGIN
    SELECT RAISE(ABORT, '{table} is append-only: {op} refused');
END
"""


_SQLITE_COUNT = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s)"


def sqlite_statements(table: str) -> list[str]:
    return [
        _SQLITE_TRIGGER.format(table=table, op=op, op_lower=op.lower())
        for op in ("UPDATE", "DELETE")
    ]


def sqlite_trigger_names(table: str) -> list[str]:
    return [f"{table}_no_update", f"{table}_no_delete"]


def _sqlite_guarded(cursor: Any, table: str) -> bool:
    """Whether `table` has both its SQLite triggers."""
    cursor.execute(_SQLITE_COUNT, sqlite_trigger_names(table))
    return bool(cursor.fetchone()[0] == 2)


def _postgres_guards(tables: Iterable[str]) -> dict[str, tuple[Any, Any]]:
    """The declared append-only trigger of each of `tables`, with its model, by table."""
    import pgtrigger

    wanted = set(tables)
    return {
        model._meta.db_table: (model, trigger)
        for model, trigger in pgtrigger.registered()
        if trigger.name == "append_only" and model._meta.db_table in wanted
    }


def postgres_trigger_name(table: str) -> str:
    """The PostgreSQL name of `table`'s append-only trigger."""
    model, trigger = _postgres_guards([table])[table]
    return str(trigger.get_pgid(model))


def _existing_tables(cursor: Any, connection: Any) -> set[str]:
    return set(connection.introspection.table_names(cursor))


def install(connection: Any, tables: Iterable[str] = APPEND_ONLY_TABLES) -> list[str]:
    """Create the append-only triggers missing on `tables` (those that exist). Returns the
    tables that got one."""
    installed: list[str] = []
    with connection.cursor() as cursor:
        present = _existing_tables(cursor, connection)
        for table in tables:
            if table not in present:
                continue
            if connection.vendor == "sqlite":
                if _sqlite_guarded(cursor, table):
                    continue
                for statement in sqlite_statements(table):
                    cursor.execute(statement)
                installed.append(table)
    if connection.vendor == "postgresql":
        guards = _postgres_guards(set(tables) & present)
        for table, (model, trigger) in guards.items():
            status, _ = trigger.get_installation_status(model, database=connection.alias)
            if status != "INSTALLED":
                trigger.install(model, database=connection.alias)
                installed.append(table)
    return installed


def drop_sqlite(connection: Any, tables: Iterable[str] = APPEND_ONLY_TABLES) -> None:
    """Drop the SQLite triggers. Only the test harness calls this, around Django's flush (which
    empties every table with DELETE between transactional tests), and installs them again."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in tables:
            for name in sqlite_trigger_names(table):
                cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def missing(connection: Any, tables: Iterable[str] = APPEND_ONLY_TABLES) -> list[str]:
    """The existing tables whose append-only trigger is missing (for the system check)."""
    gaps: list[str] = []
    with connection.cursor() as cursor:
        present = _existing_tables(cursor, connection)
        for table in tables:
            if table not in present:
                continue
            if connection.vendor == "sqlite" and not _sqlite_guarded(cursor, table):
                gaps.append(table)
    if connection.vendor == "postgresql":
        guards = _postgres_guards(set(tables) & present)
        for table, (model, trigger) in guards.items():
            status, enabled = trigger.get_installation_status(model, database=connection.alias)
            if status != "INSTALLED" or not enabled:
                gaps.append(table)
    return gaps
