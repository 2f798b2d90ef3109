"""Data: the Decision 766 scorecard (groups, weights, sub-indicators) and the 2021 targets
(see indicators/reference.py)."""

from django.db import migrations

from indicators.reference import ensure_reference_data


def load(apps, schema_editor):
    ensure_reference_data(
        apps.get_model("indicators", "ScoreGroup"),
        apps.get_model("indicators", "ScoreIndicator"),
        apps.get_model("indicators", "Target"),
    )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
