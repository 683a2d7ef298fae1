"""Shared pieces of the browser tests: the demo served by `childfirst serve` on its own SQLite
file, Debian's chromium driven by Playwright, and screenshots for people to look at."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from childfirst.demo.load import DEMO_PASSWORD
from tests.demo_build import child_env as server_env
from tests.demo_build import copy_of_demo as copy_of_demo  # re-exported for the browser test modules

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(var: Path, *, worker: bool = False) -> Iterator[str]:
    """`childfirst serve` on `var` and a free port, until the block ends. With `worker`, beside it the
    worker for long jobs (report generation, list imports, linkage runs) as `make demo` has it;
    without, `--no-worker` spares the modules that queue no job its start and polling (~2 s of CPU)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "childfirst", "serve", "--port", str(port), *([] if worker else ["--no-worker"])],
        env=server_env(var),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # 30 s: the server imports the whole app while other tests run
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)  # noqa: S310 (local test server)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield url
    finally:
        # It stops gracefully (its report worker first, ~1 s) while the next tests run; reaped at the end.
        process.terminate()
        STOPPING.append(process)


# Servers told to stop, which the run waits for at its end.
STOPPING: list[subprocess.Popen] = []


@pytest.fixture(scope="session", autouse=True)
def _servers_stopped() -> Iterator[None]:
    yield
    for process in STOPPING:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a loaded machine: a server slow to stop is not a failed test
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def server(request, tmp_path_factory, demo_var) -> Iterator[str]:
    """The demo exactly as the README serves it, on its own copy of the database; with the worker for
    long jobs where the module is marked `worker`."""
    worker = request.node.get_closest_marker("worker") is not None
    with serving(copy_of_demo(tmp_path_factory, demo_var), worker=worker) as url:
        yield url


# Content-Security-Policy violations reported on the console of any page, by any test of the module.
CSP_VIOLATIONS: list[str] = []


class CheckedBrowser:
    """The browser, whose every new context reports CSP violations to CSP_VIOLATIONS."""

    def __init__(self, browser) -> None:
        self._browser = browser

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        OPEN_CONTEXTS.append(context)

        def on_console(message) -> None:
            if "Content Security Policy" in message.text:
                CSP_VIOLATIONS.append(f"{message.location.get('url', '')}: {message.text}")

        context.on("console", on_console)
        return context

    def __getattr__(self, name: str):
        return getattr(self._browser, name)


# The contexts a module's tests opened, closed at the module's end (the browser outlives the module):
# a page left open would go on polling a server that has stopped.
OPEN_CONTEXTS: list = []


@pytest.fixture(scope="module", autouse=True)
def _contexts_closed() -> Iterator[None]:
    yield
    while OPEN_CONTEXTS:
        OPEN_CONTEXTS.pop().close()


@pytest.fixture(autouse=True)
def no_csp_violations():
    """Every page works under the Content-Security-Policy: no inline script or style was refused."""
    CSP_VIOLATIONS.clear()
    yield
    found = list(CSP_VIOLATIONS)
    CSP_VIOLATIONS.clear()
    assert not found, "\n".join(found)


@pytest.fixture(scope="session")
def browser():
    """One chromium for the worker's run (starting Playwright's driver and chromium costs ~1.4 s of
    CPU); each test has a context of its own, so no cookie or storage passes between tests. While it
    runs, Django would refuse the database in this thread but for DJANGO_ALLOW_ASYNC_UNSAFE
    (tests/conftest.py)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `make test`, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield CheckedBrowser(browser)
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


# Screenshots show the first screen of a page, as a user opening it sees it; CHILDFIRST_FULL_SCREENSHOTS=1
# makes them whole pages. A whole-page shot makes chromium lay the page out again at its full height
# and encode it (~0.5-1 s of CPU a long page against ~0.05 s): ~20 % of the browser tests' CPU.
FULL_SCREENSHOTS = os.environ.get("CHILDFIRST_FULL_SCREENSHOTS") == "1"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=FULL_SCREENSHOTS)


def log_in(page, server: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{server}/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
