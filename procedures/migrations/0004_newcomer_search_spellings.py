"""Recompute Procedure.search_text: it now merges i/y spellings and drops punctuation."""

from django.db import migrations


def reindex(apps, schema_editor):
    from procedures.search import search_text_for

    Procedure = apps.get_model("procedures", "Procedure")
    batch = []
    for p in Procedure.objects.only("pk", "name", "national_code", "local_code").iterator(2000):
        p.search_text = search_text_for(
            name=p.name, national_code=p.national_code, local_code=p.local_code
        )
        batch.append(p)
        if len(batch) == 2000:
            Procedure.objects.bulk_update(batch, ["search_text"])
            batch = []
    Procedure.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("procedures", "0003_core_successor_leader_decision")]
    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
