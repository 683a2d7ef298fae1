"""A new user's path in a real browser: the demo served by `childfirst serve`, Debian's chromium
driven by Playwright. Screenshots land in test-artifacts/ for people to look at."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from childfirst.web.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """The demo exactly as the README serves it, on its own SQLite file and a free port."""
    var = tmp_path_factory.mktemp("var")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["CHILDFIRST_VAR_DIR"] = str(var)
    subprocess.run([sys.executable, "-m", "childfirst", "demo-data"], env=env, check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "childfirst", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)  # noqa: S310 (local test server)
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
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
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page, server: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{server}/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_new_user_logs_in_and_browses_the_catalogue(page, server):
    page.goto(f"{server}/")
    assert "/accounts/login/" in page.url
    shot(page, "login")
    log_in(page, server, "demo-office")
    page.wait_for_url(f"{server}/")
    assert "妇儿工委办" in page.locator(".user-role").inner_text()
    shot(page, "home")

    page.get_by_role("link", name="儿童与健康").first.click()
    page.wait_for_url("**/domains/health/")
    assert page.get_by_role("heading", name="主要目标").is_visible()
    assert page.locator("table.data").first.get_by_text("新生儿访视率").is_visible()
    shot(page, "domain-health")

    page.get_by_role("link", name="新生儿访视率").first.click()
    page.wait_for_url("**/indicators/*/")
    assert "≥ 90%" in page.locator(".target-big").inner_text()
    assert "新生儿访视率保持在90％以上" in page.locator(".plan-quote").first.inner_text()
    shot(page, "indicator")


def test_every_domain_is_reachable_by_keyboard_and_filtering_works(page, server):
    log_in(page, server, "demo-evaluator")
    page.goto(f"{server}/indicators/")
    page.get_by_label("搜索").fill("儿童之家")
    page.wait_for_function("document.querySelectorAll('#indicator-table tbody tr').length < 10")
    rows = page.locator("#indicator-table tbody tr")
    assert 1 <= rows.count() < 10
    assert "儿童之家" in rows.first.inner_text()
    shot(page, "indicator-filter")

    page.goto(f"{server}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"


def test_wrong_password_and_english_switch(page, server):
    log_in(page, server, "demo-leader", "not-the-password")
    assert "请输入一个正确的" in page.locator(".form-errors").inner_text()
    log_in(page, server, "demo-leader")
    page.wait_for_url(f"{server}/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Plan catalogue").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "home-en")
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="规划目录").is_visible()
