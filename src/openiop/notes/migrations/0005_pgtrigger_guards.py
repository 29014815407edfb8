"""The signed-note locks are declared on the models (django-pgtrigger) and replace the
hand-written triggers of migration 0002."""

import openiop.lib.triggers
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

from openiop.lib.triggers import drop_hand_written

OLD = [
    'DROP TRIGGER IF EXISTS notes_noteaddendum_append_only ON notes_noteaddendum',
    'DROP TRIGGER IF EXISTS notes_noteobjective_locked ON notes_noteobjective',
    'DROP FUNCTION IF EXISTS openiop_notes_link_guard()',
    'DROP TRIGGER IF EXISTS notes_noteentry_locked ON notes_noteentry',
    'DROP FUNCTION IF EXISTS openiop_notes_entry_guard()',
    'DROP TRIGGER IF EXISTS notes_clinicalnote_locked ON notes_clinicalnote',
    'DROP FUNCTION IF EXISTS openiop_notes_note_guard()',
]


def forwards(apps, schema_editor):
    drop_hand_written(schema_editor, OLD)


class Migration(migrations.Migration):

    dependencies = [
        ('notes', '0004_contact_notes_chain_analysis_links'),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        pgtrigger.migrations.AddTrigger(
            model_name='clinicalnote',
            trigger=pgtrigger.compiler.Trigger(name='signed_note_locked', sql=openiop.lib.triggers.GuardSql(condition='WHEN (OLD."status" = \'signed\')', func="\n    IF TG_OP = 'UPDATE'\n       AND (to_jsonb(NEW) - ARRAY['cosigned_at', 'cosigned_by_id', 'updated_at'])\n         = (to_jsonb(OLD) - ARRAY['cosigned_at', 'cosigned_by_id', 'updated_at']) THEN\n        RETURN NEW;\n    END IF;\n    RAISE EXCEPTION 'notes_clinicalnote: a signed note cannot change (% refused)', TG_OP\n        USING ERRCODE = 'insufficient_privilege';\n    ", hash='bec8b458edd3346a9903cad3e311c5dfb5533f92', operation='UPDATE OR DELETE', pgid='pgtrigger_signed_note_locked_a956e', table='notes_clinicalnote', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='noteaddendum',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=openiop.lib.triggers.GuardSql(func="RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';", hash='5412345dba7ce171889a39d073227ce4c87cc06e', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_53803', table='notes_noteaddendum', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='noteentry',
            trigger=pgtrigger.compiler.Trigger(name='signed_note_part_locked', sql=openiop.lib.triggers.GuardSql(func="\n        IF (TG_OP <> 'INSERT' AND EXISTS (SELECT 1 FROM notes_clinicalnote n WHERE n.id = OLD.note_id AND n.status = 'signed'))\n           OR (TG_OP <> 'DELETE' AND EXISTS (SELECT 1 FROM notes_clinicalnote n WHERE n.id = NEW.note_id AND n.status = 'signed')) THEN\n            RAISE EXCEPTION 'notes: the sections of a signed note cannot change (% refused)',\n                TG_OP USING ERRCODE = 'insufficient_privilege';\n        END IF;\n        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\n        RETURN NEW;\n        ", hash='d73e6070522995bde32f5db02aa2b8bd987aca4b', operation='INSERT OR UPDATE OR DELETE', pgid='pgtrigger_signed_note_part_locked_a6839', table='notes_noteentry', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='noteobjective',
            trigger=pgtrigger.compiler.Trigger(name='signed_note_part_locked', sql=openiop.lib.triggers.GuardSql(func="\n        IF (TG_OP <> 'INSERT' AND EXISTS (SELECT 1 FROM notes_noteentry e JOIN notes_clinicalnote n ON n.id = e.note_id WHERE e.id = OLD.entry_id AND n.status = 'signed'))\n           OR (TG_OP <> 'DELETE' AND EXISTS (SELECT 1 FROM notes_noteentry e JOIN notes_clinicalnote n ON n.id = e.note_id WHERE e.id = NEW.entry_id AND n.status = 'signed')) THEN\n            RAISE EXCEPTION 'notes: the objective links of a signed note cannot change (% refused)',\n                TG_OP USING ERRCODE = 'insufficient_privilege';\n        END IF;\n        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\n        RETURN NEW;\n        ", hash='b23ce6f815b53fa030400700d55b4c2dea86d72c', operation='INSERT OR UPDATE OR DELETE', pgid='pgtrigger_signed_note_part_locked_769c8', table='notes_noteobjective', when='BEFORE')),
        ),
    ]
