"""The guard that keeps responses immutable is declared on the model (django-pgtrigger) and
replaces the hand-written trigger of migration 0002."""

import openiop.lib.triggers
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

from openiop.lib.triggers import drop_hand_written

OLD = [
    'DROP TRIGGER IF EXISTS measures_response_immutable ON measures_response',
    'DROP FUNCTION IF EXISTS openiop_measures_response_guard()',
]


def forwards(apps, schema_editor):
    drop_hand_written(schema_editor, OLD)


class Migration(migrations.Migration):

    dependencies = [
        ('measures', '0002_response_immutable'),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        pgtrigger.migrations.AddTrigger(
            model_name='response',
            trigger=pgtrigger.compiler.Trigger(name='response_immutable', sql=openiop.lib.triggers.GuardSql(func="\n    IF TG_OP = 'UPDATE' AND OLD.status = 'final' AND NEW.status = 'entered_in_error'\n       AND (to_jsonb(NEW) - ARRAY['status', 'error_reason', 'error_marked_at',\n                                  'error_marked_by_id'])\n         = (to_jsonb(OLD) - ARRAY['status', 'error_reason', 'error_marked_at',\n                                  'error_marked_by_id']) THEN\n        RETURN NEW;\n    END IF;\n    IF TG_OP = 'DELETE' THEN\n        RAISE EXCEPTION 'measures_response rows are never deleted'\n            USING ERRCODE = 'insufficient_privilege';\n    END IF;\n    RAISE EXCEPTION 'measures_response is immutable: only final -> entered_in_error is allowed'\n        USING ERRCODE = 'insufficient_privilege';\n    ", hash='a649049683be28786c77c4ebd0f3d8e71fc744cc', operation='UPDATE OR DELETE', pgid='pgtrigger_response_immutable_e12b9', table='measures_response', when='BEFORE')),
        ),
    ]
