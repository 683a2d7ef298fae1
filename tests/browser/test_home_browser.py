"""Each role starts from its own work: the reporter finds returned data in the inbox, the community
director works from the home page on a phone (visits due → the visit form) without scrolling
sideways, and no link on any role's home page is refused. Screenshots at 1366 and 390 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import log_in, shot

pytestmark = pytest.mark.browser

ROLES = ["office", "reporter", "reviewer", "supervisor", "director", "leader", "evaluator"]
PHONE = {"width": 390, "height": 844}


def phone_page(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    return context, context.new_page()


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"], page.url


def test_reporter_finds_returned_data_in_the_inbox(page, server):
    # The office reopens the health department's accepted 2024 data for correction …
    log_in(page, server, "demo-office")
    page.wait_for_url(f"{server}/")
    page.goto(f"{server}/plans/lucheng-2021-2025/collection/rounds/2024/health/")
    page.get_by_label("重新开放原因").fill("第3项指标口径需更正")
    page.get_by_role("button", name="重新开放以更正").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="退出").click()

    # … and the department's reporter sees it: the bell's count, the inbox, the link to the data.
    log_in(page, server, "demo-reporter")
    page.wait_for_url(f"{server}/")
    bell = page.locator("a.inbox-bell")
    assert int(bell.locator(".inbox-count").inner_text()) >= 1
    expect(page.get_by_role("heading", name="新消息")).to_be_visible()
    bell.click()
    page.wait_for_url(f"{server}/inbox/")
    item = page.locator(".inbox-item.unread", has_text="数据被退回修改").first
    assert "2024" in item.inner_text() and "区卫健局" in item.inner_text()
    assert "第3项" not in item.inner_text()  # the reason is on the data's page, not in the inbox
    shot(page, "inbox-1366")
    unread = page.locator(".inbox-item.unread").count()
    item.get_by_role("button", name="标为已读").click()
    page.wait_for_url(f"{server}/inbox/")
    assert page.locator(".inbox-item.unread").count() == unread - 1
    page.locator(".inbox-item", has_text="数据被退回修改").first.get_by_role("link").click()
    page.wait_for_url("**/plans/lucheng-2021-2025/collection/rounds/2024/health/")
    assert "第3项指标口径需更正" in page.content()


def test_inbox_on_a_phone(browser, server):
    context, page = phone_page(browser)
    log_in(page, server, "demo-office")
    page.wait_for_url(f"{server}/")
    page.goto(f"{server}/inbox/")
    assert page.locator(".inbox-item").count() >= 1
    no_sideways_scroll(page)
    shot(page, "inbox-390")
    page.get_by_role("button", name="全部标为已读").click()
    page.wait_for_url(f"{server}/inbox/")
    assert page.locator(".inbox-item.unread").count() == 0
    assert page.locator(".inbox-count").count() == 0  # the bell shows no count any more
    context.close()


def test_director_works_from_the_home_page_on_a_phone(browser, server):
    context, page = phone_page(browser)
    log_in(page, server, "demo-director")
    page.wait_for_url(f"{server}/")
    expect(page.get_by_role("heading", name="待走访")).to_be_visible()
    no_sideways_scroll(page)
    shot(page, "home-director-390")
    first = page.locator(".visits-due li").first
    name = first.locator(".work-title").inner_text()
    first.get_by_role("link", name="记录走访").click()
    page.wait_for_url(re.compile(r".*/registry/children/\d+/visits/new/$"))
    assert name in page.locator("h1").inner_text()
    no_sideways_scroll(page)
    shot(page, "visit-form-director-390")
    page.get_by_label("走访发现").fill("家中整洁，祖母照料，学习正常")
    page.get_by_role("button", name="保存走访记录").click()
    page.wait_for_url(re.compile(r".*/registry/children/\d+/casework/$"))
    assert "走访已记录" in page.content()
    no_sideways_scroll(page)
    context.close()


@pytest.mark.parametrize("role", ROLES)
def test_each_roles_home_shows_its_work_and_every_link_can_be_followed(browser, server, role):
    shown = {
        "office": "填报进度",
        "reporter": "待填报",
        "reviewer": "待您审核",
        "supervisor": "强制报告",
        "director": "待走访",
        "leader": "规划指标状态",
        "evaluator": "最新报告",
    }
    for width, height in ((1366, 900), PHONE.values()):
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
        page = context.new_page()
        log_in(page, server, f"demo-{role}")
        page.wait_for_url(f"{server}/")
        # A heading of the role's own work (within each plan's block for the office and leaders).
        expect(page.locator("main h2, main h3", has_text=shown[role]).first).to_be_visible()
        if width == PHONE["width"]:
            no_sideways_scroll(page)
        shot(page, f"home-{role}-{width}")
        if width == 1366:
            hrefs = set(page.eval_on_selector_all("a[href^='/']", "links => links.map(a => a.getAttribute('href'))"))
            for href in sorted(hrefs):
                status = page.request.get(f"{server}{href}", max_redirects=5).status
                assert status not in (403, 404) and status < 500, (role, href, status)
        context.close()
