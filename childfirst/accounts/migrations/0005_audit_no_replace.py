"""Issue #11: on SQLite, `REPLACE INTO` / `INSERT OR REPLACE` resolved a primary-key conflict by
deleting the old audit row without firing the delete trigger (unless PRAGMA recursive_triggers is
on) and inserting a new one in its place. Refuse any insert whose id already exists, whatever the
pragmas. On PostgreSQL `INSERT ... ON CONFLICT DO UPDATE` fires the BEFORE UPDATE trigger and
TRUNCATE has its own trigger (0002), so nothing changes there."""

from django.db import migrations

TABLE = "accounts_auditevent"

SQLITE_UP = [
    f"CREATE TRIGGER {TABLE}_no_replace BEFORE INSERT ON {TABLE} WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {TABLE}_no_replace;"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_user_phone")]

    operations = [migrations.RunPython(_run({"sqlite": SQLITE_UP}), _run({"sqlite": SQLITE_DOWN}))]
