"""Issue 13, item 6's "done when" in a real browser against the served demo, at 1366 and 390 px: a
teacher reports an unnamed infant through the public mandatory-report page (name left empty, 五马街道
with the community not known and the place in words, about 6 months old) and gets a receipt with a
number to call; the street's supervisor opens a file from the report with the date of birth
estimated from the age, and the file shows it as estimated. Item 8's menus: the supervisor reaches
the street scorecards and the batch printing of contact cards from the navigation bar.

The district's hotline is configuration (CHILDFIRST_REPORT_HOTLINE), set here as `make demo` sets it.
Selectors are field names and URLs, so the test holds in Chinese and in English."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .conftest import copy_of_demo, log_in, serving, shot

pytestmark = pytest.mark.browser

HOTLINE = "12345"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def url(tmp_path_factory, demo_var) -> Iterator[str]:
    var = copy_of_demo(tmp_path_factory, demo_var)
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(os.environ, "CHILDFIRST_REPORT_HOTLINE", HOTLINE)  # read by serving()'s environment
        with serving(var) as address:
            yield address


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, f"the page is {width} px wide"


def report_an_unnamed_infant(browser, url: str, size: str) -> str:
    """The teacher's part; returns the receipt number."""
    teacher = browser.new_context(locale="zh-CN", viewport=SIZES[size])
    page = teacher.new_page()
    page.goto(f"{url}/registry/report/")
    page.fill("input[name=reporter_institution]", "鹿城区演示第一小学")
    page.select_option("select[name=reporter_kind]", "school")
    page.fill("input[name=reporter_name]", "演示·林老师")
    page.fill("input[name=reporter_phone]", "10000001234")
    # Name left empty: not known.
    page.fill("input[name=child_age]", "6")
    page.check("input[name=child_age_unit][value=months]")
    page.select_option("select[name=child_sex]", "female")
    page.select_option("select[name=community]", label="五马街道 · 社区不清楚")
    page.fill("input[name=place]", "五马街道公交站旁，装在纸箱里")
    page.check("input[name=concerns][value=abandonment]")
    page.fill("textarea[name=description]", "早上七点发现一名女婴，约六个月大，无人认领，已先报警。")
    page.check("input[name=urgency][value=urgent]")
    no_horizontal_scroll(page)
    shot(page, f"intake-unknown-child-form-{size}")
    page.locator("form.casework-form button[type=submit]").click()
    page.wait_for_url("**/registry/report/received/")
    receipt = page.locator(".receipt-number").inner_text().strip()
    assert receipt.startswith("QB")
    call = page.locator(".receipt-call")
    assert call.locator(".hotline-number").inner_text().strip() == HOTLINE
    assert call.locator(f"a[href='tel:{HOTLINE}']").count() == 1
    assert "公交站" not in page.content()  # the receipt says nothing of the report
    no_horizontal_scroll(page)
    shot(page, f"intake-unknown-child-receipt-{size}")
    teacher.close()
    return receipt


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_unnamed_infant_reported_and_a_file_opened_with_an_estimated_birth_date(browser, url, size):
    receipt = report_an_unnamed_infant(browser, url, size)

    supervisor = browser.new_context(locale="zh-CN", viewport=SIZES[size])
    page = supervisor.new_page()
    log_in(page, url, "demo-supervisor")
    page.goto(f"{url}/registry/reports/")
    row = page.locator("table.data tr", has_text=receipt)
    assert "姓名不详" in row.inner_text() and "社区不清楚" in row.inner_text()
    row.get_by_role("link", name=receipt).click()
    page.wait_for_url("**/registry/reports/*/")
    facts = page.locator("dl.facts").inner_text()
    assert "姓名不详" in facts and "约 6 个月" in facts and "五马街道公交站旁" in facts
    page.locator("details summary", has_text="为该儿童新建档案").click()
    estimate = page.locator("input[name=birth_date]").input_value()
    assert estimate and page.locator("input[name=birth_date_estimated]").is_checked()
    assert page.locator("input[name=name]").input_value() == "不详"
    page.select_option("select[name=sex]", "female")
    community = page.locator("select[name=residence_area] option", has_text="五马第一社区").first
    page.select_option("select[name=residence_area]", community.get_attribute("value"))
    no_horizontal_scroll(page)
    shot(page, f"intake-open-file-from-report-{size}")
    page.locator("form:has(input[name=step][value=new_file]) button[type=submit]").click()
    page.wait_for_url("**/registry/reports/*/")
    page.locator("a[href*='/casework/']", has_text="不详").first.click()
    page.wait_for_url("**/registry/children/*/casework/")
    file_url = page.url.replace("casework/", "")
    page.goto(file_url)
    born = page.locator("dl.facts").first.inner_text()
    assert f"约 {estimate}（估计）" in born
    assert page.locator("form#contact-card").count() == 1  # item 8: the card from the file page
    no_horizontal_scroll(page)
    shot(page, f"intake-file-estimated-birth-date-{size}")
    supervisor.close()


def test_menus_reach_the_street_scorecards_and_the_contact_cards(browser, url):
    for size in SIZES:
        context = browser.new_context(locale="zh-CN", viewport=SIZES[size])
        page = context.new_page()
        log_in(page, url, "demo-supervisor")
        page.goto(f"{url}/")
        page.locator("a[href='/plans/lucheng-2021-2025/evaluation/streets/']").first.click()
        page.wait_for_url("**/evaluation/streets/330302001/**")
        shot(page, f"menu-street-scorecard-{size}")
        page.goto(f"{url}/")
        page.locator("a[href='/registry/cards/']").first.click()
        page.wait_for_url("**/registry/cards/")
        assert page.locator("a[href='/registry/cards/330302001001/']").count() == 1
        no_horizontal_scroll(page)
        shot(page, f"menu-contact-cards-{size}")
        context.close()

    office = browser.new_context(locale="zh-CN", viewport=SIZES["desktop"])
    page = office.new_page()
    log_in(page, url, "demo-office")
    page.goto(f"{url}/plans/lucheng-2021-2025/evaluation/streets/")
    assert page.locator("a[href^='/plans/lucheng-2021-2025/evaluation/streets/330302001/']").count() == 1
    shot(page, "menu-street-scorecards-office-desktop")
    office.close()
