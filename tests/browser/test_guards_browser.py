"""Issue 13, items 1 and 7, in a real browser, as a new office user would try them at 1366 and 390 px:
publishing an incomplete year shows what is missing in a dialog, Esc cancels, and publishing needs a
reason, which the published list then shows; without JavaScript the same step is a page. The office
creates an account on the web and the new user signs in with the password shown once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import log_in, shot

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 900}
NARROW = {"width": 390, "height": 844}


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def open_publish_dialog(page, server: str, note: str = ""):
    page.goto(f"{server}/plans/lucheng-2021-2025/evaluation/published/")
    page.get_by_label("评估年份").select_option("2025")
    if note:
        page.get_by_label("备注").fill(note)
    page.get_by_role("button", name="发布（冻结）评估").click()
    dialog = page.locator("dialog#confirm-dialog[open]")
    dialog.wait_for()
    return dialog


def test_publishing_an_incomplete_year_is_guarded(browser, server):
    context = browser.new_context(locale="zh-CN", viewport=WIDE)
    page = context.new_page()
    log_in(page, server, "demo-office")

    dialog = open_publish_dialog(page, server, note="中期调度")
    text = dialog.inner_text()
    assert "发布 2025 年评估？" in text
    assert "2025 年填报轮次尚未完成" in text and "仍在填报中" in text
    assert "尚未接收" in text and "缺少" in text
    # Keyboard first: the reason field has the focus, inside the modal dialog.
    assert page.evaluate("document.activeElement.id") == "confirm-reason"
    shot(page, "guards-publish-dialog-1366")

    page.keyboard.press("Escape")  # cancels: nothing published
    assert page.locator("dialog#confirm-dialog[open]").count() == 0
    # The published list (the first table): the dialog's table of departments stays in the page.
    assert "2025" not in page.locator("table.data tbody").first.inner_text()

    dialog = open_publish_dialog(page, server, note="中期调度")
    dialog.get_by_role("button", name="仍然发布（数据不完整）").click()  # no reason: the browser refuses
    assert page.locator("dialog#confirm-dialog[open]").count() == 1
    dialog.get_by_label("为什么现在发布？").fill("区政府常务会议需要中期数据")
    dialog.get_by_role("button", name="仍然发布（数据不完整）").click()
    page.wait_for_load_state()
    assert "已发布 2025 年评估" in page.locator(".messages").inner_text()
    row = page.locator("table.data tbody tr").filter(has_text="中期调度")
    assert "数据不完整时发布" in row.inner_text() and "区政府常务会议需要中期数据" in row.inner_text()
    shot(page, "guards-published-1366")
    context.close()

    # A phone: the dialog fits and Cancel (a real button-like link) closes it.
    phone = browser.new_context(locale="zh-CN", viewport=NARROW)
    page = phone.new_page()
    log_in(page, server, "demo-office")
    dialog = open_publish_dialog(page, server)
    assert overflow(page) <= 0
    box = dialog.bounding_box()
    assert box is not None and box["width"] <= NARROW["width"]
    shot(page, "guards-publish-dialog-390")
    dialog.get_by_role("link", name="取消").click()
    assert page.locator("dialog#confirm-dialog[open]").count() == 0
    phone.close()


def test_the_step_without_javascript_is_a_page(browser, server):
    context = browser.new_context(locale="zh-CN", viewport=NARROW, java_script_enabled=False)
    page = context.new_page()
    log_in(page, server, "demo-office")
    page.goto(f"{server}/plans/lucheng-2021-2025/evaluation/published/")
    page.get_by_label("评估年份").select_option("2025")
    page.get_by_role("button", name="发布（冻结）评估").click()
    page.wait_for_url("**/evaluation/published/publish/?**")
    expect(page.get_by_role("heading", name="发布 2025 年评估？")).to_be_visible()
    assert "尚未接收" in page.locator("main").inner_text()
    assert overflow(page) <= 0
    shot(page, "guards-publish-page-nojs-390")
    context.close()


def test_office_creates_an_account_and_the_new_user_signs_in(browser, server):
    for viewport, suffix in ((WIDE, "1366"), (NARROW, "390")):
        context = browser.new_context(locale="zh-CN", viewport=viewport)
        page = context.new_page()
        log_in(page, server, "demo-office")
        page.goto(f"{server}/accounts/users/")
        assert "childfirst user create" not in page.content()
        assert overflow(page) <= 0 or suffix == "1366"
        shot(page, f"guards-accounts-{suffix}")
        page.get_by_role("link", name="新建账号").click()
        page.wait_for_url("**/accounts/users/new/")
        username = f"wuma-director-{suffix}"
        page.locator("#id_username").fill(username)
        page.locator("#id_full_name").fill("王老师")
        page.locator("#id_role").select_option("community_director")
        # A street for a community director: refused beside the field, nothing typed lost.
        page.locator("#id_area").select_option(
            label=page.locator("#id_area option", has_text="五马街道").first.inner_text()
        )
        page.get_by_role("button", name="创建账号").click()
        expect(page.locator(".field-error").first).to_be_visible()
        assert page.locator("#id_username").input_value() == username
        shot(page, f"guards-account-error-{suffix}")
        community = page.locator("#id_area option", has_text="五马第一社区").first
        page.locator("#id_area").select_option(community.get_attribute("value"))
        page.get_by_role("button", name="创建账号").click()
        password = page.locator("#new-password").inner_text().strip()
        assert len(password) >= 12
        shot(page, f"guards-account-password-{suffix}")
        if viewport is NARROW:
            assert overflow(page) <= 0
        page.get_by_role("link", name="已完成").click()  # on to the account's page: edit, deactivate, reset
        expect(page.get_by_role("button", name="停用账号")).to_be_visible()
        shot(page, f"guards-account-edit-{suffix}")
        context.close()

        newcomer = browser.new_context(locale="zh-CN", viewport=viewport)
        page = newcomer.new_page()
        log_in(page, server, username, password)
        assert "王老师" in page.locator(".user-box").inner_text()
        newcomer.close()


def test_closing_the_round_asks_first_from_a_post_form(browser, server):
    """The trigger is a POST form here: the dialog is the server's answer to it without the
    confirmation, so a keyboard user tabs to the button, presses Enter, and Esc changes nothing."""
    context = browser.new_context(locale="zh-CN", viewport=NARROW)
    page = context.new_page()
    log_in(page, server, "demo-office")
    page.goto(f"{server}/plans/lucheng-2021-2025/collection/rounds/2025/")
    page.get_by_role("button", name="关闭轮次").focus()
    page.keyboard.press("Enter")
    dialog = page.locator("dialog#confirm-dialog[open]")
    dialog.wait_for()
    assert "个部门尚未接收" in dialog.inner_text() and "重新开启" in dialog.inner_text()
    shot(page, "guards-close-round-dialog-390")
    page.keyboard.press("Escape")
    assert page.locator("dialog#confirm-dialog[open]").count() == 0
    # Focus goes back to the button that opened the dialog.
    assert page.evaluate("document.activeElement.textContent.trim()") == "关闭轮次"
    page.reload()
    expect(page.get_by_role("button", name="关闭轮次")).to_be_visible()  # still open
    page.get_by_role("button", name="关闭轮次").click()
    page.locator("dialog#confirm-dialog[open]").get_by_role("button", name="关闭轮次").click()
    page.wait_for_load_state()
    assert "轮次已关闭" in page.locator(".messages").inner_text()
    context.close()
