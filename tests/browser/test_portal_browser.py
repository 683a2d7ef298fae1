"""The open-data portal in a real browser, as a member of the public: no login, /open/ → plan →
domain → indicator, charts drawn beside their tables, the keyboard alone reaching every link with
a visible focus, a CSV downloaded, and the language switched."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from .conftest import shot

pytestmark = pytest.mark.browser

FOCUS = """() => { const el = document.activeElement; const style = getComputedStyle(el);
  return { tag: el.tagName, href: el.getAttribute('href') || '', cls: el.className || '',
           outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
           left: el.getBoundingClientRect().left }; }"""


def test_public_browses_domain_then_indicator_and_downloads(page, server):
    page.goto(f"{server}/open/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("link", name="登录").count() == 0 or "/accounts/login/" in page.content()
    shot(page, "portal-index")
    page.get_by_role("link", name="鹿城区儿童发展“十四五”规划").click()
    page.wait_for_url("**/open/lucheng-2021-2025/")
    assert page.locator("#status-chart svg").count() == 1
    assert page.locator(".chart-with-table table caption").count() == 1
    shot(page, "portal-plan")

    page.locator(".domain-cards").get_by_role("link", name="儿童与健康").click()
    page.wait_for_url("**/open/lucheng-2021-2025/domains/health/")
    blocks = page.locator("section.indicator-block")
    assert blocks.count() >= 30
    assert page.locator("[data-chart] svg").count() == page.locator(".chart-with-table table").count() >= 30
    shot(page, "portal-domain")

    blocks.filter(has_text="HEA-14").get_by_role("heading").get_by_role("link").click()
    page.wait_for_url("**/open/lucheng-2021-2025/indicators/HEA-14/")
    assert page.locator("#series-chart svg").count() == 1 and page.locator("#streets-chart svg").count() == 1
    assert "加强3岁以下婴幼儿照护服务" in page.locator("blockquote").inner_text()
    street_rows = page.locator("table").nth(1).locator("tbody tr")
    assert street_rows.count() == 14
    shot(page, "portal-indicator")

    # Keyboard only: the first Tab lands on the skip link, shown; Enter jumps to the content.
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUS)
    assert "skip-link" in first["cls"] and first["left"] >= 0
    shot(page, "portal-indicator-skip-link")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Every stop after it shows a focus ring, up to the CSV link.
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS)
        assert focused["tag"] in ("A", "SUMMARY", "BUTTON"), focused
        assert focused["outline"] != "none" and focused["width"] >= 2, focused
        if focused["href"].endswith(".csv"):
            break
    else:
        pytest.fail("the keyboard never reached the CSV link")
    shot(page, "portal-indicator-focus-csv")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename == "lucheng-2021-2025_HEA-14_2024v1.csv"
    assert Path(download.path()).read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["Year", "街镇", "Value"]
    assert [r[0] for r in rows[1:5]] == ["2021", "2022", "2023", "2024"] and rows[1][1] == ""
    assert {r[1] for r in rows[5:]} >= {"五马街道", "山福镇"}


def test_public_key_projects_and_language(page, server):
    page.goto(f"{server}/open/lucheng-2021-2025/projects/")
    sections = page.locator("section.indicator-block")
    assert sections.count() == 5
    assert "区卫健局" in sections.first.inner_text()
    assert sections.first.locator("table").nth(1).locator("tbody tr").count() == 4  # 2021–2024
    shot(page, "portal-key-projects")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/open/lucheng-2021-2025/projects/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Care services for infants and toddlers aged 0–3" in page.content()
    shot(page, "portal-key-projects-en")
    page.get_by_role("link", name="简体中文").click()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
