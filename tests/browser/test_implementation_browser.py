"""Issue 15's implementation report as a new user does it, in a real browser against the served demo,
at a desktop's and a phone's width: the health reporter finishes the 2025 implementation report (an
item and the summary), attaches a PDF and submits; the reviewer approves; the office accepts (after
the confirmation dialog). Each width gets its own copy of the demo, since the report moves on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.implementation.files import exe_bytes, pdf_bytes

from .conftest import copy_of_demo, log_in, serving, shot

pytestmark = pytest.mark.browser

PLAN = "/plans/lucheng-2021-2025"


@pytest.fixture(params=[1366, 390])
def width(request) -> int:
    return request.param


@pytest.fixture
def fresh_server(tmp_path_factory, demo_var) -> Iterator[str]:
    with serving(copy_of_demo(tmp_path_factory, demo_var)) as url:
        yield url


def _page(browser, width: int):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    return context, context.new_page()


def _click_and_load(target) -> None:
    """Click, and wait for the page the click loads: a check made at once could read the page it left."""
    with target.page.expect_navigation():
        target.click()


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


def test_write_attach_submit_approve_accept(browser, fresh_server, width, tmp_path):
    server = fresh_server
    context, page = _page(browser, width)
    log_in(page, server, "demo-reporter")
    # the home page names the waiting report; the navigation's item opens the open year's reports
    assert "2025年度实施报告" in page.locator("main").inner_text()
    page.goto(f"{server}{PLAN}/implementation/reports/")
    assert page.url.endswith("/implementation/rounds/2025/")
    _no_sideways_scroll(page, width)
    shot(page, f"implementation-round-reporter-{width}")
    _click_and_load(page.get_by_role("link", name="区卫健局"))
    _no_sideways_scroll(page, width)

    # two items are still empty: submitting now is refused, naming them
    _click_and_load(page.get_by_role("button", name="提交审核"))
    assert "“主要工作”未填写" in page.locator(".messages").inner_text()

    page.get_by_label("本年度工作概述").fill("2025年，区卫健局围绕规划目标推进各项工作。（演示）")
    fields = page.locator("textarea[name$='-work_done']")
    names = [fields.nth(i).get_attribute("name") for i in range(fields.count()) if fields.nth(i).input_value() == ""]
    assert len(names) == 2
    for name in names:
        page.locator(f"textarea[name='{name}']").fill("开展专项行动，覆盖全部街镇。（演示）")
    # a mistake in a fund: refused with the field named, everything typed kept
    fund = names[0].replace("work_done", "funds_spent")
    page.locator(f"input[name='{fund}']").fill("五十")
    _click_and_load(page.get_by_role("button", name="保存草稿"))
    assert "不是数字" in page.locator(".error-summary").inner_text()
    assert page.locator(f"textarea[name='{names[0]}']").input_value() == "开展专项行动，覆盖全部街镇。（演示）"
    shot(page, f"implementation-report-refused-{width}")
    page.locator(f"input[name='{fund}']").fill("50")
    _click_and_load(page.get_by_role("button", name="保存草稿"))
    assert "已保存为草稿" in page.locator(".messages").inner_text()

    # evidence: a renamed program is refused, a PDF is kept
    bad = tmp_path / "证明.pdf"
    bad.write_bytes(exe_bytes())
    page.set_input_files("input[type=file]", str(bad))
    _click_and_load(page.get_by_role("button", name="上传", exact=True))
    assert "程序" in page.locator(".messages").inner_text()
    good = tmp_path / "体检工作总结.pdf"
    good.write_bytes(pdf_bytes())
    page.set_input_files("input[type=file]", str(good))
    _click_and_load(page.get_by_role("button", name="上传", exact=True))
    assert page.get_by_role("link", name="体检工作总结.pdf").count() == 1
    _no_sideways_scroll(page, width)
    shot(page, f"implementation-report-reporter-{width}")
    _click_and_load(page.get_by_role("button", name="提交审核"))
    assert "已提交本单位审核员审核" in page.locator(".messages").inner_text()
    context.close()

    context, page = _page(browser, width)
    log_in(page, server, "demo-reviewer")
    _click_and_load(page.get_by_role("link", name="2025年度实施报告 · 区卫健局"))
    _click_and_load(page.get_by_role("button", name="审核通过"))
    assert "已审核通过" in page.locator(".messages").inner_text()
    context.close()

    context, page = _page(browser, width)
    log_in(page, server, "demo-office")
    _click_and_load(page.get_by_role("link", name="2025年度实施报告 · 区卫健局"))
    page.get_by_role("button", name="接收").click()
    dialog = page.locator("dialog#confirm-dialog[open]")
    dialog.wait_for()
    assert "报告将定稿" in dialog.inner_text()
    shot(page, f"implementation-accept-dialog-{width}")
    _click_and_load(dialog.get_by_role("button", name="接收"))
    assert "已接收" in page.locator(".messages").inner_text()
    assert page.locator("textarea").count() == 0  # read-only now
    _no_sideways_scroll(page, width)
    shot(page, f"implementation-report-accepted-{width}")
    page.goto(f"{server}{PLAN}/implementation/rounds/2025/")
    row = page.locator("table.data tbody tr").filter(has_text="区卫健局")
    assert "已接收" in row.inner_text()
    _no_sideways_scroll(page, width)
    shot(page, f"implementation-round-office-{width}")
    context.close()
