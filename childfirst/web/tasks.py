"""The shell's nightly job (huey, run by the worker `childfirst serve` starts): fresh planner
statistics on SQLite. SQLite keeps none unless asked; without them it read a street's children
through the index on `status` (nearly every file is active: the whole table) instead of the street's
communities — the supervisor's work list spent 150 ms in four such queries, 25 ms with statistics
(issue 16, item 4). PostgreSQL's autovacuum keeps its own."""

from __future__ import annotations

from django.db import connection
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

# Rows ANALYZE samples per index: approximate statistics in milliseconds even at a million files.
ANALYSIS_LIMIT = 1000


def refresh_sqlite_statistics() -> bool:
    """ANALYZE on SQLite (bounded by ANALYSIS_LIMIT); nothing on another database. True if it ran."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return True


@db_periodic_task(crontab(hour="3", minute="30"))
def nightly_statistics() -> bool:
    return refresh_sqlite_statistics()
