"""The machine's speed, measured in the same run as a bench's figures (issue 16, item 5).

Timings from two machines of "the same kind" differed by 2.5× for the same code, so a figure
alone says little. Every bench prints, at its start and at its end, how long this machine takes
for fixed work — a pure-Python loop (what Django's request handling and rendering are made of),
a PostgreSQL query and a SQLite query that read no table (so no data, cache or index is involved)
— each the best of several runs, and states its results also as ratios to them: a result of
"3.1 py" took 3.1 times the Python loop, "2.0 pg" twice the PostgreSQL query.

To compare a figure from another machine, compare the ratios; to carry a target in milliseconds
from one machine to another, scale it by the ratio of their calibrations. The load average is
printed with them: a figure measured while other work loaded the machine is marked so.

    .venv/bin/python bench/calibrate.py [--database-url postgres://…]   # the calibration alone

Nothing here imports Django; the PostgreSQL figure needs psycopg and a server (skipped without).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

RUNS = 7


def _python_work() -> int:
    """Strings, a dict, integers and a call per step: the mix a request handler spends its time on."""
    table: dict[str, int] = {}
    total = 0
    for i in range(60_000):
        key = str(i)
        table[key] = i * 7 % 13
        total += len(key) + table[key]
    return total


# Fixed work inside the database, reading no table: the same on an empty server and a full one.
PG_QUERY = "SELECT count(*), sum(length(md5(i::text))) FROM generate_series(1, 60000) AS i"
SQLITE_QUERY = (
    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 60000) "
    "SELECT count(*), sum(length(hex(i * 7))) FROM s"
)


def _best_ms(work: Callable[[], object], runs: int = RUNS) -> float:
    work()  # warm: first calls pay for imports, plans and caches
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best * 1000


@dataclass(frozen=True)
class Calibration:
    python_ms: float
    postgres_ms: float | None
    sqlite_ms: float
    load: float  # the one-minute load average when measured

    def line(self, when: str) -> str:
        pg = f"{self.postgres_ms:.1f} ms" if self.postgres_ms is not None else "not measured"
        return (
            f"calibration ({when}): python loop {self.python_ms:.1f} ms, PostgreSQL query {pg}, "
            f"SQLite query {self.sqlite_ms:.1f} ms (best of {RUNS}); load average {self.load:.2f} "
            f"on {os.cpu_count()} CPUs{' — loaded by other work' if self.loaded else ''}"
        )

    @property
    def loaded(self) -> bool:
        """More than a third of a CPU busy on average before or while we measure: other work."""
        return self.load > 0.33 * (os.cpu_count() or 1)

    def py(self, ms: float) -> str:
        return f"{ms / self.python_ms:.2f} py"

    def pg(self, ms: float) -> str:
        return f"{ms / self.postgres_ms:.2f} pg" if self.postgres_ms else "– pg"

    def sqlite(self, ms: float) -> str:
        return f"{ms / self.sqlite_ms:.2f} sq"


def postgres_ms(database_url: str) -> float | None:
    try:
        import psycopg
    except ImportError:
        return None
    try:
        with psycopg.connect(database_url, autocommit=True, connect_timeout=5) as conn:
            return _best_ms(lambda: conn.execute(PG_QUERY).fetchall())
    except psycopg.OperationalError:
        return None


def sqlite_ms() -> float:
    conn = sqlite3.connect(":memory:")
    try:
        return _best_ms(lambda: conn.execute(SQLITE_QUERY).fetchall())
    finally:
        conn.close()


def calibrate(database_url: str | None = None) -> Calibration:
    """Time the fixed work now. `database_url`: a PostgreSQL server (any database on it)."""
    url = database_url or os.environ.get("DATABASE_URL", "")
    return Calibration(
        python_ms=_best_ms(_python_work),
        postgres_ms=postgres_ms(url) if url.startswith("postgres") else None,
        sqlite_ms=sqlite_ms(),
        load=os.getloadavg()[0],
    )


DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


@contextlib.contextmanager
def calibrated(database_url: str | None = None) -> Iterator[Calibration]:
    """Print the calibration before the bench's work and again after it (also when it fails)."""
    url = database_url or os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    found = calibrate(url)
    print(found.line("start"), flush=True)
    try:
        yield found
    finally:
        print(calibrate(url).line("end"), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    args = parser.parse_args()
    print(calibrate(args.database_url).line("now"))


if __name__ == "__main__":
    main()
