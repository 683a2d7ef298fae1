"""Inserting many rows at once, for saving a department's values with their history.

On PostgreSQL the rows go in by COPY, which is several times faster than a multi-row INSERT built
by the ORM (no model instances, no SQL text to build or parse); their ids are drawn from the
table's sequence beforehand, so that history rows can refer to the values just inserted.
Elsewhere (SQLite) it is the ORM's bulk_create. Both run inside the caller's transaction, and
the database's constraints (foreign keys, one value per indicator × area × round) hold as ever.
"""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models


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
        with raw.copy(
            f"COPY {connection.ops.quote_name(table)} ({connection.ops.quote_name(pk)}, {names}) FROM STDIN"
        ) as copy:
            for new_id, row in zip(ids, rows, strict=True):
                if as_json:
                    row = list(row)
                    for i in as_json:
                        row[i] = None if row[i] is None else json.dumps(row[i])  # COPY's text reads as jsonb
                copy.write_row((new_id, *row))
    return ids


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
