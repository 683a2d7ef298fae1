"""Casework on a phone (issue 13, item 5): at 390 px the director's, the supervisor's and the leader's
pages fit the screen without scrolling sideways, tables become cards whose names stay on one line,
forms are one column, and what a thumb presses is at least 44 px high. Every page is screenshot
(test-artifacts/phone-*.png) for people to look at."""

from __future__ import annotations

import re

import pytest

from .conftest import log_in, shot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
THUMB = 44  # px: the smallest tap target for a primary action (WCAG 2.5.5, Apple and Android guidance)

# The widest element (other than the navigation strip, which scrolls inside its own box) and the
# page's own width: a page that scrolls sideways shows which element pushed it.
WIDTH = """() => {
  const viewport = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter((e) => !e.closest(".site-nav ul, .table-scroll") && e.getBoundingClientRect().right > viewport + 1)
    .slice(0, 3).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`);
  return {scroll: document.scrollingElement.scrollWidth, viewport, wide};
}"""
# Primary actions: the buttons and button-like links of the page's content, with their heights.
SMALL_TARGETS = """(min) => [...document.querySelectorAll(
    "main button:not(.link-button), main a.button, main a.row-action, main input[type=submit]")]
  .filter((e) => e.offsetParent !== null && !e.closest("details:not([open])"))
  .map((e) => ({text: e.textContent.trim().slice(0, 20), height: e.getBoundingClientRect().height}))
  .filter((t) => t.height < min)"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    yield page
    context.close()


def first_href(page, selector: str, pattern: str) -> str:
    """The first link under `selector` whose path matches `pattern` (a regular expression)."""
    hrefs = page.locator(f"{selector} a[href]").evaluate_all("els => els.map((e) => e.getAttribute('href'))")
    found = [h for h in hrefs if h and re.search(pattern, h)]
    assert found, f"no link matching {pattern} under {selector}"
    return found[0]


def check_fits(page, server: str, path: str, name: str) -> None:
    """`path` answers, fits 390 px without sideways scrolling, has thumb-sized primary actions."""
    response = page.goto(f"{server}{path}")
    assert response is not None and response.status == 200, (path, response and response.status)
    page.wait_for_load_state("load")
    width = page.evaluate(WIDTH)
    shot(page, f"phone-{name}")
    assert width["scroll"] <= PHONE["width"], (path, width)
    small = page.evaluate(SMALL_TARGETS, THUMB)
    assert not small, (path, small)


def check_cards(page) -> None:
    """The page's tables are cards: no visible column header, each cell labelled, a name on one line."""
    cards = page.locator("table.phone-cards")
    assert cards.count() >= 1
    table = cards.first
    assert table.locator("thead").bounding_box()["height"] <= 1  # read out by screen readers, not shown
    cell = table.locator("tbody tr").first.locator("td").nth(1)
    assert cell.get_attribute("data-label"), "cells are labelled from their column header"
    label = cell.evaluate("(e) => getComputedStyle(e, '::before').content")
    assert label.strip('"') == cell.get_attribute("data-label")


def test_director_casework_fits_a_phone(phone, server):
    log_in(phone, server, "demo-director")
    check_fits(phone, server, "/registry/work/", "director-work-list")
    check_cards(phone)
    # The bug of the issue: names wrapped one character per line in a 650 px table.
    name = phone.locator("table.phone-cards tbody tr").first.locator("td").first.locator("a")
    box = name.bounding_box()
    assert box["width"] > 2 * 16 and box["height"] < 40, box
    record = phone.locator("table.phone-cards a.row-action").first
    assert record.bounding_box()["height"] >= THUMB

    casework = first_href(phone, "table.phone-cards tbody", r"^/registry/children/\d+/casework/$")
    child = casework.split("/")[3]
    check_fits(phone, server, casework, "director-casework")
    check_fits(phone, server, f"/registry/children/{child}/", "director-child-file")
    check_fits(phone, server, f"/registry/children/{child}/visits/new/", "director-visit-form")
    # The visit form is one column: every field starts at the same left edge and fits the screen.
    fields = phone.locator("main form textarea, main form input[type=date]")
    lefts = {round(b["x"]) for b in (fields.nth(i).bounding_box() for i in range(fields.count()))}
    assert len(lefts) == 1, lefts
    assert all(fields.nth(i).bounding_box()["width"] <= PHONE["width"] for i in range(fields.count()))
    check_fits(phone, server, f"/registry/children/{child}/risk/new/", "director-risk-checklist")
    box = phone.locator("fieldset.checklist input[type=checkbox]").first.bounding_box()
    assert box["width"] >= 20 and box["height"] >= 20, box  # a box a thumb can hit
    check_fits(phone, server, "/registry/referrals/", "director-referrals")

    check_fits(phone, server, "/linkage/tasks/", "director-task-list")
    task = first_href(phone, "main table", r"^/linkage/tasks/\d+/$")
    check_fits(phone, server, task, "director-task")
    assert phone.locator(".decide button.primary").bounding_box()["height"] >= THUMB


def test_supervisor_dashboard_and_mandatory_reports_fit_a_phone(phone, server):
    log_in(phone, server, "demo-supervisor")
    check_fits(phone, server, "/registry/supervision/", "supervisor-dashboard")
    check_cards(phone)
    check_fits(phone, server, "/registry/reports/", "supervisor-mandatory-reports")
    check_cards(phone)
    report = first_href(phone, "main table", r"^/registry/reports/\d+/$")
    check_fits(phone, server, report, "supervisor-mandatory-report")
    check_fits(phone, server, "/registry/work/", "supervisor-work-list")
    check_fits(phone, server, "/registry/homes/", "supervisor-homes")
    check_fits(phone, server, "/linkage/review/", "supervisor-review-list")


def test_leader_evaluation_fits_a_phone(phone, server):
    log_in(phone, server, "demo-leader")
    check_fits(phone, server, "/plans/lucheng-2021-2025/evaluation/", "leader-evaluation")
    check_cards(phone)
    indicator = first_href(phone, "main table", r"^/plans/lucheng-2021-2025/evaluation/indicators/[^/]+/")
    check_fits(phone, server, indicator, "leader-indicator")
    check_fits(phone, server, "/plans/lucheng-2021-2025/evaluation/assessments/", "leader-assessments")
    check_fits(phone, server, "/plans/lucheng-2021-2025/evaluation/methods/", "leader-methods")
    check_fits(phone, server, "/", "leader-home")


def test_public_mandatory_report_form_fits_a_phone(phone, server):
    check_fits(phone, server, "/registry/report/", "public-report-form")


def test_navigation_scrolls_inside_its_strip(phone, server):
    """Many menu entries: the strip scrolls sideways by itself; the page does not."""
    log_in(phone, server, "demo-office")
    phone.goto(f"{server}/registry/homes/")
    strip = phone.locator(".site-nav ul")
    assert strip.evaluate("(e) => e.scrollWidth") > strip.evaluate("(e) => e.clientWidth")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    assert all(h >= THUMB for h in phone.locator(".site-nav a").evaluate_all("els => els.map((e) => e.offsetHeight)"))
    shot(phone, "phone-office-navigation")


def test_wide_screen_keeps_its_tables(browser, server):
    """The cards are for phones only: at 1366 px the work list is a table with its header row."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    log_in(page, server, "demo-director")
    page.goto(f"{server}/registry/work/")
    assert page.locator("table.phone-cards thead").bounding_box()["height"] > 20
    row = page.locator("table.phone-cards tbody tr").first
    assert row.evaluate("(e) => getComputedStyle(e).display") == "table-row"
    shot(page, "phone-director-work-list-wide")
    context.close()
