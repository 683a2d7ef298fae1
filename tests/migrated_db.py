"""The migrated, empty database that every test database of a run is a copy of, built once per run.

Django makes a test database by running the migrations, and their model states cost ~11 s of CPU
however empty the database (67 migrations, each re-rendering the models it touches): twice per run
with two workers, at the same moment, before either could run a test. Here `childfirst migrate`
runs once, in the background from collection on (as the demo build does), into a database of its
own: the real migrations, so the tests still see the schema the migrations make (their triggers
and seeded rows included), not one made from the models. Each worker's test database is then a copy
of it: SQLite's online backup into the worker's in-memory database, PostgreSQL's `CREATE DATABASE …
TEMPLATE` (Django's `TEST["TEMPLATE"]`). Django's own migrate still runs on it and finds nothing to do.
"""

from __future__ import annotations

import fcntl
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.demo_build import child_env, wait_for

SQLITE_FILE = "childfirst.sqlite3"  # the database a var/ directory holds (childfirst/settings.py)


def _database() -> dict[str, Any]:
    from django.conf import settings

    return settings.DATABASES["default"]


def is_sqlite() -> bool:
    return _database()["ENGINE"] == "django.db.backends.sqlite3"


def template_name(database: dict[str, Any]) -> str:
    """The PostgreSQL template database's name: the test database's (before pytest-xdist's suffix)
    with `_template`, so that runs on other databases of the same server never share one."""
    return f"test_{database['NAME']}_template"


def _postgres_url(database: dict[str, Any], name: str) -> str:
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    return f"postgres://{credentials}@{database['HOST'] or 'localhost'}:{database['PORT'] or 5432}/{name}"


def _recreate_postgres_database(database: dict[str, Any], name: str) -> None:
    import psycopg

    server = {k: database[k.upper()] for k in ("user", "password", "host", "port") if database[k.upper()]}
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')


def start(root: Path) -> None:
    """Start `childfirst migrate` into the run's template unless a worker already did; do not wait."""
    with open(root / "migrated.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (root / "migrated.started").exists():
            return
        var = root / "migrated-var"
        var.mkdir(exist_ok=True)
        env = child_env(var)
        database = _database()
        if not is_sqlite():
            _recreate_postgres_database(database, template_name(database))
            env["DATABASE_URL"] = _postgres_url(database, template_name(database))
        log = root / "migrated.log"
        command = (
            f'"$0" -m childfirst migrate -v 0 > "{log}" 2>&1'
            f' && touch "{root}/migrated.done" || touch "{root}/migrated.failed"'
        )
        subprocess.Popen(["/bin/sh", "-c", command, sys.executable], env=env, start_new_session=True)
        (root / "migrated.started").touch()


def sqlite_template(root: Path) -> Path:
    """Where the template is when the tests run on SQLite (the demo build starts from it too)."""
    return root / "migrated-var" / SQLITE_FILE


def wait(root: Path, timeout: float = 600) -> None:
    start(root)
    wait_for(root, "migrated", "childfirst migrate", timeout)


@contextmanager
def test_database_from_template(root: Path) -> Iterator[None]:
    """For the block (the test session): the worker's test database made as a copy of the template.
    Call it before Django creates the test database (pytest-django's django_db_modify_db_settings)."""
    database = _database()
    if not is_sqlite():
        wait(root)
        database.setdefault("TEST", {})["TEMPLATE"] = template_name(database)
        yield
        return
    if database.get("TEST", {}).get("NAME") not in (None, "", ":memory:"):
        yield  # a test database in a file of its own: Django would delete a copy put there; migrate it
        return
    wait(root)
    # Django's name for the in-memory test database; it lives while one connection holds it open.
    keeper = sqlite3.connect("file:memorydb_default?mode=memory&cache=shared", uri=True)
    with sqlite3.connect(sqlite_template(root)) as template:
        template.backup(keeper)
    template.close()
    try:
        yield
    finally:
        keeper.close()


def migrated_var(root: Path, var: Path) -> Path:
    """`var` (a new var/ directory for a `childfirst` process) holding a copy of the template, so that
    the process does not migrate a database of its own; on PostgreSQL runs it migrates as before."""
    var.mkdir(parents=True, exist_ok=True)
    if is_sqlite():
        wait(root)
        with sqlite3.connect(sqlite_template(root)) as template, sqlite3.connect(var / SQLITE_FILE) as copy:
            template.backup(copy)
        template.close()
        copy.close()
    return var
