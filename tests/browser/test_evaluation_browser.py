"""Issue 4's "done when" in a real browser: the office opens the plan overview, sees the statuses
by domain with the early warnings first, and drills into an indicator's projection and values."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import log_in, shot

pytestmark = pytest.mark.browser


def test_overview_then_indicator_projection(page, server):
    log_in(page, server, "demo-office")
    # From the navigation bar (the office's home also links each plan's evaluation).
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="监测评估").click()
    page.wait_for_url("**/evaluation/")
    expect(page.get_by_role("heading", name="预警提示")).to_be_visible()
    assert page.locator("#status-chart svg").count() == 1  # ECharts drew the status chart
    first_warning = page.locator("section table.data tbody tr").first
    assert first_warning.locator(".status").inner_text() in ("预警", "未达标", "需加快", "进展顺利", "已达标")
    assert first_warning.locator("td").last.inner_text().strip() not in ("", "—")  # every warning has its reason
    shot(page, "evaluation-overview")

    first_warning.locator("a").first.click()
    page.wait_for_url("**/evaluation/indicators/**")
    assert page.locator("#series-chart svg").count() == 1
    assert "2025 年预测值" in page.locator("dl.facts").inner_text()
    expect(page.get_by_role("heading", name="评估所依据的数值")).to_be_visible()
    assert "接收" in page.locator("table.data").last.inner_text()
    shot(page, "evaluation-indicator")
