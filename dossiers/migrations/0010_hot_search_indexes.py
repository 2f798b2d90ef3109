"""The search box's indexes (issue 10 item 2, second version): b-trees on the search
columns of 0009, built CONCURRENTLY so that intake goes on while they build; the trigram
index of 0006 and its function go (every intake paid a GIN insert for it).

Rows older than the columns are filled here when the table is small; on a large table
(over BACKFILL_HERE rows) the migration leaves them to `manage.py backfill_dossier_search`
(batches of 5,000 rows, one transaction each, resumable), which must run before the
search box finds old dossiers.
"""

from django.db import migrations

BACKFILL_HERE = 200_000
PATTERN = "varchar_pattern_ops"
INDEXES = {
    "dossier_search_name_agency": f"(agency_id, search_name {PATTERN})",
    "dossier_search_name_current": f"(current_agency_id, search_name {PATTERN})",
    "dossier_search_code_agency": f"(agency_id, search_code_rev {PATTERN})",
    "dossier_search_code_current": f"(current_agency_id, search_code_rev {PATTERN})",
    "dossier_search_phone": f"(search_phone_rev {PATTERN})",
    "dossier_search_id": f"(search_id_rev {PATTERN})",
}


def up(apps, schema_editor):
    from dossiers.worklist_search import backfill

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM dossiers_dossier LIMIT %s) t", [BACKFILL_HERE + 1]
        )
        small = cursor.fetchone()[0] <= BACKFILL_HERE
    if small:
        backfill(model=apps.get_model("dossiers", "Dossier"))
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name, columns in INDEXES.items():
            cursor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON dossiers_dossier {columns}"
            )
        cursor.execute("DROP INDEX CONCURRENTLY IF EXISTS dossier_search_trgm")
        cursor.execute("DROP FUNCTION IF EXISTS dossier_haystack(text, text, text, text)")


def down(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    # The trigram index is not rebuilt: migrating back to 0006 (its own RunPython) does.


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [("dossiers", "0009_hot_search_columns")]

    operations = [migrations.RunPython(up, down, elidable=False)]
