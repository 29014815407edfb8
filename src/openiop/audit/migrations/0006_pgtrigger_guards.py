"""The access log's append-only trigger is declared on the model (django-pgtrigger) and
replaces the hand-written one of migration 0002. Once no table uses it (the other apps'
migrations of the same change), the shared trigger function goes too."""

import openiop.lib.triggers
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

from openiop.lib.triggers import drop_hand_written

OLD = [
    'DROP TRIGGER IF EXISTS audit_accesslog_append_only ON audit_accesslog',
    'DROP FUNCTION IF EXISTS openiop_audit_append_only()',
]


def forwards(apps, schema_editor):
    drop_hand_written(schema_editor, OLD)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_pgtrigger_guards'),
        ('notes', '0005_pgtrigger_guards'),
        ('participants', '0006_pgtrigger_guards'),
        ('audit', '0005_sqlite_append_only_and_disclosure_events'),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        pgtrigger.migrations.AddTrigger(
            model_name='accesslog',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=openiop.lib.triggers.GuardSql(func="RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='197a7a4fae554dd574071e365337f6a9d588bf9d', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_d991f', table='audit_accesslog', when='BEFORE')),
        ),
    ]
