"""Issue 5's report generation in a real browser, against `childfirst serve` with its real worker:
the office asks for the 2024 annual report and the 2023 mid-term evaluation, watches the progress,
downloads both documents of each and they open with the report's heading; a leader downloads one."""

from __future__ import annotations

import re

import pytest
from docx import Document

from tests.pdf_text import pdf_text

from .conftest import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.worker]

GENERATION_TIMEOUT_MS = 180_000  # two cores shared with other test runs: generous, never a measurement


def _request(page, card: str, year: int | None = None) -> str:
    """Press a card's generate button; returns the new job's row selector."""
    if year is not None:
        option = page.locator(f"#card-{card} select option", has_text=str(year)).first
        page.locator(f"#card-{card} select").select_option(option.get_attribute("value"))
    page.locator(f"#card-{card} button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/reports/#job-\d+$"))
    return "#" + page.url.rsplit("#", 1)[1]


def _wait_and_download(page, row_selector: str, tmp_path, name: str) -> dict[str, object]:
    row = page.locator(row_selector)
    docx_link = row.locator('a[href$="report.docx"]')
    docx_link.wait_for(timeout=GENERATION_TIMEOUT_MS)
    assert "hx-trigger" not in (row.evaluate("r => r.outerHTML")), "the row stops polling once done"
    shot(page, f"reports-{name}-done")
    paths = {}
    for fmt in ("docx", "pdf"):
        with page.expect_download() as info:
            row.locator(f'a[href$="report.{fmt}"]').click()
        download = info.value
        assert download.suggested_filename.endswith(f".{fmt}")
        paths[fmt] = tmp_path / f"{name}.{fmt}"
        download.save_as(paths[fmt])
        paths[f"{fmt}_name"] = download.suggested_filename
    return paths


def _docx_text(path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def _pdf_first_pages(path) -> str:
    return pdf_text(path, last_page=3)


def test_office_generates_and_downloads_the_annual_report_and_midterm_evaluation(page, server, tmp_path):
    log_in(page, server, "demo-office")
    page.locator('nav.site-nav a[href="/plans/lucheng-2021-2025/reports/"]').click()
    page.wait_for_url("**/reports/")
    assert page.locator("#card-final button[type=submit]").is_disabled()  # 2025 is not published in the demo
    shot(page, "reports-index")

    annual = _request(page, "annual", 2024)
    progress = page.locator(f"{annual} progress")
    # Queued or generating: the page came back at once and shows the progress while the worker works.
    assert progress.count() == 1 or page.locator(f'{annual} a[href$="report.docx"]').count() == 1
    shot(page, "reports-annual-queued")
    # The worker takes it up within a second or two and the row shows its steps as they come.
    page.locator(f"{annual} .state-running").wait_for(timeout=60_000)
    page.locator(f'{annual} progress:not([value="0"])').wait_for(timeout=60_000)
    assert page.locator(f"{annual} .job-step").inner_text().strip()
    shot(page, "reports-annual-progress")
    files = _wait_and_download(page, annual, tmp_path, "annual")
    assert "2024" in files["docx_name"] and "年度监测报告" in files["docx_name"]
    assert "2024年度监测报告" in _docx_text(files["docx"])
    assert "2024年度监测报告" in _pdf_first_pages(files["pdf"]).replace(" ", "")

    midterm = _request(page, "midterm")
    shot(page, "reports-midterm-progress")
    files = _wait_and_download(page, midterm, tmp_path, "midterm")
    assert "中期评估" in files["docx_name"]
    assert "中期评估" in _docx_text(files["docx"])
    assert "中期评估" in _pdf_first_pages(files["pdf"]).replace(" ", "")

    # Once a job ends, the page brings its cards and table up to date by itself: the mid-term card
    # now offers the documents instead of "being generated".
    page.locator('#card-midterm a[href$="report.pdf"]').wait_for(timeout=10_000)
    shot(page, "reports-index-after")
    page.goto(f"{server}/plans/lucheng-2021-2025/reports/")
    assert page.locator('#card-midterm a[href$="report.pdf"]').count() == 1  # offered again, not regenerated

    # A district leader downloads what the office generated, and has nothing to generate.
    page.get_by_role("button", name="退出").click()
    log_in(page, server, "demo-leader")
    page.locator('nav.site-nav a[href="/plans/lucheng-2021-2025/reports/"]').click()
    page.wait_for_url("**/reports/")
    assert page.locator('form[action="/plans/lucheng-2021-2025/reports/request/"]').count() == 0
    shot(page, "reports-leader")
    with page.expect_download() as info:
        page.locator('#card-midterm a[href$="report.pdf"]').click()
    info.value.save_as(tmp_path / "leader.pdf")
    assert "中期评估" in _pdf_first_pages(tmp_path / "leader.pdf").replace(" ", "")
