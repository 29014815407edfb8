"""On PostgreSQL the database refuses UPDATE and DELETE on the account history, as it does on
the access log (same trigger function)."""

from django.db import migrations

CREATE = """
CREATE TRIGGER accounts_accountevent_append_only
    BEFORE UPDATE OR DELETE ON accounts_accountevent
    FOR EACH ROW EXECUTE FUNCTION openiop_audit_append_only();
"""
DROP = "DROP TRIGGER IF EXISTS accounts_accountevent_append_only ON accounts_accountevent;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_account_events_email_ci"),
        ("audit", "0004_append_only_function_names_table"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
