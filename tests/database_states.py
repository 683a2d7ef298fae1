"""Read-mostly database states that many test files start from (the demo values: ~6 s to load),
built once per worker and copied back for every other file that asks for them.

A module-scoped fixture loads its rows inside a transaction rolled back at the module's end
(`for_the_module`, below), so each file pays for the load again. On SQLite (the
in-memory test database) `database_state` builds the state once, committed, keeps an image of the
whole database (SQLite's online backup into another in-memory database) and, for every later file,
copies the image back instead of building again; at the end of the block the state it started from
is copied back, so the files after it see what they would have seen. The image is the database the
build made, byte for byte (its ids and sequences included), so a test cannot tell a copied state
from a built one.

It falls back to `for_the_module` (build, then roll back) where an image cannot be used: on
PostgreSQL, and inside a transaction — when another module-scoped fixture holds rows of its own
that an image would overwrite.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

BASE = "base"  # the database as django_db_setup leaves it, which every file starts from

_images: dict[str, sqlite3.Connection] = {}
_results: dict[str, Any] = {}
_current = [BASE]  # the state the database is in now, outside any block of database_state


def _raw() -> sqlite3.Connection:
    connection.ensure_connection()
    return connection.connection


def _take(name: str) -> None:
    image = sqlite3.connect(":memory:")
    _raw().backup(image)
    _images[name] = image


def _restore(name: str) -> None:
    _images[name].backup(_raw())


@contextmanager
def for_the_module(django_db_blocker) -> Iterator[None]:
    """Rows made once for a whole test file, inside a transaction that is rolled back at its end, so
    that other files never see them; each test still runs in its own savepoint, so what one test
    changes the next does not see. For module-scoped fixtures of read-mostly data (the access
    matrices' users and children), which would otherwise be made again for every test."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def usable() -> bool:
    return connection.vendor == "sqlite" and not connection.in_atomic_block and connection.is_in_memory_db()


@contextmanager
def database_state(name: str, build: Callable[[], Any], django_db_blocker) -> Iterator[Any]:
    """For the block (a module's or a class's fixture): the database as `build()` leaves it, and what
    `build()` returned. `name` says what `build` makes: the state is known by it and by the state it
    starts from."""
    with django_db_blocker.unblock():
        if not usable():
            with for_the_module(django_db_blocker):
                yield build()
            return
        parent = _current[-1]
        key = f"{parent} / {name}"
        if parent not in _images:
            _take(parent)  # the first state a worker makes starts from the base, kept here
        if key in _images:
            _restore(key)
        else:
            with transaction.atomic():  # a build that fails part-way leaves nothing behind
                _results[key] = build()
            _take(key)
        _current.append(key)
        try:
            yield _results[key]
        finally:
            _current.pop()
            _restore(parent)
