"""Bulk import through the data API into PostgreSQL: values per second, end to end.

    .venv/bin/python bench/bench_api_import.py                 # 1,000,000 values
    .venv/bin/python bench/bench_api_import.py --values 100000 # a quick run
    .venv/bin/python bench/bench_api_import.py --server        # through a real server (waitress)

It builds its own data in a database of its own (childfirst_bench on the server named by
DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test), created at the start and dropped
at the end (--keep keeps it), so it never touches other data: a synthetic district with 999
synthetic streets, a synthetic plan of 4 departments × (50 per-street + 50 district indicators)
and rounds 2021–2025, i.e. 4 × 50,000 values a year, 1,000,000 in all. A reporter per department
posts its year's values in requests of --batch values (a department's year is one submission).

Measured: wall time from the first request to the last response, over every value created (the
request bodies are encoded beforehand, as a client would hold them). Each request is handled in
full: routing, middleware, token check, JSON parsing and schema, the shared validation
(save_values), DataValue and ValueChange rows, the import batch keeping the request body, the
audit row.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.calibrate import calibrated  # noqa: E402 (after the path that finds it)

# Another name (CHILDFIRST_BENCH_DB) lets two engineers bench on one server at once.
BENCH_DB = os.environ.get("CHILDFIRST_BENCH_DB", "childfirst_bench")
DISTRICT = "990001"  # not a GB/T 2260 code in use: clearly synthetic
STREETS = 999
DEPARTMENTS = 4
PER_STREET = 50  # indicators per department reported for every street
PER_DISTRICT = 50  # indicators per department reported for the district
YEARS = range(2021, 2026)
UNITS = ["%", "count", "per_1000_children", "‰"]
BENCH_PASSWORD = "Bench-Password-2025!"  # noqa: S105 (accounts in the throwaway bench database only)


def bench_url(base: str) -> tuple[str, str]:
    parts = urlsplit(base)
    if parts.scheme == "sqlite":  # a file of its own beside the one named: the "admin" URL is the same file
        name = Path("/" + parts.path.lstrip("/")).with_name(f"{BENCH_DB}.sqlite3")
        url = f"sqlite:///{name}"
        return url, url
    admin = urlunsplit(parts._replace(path="/postgres"))
    return admin, urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def recreate_database(admin_url: str, drop_only: bool = False) -> None:
    if admin_url.startswith("sqlite:"):
        for suffix in ("", "-wal", "-shm"):
            Path("/" + urlsplit(admin_url).path.lstrip("/") + suffix).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {BENCH_DB}")


def build() -> dict:
    """The synthetic area tree, plan, rounds, reporters and their tokens."""
    from django.core.management import call_command

    from childfirst.accounts.actions import do_create_user
    from childfirst.accounts.models import Role
    from childfirst.accounts.tokens import do_create_token
    from childfirst.areas.models import Area, Level
    from childfirst.collection.actions import do_open_round
    from childfirst.plans.models import Department, Domain, Indicator, Plan, Responsibility

    call_command("migrate", verbosity=0)
    district = Area.objects.create(code=DISTRICT, name="基准测试区（合成）", name_en="Benchmark district (synthetic)",
                                   level=Level.DISTRICT, kind="区", is_synthetic=True)  # fmt: skip
    Area.objects.bulk_create(
        Area(code=f"{DISTRICT}{n:03d}", name=f"合成街道{n}", name_en=f"Synthetic street {n}", level=Level.STREET,
             kind="街道", parent=district, is_synthetic=True)
        for n in range(1, STREETS + 1)
    )  # fmt: skip
    plan = Plan.objects.create(code="bench-synthetic", name="基准测试规划（合成）", area=district,
                               start_year=YEARS[0], end_year=YEARS[-1])  # fmt: skip
    domain = Domain.objects.create(plan=plan, code="bench", number=1, name="合成领域")
    tokens = {}
    for d in range(1, DEPARTMENTS + 1):
        department = Department.objects.create(area=district, code=f"dept-{d}", name=f"合成部门{d}")
        for n in range(PER_STREET + PER_DISTRICT):
            unit = UNITS[n % len(UNITS)]
            indicator = Indicator.objects.create(
                plan=plan, domain=domain, code=f"B{d}-{n:03d}", order=d * 1000 + n, name=f"合成指标{d}-{n}",
                name_en=f"Synthetic {d}-{n}", unit=unit, comparator=">=", target_year=YEARS[-1],
                per_street=n < PER_STREET, source_part="goal", source_number=1, source_text="合成指标，仅用于基准测试",
                numerator="numerator" if unit != "count" else "", denominator="denominator" if unit != "count" else "",
            )  # fmt: skip
            Responsibility.objects.create(indicator=indicator, department=department, order=0)
        reporter = do_create_user(None, username=f"bench-reporter-{d}", password=BENCH_PASSWORD,
                                  role=Role.DEPT_REPORTER, department=department)  # fmt: skip
        tokens[department.code] = do_create_token(None, reporter, name="bench")[1]
    for year in YEARS:
        do_open_round(None, plan, year, datetime.date(year + 1, 3, 31))
    return tokens


def item(indicator_number: int, area: str, year: int, serial: int) -> dict:
    """A plausible value for the indicator's unit, varying by area and year."""
    unit = UNITS[indicator_number % len(UNITS)]
    if unit == "count":
        return {"indicator": "", "area": area, "value": 100 + serial % 900}
    denominator = 1000 + serial % 5000
    numerator = denominator - (serial % 97) if unit in ("%", "‰") else serial % 300
    return {"indicator": "", "area": area, "numerator": numerator, "denominator": denominator}


def requests(tokens: dict, values_wanted: int, batch: int):
    """(token, body) per request, department by department, year by year, until values_wanted."""
    streets = [f"{DISTRICT}{n:03d}" for n in range(1, STREETS + 1)]
    left = values_wanted
    for year in YEARS:
        for d in range(1, DEPARTMENTS + 1):
            items, serial = [], 0
            for n in range(PER_STREET + PER_DISTRICT):
                code = f"B{d}-{n:03d}"
                for area in streets if n < PER_STREET else [DISTRICT]:
                    entry = item(n, area, year, serial + year)
                    entry["indicator"] = code
                    items.append(entry)
                    serial += 1
            items = items[:left]
            left -= len(items)
            for start in range(0, len(items), batch):
                chunk = items[start : start + batch]
                body = {"year": year, "department": f"dept-{d}", "dataValues": chunk}
                yield tokens[f"dept-{d}"], len(chunk), json.dumps(body).encode()
            if left <= 0:
                return


def post_all(tokens, values_wanted, batch, clients: int, send) -> tuple[int, int, float]:
    """Post every request, `clients` at a time (each client a thread with its own connection,
    as several departments' programs would be), and return (values, requests, seconds)."""
    # Bodies are encoded before the clock starts: making up the data is the client's business, and in
    # process it would otherwise take turns with the server for the same interpreter.
    work = iter(list(requests(tokens, values_wanted, batch)))
    lock = threading.Lock()
    totals = {"values": 0, "requests": 0}
    failures: list[BaseException] = []

    def client_loop() -> None:
        post = send()
        while not failures:
            with lock:
                job = next(work, None)
            if job is None:
                return
            secret, count, body = job
            try:
                post(secret, count, body)
            except BaseException as exc:  # reported below, once the other clients stop
                failures.append(exc)
                return
            with lock:
                totals["values"] += count
                totals["requests"] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"a request failed: {failures[0]}")
    return totals["values"], totals["requests"], elapsed


DATABASE_CPU_MS = [0.0]  # the database backends' CPU while serving the requests in process
METER_LOCK = threading.Lock()


def in_process_client():
    """Django's test client: the whole request path (middleware, routing, ninja) without a socket."""
    from django.db import connection
    from django.test import Client

    client = Client(SERVER_NAME="localhost")

    def post(secret: str, count: int, body: bytes) -> None:
        backend = None
        if connection.vendor == "postgresql":  # its server runs on this machine: its CPU is in /proc
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
            before = cpu_ms([backend])
        try:
            response = client.post("/api/dataValueSets", data=body, content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {secret}")  # fmt: skip
            check(response.status_code, response.content, count)
        finally:
            if backend is not None:
                with METER_LOCK:
                    DATABASE_CPU_MS[0] += cpu_ms([backend]) - before
            connection.close_if_unusable_or_obsolete()

    return post


def start_server(database_url: str) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": database_url}
    server = subprocess.Popen([sys.executable, "-m", "childfirst", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, port
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("the server did not start")


def http_client(port: int):
    def make():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

        def post(secret: str, count: int, body: bytes) -> None:
            headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
            connection.request("POST", "/api/dataValueSets", body=body, headers=headers)
            response = connection.getresponse()
            check(response.status, response.read(), count)

        return post

    return make


def check(status: int, content: bytes, count: int) -> None:
    if status != 200:
        raise SystemExit(f"request failed with {status}: {content[:2000]!r}")
    summary = json.loads(content)
    if summary["imported"] != count:
        raise SystemExit(f"expected {count} values imported, got {summary}")


TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")  # ms per clock tick of /proc/<pid>/stat


def cpu_ms(pids: list[int]) -> float:
    """CPU time (user + system) the processes have used so far, in ms: unlike wall time, it does not
    grow with other work queued for the same CPUs, so runs on a shared machine compare."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) * TICK_MS
    return total


def peak_rss_of(pid: int) -> int:
    """VmHWM of a running process, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def machine() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor())  # fmt: skip
    return (
        f"{os.cpu_count()} CPU ({model}), {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    total = len(YEARS) * DEPARTMENTS * (PER_STREET * STREETS + PER_DISTRICT)
    parser.add_argument("--values", type=int, default=total, help=f"how many values to import (at most {total:,})")
    parser.add_argument("--batch", type=int, default=50_000, help="values per request (default 50,000)")
    parser.add_argument("--clients", type=int, default=1, help="clients posting at once (default 1)")
    parser.add_argument("--server", action="store_true", help="post to a real server (childfirst serve) over HTTP")
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database afterwards")
    args = parser.parse_args()
    if not 0 < args.values <= total:
        parser.error(f"--values must be between 1 and {total}")

    admin_url, database_url = bench_url(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"))
    recreate_database(admin_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "childfirst.settings")
    import django

    django.setup()
    from django.db import connection

    from childfirst.collection.models import DataValue, ValueChange

    try:
        print(f"building {args.values:,} values' worth of synthetic data in {BENCH_DB} …", flush=True)
        tokens = build()
        server_rss = 0
        cpu_before = cpu_ms([os.getpid()])
        if args.server:
            connection.close()
            server, port = start_server(database_url)
            try:
                sent, made, elapsed = post_all(tokens, args.values, args.batch, args.clients, http_client(port))
                server_rss = peak_rss_of(server.pid)
            finally:
                server.terminate()
                server.wait(timeout=30)
        else:
            sent, made, elapsed = post_all(tokens, args.values, args.batch, args.clients, in_process_client)
        # The bench's own CPU in process (the server's is in its process, gone by now: in process only),
        # and the database's: the backends still connected (Django keeps its connection in process).
        python_cpu = cpu_ms([os.getpid()]) - cpu_before if not args.server else None
        database_cpu = DATABASE_CPU_MS[0]
        stored, history = DataValue.objects.count(), ValueChange.objects.count()
        if (stored, history) != (sent, sent):
            raise SystemExit(f"stored {stored} values and {history} history rows, expected {sent} each")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                server = urlsplit(database_url)
                where = f"PostgreSQL {cursor.fetchone()[0]} at {server.hostname}:{server.port}"
        else:
            import sqlite3

            where = f"SQLite {sqlite3.sqlite_version} in {connection.settings_dict['NAME']}"
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        how = "HTTP to childfirst serve (waitress)" if args.server else "Django test client, in process"
        print(f"values:        {sent:,} in {made} requests of up to {args.batch:,}, {args.clients} client(s), {how}")
        print(f"total:         {elapsed:.1f} s")
        print(f"throughput:    {sent / elapsed:,.0f} values/s")
        if python_cpu is not None:
            cpu = python_cpu + database_cpu
            print(
                f"CPU:           {cpu / 1000:.1f} s (Python {python_cpu / 1000:.1f} s + database "
                f"{database_cpu / 1000:.1f} s): {sent / (cpu / 1000):,.0f} values per CPU-second"
            )
        print(
            f"peak RSS:      {rss / 1024:.0f} MB (bench process)"
            + (f", {server_rss / 1024:.0f} MB (server)" if args.server else "")
        )
        print(f"machine:       {machine()}")
        print(f"database:      {where}")
        print(f"date:          {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    finally:
        connection.close()
        if not args.keep:
            recreate_database(admin_url, drop_only=True)


if __name__ == "__main__":
    with calibrated():  # the machine's speed before and after (bench/calibrate.py)
        main()
