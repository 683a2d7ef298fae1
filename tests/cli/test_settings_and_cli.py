"""Settings fail loudly on bad environment values; the console command works end to end."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from childfirst import settings as settings_module
from childfirst.cli import resolve
from tests.demo_build import copy_of_demo


def run_cli(*args: str, env: dict[str, str] | None = None, var: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update({"CHILDFIRST_VAR_DIR": str(var), **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "childfirst", *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


class TestEnvironment:
    @pytest.mark.parametrize("raw", ["maybe", "2", "yes please"])
    def test_bad_boolean_fails_loudly(self, monkeypatch, raw):
        monkeypatch.setenv("CHILDFIRST_DEBUG", raw)
        with pytest.raises(ImproperlyConfigured, match="CHILDFIRST_DEBUG"):
            settings_module.envbool("CHILDFIRST_DEBUG", False)

    def test_bad_number_fails_loudly(self, monkeypatch):
        monkeypatch.setenv("CHILDFIRST_SESSION_IDLE_MINUTES", "thirty")
        with pytest.raises(ImproperlyConfigured, match="CHILDFIRST_SESSION_IDLE_MINUTES"):
            settings_module.envint("CHILDFIRST_SESSION_IDLE_MINUTES", 30)
        monkeypatch.setenv("CHILDFIRST_SESSION_IDLE_MINUTES", "0")
        with pytest.raises(ImproperlyConfigured, match="minimum"):
            settings_module.envint("CHILDFIRST_SESSION_IDLE_MINUTES", 30, minimum=1)

    def test_good_values(self, monkeypatch):
        monkeypatch.setenv("CHILDFIRST_DEBUG", " Yes ")
        assert settings_module.envbool("CHILDFIRST_DEBUG", False) is True
        monkeypatch.setenv("CHILDFIRST_ALLOWED_HOSTS", "a.example, b.example,")
        assert settings_module.envlist("CHILDFIRST_ALLOWED_HOSTS", []) == ["a.example", "b.example"]

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("DATABASE_URL", "mysqlx://nowhere"),
            ("CHILDFIRST_SECRET_KEY", "short"),
            ("CHILDFIRST_DEBUG", "sometimes"),
            ("CHILDFIRST_HTTPS", "maybe"),
            ("CHILDFIRST_SSL_REDIRECT", "2"),
            ("CHILDFIRST_HSTS_SECONDS", "a year"),
            ("CHILDFIRST_SECURE_COOKIES", "sure"),
            ("CHILDFIRST_PROXY_SSL_HEADER", "X-Forwarded-Proto: https"),
            ("CHILDFIRST_ACCESS_LOG_RETENTION_DAYS", "30"),
        ],
    )
    def test_start_up_refuses_bad_configuration(self, tmp_path, name, value):
        done = run_cli("plan", "show", env={name: value}, var=tmp_path)
        assert done.returncode != 0
        assert name in done.stderr


# The production environment as README's production section documents it (keys made up here).
PRODUCTION_ENV = {
    "CHILDFIRST_SECRET_KEY": "k" * 20 + "production-secret-key-of-fifty-characters",
    "CHILDFIRST_REGISTRY_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "CHILDFIRST_ALLOWED_HOSTS": "childfirst.example.gov.cn",
    "CHILDFIRST_CSRF_TRUSTED_ORIGINS": "https://childfirst.example.gov.cn",
    "CHILDFIRST_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}


def test_documented_production_settings_pass_the_deploy_check(tmp_path):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for name in [
        *PRODUCTION_ENV,
        "CHILDFIRST_HTTPS",
        "CHILDFIRST_HSTS_SECONDS",
        "CHILDFIRST_ACCESS_LOG_RETENTION_DAYS",
    ]:
        assert readme.count(name) >= 2, f"README documents {name} in Chinese and in English"
    # Nothing of the test run's own environment (its CHILDFIRST_* and Django's async override).
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CHILDFIRST_", "DJANGO_ALLOW_ASYNC"))}
    done = subprocess.run(
        [sys.executable, "-m", "childfirst", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment | PRODUCTION_ENV | {"CHILDFIRST_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "WARNINGS" not in done.stderr + done.stdout and "no issues" in done.stdout


def test_resolve_maps_spaced_commands():
    commands = {"plan_load", "plan_show", "demo_data", "serve", "migrate"}
    assert resolve(["plan", "load", "x.yaml"], commands) == ["plan_load", "x.yaml"]
    assert resolve(["demo-data"], commands) == ["demo_data"]
    assert resolve(["serve", "--port", "9000"], commands) == ["serve", "--port", "9000"]
    assert resolve(["migrate", "--plan"], commands) == ["migrate", "--plan"]


@pytest.mark.slow
def row_counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}


# Rows that record each run of the command itself rather than demo data.
RUN_LOGS = {"linkage_linkagerun", "accounts_auditevent"}


def test_demo_data_is_idempotent_and_plan_show_json(tmp_path_factory, demo_var):
    """The run's demo build (tests/demo_build.py) is the first `demo-data`; a second one on a copy
    of it adds no demo row."""
    tmp_path = copy_of_demo(tmp_path_factory, demo_var)
    before = row_counts(tmp_path / "childfirst.sqlite3")
    second = run_cli("demo-data", var=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "demo-office" in second.stdout and "Demo-2025-ChildFirst" in second.stdout
    after = row_counts(tmp_path / "childfirst.sqlite3")
    changed = {table: (before.get(table), n) for table, n in after.items() if before.get(table) != n}
    assert set(changed) <= RUN_LOGS, changed

    # The demo holds three plans (the 2021–2025 plan, its made-up 2026–2030 successor, and the made-up
    # second district's): name one.
    shown = run_cli("plan", "show", "--json", "--plan", "lucheng-2021-2025", var=tmp_path)
    assert shown.returncode == 0, shown.stderr
    records = json.loads(shown.stdout)
    codes = [r["code"] for r in records]
    assert len(codes) == len(set(codes)) >= 50
    for record in records:
        assert {"code", "name", "domain", "unit", "comparator", "target", "target_year", "direction"} <= set(record)
        assert record["departments"] and record["source_text"]

    text = run_cli("--lang", "en", "plan", "show", "--plan", "lucheng-2021-2025", var=tmp_path)
    assert text.returncode == 0 and "indicators" in text.stdout
    # Without --plan, a command refuses and lists both plans.
    unnamed = run_cli("plan", "show", var=tmp_path)
    assert (
        unnamed.returncode == 1 and "lucheng-2021-2025" in unnamed.stderr and "lucheng-2026-2030-demo" in unnamed.stderr
    )

    listed = run_cli("plan", "list", "--json", var=tmp_path)
    assert listed.returncode == 0, listed.stderr
    plans = json.loads(listed.stdout)
    assert [(p["code"], p["area"], p["indicators"]) for p in plans] == [
        ("lucheng-2021-2025", "330302", len(records)),
        ("lucheng-2026-2030-demo", "330302", 81),
        ("madeup-demo-2021-2025", "990201", 2),  # the made-up second district's plan
    ]
    successor = plans[1]
    assert (successor["status"], successor["synthetic"], successor["succeeds"]) == ("draft", True, "lucheng-2021-2025")
    unknown = run_cli("evaluate", "--year", "2024", "--plan", "nosuch", var=tmp_path)
    assert unknown.returncode == 1 and "nosuch" in unknown.stderr and "lucheng-2021-2025" in unknown.stderr

    counts = run_cli(
        "shell", "-c",
        "from childfirst.accounts.models import User; from childfirst.areas.models import Area;"
        "from childfirst.plans.models import Indicator;"
        "print(User.objects.count(), Area.objects.count(),"
        " Indicator.objects.filter(plan__code='lucheng-2021-2025', retired_at=None).count())",
        var=tmp_path,
    )  # fmt: skip
    users, areas, indicators = map(int, counts.stdout.strip().splitlines()[-1].split())
    # Lucheng's 8 accounts and tree (+ a merged community), and the made-up second district's 2 and 6.
    assert users == 8 + 2 and areas == 1 + 14 + 14 * 4 + 1 + 6 and indicators == len(records)
