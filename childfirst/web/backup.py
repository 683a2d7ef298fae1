"""Backup and restore: one consistent, verifiable archive of the whole database.

The archive is a gzip'd tar:

- `manifest.json` — format and version, when, from which database vendor and app version, the
  applied migrations, and per table its columns, row count and checksum, and a SHA-256 per member;
- `tables/<table>.jsonl` — one JSON array per row, the columns in the manifest's order;
- `files/…` — whatever the app keeps under MEDIA_ROOT (today nothing: generated reports, import
  originals and photos live in the database).

Why a logical dump rather than `pg_dump` or a copy of the SQLite file: the same archive restores into
either vendor (a SQLite pilot moves to PostgreSQL, a PostgreSQL backup opens on a laptop), the
checksums are computed on vendor-neutral values so a restore proves it is complete, and nothing
depends on a client tool matching the server's version. The tables are found generically through
the app registry, so a new model is backed up without touching this file.

Never in the archive: the registry key (CHILDFIRST_REGISTRY_KEY or var/registry_key) and the secret
key. ID numbers stay encrypted inside the archive; reading them after a restore needs the same key.
Login sessions are not backed up either (they are bound to the secret key and to live browsers).
"""

from __future__ import annotations

import base64
import datetime
import decimal
import functools
import hashlib
import io
import json
import os
import sqlite3
import tarfile
import tempfile
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DatabaseError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.duration import duration_string
from django.utils.translation import gettext as _

from childfirst.registry.children.actions import RETENTION_TABLE

FORMAT = "childfirst-backup"
FORMAT_VERSION = 1
# Tables that `migrate` fills by itself (content types, permissions, the shipped validation rules and
# child categories): a just-migrated database is "empty" although they hold rows, and a restore
# replaces them with the archive's rows, which other rows refer to by id.
SEEDED_BY_MIGRATE = ("auth_permission", "django_content_type", "collection_validationrule", "registry_categorytype")
# Not data worth keeping: live login sessions (bound to the secret key and to browsers).
SKIPPED_TABLES = frozenset({"django_session"})
SNAPSHOT_ALIAS = "childfirst_backup_snapshot"
# Rows per INSERT, and a ceiling on the bytes held for one batch (report documents are megabytes).
BATCH_ROWS = 500
BATCH_BYTES = 16 * 2**20

Progress = Callable[[str], None]


class BackupError(Exception):
    """A refusal with a message for the user (translated, no traceback)."""


@dataclass(frozen=True)
class TableSum:
    rows: int
    checksum: str


def _quiet(message: str) -> None:
    pass


def data_models() -> list[type[models.Model]]:
    """Every table the app keeps, one model per table, in table-name order."""
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in SKIPPED_TABLES:
            continue
        found.setdefault(meta.db_table, model)
    return [found[table] for table in sorted(found)]


def _columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def _encode(value: Any) -> Any:
    """A database value as JSON, the same whichever vendor it was read from."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_string(value)
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return value


def _decode(field: models.Field, value: Any) -> Any:
    if value is None or isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.BinaryField):
        return base64.b64decode(value)
    return field.to_python(value)


def _line(row: tuple[Any, ...]) -> str:
    return json.dumps([_encode(v) for v in row], ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _rows(model: type[models.Model], using: str) -> Iterator[str]:
    names = [f.attname for f in _columns(model)]
    queryset = model._base_manager.using(using).order_by("pk").values_list(*names)
    for row in queryset.iterator(chunk_size=500):
        yield _line(row)


class _Sum:
    """An order-independent checksum (the sum of the rows' SHA-256 values), so that two vendors that
    return rows in different orders (text keys collate differently) agree."""

    def __init__(self) -> None:
        self.rows = 0
        self.total = 0

    def add(self, line: str) -> None:
        self.rows += 1
        self.total = (self.total + int.from_bytes(hashlib.sha256(line.encode()).digest(), "big")) % 2**256

    def result(self) -> TableSum:
        return TableSum(self.rows, f"{self.total:064x}")


def table_sums(using: str = "default") -> dict[str, TableSum]:
    """Row count and checksum of every table, as the manifest records them."""
    sums = {}
    for model in data_models():
        total = _Sum()
        for line in _rows(model, using):
            total.add(line)
        sums[model._meta.db_table] = total.result()
    return sums


def applied_migrations(using: str) -> list[list[str]]:
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return []
    return sorted([app, name] for app, name in recorder.applied_migrations())


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("childfirst")
    except PackageNotFoundError:
        return "unknown"


# ---------------------------------------------------------------------------------------------- backup


@contextmanager
def extra_database(alias: str, settings_dict: dict[str, Any]) -> Iterator[str]:
    """A connection under `alias` to another database for a while (not added to the settings)."""
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    connections[alias] = wrapper
    try:
        yield alias
    finally:
        wrapper.close()
        del connections[alias]


@contextmanager
def _snapshot(using: str, progress: Progress) -> Iterator[str]:
    """A database alias whose reads all see one moment.

    SQLite: the online backup API copies the database into a temporary file (writers are not
    blocked for the whole dump) and the dump reads the copy. PostgreSQL: one REPEATABLE READ, READ
    ONLY transaction. A caller already inside a transaction (the tests) reads within it.
    """
    connection = connections[using]
    if connection.in_atomic_block:
        yield using
        return
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with tempfile.TemporaryDirectory(prefix="childfirst-backup-") as folder:
            copy_path = str(Path(folder) / "snapshot.sqlite3")
            target = sqlite3.connect(copy_path)
            try:
                progress(_("Copying the SQLite database…"))
                connection.connection.backup(target, pages=4096)
            finally:
                target.close()
            with extra_database(SNAPSHOT_ALIAS, {**connection.settings_dict, "NAME": copy_path}) as alias:
                yield alias
        return
    connection.ensure_connection()
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield using


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(out: Path, using: str = "default", progress: Progress = _quiet) -> dict[str, Any]:
    """Write the archive to `out` (which must not exist yet, readable by its owner only); return the manifest."""
    out = Path(out)
    try:
        handle = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BackupError(_("%(path)s already exists; choose a new file name.") % {"path": out}) from None
    except OSError as exc:
        raise BackupError(_("Cannot write %(path)s: %(reason)s") % {"path": out, "reason": exc.strerror}) from None
    os.close(handle)
    try:
        with tempfile.TemporaryDirectory(prefix="childfirst-backup-") as folder:
            manifest = _dump(Path(folder), using, progress)
            progress(_("Writing the archive…"))
            with tarfile.open(out, "w:gz") as archive:
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size = len(data)
                info.mtime = int(timezone.now().timestamp())
                archive.addfile(info, io.BytesIO(data))
                for name in manifest["members"]:
                    source = Path(folder) / name if name.startswith("tables/") else Path(settings.MEDIA_ROOT) / name[6:]
                    archive.add(source, arcname=name, recursive=False)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return manifest


def _dump(folder: Path, using: str, progress: Progress) -> dict[str, Any]:
    (folder / "tables").mkdir()
    tables: dict[str, Any] = {}
    members: dict[str, str] = {}
    with _snapshot(using, progress) as source:
        vendor = connections[source].vendor
        migrations = applied_migrations(source)
        retention = _access_log_retention(source)
        all_models = data_models()
        for number, model in enumerate(all_models, 1):
            table = model._meta.db_table
            name = f"tables/{table}.jsonl"
            total, digest = _Sum(), hashlib.sha256()
            with (folder / name).open("w", encoding="utf-8") as handle:
                for line in _rows(model, source):
                    total.add(line)
                    data = line + "\n"
                    handle.write(data)
                    digest.update(data.encode())
            result = total.result()
            tables[table] = {
                "model": model._meta.label_lower,
                "columns": [f.attname for f in _columns(model)],
                "rows": result.rows,
                "checksum": result.checksum,
            }
            members[name] = digest.hexdigest()
            progress(
                _("[%(n)d/%(total)d] %(table)s: %(rows)d rows")
                % {"n": number, "total": len(all_models), "table": table, "rows": result.rows}
            )
    root = Path(settings.MEDIA_ROOT)
    for path in _media_files():
        members[f"files/{path.relative_to(root).as_posix()}"] = _sha256_file(path)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "vendor": vendor,
        "app_version": _app_version(),
        "migrations": migrations,
        "tables": tables,
        "members": members,
        # Not a model's table (registry migration 0006): the access log's retention period in force.
        "access_log_retention_days": retention,
    }


def _access_log_retention(using: str) -> int:
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT days FROM {RETENTION_TABLE} WHERE id = 1")  # noqa: S608 (a constant)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


# --------------------------------------------------------------------------------------------- restore


def _damaged(path: Path, reason: str) -> BackupError:
    return BackupError(
        _("%(path)s is not a ChildFirst backup or is damaged: %(reason)s. Nothing was changed.")
        % {"path": path.name, "reason": reason}
    )


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:gz")
    except FileNotFoundError:
        raise BackupError(_("%(path)s does not exist.") % {"path": path}) from None
    except (tarfile.TarError, OSError, EOFError, zlib.error):
        raise _damaged(path, _("it cannot be read as an archive")) from None


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest, after checking every member against its SHA-256 (before anything is touched)."""
    path = Path(path)
    manifest: dict[str, Any] | None = None
    seen: dict[str, str] = {}
    try:
        with _open(path) as archive:
            for member in archive:
                if not member.isfile():
                    continue
                handle = archive.extractfile(member)
                assert handle is not None  # a regular file always has a reader
                if member.name == "manifest.json":
                    manifest = json.loads(handle.read())
                    continue
                digest = hashlib.sha256()
                for block in iter(functools.partial(handle.read, 2**20), b""):
                    digest.update(block)
                seen[member.name] = digest.hexdigest()
    except (tarfile.TarError, OSError, EOFError, ValueError, zlib.error):
        # ValueError: bad JSON (or text that is not UTF-8); zlib.error: a damaged compressed stream.
        raise _damaged(path, _("it cannot be read to the end")) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _damaged(path, _("it has no ChildFirst manifest"))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _("%(path)s has backup format version %(found)s; this version of ChildFirst reads version %(known)s.")
            % {"path": path.name, "found": manifest.get("format_version"), "known": FORMAT_VERSION}
        )
    members = manifest.get("members")
    if not isinstance(members, dict) or not isinstance(manifest.get("tables"), dict):
        raise _damaged(path, _("it has no ChildFirst manifest"))
    for name, expected in members.items():
        if seen.get(name) != expected:
            raise _damaged(path, _("the part %(member)s is missing or altered") % {"member": name})
        if not name.startswith(("tables/", "files/")) or ".." in Path(name).parts or name.startswith("/"):
            raise _damaged(path, _("the part %(member)s is missing or altered") % {"member": name})
    return manifest


def _check_target(manifest: dict[str, Any], using: str, progress: Progress) -> list[type[models.Model]]:
    """The target's models in the archive's order, after refusing a target that does not fit."""
    if not applied_migrations(using):
        progress(_("Creating the tables (migrate)…"))
        call_command("migrate", database=using, interactive=False, verbosity=0)
    ours = applied_migrations(using)
    theirs = sorted(list(m) for m in manifest["migrations"])
    if ours != theirs:
        missing = sorted({tuple(m) for m in theirs} - {tuple(m) for m in ours})
        extra = sorted({tuple(m) for m in ours} - {tuple(m) for m in theirs})
        detail = "; ".join(
            [_("unknown here: %(names)s") % {"names": ", ".join(f"{a}.{n}" for a, n in missing[:5])}] * bool(missing)
            + [_("newer here: %(names)s") % {"names": ", ".join(f"{a}.{n}" for a, n in extra[:5])}] * bool(extra)
        )
        raise BackupError(
            _(
                "The backup was made with a different database schema (%(detail)s). Restore it with the "
                "ChildFirst version that made it (%(version)s) into an empty database, then upgrade."
            )
            % {"detail": detail, "version": manifest.get("app_version", "?")}
        )
    by_table = {m._meta.db_table: m for m in data_models()}
    chosen = []
    for table, entry in manifest["tables"].items():
        model = by_table.get(table)
        if model is None or [f.attname for f in _columns(model)] != entry.get("columns"):
            raise BackupError(
                _("The table %(table)s in the backup does not match this version of ChildFirst.") % {"table": table}
            )
        chosen.append(model)
    in_use = [
        table
        for table, model in by_table.items()
        if table not in SEEDED_BY_MIGRATE and model._base_manager.using(using).exists()
    ]
    if in_use:
        raise BackupError(
            _(
                "The target database already holds data (%(tables)s). A backup is restored only into an empty "
                "database: create a new one, point DATABASE_URL at it and run the restore again."
            )
            % {"tables": ", ".join(in_use[:5]) + (" …" if len(in_use) > 5 else "")}
        )
    root = Path(settings.MEDIA_ROOT)
    for name in manifest["members"]:
        if name.startswith("files/") and (root / name[6:]).exists():
            raise BackupError(_("%(path)s already exists; the restore would overwrite it.") % {"path": root / name[6:]})
    return chosen


def _insert(model: type[models.Model], batch: list[models.Model], using: str) -> None:
    # raw=True: the values go in as stored (auto_now fields keep their times), as loaddata does.
    model._base_manager.using(using)._insert(batch, fields=_columns(model), raw=True, using=using)  # type: ignore[attr-defined]  # QuerySet._insert: private, stable since Django 1.x, what bulk_create uses


def _load_table(model: type[models.Model], lines: io.TextIOWrapper, using: str) -> None:
    fields = _columns(model)
    batch: list[models.Model] = []
    size = 0
    for line in lines:
        values = json.loads(line)
        if len(values) != len(fields):
            raise ValueError("row length")
        batch.append(model(**{f.attname: _decode(f, v) for f, v in zip(fields, values, strict=True)}))
        size += len(line)
        if len(batch) >= BATCH_ROWS or size >= BATCH_BYTES:
            _insert(model, batch, using)
            batch, size = [], 0
    if batch:
        _insert(model, batch, using)


def restore(path: Path, using: str = "default", progress: Progress = _quiet) -> dict[str, Any]:
    """Load the archive into an empty (or just-migrated) database in one transaction, verify every
    table's row count and checksum against the manifest, and roll everything back on a mismatch."""
    path = Path(path)
    progress(_("Checking the archive…"))
    manifest = read_manifest(path)
    chosen = _check_target(manifest, using, progress)
    connection = connections[using]
    by_table = {m._meta.db_table: m for m in chosen}
    try:
        with transaction.atomic(using=using):
            for table in SEEDED_BY_MIGRATE:
                model = by_table.get(table)
                if model is not None:
                    # QuerySet._raw_delete: a plain DELETE without collecting cascades (private, stable).
                    model._base_manager.using(using).all()._raw_delete(using)
            with _open(path) as archive:
                number = 0
                for member in archive:
                    if not member.name.startswith("tables/"):
                        continue
                    table = member.name[len("tables/") : -len(".jsonl")]
                    model = by_table[table]
                    handle = archive.extractfile(member)
                    assert handle is not None  # checked to be a regular file by read_manifest
                    number += 1
                    _load_table(model, io.TextIOWrapper(handle, encoding="utf-8"), using)
                    progress(
                        _("[%(n)d/%(total)d] %(table)s: %(rows)d rows")
                        % {"n": number, "total": len(chosen), "table": table, "rows": manifest["tables"][table]["rows"]}
                    )
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), chosen):
                    cursor.execute(sql)
                # The retention period can only be raised (its trigger refuses the rest): a longer one
                # in force at the source comes back; the migration's default is never lowered.
                days = int(manifest.get("access_log_retention_days") or 0)
                if days > _access_log_retention(using):
                    cursor.execute(f"UPDATE {RETENTION_TABLE} SET days = %s WHERE id = 1", [days])  # noqa: S608
            connection.check_constraints()
            progress(_("Verifying row counts and checksums…"))
            for model in chosen:
                table = model._meta.db_table
                total = _Sum()
                for line in _rows(model, using):
                    total.add(line)
                found, expected = total.result(), manifest["tables"][table]
                if found.rows != expected["rows"] or found.checksum != expected["checksum"]:
                    raise BackupError(
                        _(
                            "After loading, the table %(table)s does not match the backup (%(rows)d rows, "
                            "%(expected)d expected, or different contents). Nothing was restored."
                        )
                        % {"table": table, "rows": found.rows, "expected": expected["rows"]}
                    )
    except (DatabaseError, ValueError, KeyError, TypeError, decimal.InvalidOperation) as exc:
        raise BackupError(
            _("The backup could not be loaded (%(reason)s). Nothing was restored.") % {"reason": type(exc).__name__}
        ) from exc
    _restore_files(path, manifest)
    return manifest


def _restore_files(path: Path, manifest: dict[str, Any]) -> None:
    root = Path(settings.MEDIA_ROOT)
    with _open(path) as archive:
        for member in archive:
            if member.name.startswith("files/") and member.name in manifest["members"]:
                target = root / member.name[6:]
                target.parent.mkdir(parents=True, exist_ok=True)
                handle = archive.extractfile(member)
                assert handle is not None  # checked to be a regular file by read_manifest
                with target.open("xb") as out:
                    for block in iter(functools.partial(handle.read, 2**20), b""):
                        out.write(block)
