"""A department's whole round through Excel: build the template, then validate and save the upload.

    .venv/bin/python bench/bench_excel_upload.py            # temporary SQLite database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/bench_excel_upload.py

With DATABASE_URL naming a PostgreSQL server, the benchmark works in a database of its own on
that server (childfirst_bench_excel), created at the start and dropped at the end, so it never
touches other data. Otherwise it uses a SQLite file in a temporary directory.

Data: the shipped Lucheng areas and plan, the 2025 round opened, the health department (the
largest: all its indicators × 14 streets), every input cell filled. Measured, median of --runs:
  build   – build_template(): queries, workbook, protection, hidden sheet, saved to bytes;
  create  – import_workbook() of the filled file into an empty submission: container checks,
            calamine read, every row and cell validated, values + history + import batch saved;
  update  – the same with every value changed (re-download, edit everything, upload again).
Target (issue 3): a department's whole round uploaded, validated and saved in under 2 seconds.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.calibrate import calibrated  # noqa: E402 (after the path that finds it)

BENCH_DB = "childfirst_bench_excel"


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPU(s), {model}, Python {platform.python_version()}"


def postgres_bench_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def recreate(admin_url: str, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {BENCH_DB}")


def fill(content: bytes, step: int) -> bytes:
    """Every unlocked number cell filled (as a person would, some as text), and a comment."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb["填报"]
    for row in range(4, ws.max_row + 1):
        numerator, denominator, value, comment = (ws[f"{c}{row}"] for c in "GHIK")
        if not numerator.protection.locked:
            numerator.value, denominator.value = 800 + (row * 7 + step) % 150, f"{1000 + step:,}"
            if not value.protection.locked:
                value.value = None
        elif not value.protection.locked:
            value.value = 10 + (row + step) % 90
        comment.value = f"基准 {step}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="childfirst-bench-excel-")
    os.environ["CHILDFIRST_VAR_DIR"] = tmp.name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "childfirst.settings")
    database = os.environ.get("DATABASE_URL", "")
    admin_url = None
    if database.startswith(("postgres://", "postgresql://")):
        admin_url, os.environ["DATABASE_URL"] = postgres_bench_url(database)
        recreate(admin_url)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        return run(args.runs, call_command, connection)
    finally:
        connection.close()
        if admin_url:
            recreate(admin_url, drop_only=True)
        tmp.cleanup()


def run(runs: int, call_command, connection) -> int:
    import datetime

    from childfirst.accounts.actions import do_create_user
    from childfirst.accounts.models import Role
    from childfirst.areas.loader import load_areas
    from childfirst.collection.actions import do_open_round
    from childfirst.collection.excel_import import import_workbook
    from childfirst.collection.excel_template import build_template
    from childfirst.collection.models import DataValue, ImportBatch, Submission, ValueChange
    from childfirst.demo.load import AREA_FILE, PLAN_FILE, create_demo_communities
    from childfirst.plans.loader import load_plan
    from childfirst.plans.models import Department

    call_command("migrate", verbosity=0)
    load_areas(AREA_FILE)
    create_demo_communities()
    plan = load_plan(PLAN_FILE).plan
    do_open_round(None, plan, 2025, datetime.date(2026, 3, 31))
    reporter = do_create_user(
        None,
        username="bench-reporter",
        password=secrets.token_urlsafe(16) + "aA1!",
        role=Role.DEPT_REPORTER,
        department=Department.objects.get(code="health"),
    )
    submission = Submission.objects.select_related("round__plan", "department").get(department__code="health")

    build_times, create_times, update_times = [], [], []
    rows = size = 0
    for step in range(runs):
        ValueChange.objects.filter(data_value__submission=submission).delete()
        DataValue.objects.filter(submission=submission).delete()
        ImportBatch.objects.filter(submission=submission).delete()
        seconds, blank = timed(lambda: build_template(submission))
        build_times.append(seconds)
        content = fill(blank, step)
        seconds, result = timed(lambda c=content: import_workbook(c, user=reporter, file_name="bench.xlsx"))
        assert result.ok and result.created == result.rows, result.errors[:5]
        create_times.append(seconds)
        rows, size = result.rows, len(content)
        content = fill(build_template(submission), step + 1000)
        seconds, result = timed(lambda c=content: import_workbook(c, user=reporter, file_name="bench.xlsx"))
        assert result.ok and result.updated == result.rows, result.errors[:5]
        update_times.append(seconds)

    def ms(values: list[float]) -> str:
        low, high = min(values) * 1000, max(values) * 1000
        return f"median {statistics.median(values) * 1000:7.0f} ms  (min {low:.0f}, max {high:.0f})"

    print(f"machine:   {machine()}")
    print(f"database:  {connection.vendor}")
    print(f"workbook:  health department, 2025 round: {rows} rows (indicators × areas), every input filled, "
          f"{size / 1024:.0f} KiB")  # fmt: skip
    print(f"runs:      {runs}")
    print(f"build template                 {ms(build_times)}")
    print(f"upload: validate + save (new)  {ms(create_times)}")
    print(f"upload: validate + save (all changed) {ms(update_times)}")
    worst = max(statistics.median(create_times), statistics.median(update_times))
    print(f"target < 2 s for a department's whole round: {'met' if worst < 2 else 'NOT met'} ({worst:.2f} s)")
    return 0


if __name__ == "__main__":
    with calibrated():  # the machine's speed before and after (bench/calibrate.py)
        code = main()
    sys.exit(code)
