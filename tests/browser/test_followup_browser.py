"""Issue 15's recommendations as a new user does it in a real browser against the served demo: the office
opens an at-risk indicator, issues a recommendation to health from there, the health reporter answers it
with a PDF, the office closes it (through the confirmation dialog). Then the recommendation and
good-practice pages and the portal's good practices at 1366 px and on a phone (no sideways scrolling,
tables as cards)."""

from __future__ import annotations

import datetime

import pytest

from tests.implementation.files import pdf_bytes

from .conftest import log_in, shot
from .test_phone_browser import PHONE, WIDTH

pytestmark = pytest.mark.browser

PLAN = "/plans/lucheng-2021-2025"
WIDE = {"width": 1366, "height": 900}


def test_issue_answer_close(browser, server, tmp_path):
    office = browser.new_context(locale="zh-CN", viewport=WIDE).new_page()
    log_in(office, server, "demo-office")
    office.goto(f"{server}{PLAN}/evaluation/indicators/HEA-11/?year=2024")
    office.get_by_role("link", name="提出对策建议").first.click()
    office.wait_for_load_state()
    assert office.get_by_label("指标").input_value()  # prefilled from the link
    assert office.get_by_label("区卫健局").is_checked()  # the indicator's department
    office.get_by_label("标题").fill("浏览器测试：提升中医药健康管理服务覆盖率")
    office.get_by_label("对策建议", exact=True).fill("建议扩大服务时段，并按季度报送进展。")
    due = datetime.date.today() + datetime.timedelta(days=30)
    office.get_by_label("办结期限").fill(due.isoformat())
    shot(office, "followup-issue-form-1366")
    office.get_by_role("button", name="交办").click()
    office.wait_for_load_state()
    assert "已交办" in office.locator(".messages").inner_text()
    detail = office.url
    assert "浏览器测试" in office.locator("h1").inner_text()

    reporter = browser.new_context(locale="zh-CN", viewport=WIDE).new_page()
    log_in(reporter, server, "demo-reporter")
    assert "浏览器测试：提升中医药健康管理服务覆盖率" in reporter.locator("main").inner_text()  # home page
    reporter.goto(detail)
    reporter.get_by_role("link", name="反馈", exact=True).click()
    reporter.get_by_label("采取的措施").fill("已在全区社区卫生服务中心开设中医药保健门诊。")
    evidence = tmp_path / "证明材料.pdf"
    evidence.write_bytes(pdf_bytes())
    reporter.get_by_label("佐证材料").set_input_files(str(evidence))
    shot(reporter, "followup-respond-1366")
    reporter.get_by_role("button", name="提交反馈").click()
    reporter.wait_for_load_state()
    assert "反馈已报送妇儿工委办" in reporter.locator(".messages").inner_text()
    assert "证明材料.pdf" in reporter.locator("main").inner_text()

    office.goto(detail)
    office.get_by_role("button", name="认可并办结").click()
    dialog = office.locator("dialog#confirm-dialog[open]")
    dialog.wait_for()
    dialog.get_by_role("button", name="认可反馈并办结").click()
    office.wait_for_load_state()
    assert "已办结" in office.locator(".messages").inner_text()
    assert "已办结" in office.locator("h1").inner_text()
    shot(office, "followup-closed-1366")


@pytest.mark.parametrize(("width", "name"), [(WIDE, "1366"), (PHONE, "390")])
def test_pages_at_both_widths(browser, server, width, name):
    options = {"has_touch": True, "is_mobile": True} if width == PHONE else {}
    page = browser.new_context(locale="zh-CN", viewport=width, **options).new_page()
    log_in(page, server, "demo-office")
    pages = {
        "recommendations": f"{PLAN}/implementation/recommendations/?state=all",
        "practices": f"{PLAN}/implementation/practices/",
        "home-office": "/",
    }
    for label, path in pages.items():
        response = page.goto(f"{server}{path}")
        assert response is not None and response.status == 200, path
        shot(page, f"followup-{label}-{name}")
        assert page.evaluate(WIDTH)["scroll"] <= width["width"], (path, page.evaluate(WIDTH))
    page.goto(f"{server}{PLAN}/implementation/recommendations/?state=all")
    page.locator("table.data a").filter(has_text="托育").first.click()
    page.wait_for_load_state()
    shot(page, f"followup-recommendation-{name}")
    assert page.evaluate(WIDTH)["scroll"] <= width["width"]
    public = browser.new_context(locale="zh-CN", viewport=width, **options).new_page()
    public.goto(f"{server}/open/lucheng-2021-2025/practices/")
    text = public.locator("main").inner_text()
    assert "中医药健康服务进社区" in text and "视力筛查进校园" not in text
    assert public.locator(".photo-grid img").count() == 2
    shot(public, f"followup-portal-practices-{name}")
    assert public.evaluate(WIDTH)["scroll"] <= width["width"]
