"""Where a supervisor's list page spends its CPU (issue 16): the page through the WSGI handler, in
process, as gunicorn's worker calls it (no test client, whose template instrumentation costs
time of its own), on the database a `bench_registry.py --keep` run left. Prints the queries of one
page, the CPU per page (this process + its PostgreSQL backend) and, with --profile, cProfile's top
functions. A tool for looking, not a test.

    CHILDFIRST_BENCH_DB=bench_registry .venv/bin/python bench/profile_page.py            # CPU per page
    CHILDFIRST_BENCH_DB=bench_registry .venv/bin/python bench/profile_page.py --profile  # and where
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--user", default="demo-supervisor")
    parser.add_argument("--post", default="", help="a search term, posted as the list's form does")
    parser.add_argument("--sql", action="store_true", help="print each query of one page")
    parser.add_argument(
        "--callgrind",
        action="store_true",
        help="under `valgrind --tool=callgrind --instr-atstart=no`: instrument the measured pages only; "
        "callgrind's instruction count is the Python process's work, whatever else the machine runs",
    )
    args = parser.parse_args()

    from bench_registry import BENCH_DB, backend_pids, database_urls, process_cpu_ms, session_cookie

    _admin, bench_url = database_urls(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"))
    var_dir = str(Path(tempfile.gettempdir()) / "childfirst-bench-registry")
    os.environ.update(DATABASE_URL=bench_url, CHILDFIRST_VAR_DIR=var_dir, DJANGO_SETTINGS_MODULE="childfirst.settings")
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from childfirst.accounts.models import User

    handler = WSGIHandler()
    # One backend throughout, so that its CPU is all counted (the setting's 60 s would change it).
    connection.settings_dict["CONN_MAX_AGE"] = None
    cookie = session_cookie(User.objects.get(username=args.user))
    body = b""
    if args.post:
        from urllib.parse import urlencode

        body = urlencode({"q": args.post, "community": "", "status": "active"}).encode()

    def page() -> None:
        environ = {
            "REQUEST_METHOD": "POST" if body else "GET",
            "PATH_INFO": "/registry/children/",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": cookie,
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
        }
        if body:
            environ["HTTP_HX_REQUEST"] = "true"
        statuses: list[str] = []
        response = handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
        content = b"".join(response)
        response.close()
        if not statuses[0].startswith("200") or b"<table" not in content:
            raise SystemExit(f"unexpected answer: {statuses[0]} ({len(content)} bytes)")

    for _ in range(5):
        page()  # warm: templates, translations, the connection
    with CaptureQueriesContext(connection) as queries:
        page()
    print(f"{len(queries)} queries a page ({args.user}{', search ' + repr(args.post) if args.post else ''})")
    if args.sql:
        for q in queries:
            print(f"  {q['time']}s  {q['sql'][:300]}")
    backends = backend_pids()
    load = os.getloadavg()[0]
    if args.callgrind:
        import subprocess

        subprocess.run(["callgrind_control", "--instr=on", str(os.getpid())], check=True, capture_output=True)
    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not waits
    # Batches of ten pages: the mean over all, and the best batch — like the calibration's best of
    # 7, it sees the work between other processes' bursts (two busy SMT siblings slow each other).
    batches: list[tuple[float, float, float]] = []
    for _ in range(max(1, args.pages // 10)):
        started = (time.perf_counter(), process_cpu_ms([os.getpid()]), process_cpu_ms(backends))
        if profiler:
            profiler.enable()
        for _ in range(10):
            page()
        if profiler:
            profiler.disable()
        batches.append(
            (
                (process_cpu_ms([os.getpid()]) - started[1]) / 10,
                (process_cpu_ms(backends) - started[2]) / 10,
                100 * (time.perf_counter() - started[0]),
            )
        )
    python = sum(b[0] for b in batches) / len(batches)
    postgres = sum(b[1] for b in batches) / len(batches)
    wall = sum(b[2] for b in batches) / len(batches)
    best = min(batches, key=lambda b: b[0] + b[1])
    print(
        f"cpu {python + postgres:.1f} ms/page ({python:.1f} python + {postgres:.1f} PostgreSQL),"
        f" best batch {best[0] + best[1]:.1f} ({best[0]:.1f} + {best[1]:.1f}), wall {wall:.1f} ms/page;"
        f" load average {load:.1f} → {os.getloadavg()[0]:.1f}; db {BENCH_DB}"
        + ("  (python under cProfile)" if profiler else "")
    )
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(int(os.environ.get("PROFILE_LINES", "60")))
        stats.sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
