"""The audit log and the child-file access log are append-only in the database itself (issue #11):
no UPDATE, DELETE, REPLACE (SQLite), INSERT … ON CONFLICT DO UPDATE or TRUNCATE (PostgreSQL)
changes a row. The one sanctioned deletion: access-log rows older than the retention period
recorded in the database (`registry purge --logs`), a period that can be raised but not lowered."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from childfirst.accounts.models import AuditEvent
from childfirst.registry.models import AccessAction, ChildAccessLog

LOG = "registry_childaccesslog"
AUDIT = "accounts_auditevent"
KEEP = "registry_accesslogretention"
SQLITE = connection.vendor == "sqlite"


def rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")
        return [tuple(row) for row in cursor.fetchall()]


def refused(sql: str, params: list | None = None) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def overwrite_statements(table: str, pk: int) -> list[tuple[str, list]]:
    """Every way of writing over row `pk` on this database, each giving it action = 'forged'."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])
        columns = [column[0] for column in cursor.description]
        values = dict(zip(columns, cursor.fetchone(), strict=True))
    values["action"] = "forged"
    names = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    params = list(values.values())
    upsert = f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET action = 'forged'"
    statements = [
        (upsert, params),
        (f"UPDATE {table} SET action = 'forged' WHERE id = %s", [pk]),
        (f"DELETE FROM {table} WHERE id = %s", [pk]),
        (f"DELETE FROM {table}", []),
    ]
    if SQLITE:
        statements += [
            (f"REPLACE INTO {table} ({names}) VALUES ({marks})", params),
            (f"INSERT OR REPLACE INTO {table} ({names}) VALUES ({marks})", params),
        ]
    else:
        statements += [(f"TRUNCATE {table}", []), (f"TRUNCATE {table} CASCADE", [])]
    return statements


@pytest.mark.django_db
class TestAppendOnly:
    @pytest.mark.parametrize("table", [LOG, AUDIT])
    def test_no_statement_changes_a_row(self, table, users):
        if table == LOG:
            pk = ChildAccessLog.objects.create(user=users.director, user_name="d", action=AccessAction.VIEW).pk
        else:
            pk = AuditEvent.objects.create(actor=users.office, actor_name="o", action="test.event").pk
        before = rows(table)
        for sql, params in overwrite_statements(table, pk):
            refused(sql, params)
            assert rows(table) == before, sql

    def test_recursive_triggers_pragma_changes_nothing(self, users):
        if not SQLITE:
            pytest.skip("a SQLite pragma")
        pk = AuditEvent.objects.create(actor=users.office, actor_name="o", action="test.event").pk
        before = rows(AUDIT)
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA recursive_triggers = ON")
        try:
            for sql, params in overwrite_statements(AUDIT, pk):
                refused(sql, params)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA recursive_triggers = OFF")
        assert rows(AUDIT) == before

    def test_new_rows_still_go_in(self, users):
        ChildAccessLog.objects.create(user=users.director, user_name="d", action=AccessAction.VIEW)
        AuditEvent.objects.create(actor=users.office, actor_name="o", action="test.event")


def log_row(days_ago: int) -> ChildAccessLog:
    return ChildAccessLog.objects.create(
        user_name="d", action=AccessAction.VIEW, created_at=timezone.now() - datetime.timedelta(days=days_ago)
    )


def retention() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT days FROM {KEEP}")
        return cursor.fetchone()[0]


@pytest.mark.django_db
class TestAccessLogRetention:
    def test_the_database_holds_the_configured_period(self, settings):
        assert retention() == settings.ACCESS_LOG_RETENTION_DAYS == 1095

    def test_recent_rows_cannot_be_deleted_old_ones_can(self):
        recent, young, old = log_row(10), log_row(1000), log_row(1200)
        refused(f"DELETE FROM {LOG} WHERE id = %s", [recent.pk])
        refused(f"DELETE FROM {LOG} WHERE id = %s", [young.pk])
        refused(f"UPDATE {LOG} SET created_at = %s WHERE id = %s", [old.created_at, young.pk])
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {LOG} WHERE id = %s", [old.pk])
        assert set(ChildAccessLog.objects.values_list("pk", flat=True)) >= {recent.pk, young.pk}
        assert not ChildAccessLog.objects.filter(pk=old.pk).exists()

    def test_the_period_cannot_be_lowered_removed_or_replaced(self):
        young = log_row(1000)
        attempts = [
            (f"UPDATE {KEEP} SET days = 180", []),
            (f"UPDATE {KEEP} SET days = 0", []),
            (f"DELETE FROM {KEEP}", []),
            (f"INSERT INTO {KEEP} (id, days) VALUES (2, 180)", []),
            (f"INSERT INTO {KEEP} (id, days) VALUES (1, 180) ON CONFLICT (id) DO UPDATE SET days = 180", []),
        ]
        if SQLITE:
            attempts += [
                (f"REPLACE INTO {KEEP} (id, days) VALUES (1, 180)", []),
                (f"INSERT OR REPLACE INTO {KEEP} (id, days) VALUES (1, 180)", []),
            ]
        else:
            attempts += [(f"TRUNCATE {KEEP}", [])]
        for sql, params in attempts:
            refused(sql, params)
            assert retention() == 1095, sql
        refused(f"DELETE FROM {LOG} WHERE id = %s", [young.pk])

    def test_purge_logs_deletes_only_rows_past_the_period(self, capsys):
        recent, young, old = log_row(10), log_row(1000), log_row(1200)
        call_command("registry_purge", "--logs", "--dry-run")
        assert "1" in capsys.readouterr().out and ChildAccessLog.objects.filter(pk=old.pk).exists()
        call_command("registry_purge", "--logs")
        assert not ChildAccessLog.objects.filter(pk=old.pk).exists()
        assert ChildAccessLog.objects.filter(pk__in=[recent.pk, young.pk]).count() == 2
        event = AuditEvent.objects.get(action="registry.access_log_purged")
        assert event.detail == {"retention_days": 1095, "count": 1}

    def test_a_longer_period_is_recorded_a_shorter_one_is_not_applied(self, settings, capsys):
        young, old = log_row(1000), log_row(1200)
        settings.ACCESS_LOG_RETENTION_DAYS = 1500
        call_command("registry_purge", "--logs")
        assert retention() == 1500 and ChildAccessLog.objects.filter(pk=old.pk).exists()
        settings.ACCESS_LOG_RETENTION_DAYS = 365
        call_command("registry_purge", "--logs")
        assert "1500" in capsys.readouterr().err
        assert retention() == 1500
        assert ChildAccessLog.objects.filter(pk__in=[young.pk, old.pk]).count() == 2
