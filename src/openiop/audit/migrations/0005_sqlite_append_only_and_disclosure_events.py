"""The access log is append-only on SQLite too (issue 14): triggers refuse UPDATE and DELETE,
as the PostgreSQL trigger of migration 0002 does, so no ORM path (`_base_manager`, raw SQL)
rewrites it. And the timeline learns the "disclosure" event."""

from django.db import migrations, models

from openiop.lib import append_only


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        append_only.install(schema_editor.connection, ["audit_accesslog"])


def backwards(apps, schema_editor):
    append_only.drop_sqlite(schema_editor.connection, ["audit_accesslog"])



class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_append_only_function_names_table'),
    ]

    operations = [
        migrations.AlterField(
            model_name='event',
            name='kind',
            field=models.CharField(choices=[('participant_created', 'Record created'), ('participant_updated', 'Details updated'), ('episode_opened', 'Episode opened'), ('episode_status', 'Episode status changed'), ('care_team', 'Care team changed'), ('family_contact', 'Family contact added'), ('consent', 'Consent recorded'), ('portal_account', 'Portal account'), ('disclosure', 'Information disclosed')], max_length=30),
        ),
        migrations.RunPython(forwards, backwards),
    ]
