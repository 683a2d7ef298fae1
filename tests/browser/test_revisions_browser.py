"""The demo's target revision (HEA-17, raised from 2023) as people see it: the catalogue page, the
plan's revisions page and the evaluation page name the decision, the chart's target line steps in
2023, and every page fits 1366 and 390 px without scrolling sideways (test-artifacts/revisions-*.png)."""

from __future__ import annotations

import pytest

from .conftest import log_in, shot

pytestmark = pytest.mark.browser

PLAN = "/plans/lucheng-2021-2025"
PAGES = {
    "catalogue": f"{PLAN}/indicators/HEA-17/",
    "list": f"{PLAN}/revisions/",
    "evaluation": f"{PLAN}/evaluation/indicators/HEA-17/?year=2024",
}
DECISION = "2023 年起 ≥ 96%（原 ≥ 90%），依据 演示：鹿妇儿工委〔2023〕示例号，2023-06-30"


@pytest.mark.parametrize("width", [1366, 390])
def test_the_revision_is_named_and_every_page_fits(browser, server, width):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        log_in(page, server, "demo-leader")
        for name, path in PAGES.items():
            response = page.goto(f"{server}{path}")
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("networkidle")
            shot(page, f"revisions-{name}-{width}")
            body = page.locator("main").inner_text()
            assert "演示：鹿妇儿工委〔2023〕示例号" in body, name
            if name != "list":
                assert DECISION in body.replace("\n", ""), name
            scroll, viewport = page.evaluate(
                "[document.scrollingElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert scroll <= viewport, (path, width, scroll)
        # The chart's target line: the plan's 90 until 2022, the revised 96 from 2023.
        page.goto(f"{server}{PAGES['evaluation']}")
        chart = page.evaluate("JSON.parse(document.getElementById('series-data').textContent)")
        targets = dict(zip(chart["years"], chart["targets"], strict=True))
        assert (targets["2022"], targets["2023"], targets["2024"]) == (90.0, 96.0, 96.0)
    finally:
        context.close()
