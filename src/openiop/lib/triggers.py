"""PostgreSQL triggers declared on the models, with django-pgtrigger.

A model lists its triggers in `Meta.triggers`; `makemigrations` writes them into its app's
migrations, and `migrate` installs them on PostgreSQL (on SQLite the operations do nothing:
lib/append_only.py keeps the SQLite triggers of the append-only tables).

Every trigger here is a `Guard`: pgtrigger's own triggers skip themselves when a session
names them in the `pgtrigger.ignore` setting, which any role may set. A guard's job is to
refuse what the application's role could otherwise do, so guards are compiled without that
escape: only the owner of the tables (ALTER TABLE ... DISABLE TRIGGER, or
session_replication_role as a superuser) can switch one off, as with the hand-written
triggers they replace.
"""

from __future__ import annotations

import re
from typing import Any

import pgtrigger
from pgtrigger import compiler

_IGNORE_CLAUSE = re.compile(
    r"IF \(\{ignore_func_name\}\(TG_NAME\) IS TRUE\) THEN\s+"
    r"IF \(TG_OP = 'DELETE'\) THEN\s+RETURN OLD;\s+ELSE\s+RETURN NEW;\s+END IF;\s+"
    r"END IF;\s+"
)


class GuardSql(compiler.UpsertTriggerSql):
    """pgtrigger's installation SQL without the `pgtrigger.ignore` escape."""

    def get_template(self) -> str:
        template, found = _IGNORE_CLAUSE.subn("", super().get_template())
        if found != 1:  # pragma: no cover - a pgtrigger upgrade changed its template
            raise RuntimeError("django-pgtrigger's trigger template changed: review GuardSql.")
        return template


class Guard(pgtrigger.Trigger):
    """A BEFORE trigger that refuses a change by raising; see the module docstring."""

    when = pgtrigger.Before

    def compile(self, model: Any) -> compiler.Trigger:
        compiled = super().compile(model)
        return compiler.Trigger(name=compiled.name, sql=GuardSql(**compiled.sql.kwargs))


REFUSE = "USING ERRCODE = 'insufficient_privilege';"


def append_only() -> Guard:
    """Refuses every UPDATE and DELETE: the table only grows."""
    return Guard(
        name="append_only",
        operation=pgtrigger.Update | pgtrigger.Delete,
        func=f"RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP {REFUSE}",
    )


def drop_hand_written(schema_editor: Any, statements: list[str]) -> None:
    """For the migrations that moved a hand-written trigger onto its model: drop the old one
    (PostgreSQL only; SQLite never had them)."""
    if schema_editor.connection.vendor == "postgresql":
        for statement in statements:
            schema_editor.execute(statement, params=None)
