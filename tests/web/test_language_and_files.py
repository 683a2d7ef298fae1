"""No English or developer text in the Chinese interface (issue 13, item 9), page by page where it
was seen: the access log's purposes and the system account, sign-in events, the rules page, the
evaluation method (a page now, not a file path), and the favicon."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from childfirst.accounts.audit import record
from childfirst.registry.children.access import log_access
from childfirst.registry.children.models import AccessAction, ChildAccessLog
from childfirst.registry.children.purposes import purpose_label

from ..registry.test_registry_casework import make_child

IDENTIFIER = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def visible(html: str) -> str:
    """The page's text without its markup, scripts and styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("risk assessment", "风险评估"),
        ("referral", "转介"),
        ("casework", "关爱服务"),
        ("record a visit", "记录走访"),
        ("casework work list", "我的儿童（工作清单）"),
        ("verification task 12", "核实任务 12"),
        ("review pair 7", "人工核对 7"),
        ("mandatory report QB20261201-U6NQ3X", "强制报告 QB20261201-U6NQ3X"),
        ("核对低保名单", "核对低保名单"),  # a reason the user typed stays as typed
        ("", ""),
    ],
)
def test_access_log_purposes_in_chinese(written, shown):
    assert purpose_label(written) == shown


@pytest.mark.django_db
def test_access_log_page_shows_purposes_and_the_system_in_chinese(client, users):
    child = make_child(users.director)
    client.force_login(users.director)
    assert client.get(f"/registry/children/{child.pk}/risk/new/").status_code == 200
    log_access(None, child, AccessAction.VIEW, "referral")  # a row written without an account
    assert ChildAccessLog.objects.filter(child=child, purpose="risk assessment").exists()  # stored as written
    text = visible(client.get(f"/registry/children/{child.pk}/access-log/").content.decode())
    assert "风险评估" in text and "转介" in text and "系统" in text
    for english in ("risk assessment", "referral", "system"):
        assert english not in text, english
    # In English the same rows read in English.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "risk assessment" in client.get(f"/registry/children/{child.pk}/access-log/").content.decode()


@pytest.mark.django_db
def test_sign_in_events_are_translated(client, users):
    record("auth.login", actor=users.director)
    client.force_login(users.director)
    text = visible(client.get("/accounts/me/").content.decode())
    assert "signed in" not in text and "登录" in text


@pytest.mark.django_db
def test_rules_page_names_rules_and_parameters_in_words(client, users):
    from childfirst.collection.rules import load_rules

    load_rules()
    client.force_login(users.office)
    text = visible(client.get("/plans/lucheng-2021-2025/collection/rules/").content.decode())
    assert "同比变化异常" in text and "街镇数值明显偏离" in text
    assert "启用指标自身历史所需的往年变化个数" in text and "百分比（百分点）" in text
    assert not IDENTIFIER.findall(text), IDENTIFIER.findall(text)
    assert "childfirst data" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["office", "leader", "evaluator", "director"])
def test_evaluation_method_is_a_page(client, users, role):
    client.force_login(getattr(users, role))
    response = client.get("/plans/lucheng-2021-2025/evaluation/methods/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "评估方法" in html and "<table>" in html
    assert 'id="english"' in html  # the file's [English](#english) link lands
    assert "<script" not in html.split("<main", 1)[1]  # raw HTML in the file is escaped, never run


@pytest.mark.django_db
def test_overview_links_the_method_instead_of_naming_a_file(client, users, plan):
    client.force_login(users.leader)
    html = client.get("/plans/lucheng-2021-2025/evaluation/").content.decode()
    assert 'href="/plans/lucheng-2021-2025/evaluation/methods/"' in html and "docs/methods.md" not in html


def test_method_page_escapes_raw_html(tmp_path, monkeypatch):
    from childfirst.evaluation import method_views

    source = tmp_path / "methods.md"
    source.write_text("# 标题\n\n<script>alert(1)</script>\n\n| a | b |\n| - | - |\n| 1 | 2 |\n", encoding="utf-8")
    monkeypatch.setattr(method_views, "METHODS_FILE", source)
    method_views.methods_html.cache_clear()
    try:
        html = method_views.methods_html()
    finally:
        method_views.methods_html.cache_clear()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<h1 id="标题">' in html and "<table>" in html


@pytest.mark.django_db
def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("childfirst/favicon.svg")
    assert 'rel="icon"' in client.get("/accounts/login/").content.decode()
