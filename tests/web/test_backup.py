"""Backup and restore: one archive of the whole database that restores into an empty database of
either vendor, verified table by table; a damaged or foreign archive is refused and changes nothing."""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import tarfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from childfirst.accounts.models import AuditEvent
from childfirst.collection import actions as collection_actions
from childfirst.collection.actions import UploadedFile
from childfirst.collection.entries import RawCell
from childfirst.collection.models import Channel, ImportBatch
from childfirst.evaluation.models import Snapshot
from childfirst.registry.children import actions as registry_actions
from childfirst.registry.children import crypto
from childfirst.registry.models import Child, ChildAccessLog
from childfirst.reports.models import JobState, Kind, ReportFile, ReportJob
from childfirst.web.backup import (
    BackupError,
    backup,
    data_models,
    extra_database,
    read_manifest,
    restore,
    table_sums,
)
from tests.cli.test_settings_and_cli import run_cli
from tests.registry.test_registry_children import NUMBER, PNG, open_file

TARGET = "restore_target"


def database(settings_dict: dict):
    """A second database alias, for the length of a test."""
    return extra_database(TARGET, settings_dict)


def sqlite_database(path: Path) -> dict:
    return {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {"transaction_mode": "IMMEDIATE"},
        "HOST": "",
        "PORT": "",
        "USER": "",
        "PASSWORD": "",
        "CONN_MAX_AGE": 0,
    }


@contextmanager
def fresh_postgres() -> Iterator[dict]:
    import psycopg

    source = connections.settings["default"]
    name = f"{source['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    params = {"host": source["HOST"] or None, "port": source["PORT"] or None, "user": source["USER"] or None}
    params["password"] = source["PASSWORD"] or None
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**source, "NAME": name}
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def content(users, health, plan) -> dict:
    """Demo-ish content: users, a round with values and an uploaded original, a child file with an
    encrypted ID number and a photo, access-log and audit rows, a published snapshot and a report."""
    cells = [RawCell("HEA-01", "330302", value="2.1")]
    indicator_codes = set(health.round.plan.indicators.values_list("code", flat=True))
    assert "HEA-01" in indicator_codes
    collection_actions.save_values(
        users.reporter, health, cells, channel=Channel.EXCEL, upload=UploadedFile("卫健局2025.xlsx", b"PK\x03\x04" * 50)
    )
    child = open_file(users.director)
    registry_actions.do_reveal_id(users.director, child, "办理补助")
    registry_actions.do_set_photo(users.director, child, PNG)
    snapshot = Snapshot.objects.create(plan=plan, year=2025, version=1, method_version="1", published_at=timezone.now())
    job = ReportJob.objects.create(
        kind=Kind.ANNUAL, snapshot=snapshot, state=JobState.DONE, requested_at=timezone.now(), updated_at=timezone.now()
    )
    document = os.urandom(300_000)
    ReportFile.objects.create(job=job, format="pdf", content=document, size=len(document), sha256="x" * 64)
    assert ChildAccessLog.objects.exists() and AuditEvent.objects.exists() and ImportBatch.objects.exists()
    return {"child": child}


def assert_append_only(alias: str) -> None:
    """The database's own triggers still refuse changing or deleting log rows."""
    for statement in (
        "UPDATE registry_childaccesslog SET purpose = 'changed'",
        "DELETE FROM registry_childaccesslog",
        "UPDATE accounts_auditevent SET action = 'changed'",
        "DELETE FROM accounts_auditevent",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(using=alias), connections[alias].cursor() as cursor:
            cursor.execute(statement)


def archive_text(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


@pytest.mark.django_db
class TestBackupAndRestore:
    def test_a_backup_restores_into_an_empty_sqlite_database_table_for_table(self, content, tmp_path):
        archive = tmp_path / "childfirst.tar.gz"
        with connections["default"].cursor() as cursor:  # a raised retention period comes back too
            cursor.execute("UPDATE registry_accesslogretention SET days = 2000 WHERE id = 1")
        manifest = backup(archive)
        assert manifest["access_log_retention_days"] == 2000
        assert archive.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only
        assert manifest["format_version"] == 1 and manifest["vendor"] == connections["default"].vendor
        assert manifest["migrations"] and manifest["tables"]["registry_childaccesslog"]["rows"] >= 2
        # Neither key is ever in the archive; ID numbers stay encrypted in it.
        raw = archive_text(archive)
        key = base64.urlsafe_b64encode(settings.REGISTRY_KEY)
        assert key not in raw and key.decode().rstrip("=").encode() not in raw
        assert settings.SECRET_KEY.encode() not in raw and NUMBER.encode() not in raw

        source = table_sums("default")
        log = list(ChildAccessLog.objects.order_by("pk").values())
        with database(sqlite_database(tmp_path / "restored.sqlite3")) as target:
            restore(archive, using=target)
            restored = table_sums(target)
            assert restored == source
            assert set(restored) == {m._meta.db_table for m in data_models()}
            assert list(ChildAccessLog.objects.using(target).order_by("pk").values()) == log
            assert_append_only(target)
            with connections[target].cursor() as cursor:
                cursor.execute("SELECT days FROM registry_accesslogretention WHERE id = 1")
                assert cursor.fetchone()[0] == 2000
            # The same key reads the ID number.
            child = Child.objects.using(target).get(pk=content["child"].pk)
            assert crypto.decrypt(child.id_nonce, child.id_ciphertext) == NUMBER
            # A restored database is not empty: a second restore is refused.
            with pytest.raises(BackupError, match="已有数据"):
                restore(archive, using=target)

    @pytest.mark.skipif(connections["default"].vendor != "postgresql", reason="needs PostgreSQL")
    def test_a_backup_restores_into_a_fresh_postgresql_database(self, content, tmp_path):
        archive = tmp_path / "childfirst.tar.gz"
        backup(archive)
        source = table_sums("default")
        with fresh_postgres() as settings_dict, database(settings_dict) as target:
            restore(archive, using=target)
            assert table_sums(target) == source
            # Sequences continue after the restored ids.
            newest = AuditEvent.objects.using(target).order_by("-pk").first()
            assert newest is not None
            added = AuditEvent.objects.using(target).create(actor_name="system", action="test.after_restore")
            assert added.pk > newest.pk
            assert_append_only(target)

    def test_a_damaged_archive_is_refused_in_chinese_and_changes_nothing(self, content, tmp_path):
        archive = tmp_path / "childfirst.tar.gz"
        backup(archive)
        data = bytearray(archive.read_bytes())
        middle = len(data) // 2
        data[middle : middle + 64] = bytes(64)
        damaged = tmp_path / "damaged.tar.gz"
        damaged.write_bytes(bytes(data))
        target_file = tmp_path / "target.sqlite3"
        with database(sqlite_database(target_file)) as target:
            with pytest.raises(BackupError, match="不是 ChildFirst 备份或已损坏"):
                restore(damaged, using=target)
            assert (
                not target_file.exists() or "django_migrations" not in connections[target].introspection.table_names()
            )
        foreign = tmp_path / "foreign.tar.gz"
        with tarfile.open(foreign, "w:gz") as tar:
            info = tarfile.TarInfo("notes.txt")
            info.size = 5
            tar.addfile(info, io.BytesIO(b"hello"))
        before = table_sums("default")
        for path in (damaged, foreign, tmp_path / "truncated.tar.gz"):
            if path.name.startswith("truncated"):
                path.write_bytes(archive.read_bytes()[:2000])
            with pytest.raises(CommandError, match="不是 ChildFirst 备份或已损坏"):
                call_command("restore", str(path))
        assert table_sums("default") == before

    def test_a_mismatch_after_loading_rolls_everything_back(self, content, tmp_path):
        archive = tmp_path / "childfirst.tar.gz"
        backup(archive)
        # A consistent archive whose manifest promises other contents for one table.
        altered = tmp_path / "altered.tar.gz"
        with tarfile.open(archive, "r:gz") as source, tarfile.open(altered, "w:gz") as out:
            for member in source:
                data = source.extractfile(member).read()  # type: ignore[union-attr]
                if member.name == "manifest.json":
                    manifest = json.loads(data)
                    manifest["tables"]["registry_childaccesslog"]["checksum"] = "0" * 64
                    data = json.dumps(manifest).encode()
                    member.size = len(data)
                out.addfile(member, io.BytesIO(data))
        with database(sqlite_database(tmp_path / "target.sqlite3")) as target:
            with pytest.raises(BackupError, match="registry_childaccesslog"):
                restore(altered, using=target)
            assert not ChildAccessLog.objects.using(target).exists()
            assert not Child.objects.using(target).exists() and not AuditEvent.objects.using(target).exists()
            restore(archive, using=target)  # the intact archive still restores into it
            assert ChildAccessLog.objects.using(target).count() == ChildAccessLog.objects.count()

    def test_an_archive_of_another_schema_is_refused(self, content, tmp_path):
        archive = tmp_path / "childfirst.tar.gz"
        manifest = backup(archive)
        assert read_manifest(archive) == manifest
        altered = tmp_path / "newer.tar.gz"
        with tarfile.open(archive, "r:gz") as source, tarfile.open(altered, "w:gz") as out:
            for member in source:
                data = source.extractfile(member).read()  # type: ignore[union-attr]
                if member.name == "manifest.json":
                    changed = json.loads(data)
                    changed["migrations"].append(["registry", "9999_from_the_future"])
                    data = json.dumps(changed).encode()
                    member.size = len(data)
                out.addfile(member, io.BytesIO(data))
        with (
            database(sqlite_database(tmp_path / "target.sqlite3")) as target,
            pytest.raises(BackupError, match="数据库结构不同"),
        ):
            restore(altered, using=target)

    def test_an_existing_output_file_is_not_overwritten(self, content, tmp_path):
        archive = tmp_path / "childfirst.tar.gz"
        archive.write_bytes(b"keep")
        with pytest.raises(CommandError, match="已存在"):
            call_command("backup", "--out", str(archive))
        assert archive.read_bytes() == b"keep"


@pytest.mark.slow
def test_the_console_commands_back_up_a_sqlite_file_and_restore_it_elsewhere(tmp_path):
    """Through the SQLite online backup API (a database not inside a transaction), with progress."""
    areas = Path(__file__).resolve().parents[1] / "data" / "second-district-areas.yaml"
    first, second = tmp_path / "first", tmp_path / "second"
    assert run_cli("areas", "load", str(areas), var=first).returncode == 0
    archive = tmp_path / "backup.tar.gz"
    made = run_cli("backup", "--out", str(archive), var=first)
    assert made.returncode == 0, made.stderr
    assert "areas_area" in made.stderr and "已写入" in made.stdout
    assert (first / "registry_key").read_bytes() not in archive_text(archive)
    restored = run_cli("restore", str(archive), var=second)
    assert restored.returncode == 0, restored.stderr
    assert "核对" in restored.stderr and "已恢复" in restored.stdout
    shown = run_cli("areas", "show", var=second)
    assert shown.stdout == run_cli("areas", "show", var=first).stdout and shown.stdout.strip()
    again = run_cli("restore", str(archive), var=second)
    assert again.returncode != 0 and "已有数据" in again.stderr and "Traceback" not in again.stderr
