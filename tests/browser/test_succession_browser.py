"""Issue 14, items 2 and 4 in a real browser against the served demo: an indicator of the made-up
2026–2030 draft shows its series from 2021, the 2021–2025 plan's years marked as such, both plans'
targets as their own named lines, and says the plan is a synthetic draft — at 1366 px and at 390 px,
with nothing to scroll sideways. Screenshots in test-artifacts/."""

from __future__ import annotations

import pytest

from .conftest import log_in, shot

pytestmark = pytest.mark.browser

NEXT_PLAN = "lucheng-2026-2030-demo"


@pytest.mark.parametrize("width", [1366, 390])
def test_new_plans_indicator_shows_the_series_across_both_plans(browser, server, width):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    log_in(page, server, "demo-office")
    page.goto(f"{server}/plans/{NEXT_PLAN}/indicators/HEA-04/")
    assert "本规划为草案" in page.locator(".plan-status").inner_text()
    assert "接续《鹿城区儿童发展“十四五”规划》的 HEA-04" in page.locator(".lineage").inner_text()
    page.locator("#series-chart svg").wait_for()
    legend = page.locator("#series-chart").inner_text()
    assert "十四五" in legend and "十五五" in legend  # one target line per plan, named after it
    years = page.locator("main table.data tbody tr td:first-child").all_inner_texts()
    assert years[:4] == ["2021", "2022", "2023", "2024"]
    shot(page, f"succession-indicator-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1

    # The link goes to the same indicator in the 2021–2025 plan.
    page.locator(".lineage a").click()
    page.wait_for_url(f"{server}/plans/lucheng-2021-2025/indicators/HEA-04/")

    # The dashboards' page of it: the same series and targets, with the evaluation of 2026.
    page.goto(f"{server}/plans/{NEXT_PLAN}/evaluation/indicators/HEA-04/?year=2026")
    page.locator("#series-chart svg").wait_for()
    legend = page.locator("#series-chart").inner_text()
    assert "十四五" in legend and "十五五" in legend
    assert "接续《鹿城区儿童发展“十四五”规划》的 HEA-04" in page.locator(".lineage").inner_text()
    shot(page, f"succession-evaluation-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    context.close()
