"""History rows are immutable: the database itself refuses UPDATE on DossierEvent.

Every state change is recorded once and never rewritten (team rule; Circular 01/2018 form 05
lists each hand-off as it happened). Deleting a dossier still deletes its history.
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION dossiers_event_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'dossier history rows are immutable (DossierEvent %)', OLD.id;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER dossiers_event_no_update BEFORE UPDATE ON dossiers_dossierevent
    FOR EACH ROW EXECUTE FUNCTION dossiers_event_immutable();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS dossiers_event_no_update ON dossiers_dossierevent;
DROP FUNCTION IF EXISTS dossiers_event_immutable();
"""
SQLITE_UP = """
CREATE TRIGGER dossiers_event_no_update BEFORE UPDATE ON dossiers_dossierevent
BEGIN
    SELECT RAISE(ABORT, 'dossier history rows are immutable');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS dossiers_event_no_update;"


def _run(schema_editor, postgres: str, sqlite: str) -> None:
    vendor = schema_editor.connection.vendor
    sql = {"postgresql": postgres, "sqlite": sqlite}.get(vendor)
    if sql:
        # No parameters: the SQL (and the % of RAISE's format) goes through untouched.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def up(apps, schema_editor):
    _run(schema_editor, POSTGRES_UP, SQLITE_UP)


def down(apps, schema_editor):
    _run(schema_editor, POSTGRES_DOWN, SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0002_worklist_partial_indexes")]

    operations = [migrations.RunPython(up, down)]
