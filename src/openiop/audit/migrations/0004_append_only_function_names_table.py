"""The append-only trigger function names the table it guards, so other append-only tables
(accounts' AccountEvent) can share it."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION openiop_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_event_program")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
