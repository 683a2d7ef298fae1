"""Shared fixtures: the shipped areas and plan loaded once per test database, and one named
user per role (plus a few in other areas, to prove scoping)."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from childfirst.accounts.actions import do_create_user
from childfirst.accounts.models import Role, User
from childfirst.areas.loader import load_areas
from childfirst.areas.models import Area
from childfirst.demo.load import AREA_FILE, PLAN_FILE, create_demo_communities
from childfirst.demo.values import load_demo_values
from childfirst.plans.loader import load_plan
from childfirst.plans.models import Department, Plan
from tests import demo_build, migrated_db
from tests.database_states import database_state
from tests.database_states import for_the_module as for_the_module  # re-exported for the test files

# Playwright's sync API runs an event loop in the test thread; Django would refuse ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Long jobs (report generation) run inside the test that queues them; the browser tests' server runs a real worker.
HUEY.immediate = True

PASSWORD = "Test-Password-2025!"


@pytest.fixture(autouse=True, scope="session")
def _fast_passwords():
    """A fast hasher for the whole run, module-scoped users included (production's PBKDF2 costs
    ~0.4 s a user, and the access matrices make a dozen per file). The console tests run
    `childfirst` in processes of their own, with production's hasher."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _plain_http(settings):
    """The test client speaks plain HTTP; production's redirect to HTTPS (on whenever
    CHILDFIRST_DEBUG is off) would answer every request with a 301."""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (Chinese): a request in English or an API call
    with Accept-Language: en leaves its language active in the thread, as Django does."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached dashboards hold objects of one test's transaction; no test may see another's."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, tmp_path_factory):
    """The worker's test database starts as a copy of the run's migrated template (tests/migrated_db.py)."""
    with migrated_db.test_database_from_template(demo_build.run_root(tmp_path_factory)):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The shipped area tree (with synthetic communities) and the Lucheng plan, loaded once."""
    with django_db_blocker.unblock():
        load_areas(AREA_FILE)
        create_demo_communities()
        load_plan(PLAN_FILE)


@pytest.fixture
def plan(db) -> Plan:
    return Plan.objects.get(code="lucheng-2021-2025")


@dataclass
class Users:
    office: User
    reporter: User
    reviewer: User
    education_reporter: User
    supervisor: User  # 五马街道
    other_supervisor: User  # 松台街道
    director: User  # 五马第一社区
    other_director: User  # 五马第二社区
    leader: User
    evaluator: User


@pytest.fixture
def round_2025(plan, users):
    """The 2025 reporting round, opened by the office (deadline 2026-03-31)."""
    from childfirst.collection.actions import do_open_round

    return do_open_round(users.office, plan, 2025, datetime.date(2026, 3, 31))


@pytest.fixture
def health(round_2025):
    """The health department's 2025 submission, a fresh draft."""
    from childfirst.collection.models import Submission

    return Submission.objects.select_related("round__plan", "department").get(
        round=round_2025, department__code="health"
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo values, loaded once for this file; built once per worker (tests/database_states.py)."""

    def load() -> dict[str, int]:
        return load_demo_values(Plan.objects.get(code="lucheng-2021-2025"))

    with database_state("demo values", load, django_db_blocker) as loaded:
        yield loaded


def make_user(
    username: str,
    role: Role,
    *,
    department: str | None = None,
    area: str | None = None,
    district: str = "330302",
    **extra,
) -> User:
    """A user of `role`; `department` is a department code of `district` (Lucheng unless told)."""
    return do_create_user(
        None,
        username=username,
        password=PASSWORD,
        role=role,
        department=Department.objects.get(code=department, area__code=district) if department else None,
        area=Area.objects.get(code=area) if area else None,
        **extra,
    )


@pytest.fixture
def users(db) -> Users:
    return make_users()


def make_users() -> Users:
    """One named user per role (plus a few in other areas), as the `users` fixture gives them."""
    return Users(
        office=make_user("office", Role.OFFICE, area="330302"),
        reporter=make_user("reporter", Role.DEPT_REPORTER, department="health"),
        reviewer=make_user("reviewer", Role.DEPT_REVIEWER, department="health"),
        education_reporter=make_user("edu-reporter", Role.DEPT_REPORTER, department="education"),
        supervisor=make_user("supervisor", Role.STREET_SUPERVISOR, area="330302001"),
        other_supervisor=make_user("supervisor2", Role.STREET_SUPERVISOR, area="330302002"),
        director=make_user("director", Role.COMMUNITY_DIRECTOR, area="330302001001"),
        other_director=make_user("director2", Role.COMMUNITY_DIRECTOR, area="330302001002"),
        leader=make_user("leader", Role.LEADER, area="330302"),
        evaluator=make_user(
            "evaluator",
            Role.EVALUATOR,
            area="330302",
            access_expires_at=timezone.now() + datetime.timedelta(days=30),
        ),
    )


DATA = Path(__file__).resolve().parent / "data"


@dataclass
class SecondDistrict:
    """The made-up district 990101 (tests/data/second-district-*) beside Lucheng, with its own users."""

    plan: Plan
    office: User
    reporter: User
    reviewer: User
    supervisor: User  # 东虚街道


@pytest.fixture
def second_district(db) -> SecondDistrict:
    """A second, made-up district with its small plan, loaded inside the test's transaction."""
    return make_second_district()


def make_second_district() -> SecondDistrict:
    load_areas(DATA / "second-district-areas.yaml")
    plan = load_plan(DATA / "second-district-plan.yaml").plan
    return SecondDistrict(
        plan=plan,
        office=make_user("madeup-office", Role.OFFICE, area="990101"),
        reporter=make_user("madeup-reporter", Role.DEPT_REPORTER, department="health", district="990101"),
        reviewer=make_user("madeup-reviewer", Role.DEPT_REVIEWER, department="health", district="990101"),
        supervisor=make_user("madeup-supervisor", Role.STREET_SUPERVISOR, area="990101001"),
    )


@pytest.fixture(scope="session")
def demo_var(tmp_path_factory) -> Path:
    """The var/ directory of `childfirst demo-data`, built once per run (tests/demo_build.py).
    Never changed by a test: each takes `demo_build.copy_of_demo` of it."""
    return demo_build.wait(demo_build.run_root(tmp_path_factory))


@pytest.fixture
def migrated_var(tmp_path_factory) -> Path:
    """A new var/ directory for a `childfirst` process whose database is already migrated: a copy of
    the run's template (tests/migrated_db.py), so the process does not spend ~11 s migrating its own."""
    root = demo_build.run_root(tmp_path_factory)
    return migrated_db.migrated_var(root, tmp_path_factory.mktemp("var"))


# Long files that run while the demo is being built: two per worker, which is what pytest-xdist
# hands each worker at the start (about a minute's work, as long as the build takes).
WHILE_THE_DEMO_BUILDS = 4


# Set by .ci/run for its second pass (PostgreSQL): run only the tests that use the configured database.
DATABASE_ONLY = "CHILDFIRST_TESTS_DATABASE_ONLY"
# A test uses the test database through one of these (pytest-django blocks every other test from it).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "django_db_setup",
}


def uses_the_database(item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(DATABASE_FIXTURES & set(item.fixturenames))


def _deselect_tests_without_the_database(config, items) -> None:
    """The tests that cannot touch the configured database — pytest-django refuses them access — run
    the same whatever DATABASE_URL says: the browser tests (their server runs on its own SQLite copy of
    the demo), the console tests on a var/ of their own, the pure engine and file-format tests. A
    second pass on another database would only repeat them."""
    kept = [item for item in items if uses_the_database(item)]
    skipped = [item for item in items if not uses_the_database(item)]
    if skipped:
        config.hook.pytest_deselected(items=skipped)
        items[:] = kept


@pytest.hookimpl(trylast=True)
def pytest_configure(config) -> None:
    """Under pytest-xdist, the controller starts the migrated template (tests/migrated_db.py) before
    the workers exist, so that it is built while they start and collect (~10 s) rather than after,
    with the workers waiting for it; the workers find it started."""
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return  # a worker, or a run without pytest-xdist: collection starts it when a test needs it
    migrated_db.start(demo_build.run_root(config._tmp_path_factory))


def pytest_collection_modifyitems(config, items) -> None:
    """Long files first, so that the short ones fill in at the end instead of one worker finishing
    a long file alone: pytest-xdist (`--dist loadfile`, see pyproject.toml) hands whole files to the
    workers in this order. The migrated template (tests/migrated_db.py) and the demo build
    (tests/demo_build.py) start here in the background: the files that need neither (pure engine,
    layer and file-format tests) come first, while the template is built (~12 s); the files that need
    the demo (the browser tests, the longest of all) come right after the first few long files, when
    it is ready. Order within a file is kept."""

    def heavy(item) -> bool:
        if "demo" in item.fixturenames or any(item.iter_markers("slow")) or any(item.iter_markers("browser")):
            return True
        return getattr(item.module, "subprocess", None) is not None  # the file starts processes

    if os.environ.get(DATABASE_ONLY):
        _deselect_tests_without_the_database(config, items)

    files: dict[Path, list] = {}
    heavy_files: set[Path] = set()
    demo_files: set[Path] = set()
    waiting_files: set[Path] = set()  # those whose tests wait for the template
    for item in items:
        files.setdefault(item.path, []).append(item)
        if heavy(item):
            heavy_files.add(item.path)
        if demo_build.FIXTURE in item.fixturenames:
            demo_files.add(item.path)
        if uses_the_database(item) or {demo_build.FIXTURE, "migrated_var"} & set(item.fixturenames):
            waiting_files.add(item.path)
    root = demo_build.run_root(config._tmp_path_factory)
    if demo_files or any(uses_the_database(item) for item in items):
        migrated_db.start(root)
    if demo_files:
        demo_build.start(root, migrated_db.sqlite_template(root) if migrated_db.is_sqlite() else None)

    def by_size(paths) -> list[Path]:
        return sorted(paths, key=lambda path: (-len(files[path]), str(path)))  # the same order in every worker

    free = set(files) - waiting_files
    long_first = by_size(heavy_files - demo_files - free)
    order = (
        by_size(free)
        + long_first[:WHILE_THE_DEMO_BUILDS]
        + by_size(demo_files)
        + long_first[WHILE_THE_DEMO_BUILDS:]
        + by_size(set(files) - heavy_files - demo_files - free)
    )
    items[:] = [item for path in order for item in files[path]]


def pytest_report_header(config) -> str:
    from django.conf import settings

    header = f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
    if os.environ.get(DATABASE_ONLY):
        header += f" (only the tests that use it: {DATABASE_ONLY} is set; the others are deselected)"
    return header
