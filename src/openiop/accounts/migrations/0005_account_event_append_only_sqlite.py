"""The account history is append-only on SQLite too, as on PostgreSQL (migration 0003)."""

from django.db import migrations

from openiop.lib import append_only


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        append_only.install(schema_editor.connection, ["accounts_accountevent"])


def backwards(apps, schema_editor):
    append_only.drop_sqlite(schema_editor.connection, ["accounts_accountevent"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_user_supervisor")]
    operations = [migrations.RunPython(forwards, backwards)]
