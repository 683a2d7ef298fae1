"""The plan switcher in the header, with the demo's second plan of the district (its made-up 2026–2030
successor, a draft with made-up data): it shows the current plan, opens from the keyboard, goes to the same
section of the other plan and makes it current; at 390 px it fits the screen open and closed.
Screenshots: test-artifacts/plan-switcher-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import log_in, shot
from .test_phone_browser import PHONE, WIDTH

pytestmark = pytest.mark.browser

LUCHENG = "/plans/lucheng-2021-2025"
NEXT = "/plans/lucheng-2026-2030-demo"


def summary_text(page) -> str:
    return page.locator(".plan-switch summary").inner_text()


def test_switching_by_keyboard_goes_to_the_same_section_of_the_other_plan(browser, server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 800})
    page = context.new_page()
    log_in(page, server, "demo-office")
    page.goto(f"{server}{LUCHENG}/collection/")
    assert "鹿城区" in summary_text(page) and "十五五" not in summary_text(page)
    assert not page.locator(".plan-switch ul").is_visible()
    shot(page, "plan-switcher-1366-closed")

    page.locator(".plan-switch summary").focus()
    page.keyboard.press("Enter")
    other = page.locator(".plan-switch ul a")
    assert other.count() == 1 and other.is_visible()
    assert "十五五" in other.inner_text() and "规划草案" in other.inner_text() and "演示数据" in other.inner_text()
    shot(page, "plan-switcher-1366-open")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.plan-switch') !== null")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{server}{NEXT}/collection/"
    assert "十五五" in summary_text(page)
    assert page.locator('.site-nav a[aria-current="page"]').get_attribute("href") == f"{NEXT}/collection/"

    # The current plan stays current on pages without a plan of their own, and back again.
    page.goto(f"{server}/")
    assert "十五五" in summary_text(page)
    page.locator(".plan-switch summary").click()
    page.locator(".plan-switch ul a").click()
    assert page.url == f"{server}{LUCHENG}/"
    assert "十四五" in summary_text(page)
    context.close()


def test_the_switcher_fits_a_phone(browser, server):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    log_in(page, server, "demo-office")
    page.goto(f"{server}{LUCHENG}/collection/rounds/2025/")
    width = page.evaluate(WIDTH)
    assert width["scroll"] <= PHONE["width"], width
    shot(page, "plan-switcher-390-closed")
    page.locator(".plan-switch summary").click()
    link = page.locator(".plan-switch ul a")
    assert link.is_visible() and link.bounding_box()["height"] >= 44
    width = page.evaluate(WIDTH)
    assert width["scroll"] <= PHONE["width"], width
    shot(page, "plan-switcher-390-open")
    link.click()
    assert page.url == f"{server}{NEXT}/collection/"
    context.close()


def test_the_demos_second_district_sees_its_own_plan_only(browser, server):
    """The demo's made-up second district (990201): its office's home page, catalogue and switcher hold its
    own plan only, and a Lucheng plan's page is refused; Lucheng's office does not see it either."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 800})
    page = context.new_page()
    log_in(page, server, "demo-b-office")
    main = page.locator("main")
    expect(main).to_contain_text("演示虚构区儿童发展规划")
    assert "鹿城" not in main.inner_text()
    assert page.locator(".plan-switch ul a").count() == 0  # one plan: nothing to switch to
    page.goto(f"{server}/plans/")
    assert "鹿城" not in page.locator("main").inner_text()
    assert page.goto(f"{server}{LUCHENG}/evaluation/").status == 403
    shot(page, "second-district-1366-refused")
    context.close()

    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 800})
    page = context.new_page()
    log_in(page, server, "demo-office")
    page.goto(f"{server}/plans/")
    expect(page.locator("main")).to_contain_text("十五五")
    assert "虚构区" not in page.locator("main").inner_text()
    assert page.goto(f"{server}/plans/madeup-demo-2021-2025/").status == 403
    context.close()
