"""The demo database that the browser tests serve and the CLI tests check, built once per run by
`childfirst demo-data` in the background.

The build takes about a minute. It starts as soon as the tests are collected (`start`, called from
tests/conftest.py when any selected test needs it), so the workers run other files meanwhile instead
of one of them building and the other waiting for it; `wait` blocks only the first test that needs it.
Under pytest-xdist every worker collects the same tests: the first to take the lock starts the build.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

FIXTURE = "demo_var"  # the fixture (tests/conftest.py) whose tests need the build


def run_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's base directory, common to all workers (a worker's own is `popen-gwN` below it)."""
    root = tmp_path_factory.getbasetemp()
    return root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root


def child_env(var: Path) -> dict[str, str]:
    """The environment of a `childfirst` process on `var` (never the test database's DATABASE_URL)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CHILDFIRST_TASKS_IMMEDIATE")}
    env["CHILDFIRST_VAR_DIR"] = str(var)
    env["CHILDFIRST_HTTPS"] = "0"  # served on plain http://127.0.0.1, like `make demo`
    return env


def start(root: Path, template: Path | None = None) -> None:
    """Start `childfirst demo-data` into `root`/demo-var unless a worker already did; do not wait.
    With `template` (tests/migrated_db.py's SQLite database, being built), the build starts from a
    copy of it once it is ready instead of migrating a database of its own."""
    var = root / "demo-var"
    with open(root / "demo-var.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (root / "demo-var.started").exists():
            return
        shutil.rmtree(var, ignore_errors=True)
        var.mkdir()
        log = root / "demo-var.log"
        # The shell marks the outcome, so that a worker that did not start the build can wait for it.
        command = (
            f'"$0" -m childfirst demo-data > "{log}" 2>&1'
            f' && touch "{root}/demo-var.done" || touch "{root}/demo-var.failed"'
        )
        if template is not None:
            ready, failed = f"{root}/migrated.done", f"{root}/migrated.failed"
            command = (
                f'while [ ! -e "{ready}" ] && [ ! -e "{failed}" ]; do sleep 0.2; done;'
                f' if [ -e "{ready}" ]; then cp "{template}" "{var}/"; fi; {command}'
            )
        subprocess.Popen(["/bin/sh", "-c", command, sys.executable], env=child_env(var), start_new_session=True)
        (root / "demo-var.started").touch()


def wait(root: Path, timeout: float = 900) -> Path:
    """The built demo's var/ directory, once the build has finished (started here if it was not)."""
    start(root)
    wait_for(root, "demo-var", "childfirst demo-data", timeout)
    return root / "demo-var"


def wait_for(root: Path, name: str, command: str, timeout: float) -> None:
    """Wait until the background `command` started under `name` has touched `name`.done (its log is
    `name`.log); fail the waiting test with the log's end if it touched `name`.failed or took too long."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (root / f"{name}.done").exists():
            return
        if (root / f"{name}.failed").exists():
            pytest.fail(f"`{command}` failed:\n" + (root / f"{name}.log").read_text()[-4000:])
        time.sleep(0.1)
    pytest.fail(f"`{command}` did not finish in {timeout:.0f} s")


def copy_of_demo(tmp_path_factory: pytest.TempPathFactory, demo_var: Path) -> Path:
    """A var/ directory of its own: the run's demo database with the keys that encrypted it."""
    var = tmp_path_factory.mktemp("var")
    shutil.copytree(demo_var, var, dirs_exist_ok=True)
    return var
