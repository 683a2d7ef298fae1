"""The nightly job gives SQLite's query planner statistics (it keeps none unless asked)."""

from __future__ import annotations

import pytest
from django.db import connection

from childfirst.web.tasks import refresh_sqlite_statistics


@pytest.mark.django_db
def test_sqlite_gets_statistics_and_postgresql_is_left_to_autovacuum(users):
    ran = refresh_sqlite_statistics()
    if connection.vendor != "sqlite":
        assert ran is False
        return
    assert ran is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'accounts_user'")
        assert cursor.fetchone()[0] > 0
