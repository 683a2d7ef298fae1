"""Response times of the main pages on the demo data (prints figures; not a test).

Loads the demo into a fresh SQLite file under a temporary directory (or uses DATABASE_URL's
database if set, which must be empty), logs in as a demo account with Django's test client and
requests each page `--runs` times, printing median and 95th percentile in milliseconds, and the
CPU each request took (this process: with SQLite the database's work is in it too), which other
work on a shared machine does not inflate the way it does the wall clock.

    .venv/bin/python bench/bench_pages.py [--runs 20]
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/childfirst demo-data    # once (2–4 min)
    DATABASE_URL=sqlite:////tmp/demo.sqlite3 .venv/bin/python bench/bench_pages.py --reuse

With --reuse the database DATABASE_URL names already holds the demo (`childfirst demo-data`) and
is used as it is: only sessions and access-log rows are added by the requests.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.calibrate import Calibration, calibrated

COLLECTION = "/plans/lucheng-2021-2025/collection"
PAGES = [
    ("demo-office", "/"),
    ("demo-office", "/plans/lucheng-2021-2025/indicators/"),
    ("demo-office", f"{COLLECTION}/"),
    ("demo-office", f"{COLLECTION}/rounds/2025/"),
    ("demo-reporter", f"{COLLECTION}/rounds/2025/health/"),
    ("demo-reviewer", f"{COLLECTION}/rounds/2024/health/"),
    ("demo-office", f"{COLLECTION}/rounds/2024/health/history/HEA-04/330302001/"),
    # The supervisor's work: the home page, the work list (a street's 1,400 children, due dates) and
    # the dashboard; the director's home page and work list (a community's).
    ("demo-supervisor", "/"),
    ("demo-supervisor", "/registry/work/"),
    ("demo-supervisor", "/registry/supervision/"),
    ("demo-director", "/"),
    ("demo-director", "/registry/work/"),
    ("demo-office", "/plans/lucheng-2021-2025/evaluation/"),
    ("demo-office", "/plans/lucheng-2021-2025/evaluation/domains/health/"),
    ("demo-leader", "/plans/lucheng-2021-2025/evaluation/indicators/HEA-04/"),
    ("demo-supervisor", "/plans/lucheng-2021-2025/evaluation/streets/330302001/"),
    ("demo-reviewer", "/plans/lucheng-2021-2025/evaluation/departments/health/"),
]


def main(calibration: Calibration | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="DATABASE_URL holds the demo already: load nothing")
    parser.add_argument("--only", default="", help="only the pages whose URL contains this")
    args = parser.parse_args()
    if args.reuse and not os.environ.get("DATABASE_URL"):
        parser.error("--reuse needs DATABASE_URL naming the demo's database")
    os.environ.setdefault("CHILDFIRST_VAR_DIR", tempfile.mkdtemp(prefix="childfirst-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "childfirst.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from childfirst.accounts.models import User
    from childfirst.demo.load import load_demo
    from childfirst.migrating import ensure_migrated

    setup_test_environment()  # the test client needs it; it also allows the testserver host
    if not args.reuse:
        ensure_migrated()
        started = time.perf_counter()
        load_demo()
        print(f"demo loaded in {time.perf_counter() - started:.1f} s")
    clients: dict[str, Client] = {}
    for username, url in PAGES:
        if args.only not in url:
            continue
        client = clients.get(username)
        if client is None:
            client = clients[username] = Client()
            client.force_login(User.objects.get(username=username))
        client.get(url)  # warm-up
        times, cpu = [], []
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        median = statistics.median(times)
        ratios = f" = {calibration.py(median)}" if calibration else ""
        print(
            f"{url:<62} {username:<15} median {median:5.0f} ms{ratios}   p95 {p95:5.0f} ms"
            f"   cpu median {statistics.median(cpu):4.0f} ms"
        )
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    database = f"{connection.vendor} ({settings.DATABASES['default']['NAME']})"
    print(f"machine: {os.cpu_count()} CPU ({cpu}), Python {platform.python_version()}, database {database}")
    print(f"{args.runs} runs per page")


if __name__ == "__main__":
    with calibrated() as machine:  # the machine's speed before and after (bench/calibrate.py)
        main(machine)
