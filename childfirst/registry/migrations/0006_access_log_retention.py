"""The access log stays append-only, with one sanctioned exception: rows older than the retention
period may be deleted (`childfirst registry purge --logs`).

Issue #11: on SQLite, `REPLACE INTO` / `INSERT OR REPLACE` resolved the primary-key conflict by
deleting the old row without firing the delete trigger (unless PRAGMA recursive_triggers is on),
so an existing row could be overwritten. A BEFORE INSERT trigger now refuses any insert whose id
already exists, whatever the pragmas. On PostgreSQL `INSERT ... ON CONFLICT DO UPDATE` fires the
BEFORE UPDATE trigger and TRUNCATE has its own trigger (0001), so only the retention rule changes.

Retention: the period lives in a one-row table, registry_accesslogretention (id = 1), which the
delete trigger reads and compares with the database's own clock: a row may be deleted only if it
is older than that many days. The period may be raised but never lowered, nor the row deleted or
replaced, and a CHECK keeps it at six months at least (网络安全法 art. 21). So someone holding the
application's database role (but not the table owner's right to drop triggers) can delete no row
younger than the period in force: neither the clock nor the period is theirs to move backwards.
Lowering the period is a decision for the database owner (drop the guard trigger, update, re-create).
"""

from django.conf import settings
from django.db import migrations

LOG = "registry_childaccesslog"
KEEP = "registry_accesslogretention"
FLOOR = 180  # days; settings.ACCESS_LOG_MIN_RETENTION_DAYS

CREATE_KEEP = (
    f"CREATE TABLE {KEEP} (id integer PRIMARY KEY CHECK (id = 1), days integer NOT NULL CHECK (days >= {FLOOR}))"
)

SQLITE_UP = [
    CREATE_KEEP + ";",
    # REPLACE deletes the conflicting row without firing delete triggers: refuse the insert itself.
    f"CREATE TRIGGER {LOG}_no_replace BEFORE INSERT ON {LOG} WHEN EXISTS (SELECT 1 FROM {LOG} WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'access log is append-only'); END;",
    f"DROP TRIGGER {LOG}_no_delete;",
    # Deletable only once older than the period in force (a missing period deletes nothing).
    f"CREATE TRIGGER {LOG}_no_delete BEFORE DELETE ON {LOG} "
    f"WHEN NOT coalesce(OLD.created_at < datetime('now', '-' || (SELECT days FROM {KEEP} WHERE id = 1) || ' days'), 0) "
    "BEGIN SELECT RAISE(ABORT, 'access log is append-only'); END;",
    f"CREATE TRIGGER {KEEP}_one_row BEFORE INSERT ON {KEEP} WHEN EXISTS (SELECT 1 FROM {KEEP}) "
    "BEGIN SELECT RAISE(ABORT, 'the access log retention can only be raised'); END;",
    f"CREATE TRIGGER {KEEP}_no_lowering BEFORE UPDATE ON {KEEP} WHEN NEW.id IS NOT OLD.id OR NEW.days < OLD.days "
    "BEGIN SELECT RAISE(ABORT, 'the access log retention can only be raised'); END;",
    f"CREATE TRIGGER {KEEP}_no_delete BEFORE DELETE ON {KEEP} "
    "BEGIN SELECT RAISE(ABORT, 'the access log retention can only be raised'); END;",
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {LOG}_no_replace;",
    f"DROP TRIGGER IF EXISTS {LOG}_no_delete;",
    f"CREATE TRIGGER {LOG}_no_delete BEFORE DELETE ON {LOG} BEGIN SELECT RAISE(ABORT, 'access log is append-only'); END;",
    f"DROP TABLE IF EXISTS {KEEP};",
]
POSTGRES_UP = [
    CREATE_KEEP,
    f"""CREATE OR REPLACE FUNCTION childfirst_registry_log_retention() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND OLD.created_at < now() - make_interval(days => (SELECT days FROM {KEEP} WHERE id = 1)) THEN
           RETURN OLD;
         END IF;
         RAISE EXCEPTION 'access log is append-only';
       END; $$ LANGUAGE plpgsql;""",
    f"DROP TRIGGER {LOG}_append_only ON {LOG};",
    f"CREATE TRIGGER {LOG}_append_only BEFORE UPDATE OR DELETE ON {LOG} FOR EACH ROW EXECUTE FUNCTION childfirst_registry_log_retention();",
    """CREATE OR REPLACE FUNCTION childfirst_registry_retention_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.days >= OLD.days THEN
           RETURN NEW;
         END IF;
         RAISE EXCEPTION 'the access log retention can only be raised';
       END; $$ LANGUAGE plpgsql;""",
    f"CREATE TRIGGER {KEEP}_guard BEFORE UPDATE OR DELETE ON {KEEP} FOR EACH ROW EXECUTE FUNCTION childfirst_registry_retention_guard();",
    f"CREATE TRIGGER {KEEP}_no_truncate BEFORE TRUNCATE ON {KEEP} FOR EACH STATEMENT EXECUTE FUNCTION childfirst_registry_retention_guard();",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER {LOG}_append_only ON {LOG};",
    f"CREATE TRIGGER {LOG}_append_only BEFORE UPDATE OR DELETE ON {LOG} FOR EACH ROW EXECUTE FUNCTION childfirst_registry_log_append_only();",
    "DROP FUNCTION IF EXISTS childfirst_registry_log_retention();",
    f"DROP TABLE IF EXISTS {KEEP};",
    "DROP FUNCTION IF EXISTS childfirst_registry_retention_guard();",
]


def _run(statements_by_vendor, seed=False):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
        if seed and schema_editor.connection.vendor in statements_by_vendor:
            # The period in force from the start: the configured one (at least the floor).
            days = max(settings.ACCESS_LOG_RETENTION_DAYS, FLOOR)
            schema_editor.execute(f"INSERT INTO {KEEP} (id, days) VALUES (1, %s)", [days])

    return run


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_homes_to_own_app")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}, seed=True),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
