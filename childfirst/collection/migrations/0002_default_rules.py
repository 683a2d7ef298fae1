"""Seed the validation rules from the shipped YAML file (they remain data: see rules.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from childfirst.collection.rules import load_rules

    load_rules(model=apps.get_model("collection", "ValidationRule"))


class Migration(migrations.Migration):
    dependencies = [("collection", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
