"""The Chinese interface speaks Chinese (issue 13, item 9): each role's main pages of the demo, in
zh-hans, show no English or developer text from a list of strings seen before (access-log labels
and purposes, the "system" account, rule parameters, command lines, file paths) nor any
snake_case identifier or Python literal. Also: the favicon, and the evaluation method as a page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import log_in, shot

pytestmark = pytest.mark.browser

DENYLIST = [
    "signed in",
    "signed out",
    "system 填报",
    "（system）",
    "(system)",
    "docs/methods.md",
    "risk assessment",
    "record a visit",
    "one-to-one assistance",
    "referral",
    "casework",
    "work list",
    "supervisor dashboard",
    "verification task",
    "review pair",
    "mandatory report",
    "entered by",
    "accepted by",
]
DEV_TEXT = [
    re.compile(r"\b[a-z]+(?:_[a-z]+)+\b"),  # an identifier: min_history, yoy_change, street_outlier
    re.compile(r"\bchildfirst [a-z]"),  # a command line: childfirst data rules FILE
    re.compile(r"\b(?:None|True|False)\b"),  # a Python value printed as it is
]

COLLECTION = "/plans/lucheng-2021-2025/collection/"
SHARED = [
    "/",
    "/accounts/me/",
    "/plans/lucheng-2021-2025/evaluation/",
    "/plans/lucheng-2021-2025/evaluation/methods/",
    "/indicators/",
]
PAGES = {
    "demo-office": [
        COLLECTION,
        f"{COLLECTION}rules/",
        "/linkage/",
        "/registry/homes/",
        "/plans/lucheng-2021-2025/reports/",
    ],
    "demo-reporter": [COLLECTION, f"{COLLECTION}rules/"],
    "demo-reviewer": [COLLECTION],
    "demo-supervisor": ["/registry/supervision/", "/registry/reports/", "/registry/work/", "/linkage/review/"],
    "demo-director": ["/registry/work/", "/registry/referrals/", "/linkage/tasks/", "/registry/children/"],
    "demo-leader": [
        "/plans/lucheng-2021-2025/evaluation/assessments/",
        "/plans/lucheng-2021-2025/evaluation/published/",
        "/plans/lucheng-2021-2025/reports/",
    ],
    "demo-evaluator": ["/plans/lucheng-2021-2025/evaluation/assessments/"],
}


# The evaluation method is docs/methods.md as written for evaluators: it names the engine's fields
# and the command that re-checks a result on purpose. Only the denylist applies to it.
TECHNICAL = {"/plans/lucheng-2021-2025/evaluation/methods/"}


def offending(text: str, path: str = "") -> list[str]:
    found = [word for word in DENYLIST if word in text]
    if path not in TECHNICAL:
        found += [match.group(0) for pattern in DEV_TEXT for match in pattern.finditer(text)]
    return found


def visible_text(page, server: str, path: str) -> str:
    response = page.goto(f"{server}{path}")
    assert response is not None and response.status == 200, (path, response and response.status)
    return page.inner_text("body")


@pytest.mark.parametrize("username", sorted(PAGES))
def test_main_pages_show_no_english_or_developer_text(page, server, username):
    log_in(page, server, username)
    paths = SHARED + PAGES[username]
    # Each role's first indicator page: where a value's provenance names the "system" account.
    page.goto(f"{server}/plans/lucheng-2021-2025/evaluation/")
    indicator = page.locator("main a[href^='/plans/lucheng-2021-2025/evaluation/indicators/']").first.get_attribute(
        "href"
    )
    paths.append(indicator)
    if username == "demo-director":
        # The child's access log after casework, a visit form and the risk checklist were opened:
        # its purposes are the product's own words, which must read in Chinese.
        page.goto(f"{server}/registry/work/")
        child = page.locator("main a[href$='/casework/']").first.get_attribute("href").split("/")[3]
        paths += [
            f"/registry/children/{child}/casework/",
            f"/registry/children/{child}/visits/new/",
            f"/registry/children/{child}/risk/new/",
            f"/registry/children/{child}/",
            f"/registry/children/{child}/access-log/",
        ]
    problems = {}
    for path in paths:
        found = offending(visible_text(page, server, path), path)
        if found:
            problems[path] = sorted(set(found))
    assert not problems, problems


def test_access_log_reads_in_chinese(page, server):
    log_in(page, server, "demo-director")
    page.goto(f"{server}/registry/work/")
    child = page.locator("main a[href$='/casework/']").first.get_attribute("href").split("/")[3]
    page.goto(f"{server}/registry/children/{child}/risk/new/")
    page.goto(f"{server}/registry/children/{child}/access-log/")
    purposes = page.locator("main table tbody tr td:nth-child(4)").all_inner_texts()
    assert "监护风险评估" in purposes or "风险评估" in purposes, purposes
    shot(page, "chinese-access-log")


def test_rules_page_names_parameters_in_words(page, server):
    log_in(page, server, "demo-office")
    text = visible_text(page, server, f"{COLLECTION}rules/")
    assert "同比变化异常" in text and "启用指标自身历史所需的往年变化个数" in text
    assert not offending(text)
    shot(page, "chinese-rules")


def test_evaluation_method_is_a_page_linked_from_the_overview(page, server):
    log_in(page, server, "demo-leader")
    page.goto(f"{server}/plans/lucheng-2021-2025/evaluation/")
    page.get_by_role("link", name="评估方法").click()
    page.wait_for_url("**/evaluation/methods/")
    assert page.locator("main h1").first.inner_text().startswith("评估方法")
    assert page.locator("main table").count() >= 1  # the markdown's tables are tables
    page.get_by_role("link", name="English").first.click()  # the file's own link to its English half
    assert page.evaluate("location.hash") == "#english"
    expect(page.locator("#english")).to_be_visible()
    shot(page, "evaluation-method")


def test_favicon(page, server):
    page.goto(f"{server}/accounts/login/")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon.endswith(".svg")
    assert page.request.get(f"{server}{icon}").headers["content-type"].startswith("image/svg+xml")
    response = page.request.get(f"{server}/favicon.ico")
    assert response.ok and response.headers["content-type"].startswith("image/svg+xml")
