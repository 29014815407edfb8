"""On PostgreSQL the database itself keeps signed notes locked:

- a signed note accepts only its co-signature (cosigned_at, cosigned_by) and is never deleted;
- the sections and objective links of a signed note are never updated, deleted or added to;
- an addendum is never updated or deleted.

The models refuse the same in application code, which is all SQLite gets. A change made around
both (a superuser with the triggers off) is still caught: the note's stored content hash no
longer matches (services.note_hash_intact)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION openiop_notes_note_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.status <> 'signed' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) - ARRAY['cosigned_at', 'cosigned_by_id', 'updated_at'])
         = (to_jsonb(OLD) - ARRAY['cosigned_at', 'cosigned_by_id', 'updated_at']) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'notes_clinicalnote: a signed note cannot change (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER notes_clinicalnote_locked
    BEFORE UPDATE OR DELETE ON notes_clinicalnote
    FOR EACH ROW EXECUTE FUNCTION openiop_notes_note_guard();

CREATE OR REPLACE FUNCTION openiop_notes_entry_guard() RETURNS trigger AS $$
DECLARE
    row_note_id bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        row_note_id := NEW.note_id;
    ELSE
        row_note_id := OLD.note_id;
    END IF;
    IF EXISTS (SELECT 1 FROM notes_clinicalnote WHERE id = row_note_id AND status = 'signed')
       OR (TG_OP = 'UPDATE' AND EXISTS (
           SELECT 1 FROM notes_clinicalnote WHERE id = NEW.note_id AND status = 'signed')) THEN
        RAISE EXCEPTION 'notes_noteentry: sections of a signed note cannot change (% refused)',
            TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER notes_noteentry_locked
    BEFORE INSERT OR UPDATE OR DELETE ON notes_noteentry
    FOR EACH ROW EXECUTE FUNCTION openiop_notes_entry_guard();

CREATE OR REPLACE FUNCTION openiop_notes_link_guard() RETURNS trigger AS $$
DECLARE
    row_entry_id bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        row_entry_id := NEW.entry_id;
    ELSE
        row_entry_id := OLD.entry_id;
    END IF;
    IF EXISTS (SELECT 1 FROM notes_noteentry e JOIN notes_clinicalnote n ON n.id = e.note_id
               WHERE e.id = row_entry_id AND n.status = 'signed') THEN
        RAISE EXCEPTION 'notes_noteobjective: links of a signed note cannot change (% refused)',
            TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER notes_noteobjective_locked
    BEFORE INSERT OR UPDATE OR DELETE ON notes_noteobjective
    FOR EACH ROW EXECUTE FUNCTION openiop_notes_link_guard();

CREATE TRIGGER notes_noteaddendum_append_only
    BEFORE UPDATE OR DELETE ON notes_noteaddendum
    FOR EACH ROW EXECUTE FUNCTION openiop_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS notes_noteaddendum_append_only ON notes_noteaddendum;
DROP TRIGGER IF EXISTS notes_noteobjective_locked ON notes_noteobjective;
DROP FUNCTION IF EXISTS openiop_notes_link_guard();
DROP TRIGGER IF EXISTS notes_noteentry_locked ON notes_noteentry;
DROP FUNCTION IF EXISTS openiop_notes_entry_guard();
DROP TRIGGER IF EXISTS notes_clinicalnote_locked ON notes_clinicalnote;
DROP FUNCTION IF EXISTS openiop_notes_note_guard();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0001_notes_entries_addenda"),
        # openiop_audit_append_only() is defined there.
        ("audit", "0004_append_only_function_names_table"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
