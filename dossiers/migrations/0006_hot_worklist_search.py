"""The officials' search box (issue 10 item 2): dossier_haystack() and its trigram index.

PostgreSQL: an IMMUTABLE SQL function folding the applicant name the way
procedures.search.fold does (lower case, no diacritics, đ → d, single spaces; through the
unaccent extension) followed by the code, and the digits of the phone and ID number, each
ended by "|"; a pg_trgm GIN index on it, built CONCURRENTLY so that an existing database keeps taking intake while it builds. SQLite
registers the same function from Python (dossiers.worklist_search.register_sqlite).
"""

from django.db import migrations

# unaccent() is a C dictionary lookup (~7 µs a name); a translate() over every accented
# letter measured ~170 µs a row, too slow to build the index over millions or to filter an
# agency's open dossiers. It is STABLE (the dictionary could change): the dictionary is
# named explicitly, which makes the wrapper safe to declare IMMUTABLE for the index.
FUNCTION = r"""
CREATE OR REPLACE FUNCTION dossier_haystack(name text, code text, phone text, id_number text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT btrim(regexp_replace(
               lower(public.unaccent('public.unaccent'::regdictionary, coalesce(name, ''))),
               '\s+', ' ', 'g'))
        || '|' || lower(coalesce(code, ''))
        || '|' || regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')
        || '|' || regexp_replace(coalesce(id_number, ''), '[^0-9]', '', 'g') || '|'
$$;
"""
INDEX = """
CREATE INDEX CONCURRENTLY IF NOT EXISTS dossier_search_trgm ON dossiers_dossier
USING gin (dossier_haystack(applicant_name, code, applicant_phone, applicant_id_number)
           gin_trgm_ops);
"""
DOWN = """
DROP INDEX CONCURRENTLY IF EXISTS dossier_search_trgm;
DROP FUNCTION IF EXISTS dossier_haystack(text, text, text, text);
"""


def up(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        cursor.execute(FUNCTION)
        cursor.execute(INDEX)


def down(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in DOWN.strip().split(";\n"):
            cursor.execute(statement)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [("dossiers", "0005_newcomer_outbox_demo")]

    operations = [migrations.RunPython(up, down, elidable=False)]
