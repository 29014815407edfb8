"""The accounting of disclosures' append-only trigger is declared on the model
(django-pgtrigger) and replaces the one lib.append_only created in migration 0004."""

import openiop.lib.triggers
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

from openiop.lib.triggers import drop_hand_written

OLD = [
    'DROP TRIGGER IF EXISTS participants_disclosure_append_only ON participants_disclosure',
]


def forwards(apps, schema_editor):
    drop_hand_written(schema_editor, OLD)


class Migration(migrations.Migration):

    dependencies = [
        ('participants', '0005_portal_invitations'),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        pgtrigger.migrations.AddTrigger(
            model_name='disclosure',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=openiop.lib.triggers.GuardSql(func="RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='c075f4f4d7b248909732cacfb616a29e550c18da', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_6e5f9', table='participants_disclosure', when='BEFORE')),
        ),
    ]
