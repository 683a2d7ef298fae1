"""The children's registry at scale (issue 6, item 11): 1,000,000 synthetic children in PostgreSQL,
then search by name, by pinyin and by ID number, and a street supervisor's list page under 20
concurrent users through gunicorn. Prints figures; not a test.

    .venv/bin/python bench/bench_registry.py                        # 1,000,000 children
    .venv/bin/python bench/bench_registry.py --children 100000      # a quick run
    .venv/bin/python bench/bench_registry.py --keep                 # keep the database for a look
    .venv/bin/python bench/bench_registry.py --reuse                # measure again what --keep left

Needs a PostgreSQL server at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) with a
role allowed to create databases; the bench works in `bench_registry` (or $CHILDFIRST_BENCH_DB) on
that server, created at the start and dropped at the end.

Data (all marked synthetic): the shipped area tree with the demo's 56 communities (14 streets × 4),
the demo accounts, and `--children` children spread evenly over the communities, made as the demo
makes them (names from demo/registry_children.py, pinyin and sort keys from names.py, valid invented ID
numbers encrypted with AES-GCM and looked up by keyed hash), 30 % with a category. The schema is migrated
to the end, registry_child's indexes (but its primary key and unique constraint) dropped, the children
loaded with COPY in batches (each phase timed, the per-row encryption on its own), then the indexes built
on the loaded table and timed — as migration 0004's search indexes met a registry in service —
followed by VACUUM ANALYZE; then the aggregates' count table (registry/tally) rebuilt from the files
and timed, as `childfirst registry aggregates --rebuild` does (with --reuse: after the migrations).

Aggregates (issue 16, item 3): the civil-affairs entry page's suggestions (uncached) and children by
category × street read from the count table, the same recounted from the files (the definition, and
the cost before the table), and what the table's upkeep adds to a change of one child.
`--aggregates-only` measures these alone.

Search: the work the list page does for a search (registry/search.py, then the first page of 50
with its categories, and the count: search.list_page), timed in process for `--queries` terms of
each kind taken from loaded files — a full name, its surname alone (one character), the last two
characters, the full pinyin, the initials, their first two letters, a complete ID number — as the
office (with a grant for the district, so over every file) and as a street supervisor (one street,
1/14 of the files); then the list without a search, pages 1 and 100.

Load: gunicorn (`--workers` sync workers) on loopback; `--users` client threads, each signed in as
a street supervisor of a different street, request /registry/children/ over http.client. Two runs:
users who pause `--think` seconds (±50 %) between pages for `--duration` seconds, and the same
users with no pause (saturation) for a third of that. Bounded by time and by `--max-requests`.
Each client thread keeps one connection and waits for its answer before the next request, so
"20 users" means at most 20 requests in flight; the load generator runs on the same 2 CPUs.

Every line also gives p95 as ratios to the machine's calibration (bench/calibrate.py, printed at the
start and the end) and the CPU per operation — this process and its PostgreSQL backend; for the
load runs gunicorn and the bench database's backends — which holds on a machine shared with other
work, where wall clock measures the queue for the CPUs as much as the work.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.calibrate import calibrate  # noqa: E402 (after the path that finds it)

# Another name (CHILDFIRST_BENCH_DB) lets two engineers each keep a million-row copy on one server.
BENCH_DB = os.environ.get("CHILDFIRST_BENCH_DB", "bench_registry")
BATCH = 50_000
CATEGORY_SHARE = 0.30
BENCH_PASSWORD = "Bench-2025-Registry!"  # noqa: S105 (accounts in the throwaway bench database only)


def database_urls(base: str) -> tuple[str, str]:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/postgres")), urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


def recreate_database(admin_url: str, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {BENCH_DB}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


CALIBRATION = None  # this run's bench.calibrate.Calibration, set in main()


def summary(values: list[float]) -> str:
    """n, p50, p95, max in ms, then p95 as ratios to the machine's calibration (bench/calibrate.py)."""
    if not values:
        return "no successful requests"
    ms = [v * 1000 for v in values]
    p50, p95 = statistics.median(ms), percentile(ms, 0.95)
    line = f"n={len(ms):>5}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  max {max(ms):7.1f} ms"
    if CALIBRATION is not None:
        line += f"  p95 = {CALIBRATION.py(p95)} = {CALIBRATION.pg(p95)}"
    return line


# ----- data -------------------------------------------------------------------------------------


def build_base() -> dict:
    """Areas, demo communities and accounts, and the office's grant for the whole district."""
    from django.core.management import call_command
    from django.utils import timezone

    from childfirst.accounts.actions import do_create_user
    from childfirst.accounts.models import Role, User
    from childfirst.areas.loader import load_areas
    from childfirst.areas.models import Area
    from childfirst.demo.load import (
        AREA_FILE,
        PLAN_FILE,
        create_demo_communities,
        ensure_demo_accounts,
        load_second_district,
    )
    from childfirst.plans.loader import load_plan
    from childfirst.registry.children.actions import do_approve_grant, do_request_grant

    call_command("migrate", verbosity=0)
    load_areas(AREA_FILE)
    create_demo_communities()
    load_plan(PLAN_FILE)  # the departments the demo accounts belong to
    load_second_district()  # the made-up district's accounts (demo-b-*) need its areas and departments
    ensure_demo_accounts()
    office = User.objects.get(username="demo-office")
    district = Area.objects.get(code="330302")
    expires = timezone.now() + datetime.timedelta(days=30)
    # A grant needs a second office user's approval (the two-person rule).
    approver = User.objects.filter(username="bench-office-approver").first() or do_create_user(
        None, username="bench-office-approver", password=secrets.token_urlsafe(24), role=Role.OFFICE, area=district
    )
    do_approve_grant(approver, do_request_grant(office, office, district, "性能测试（合成数据）", expires))
    return {"office": office, "district": district}


def load_children(count: int, seed: int = 2026) -> dict:
    """COPY `count` synthetic children (and their categories) in batches; returns timings and a
    sample of (name, pinyin, ID number, street) to search for."""
    from django.db import connection
    from django.utils import timezone

    from childfirst.areas.models import Area
    from childfirst.demo.registry_children import _grade, _name, _school
    from childfirst.registry.children import crypto
    from childfirst.registry.children.idnumber import check_character, mask_id
    from childfirst.registry.children.names import pinyin_keys, sort_key
    from childfirst.registry.models import CategoryType

    rng = random.Random(seed)  # noqa: S311 — made-up data, reproducible by design
    today = timezone.localdate()
    now = timezone.now()
    lucheng = Area.objects.get(code="330302")  # the children live in Lucheng's streets only
    communities = list(
        Area.objects.valid_on(today).within(lucheng).communities().filter(is_synthetic=True).order_by("code")
    )
    types = [t.pk for t in CategoryType.objects.filter(parent__isnull=False)] + list(
        CategoryType.objects.filter(parent__isnull=True).values_list("pk", flat=True)
    )
    child_columns = (
        "id", "name", "name_pinyin", "name_initials", "name_sort", "sex", "birth_date", "birth_date_estimated",
        "id_nonce", "id_ciphertext", "id_hash", "id_masked", "residence_area_id", "hukou_area_id", "hukou_place",
        "address", "school", "grade", "status", "exit_reason", "exit_note", "note", "is_synthetic", "version",
        "created_at", "updated_at",
    )  # fmt: skip
    category_columns = ("child_id", "type_id", "start", "evidence", "recorded_at")
    timings = {"generate": 0.0, "encrypt": 0.0, "copy": 0.0}
    sample: list[tuple[str, str, str, str]] = []
    used: set[str] = set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM registry_child")
        next_id = cursor.fetchone()[0] + 1
    raw = connection.connection  # psycopg 3 connection: COPY
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        started = time.perf_counter()
        rows, categories = [], []
        encrypting = 0.0
        for _ in range(size):
            sex = "male" if rng.random() < 0.52 else "female"
            birth = today - datetime.timedelta(days=rng.randrange(30, 18 * 365 - 30))
            while True:
                sequence = rng.randrange(0, 999)
                if (sequence % 2 == 1) != (sex == "male"):
                    sequence = (sequence + 1) % 1000
                first17 = f"330302{birth:%Y%m%d}{sequence:03d}"
                if first17 not in used:
                    used.add(first17)
                    break
            number = first17 + check_character(first17)
            tick = time.perf_counter()
            nonce, ciphertext = crypto.encrypt(number)
            digest = crypto.lookup_hash(number)
            encrypting += time.perf_counter() - tick
            name = _name(rng, sex)
            full, initials = pinyin_keys(name)
            community = communities[next_id % len(communities)]
            age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
            grade = _grade(age)
            rows.append((next_id, name, full, initials, sort_key(name), sex, birth, False, nonce, ciphertext, digest,
                         mask_id(number), community.pk, community.pk, "", "", _school(grade), grade, "active", "", "",
                         "性能测试合成数据", True, 1, now, now))  # fmt: skip
            if rng.random() < CATEGORY_SHARE:
                since = max(birth, today - datetime.timedelta(days=rng.randrange(30, 1500)))
                categories.append((next_id, rng.choice(types), since, "", now))
            if rng.random() < 200 / count:
                sample.append((name, full.split()[0], number, community.code[:9], initials.split()[0]))
            next_id += 1
        timings["encrypt"] += encrypting
        timings["generate"] += time.perf_counter() - started - encrypting
        started = time.perf_counter()
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY registry_child ({', '.join(child_columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            with cursor.copy(f"COPY registry_childcategory ({', '.join(category_columns)}) FROM STDIN") as copy:
                for row in categories:
                    copy.write_row(row)
        raw.commit()
        timings["copy"] += time.perf_counter() - started
        made += size
        print(f"  {made:>9,} children loaded", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('registry_child', 'id'), %s)", [next_id])
        # What autovacuum does on a database in service: statistics for every table (an unanalysed
        # areas table made the planner loop per area, 15 s a search) and the visibility map that
        # index-only scans need.
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        timings["analyze"] = time.perf_counter() - started
    return {"timings": timings, "sample": sample}


# ----- search -----------------------------------------------------------------------------------


def search_once(user, term: str) -> int:
    """What the list page does for a search: the matching files, the first page with its
    categories, and the count."""
    from childfirst.registry.children.search import list_page, search_children
    from childfirst.registry.children.views import PAGE_SIZE, _communities

    children, _note = search_children(user, term, status="active")
    areas = list(_communities(user).values_list("pk", "code"))  # the filter's communities, as the view has them
    return list_page(children, PAGE_SIZE, areas=areas, searched=True).count


def rebuild_counts() -> None:
    """The count table recounted from the loaded files, as `childfirst registry aggregates
    --rebuild` (or migration 0012) does for a registry in service."""
    from django.db import connection

    from childfirst.registry.tally.maintain import rebuild

    started = time.perf_counter()
    rows = rebuild()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE registry_categorycount")
    print(f"Count table rebuilt from the files: {rows:,} rows in {time.perf_counter() - started:.1f} s")


def bench_aggregates(rounds: int = 20) -> None:
    """What the civil-affairs entry page asks of the registry: the suggestions for its indicators
    (children in the key categories per street, and the homes' coverage; no longer cached);
    children by category × street from the count
    table, and the same recounted from the files (the definition; what it cost before issue 16)."""
    from childfirst.plans.models import Plan
    from childfirst.registry.aggregates import children_by_category, prefills, recounted_by_category

    plan = Plan.objects.get(code="lucheng-2021-2025")
    year = datetime.date.today().year
    codes = ["WEL-10", "WEL-12", "WEL-13"]
    assert children_by_category(plan.area, year) == recounted_by_category(plan.area, year), "table ≠ recount"
    for label, work, times in (
        ("suggestions for the entry page, uncached", lambda: prefills(plan, year, codes), rounds),
        ("children by category × street (table)", lambda: children_by_category(plan.area, year), rounds),
        ("the same recounted from the files (before)", lambda: recounted_by_category(plan.area, year), 5),
    ):
        work()  # warm: the first call reads the mapping file and fills the caches of plan and areas
        ms = []
        meter = CpuMeter().start()
        for _ in range(times):
            started = time.perf_counter()
            work()
            ms.append(time.perf_counter() - started)
        print(f"  {label:<46} {summary(ms)}{meter.per_op(times)}")
    bench_upkeep()


def bench_upkeep(rounds: int = 50) -> None:
    """What the table's upkeep adds to an action: a category added and ended on one child, each
    inside tally.changing (the child's rows before and after, and the upsert), rolled back."""
    from contextlib import nullcontext

    from django.db import transaction

    from childfirst.registry.models import CategoryType, Child, ChildCategory
    from childfirst.registry.tally.maintain import changing

    kind = CategoryType.objects.get(code="orphan")
    children = list(Child.objects.filter(categories__isnull=False).values_list("pk", flat=True)[:rounds])
    for label, upkeep in (
        ("one category added, with the upkeep", changing),
        ("the same insert without the upkeep", None),
    ):
        ms = []
        meter = CpuMeter().start()
        for pk in children:
            with transaction.atomic():
                started = time.perf_counter()
                with upkeep([pk]) if upkeep else nullcontext():
                    ChildCategory.objects.create(child_id=pk, type=kind, start=datetime.date.today())
                ms.append(time.perf_counter() - started)
                transaction.set_rollback(True)
        print(f"  {label:<46} {summary(ms)}{meter.per_op(len(ms))}")


# ----- CPU spent: what a page costs, whatever else the machine runs ---------------------------------

TICK = 1000 / os.sysconf("SC_CLK_TCK")  # ms per clock tick of /proc/<pid>/stat


def process_cpu_ms(pids) -> float:
    """User + system CPU of these processes so far (PostgreSQL runs on this machine: its backends
    are readable in /proc), in ms; a process gone meanwhile counts nothing."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total * TICK


def backend_pids(database: str | None = None) -> list[int]:
    """This process's PostgreSQL backend, or every backend connected to `database` but ours."""
    from django.db import connection

    with connection.cursor() as cursor:
        if database is None:
            cursor.execute("SELECT pg_backend_pid()")
        else:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database]
            )
        return [row[0] for row in cursor.fetchall()]


class CpuMeter:
    """CPU spent by this process and its PostgreSQL backend between start() and per_op(n).

    Wall-clock times on a machine shared with other work measure the queue for the CPUs as much
    as the work; CPU time is the work's own cost (two busy SMT siblings still inflate it a little).
    A clock tick is 10 ms, so it is stated as a mean over many operations."""

    def start(self) -> CpuMeter:
        from django.db import connection

        connection.ensure_connection()
        self.pids = backend_pids()
        self.python, self.postgres = time.process_time(), process_cpu_ms(self.pids)
        return self

    def per_op(self, count: int) -> str:
        python = (time.process_time() - self.python) * 1000 / count
        postgres = (process_cpu_ms(self.pids) - self.postgres) / count
        return f"  cpu {python + postgres:.1f} ms/op (python {python:.1f} + postgres {postgres:.1f})"


def timed(work, times: int) -> list[float]:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        work()
        spent.append(time.perf_counter() - started)
    return spent


TERM_KINDS = {
    # kind: how a term is made from a sample (name, first pinyin reading, ID number, street, initials)
    "full name": lambda e: e[0],
    "surname (1 character)": lambda e: e[0][0],
    "given name (last 2)": lambda e: e[0][-2:],
    "full pinyin": lambda e: e[1],
    "initials": lambda e: e[4],
    "2 letters (prefix)": lambda e: e[4][:2],
    "ID number": lambda e: e[2],
}


def bench_search(users: dict, sample: list, queries: int) -> None:
    print(f"\nSearch: list page's queries (first page of 50 + count), in process; load {os.getloadavg()[0]:.1f}")
    for who, user in users.items():
        terms_of_user = [s for s in sample if who == "office" or s[3] == user.area.code]
        terms_of_user = (terms_of_user * (queries // max(len(terms_of_user), 1) + 1))[:queries]
        for kind, make in TERM_KINDS.items():
            times, found = [], []
            meter = CpuMeter().start()
            for entry in terms_of_user:
                started = time.perf_counter()
                found.append(search_once(user, make(entry)))
                times.append(time.perf_counter() - started)
            hits = statistics.median(found) if found else 0
            cpu = meter.per_op(len(times))
            print(f"  {who:<11} {kind:<24} {summary(times)}  (median {hits:g} files found){cpu}")
    print("  list page without a search, count + first 50 (and page 100, reached by its cursor):")
    for who, user in users.items():
        for number in (1, 100):
            cursor = cursor_of_page(user, number)
            meter = CpuMeter().start()
            times = timed(lambda user=user, cursor=cursor: list_page_queries(user, cursor), 40)
            print(f"  {who:<11} {'page ' + str(number):<24} {summary(times)}{meter.per_op(40)}")
    print("  the whole list page in process (Django test client: middleware, session, queries, template):")
    for who, user in users.items():
        client = logged_in_client(user)
        client.get("/registry/children/")  # warm: templates, translations
        meter = CpuMeter().start()
        times = timed(lambda client=client: client.get("/registry/children/"), 40)
        print(f"  {who:<11} {'GET page 1':<24} {summary(times)}{meter.per_op(40)}")


def list_page_queries(user, cursor: str) -> None:
    """The list page's queries: the filter's communities, then the page (count, rows, categories)."""
    from childfirst.registry.children.search import list_page, search_children
    from childfirst.registry.children.views import PAGE_SIZE, _communities

    children, _note = search_children(user, "", status="active")
    areas = list(_communities(user).values_list("pk", "code"))
    list(list_page(children, PAGE_SIZE, cursor=cursor, areas=areas).object_list)


def cursor_of_page(user, number: int) -> str:
    """The cursor the pager's "next" button of page number - 1 carries (walked, not timed)."""
    from childfirst.registry.children.search import list_page, search_children
    from childfirst.registry.children.views import PAGE_SIZE, _communities

    children, _note = search_children(user, "", status="active")
    areas = list(_communities(user).values_list("pk", "code"))
    cursor = ""
    for _ in range(number - 1):
        cursor = list_page(children, PAGE_SIZE, cursor=cursor, areas=areas).next_cursor
    return cursor


def logged_in_client(user):
    from django.test import Client
    from django.test.utils import setup_test_environment

    if not getattr(logged_in_client, "ready", False):
        setup_test_environment()  # the test client needs it; it also allows the testserver host
        logged_in_client.ready = True
    client = Client()
    client.force_login(user)
    return client


# ----- load -------------------------------------------------------------------------------------


def session_cookie(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    # The backend that loads users (axes' backend only guards the login form).
    store[BACKEND_SESSION_KEY] = next(b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b.lower())
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def run_load(port: int, cookies: list[str], duration: float, think: float, max_requests: int) -> tuple[list, int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def user_loop(cookie: str, seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)  # noqa: S311
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop_at:
            with lock:
                if len(latencies) + errors >= max_requests:
                    break
            started = time.perf_counter()
            try:
                conn.request("GET", "/registry/children/", headers={"Cookie": cookie})
                response = conn.getresponse()
                body = response.read()
                ok = response.status == 200 and b"<table" in body
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors += 1
            if think:
                time.sleep(rng.uniform(think * 0.5, think * 1.5))
        conn.close()

    threads = [threading.Thread(target=user_loop, args=(c, i)) for i, c in enumerate(cookies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def worker_pids(parent: int) -> list[int]:
    """The child processes of `parent` (gunicorn's workers)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


def serving_pids(master: int) -> list[int]:
    """gunicorn's master and workers, and every backend of the bench database but ours."""
    return [master, *worker_pids(master), *backend_pids(BENCH_DB)]


def bench_http(args: argparse.Namespace, bench_url: str, var_dir: str) -> None:
    from childfirst.accounts.models import Role, User
    from childfirst.areas.models import Area

    supervisors = []
    for street in Area.objects.within(Area.objects.get(code="330302")).streets().order_by("code")[: args.users]:
        user = User.objects.filter(username=f"bench-supervisor-{street.code}").first()
        if user is None:
            from childfirst.accounts.actions import do_create_user

            user = do_create_user(None, username=f"bench-supervisor-{street.code}", password=BENCH_PASSWORD,
                                  role=Role.STREET_SUPERVISOR, area=street, is_demo=True)  # fmt: skip
        supervisors.append(user)
    cookies = [session_cookie(supervisors[i % len(supervisors)]) for i in range(args.users)]
    env = dict(os.environ, DATABASE_URL=bench_url, CHILDFIRST_VAR_DIR=var_dir)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "childfirst.wsgi:application", "--workers", str(args.workers),
         "--bind", f"127.0.0.1:{args.port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        # Warm every worker (first requests load templates and translations).
        run_load(args.port, cookies[: args.workers * 2], 3, 0, args.workers * 4)
        for label, think, duration in (
            (f"{args.users} users, {args.think:g} s ±50 % between pages", args.think, args.duration),
            (f"{args.users} users, no pause (saturation)", 0.0, args.duration / 3),
        ):
            # CPU of gunicorn and of the bench database's backends (the workers'), per process: a
            # backend that starts during the run (a connection past its CONN_MAX_AGE) counts whole.
            before = {pid: process_cpu_ms([pid]) for pid in serving_pids(server.pid)}
            started = time.perf_counter()
            latencies, errors = run_load(args.port, cookies, duration, think, args.max_requests)
            elapsed = time.perf_counter() - started
            after = {pid: process_cpu_ms([pid]) for pid in serving_pids(server.pid)}
            spent = sum(ms - before.get(pid, 0.0) for pid, ms in after.items())
            cpu = spent / max(len(latencies), 1)
            capacity = 2000 / cpu if cpu else 0  # pages/s two CPUs could serve at this cost
            print(f"  {label:<44} {summary(latencies)}  {len(latencies) / elapsed:6.1f} pages/s  errors {errors}"
                  f"  cpu {cpu:.1f} ms/page (2 CPUs' capacity {capacity:.0f} pages/s)")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)


def drop_child_indexes() -> list[str]:
    """Drop registry_child's indexes but its primary key and unique constraint; their definitions.

    The schema is migrated to the end first and the children loaded into it, so no data migration
    rewrites a million rows afterwards (0007's re-masking and 0010's sort keys took over half an
    hour on a loaded machine); the indexes — migration 0004's search indexes, the list's — are
    built after the load, as they would meet a registry in service."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'registry_child' AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = 'registry_child'::regclass)"
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def build_indexes(definitions: list[str]) -> float:
    """The dropped indexes on the loaded table, then VACUUM ANALYZE (statistics, visibility map)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for definition in definitions:
            cursor.execute(definition)
        cursor.execute("VACUUM ANALYZE registry_child")
    return time.perf_counter() - started


def sample_from_database(count: int) -> list[tuple[str, str, str, str, str]]:
    """Search terms from a kept database (--reuse): the same shape as load_children's sample."""
    from childfirst.registry.children import crypto
    from childfirst.registry.models import Child

    rows = Child.objects.exclude(id_ciphertext=None).select_related("residence_area").order_by("?")[:count]
    return [
        (c.name, c.name_pinyin.split()[0], crypto.decrypt(bytes(c.id_nonce), bytes(c.id_ciphertext)),
         c.residence_area.code[:9], c.name_initials.split()[0])
        for c in rows
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=100, help="searches of each kind and user")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--think", type=float, default=1.0, help="seconds a user pauses between pages")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of the load run")
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--port", type=int, default=18741)
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--load-only", action="store_true", help="only load the children (with --keep: to explore)")
    parser.add_argument("--reuse", action="store_true", help="measure the database a --keep run left (no load)")
    parser.add_argument(
        "--aggregates-only", action="store_true", help="measure the aggregates only (no search, no load)"
    )
    args = parser.parse_args()
    args.keep = args.keep or args.reuse

    admin_url, bench_url = database_urls(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"))
    if not args.reuse:
        recreate_database(admin_url)
    # A fixed directory: its keys encrypted the ID numbers, so a kept database stays searchable.
    var_dir = str(Path(tempfile.gettempdir()) / "childfirst-bench-registry")
    os.makedirs(var_dir, exist_ok=True)
    os.environ.update(DATABASE_URL=bench_url, CHILDFIRST_VAR_DIR=var_dir, DJANGO_SETTINGS_MODULE="childfirst.settings")
    import logging

    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.core.management import call_command
    from django.db import connection

    global CALIBRATION
    CALIBRATION = calibrate(admin_url)
    print(CALIBRATION.line("start"), flush=True)
    try:
        print(f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
              f"PostgreSQL {connection.cursor().connection.info.server_version}")  # fmt: skip
        if args.reuse:
            call_command("migrate", verbosity=0)
            rebuild_counts()
            sample = sample_from_database(200)
        else:
            started = time.perf_counter()
            build_base()
            # The indexes come after the load, as migration 0004's met a registry in service.
            indexes = drop_child_indexes()
            print(f"Schema, areas, accounts: {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            loaded = load_children(args.children)
            total = time.perf_counter() - started
            t = loaded["timings"]
            print(f"{args.children:,} children in {total:.1f} s ({args.children / total:,.0f}/s): generating "
                  f"{t['generate']:.1f} s, encrypting + hashing ID numbers {t['encrypt']:.1f} s "
                  f"({t['encrypt'] / args.children * 1e6:.1f} µs each), COPY {t['copy']:.1f} s, "
                  f"VACUUM ANALYZE {t['analyze']:.1f} s")  # fmt: skip
            print(f"registry_child's {len(indexes)} indexes (0004's search indexes among them) built on the loaded "
                  f"table: {build_indexes(indexes):.1f} s")  # fmt: skip
            rebuild_counts()
            sample = loaded["sample"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('registry_child'))")
            print(f"registry_child with its indexes: {cursor.fetchone()[0]}")
        if args.load_only:
            return
        from childfirst.accounts.models import User

        office = User.objects.get(username="demo-office")
        users = {"office": office, "supervisor": User.objects.get(username="demo-supervisor")}
        if not args.aggregates_only:
            bench_search(users, sample, args.queries)
        print(f"\nAggregates for monitoring, in process; load average {os.getloadavg()[0]:.1f}")
        bench_aggregates()
        if args.aggregates_only:
            return
        print(f"\nSupervisor's list page /registry/children/ through gunicorn ({args.workers} workers), loopback; "
              f"load average before {os.getloadavg()[0]:.1f}:")  # fmt: skip
        connection.close()
        bench_http(args, bench_url, var_dir)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            recreate_database(admin_url, drop_only=True)
            print(f"Dropped {BENCH_DB}.")
        # Ratios above use the start's figures; the end's show whether the machine changed meanwhile.
        print(calibrate(admin_url).line("end"))


if __name__ == "__main__":
    main()
