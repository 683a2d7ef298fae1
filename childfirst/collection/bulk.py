"""Inserting many rows at once, for saving a department's values with their history.

On PostgreSQL the rows go in by COPY, which is several times faster than a multi-row INSERT built
by the ORM (no model instances, no SQL text to build or parse); their ids are drawn from the
table's sequence beforehand, so that history rows can refer to the values just inserted.
Elsewhere (SQLite) it is the ORM's bulk_create. Both run inside the caller's transaction, and
the database's constraints (foreign keys, one value per indicator × area × round) hold as ever.

Foreign keys on PostgreSQL: each row's references were checked at commit by a trigger per row and
key (eight keys over a value and its history row: half of a 50,000-value request, issue 16 item 6).
Where the role may set `session_replication_role`, COPY checks them itself instead: every distinct
referenced id once, locked FOR KEY SHARE (what each trigger's own look-up does, so nobody can delete
a referenced row until the transaction ends), then the rows go in with the triggers paused for that
statement only. A missing reference raises IntegrityError before anything is written, and the
request rolls back whole, as the trigger's error did. See `_checked_references`.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, connection, models


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Insert `rows` (values for `columns`, by attribute name such as "round_id") and return
    their new primary keys, in the order of `rows`. JSON fields take Python objects."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _copy(model, columns, rows)
    objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
    model._default_manager.bulk_create(objects, batch_size=2000)
    return [obj.pk for obj in objects]


def _copy(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    fields = _concrete_fields(model, columns)  # attnames such as round_id work too
    as_json = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    table, pk = model._meta.db_table, _column(model._meta.pk)
    names = ", ".join(connection.ops.quote_name(_column(f)) for f in fields)
    with connection.cursor() as cursor:
        # The sequence is looked up once: naming it per row would cost ten times the ids themselves.
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, len(rows)])
        ids = [row[0] for row in cursor.fetchall()]
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        with (
            _checked_references(cursor, model, fields, rows),
            raw.copy(
                f"COPY {connection.ops.quote_name(table)} ({connection.ops.quote_name(pk)}, {names}) FROM STDIN"
            ) as copy,
        ):
            for new_id, row in zip(ids, rows, strict=True):
                if as_json:
                    row = list(row)
                    for i in as_json:
                        row[i] = None if row[i] is None else json.dumps(row[i])  # COPY's text reads as jsonb
                copy.write_row((new_id, *row))
    return ids


@contextmanager
def _checked_references(cursor: Any, model: type[models.Model], fields: Sequence[models.Field[Any, Any]],
                        rows: Sequence[Sequence[Any]]) -> Iterator[None]:  # fmt: skip
    """Check the rows' foreign keys once per distinct id and run the body (one COPY) without the
    per-row triggers; or, where that is not possible, leave the triggers to do it as before.

    The guarantee is the trigger's: a referenced row exists, and stays until this transaction ends
    (FOR KEY SHARE blocks its deletion and a change of its key, and waits for a transaction that is
    deleting it). The triggers are paused by `SET LOCAL session_replication_role = replica` around the
    COPY alone and set back at once; a failure aborts the transaction, which ends the setting too.
    Not used when the table has triggers of its own (they would be paused as well), when a key points
    at the table itself (a row may refer to another of the same COPY), or when the role may not set
    the parameter (PostgreSQL 15+: `GRANT SET ON PARAMETER session_replication_role TO <role>`,
    or a superuser)."""
    keys = [(i, f) for i, f in enumerate(fields) if isinstance(f, models.ForeignKey)]
    if not keys or not _may_pause_triggers(cursor, model, keys):
        yield
        return
    quote = connection.ops.quote_name
    for i, field in keys:
        wanted = {row[i] for row in rows} - {None}
        if not wanted:
            continue
        target = field.target_field
        table, column = quote(target.model._meta.db_table), quote(_column(target))
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE {column} = ANY(%s) FOR KEY SHARE",  # noqa: S608 (names from the model)
            [list(wanted)],
        )
        found = {found for (found,) in cursor.fetchall()}
        if len(found) < len(wanted):
            # The trigger's message names the constraint; this one the column. Ids, never values.
            missing = sorted(wanted - found)[:5]
            raise IntegrityError(
                f'insert into "{model._meta.db_table}" violates a foreign key: "{_column(field)}" = '
                f'{", ".join(map(str, missing))} not found in "{target.model._meta.db_table}"'
            )
    cursor.execute("SET LOCAL session_replication_role = replica")
    yield
    cursor.execute("SET LOCAL session_replication_role = origin")


def _may_pause_triggers(cursor: Any, model: type[models.Model], keys: list[tuple[int, Any]]) -> bool:
    # pg_version: the PostgreSQL backend's attribute (only it copies); has_parameter_privilege is 15+.
    version: int = getattr(connection, "pg_version", 0)
    if any(field.related_model is model for _i, field in keys) or version < 150000:
        return False
    cursor.execute(
        "SELECT current_setting('is_superuser') = 'on' OR has_parameter_privilege('session_replication_role', 'SET'), "
        "NOT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal)",
        [connection.ops.quote_name(model._meta.db_table)],
    )
    allowed, no_triggers_of_its_own = cursor.fetchone()
    return bool(allowed and no_triggers_of_its_own)


def _concrete_fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    fields: list[models.Field[Any, Any]] = []
    for name in names:
        field = model._meta.get_field(name)
        # Columns are concrete fields; get_field's other answer, a reverse relation, has no column.
        assert isinstance(field, models.Field), name
        fields.append(field)
    return fields


def _column(field: models.Field[Any, Any]) -> str:
    # A concrete field always has a column; the stubs allow None for the fields without one.
    assert field.column is not None
    return field.column


def update_rows(objects: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Save `fields` (attribute names) of existing `objects`. On PostgreSQL the new values go by COPY
    into a temporary table and then in one UPDATE … FROM: the ORM's bulk_update writes a CASE with
    a branch per row, whose cost grows with the square of the rows (10,000 values took 8 s)."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        type(objects[0])._default_manager.bulk_update(objects, fields, batch_size=1000)
        return
    model = type(objects[0])
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(_column(model._meta.pk))
    model_fields = _concrete_fields(model, fields)
    attnames = [f.attname for f in model_fields]
    as_json = [i for i, f in enumerate(model_fields) if isinstance(f, models.JSONField)]
    columns = [quote(_column(f)) for f in model_fields]
    # Every name below comes from the model's metadata, never from a request.
    scratch = "pg_temp." + quote(f"bulk_update_{model._meta.db_table}")
    create = f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS SELECT {pk}, {', '.join(columns)} FROM {table} WITH NO DATA"  # noqa: S608, E501
    assignments = ", ".join(f"{c} = new.{c}" for c in columns)
    update = f"UPDATE {table} AS old SET {assignments} FROM {scratch} AS new WHERE old.{pk} = new.{pk}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {scratch}")  # one left by an earlier call in this transaction
        cursor.execute(create)
        with cursor.cursor.copy(f"COPY {scratch} FROM STDIN") as copy:
            for obj in objects:
                row = [getattr(obj, name) for name in attnames]
                for i in as_json:
                    row[i] = None if row[i] is None else json.dumps(row[i])
                copy.write_row((obj.pk, *row))
        cursor.execute(update)


_gc_lock = threading.Lock()
_gc_pauses = 0  # requests running with collection paused
_gc_was_enabled = True


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a bulk request runs.

    A request of 50,000 values makes about a million small objects that live until it ends. The
    cyclic collector would scan them again and again as they pile up, which took a third of the
    request's time; they hold no cycles, so reference counting frees them all the same. Counted,
    so that concurrent requests (server threads) leave collection on only when the last one ends.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()
