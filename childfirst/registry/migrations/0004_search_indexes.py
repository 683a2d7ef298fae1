"""Indexes for searching a million child files (issue 6, item 11; figures in bench/README.md).

Portable: the list's covering index and a plain index on the name (on PostgreSQL Django adds its
varchar_pattern_ops twin for prefixes). PostgreSQL only, skipped elsewhere (SQLite reads its few
thousand demo files whole): pg_trgm trigram indexes for substrings of three characters or more in
the name and both pinyin keys, and an index of each name's characters for one- and two-character
terms (trigrams need three).
"""

from django.db import migrations, models

POSTGRES_INDEXES = [
    ("registry_child_name_trgm", "USING gin (name gin_trgm_ops)"),
    ("registry_child_pinyin_trgm", "USING gin (name_pinyin gin_trgm_ops)"),
    ("registry_child_initials_trgm", "USING gin (name_initials gin_trgm_ops)"),
    # The same expression as search.py's name_has_characters().
    ("registry_child_name_chars", "USING gin (string_to_array(name, NULL))"),
]


def create_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in POSTGRES_INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON registry_child {definition}")


def drop_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _definition in POSTGRES_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_casework_and_mandatory_reports"),
    ]

    operations = [
        migrations.AlterField(
            model_name="child",
            name="name",
            field=models.CharField(db_index=True, max_length=50, verbose_name="name"),
        ),
        migrations.AddIndex(
            model_name="child",
            index=models.Index(
                fields=["residence_area", "status", "name_pinyin", "id"],
                include=("name", "name_initials"),
                name="child_list",
            ),
        ),
        migrations.RunPython(create_postgres_indexes, drop_postgres_indexes, elidable=False),
    ]
