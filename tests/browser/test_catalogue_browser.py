"""A new user's path in a real browser: the demo served by `childfirst serve`, Debian's chromium
driven by Playwright. Screenshots land in test-artifacts/ for people to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import log_in, shot

pytestmark = pytest.mark.browser


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
    expect(page.get_by_role("heading", name="主要目标")).to_be_visible()
    expect(page.locator("table.data").first.get_by_text("新生儿访视率")).to_be_visible()
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
    rows = page.locator("#indicator-table tbody tr")
    # Polled from here: wait_for_function evaluates a string, which the page's CSP (no eval) refuses.
    for _ in range(100):
        if rows.count() < 10:
            break
        page.wait_for_timeout(100)
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
    expect(page.get_by_role("link", name="Plan catalogue")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "home-en")
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    expect(page.get_by_role("link", name="规划目录")).to_be_visible()
