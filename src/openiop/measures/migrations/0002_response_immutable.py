"""On PostgreSQL the database itself keeps responses immutable: the only UPDATE it allows is
final → entered-in-error (with its reason, time and who), and it refuses DELETE. The model
refuses the same in application code, which is all SQLite gets."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION openiop_measures_response_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'measures_response rows are never deleted'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.status = 'final' AND NEW.status = 'entered_in_error'
       AND (to_jsonb(NEW) - ARRAY['status', 'error_reason', 'error_marked_at',
                                  'error_marked_by_id'])
         = (to_jsonb(OLD) - ARRAY['status', 'error_reason', 'error_marked_at',
                                  'error_marked_by_id']) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'measures_response is immutable: only final -> entered_in_error is allowed'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER measures_response_immutable
    BEFORE UPDATE OR DELETE ON measures_response
    FOR EACH ROW EXECUTE FUNCTION openiop_measures_response_guard();
"""

DROP = """
DROP TRIGGER IF EXISTS measures_response_immutable ON measures_response;
DROP FUNCTION IF EXISTS openiop_measures_response_guard();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
