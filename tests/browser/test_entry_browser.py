"""Issue 13's "done when" for the entry page, as a new user does it in a real browser against the
served demo, at 1366 px and on a 390 px phone: the health reporter finds an indicator with the jump
list, types 20 values with one mistake (a 120% rate, which is warned about while typing), saves,
and finds 19 saved, the mistake kept as typed with its error beside the cell and in the list at the
top, and the page back where they were; fixing it and saving again keeps all 20."""

from __future__ import annotations

import re

import pytest

from .conftest import ARTIFACTS, log_in, shot

pytestmark = pytest.mark.browser

ENTRY = "/plans/lucheng-2021-2025/collection/rounds/2025/health/"
# Per width, two indicators the demo leaves empty for 2025: all 14 streets of the first, 6 of the second.
INDICATORS = {1366: ("HEA-18", "HEA-19"), 390: ("HEA-20", "HEA-25")}


def in_view(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and 0 <= box["y"] < page.viewport_size["height"]


def viewport_shot(page, name: str) -> None:
    """What the user sees without scrolling: where the page came back to."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def type_like_last_year(page, row) -> None:
    """Numerator and denominator giving about last year's rate (a plausible figure, no warning)."""
    last = row.get_attribute("data-last-year") or ""
    scale = float(page.locator(f"details:has(#{row.get_attribute('id')})").get_attribute("data-scale"))
    numerator = round(float(last) * 100000 / scale) if last else 50000
    row.locator("input[data-part=numerator]").fill(str(numerator))
    row.locator("input[data-part=denominator]").fill("100000")


@pytest.fixture(params=[1366, 390])
def width(request) -> int:
    return request.param


@pytest.fixture
def sized_page(browser, width):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_twenty_values_one_mistake_nineteen_kept(sized_page, server, width):
    page = sized_page
    first, second = INDICATORS[width]
    log_in(page, server, "demo-reporter")
    page.goto(f"{server}{ENTRY}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    shot(page, f"entry-{width}-opened")

    page.get_by_label("跳转到指标").select_option(first)
    rows = page.locator(f"#{first} tr[data-row]")
    assert rows.count() == 14
    for index in range(14):
        type_like_last_year(page, rows.nth(index))
    page.get_by_label("跳转到指标").select_option(second)
    rows = page.locator(f"#{second} tr[data-row]")
    for index in range(5):
        type_like_last_year(page, rows.nth(index))
    mistake = rows.nth(5)
    mistake_id = mistake.get_attribute("id")
    mistake.locator("input[data-part=denominator]").fill("1000")
    mistake.locator("input[data-part=numerator]").fill("1200")  # 120%: warned while typing, refused on saving
    warning = mistake.locator("[data-warning]")
    assert "超过 100%" in warning.inner_text() and "分子大于分母" in warning.inner_text()
    assert "120" in mistake.locator("output").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"entry-{width}-typed")
    viewport_shot(page, f"entry-{width}-typed-viewport")

    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state()
    messages = page.locator(".messages").inner_text()
    assert "新增 19" in messages and "1 行未保存" in messages, messages
    numerator = mistake_id.replace("r-", "c-", 1) + "-numerator"
    field = page.locator(f"#{numerator}")
    assert field.input_value() == "1200" and field.get_attribute("aria-invalid") == "true"
    assert page.locator(f"#{mistake_id} input[data-part=denominator]").input_value() == "1000"
    error = page.locator(f"#{field.get_attribute('aria-describedby')}")
    assert "分子（1200）大于分母（1000）" in error.inner_text()
    assert in_view(page, f"#{mistake_id}")  # back where the user was, not at the top
    assert page.locator(f"#{first} .progress").inner_text() == "14/14"
    assert page.locator(f"#{second} .progress").inner_text().startswith("5/")
    summary = page.locator("#entry-errors")
    assert summary.locator("li").count() == 1 and "大于分母" in summary.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(page, f"entry-{width}-one-refused")
    viewport_shot(page, f"entry-{width}-one-refused-viewport")

    page.locator("#entry-errors").scroll_into_view_if_needed()
    summary.get_by_role("link").click()  # the list's link takes the user to the input
    assert page.evaluate("document.activeElement.id") == numerator
    type_like_last_year(page, mistake)
    assert page.locator(f"#{mistake_id} [data-warning]").inner_text() == ""
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_load_state()
    assert "已保存草稿：新增 1，" in page.locator(".messages").inner_text()
    assert re.search(rf"#{mistake_id}$", page.url)
    assert in_view(page, f"#{mistake_id}")
    assert page.locator(f"#{second} .progress").inner_text().startswith("6/")
    assert page.locator("#entry-errors").count() == 0
    shot(page, f"entry-{width}-all-saved")
    viewport_shot(page, f"entry-{width}-all-saved-viewport")
