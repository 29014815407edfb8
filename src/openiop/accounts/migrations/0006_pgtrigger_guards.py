"""The account history's append-only trigger is declared on the model (django-pgtrigger) and
replaces the hand-written one of migration 0003."""

import openiop.lib.triggers
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

from openiop.lib.triggers import drop_hand_written

OLD = [
    'DROP TRIGGER IF EXISTS accounts_accountevent_append_only ON accounts_accountevent',
]


def forwards(apps, schema_editor):
    drop_hand_written(schema_editor, OLD)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_account_event_append_only_sqlite'),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        pgtrigger.migrations.AddTrigger(
            model_name='accountevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=openiop.lib.triggers.GuardSql(func="RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='8e2fa42da1eb61d5c6c3efc6945c64a927776eac', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_a5014', table='accounts_accountevent', when='BEFORE')),
        ),
    ]
