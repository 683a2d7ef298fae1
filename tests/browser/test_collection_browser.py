"""Issue 3's "done when", as a new user does it in a real browser against the served demo:
the health reporter downloads the 2025 template, fills it in, uploads it, fixes what it reports,
and submits; the reviewer approves; the office accepts; completeness and history show it all."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from .conftest import log_in, shot

pytestmark = pytest.mark.browser

ENTRY = "/plans/lucheng-2021-2025/collection/rounds/2025/health/"
SCALE_BY_UNIT = {"%": 100, "‰": 1000, "每千名儿童": 1000, "每千人口": 1000, "每10万": 100000}


def fill_template(path: Path) -> tuple[str, str]:
    """Fill every empty input like last year, explain each row, and slip in two mistakes.
    Returns the cells of the mistakes."""
    book = openpyxl.load_workbook(path)
    sheet = book["填报"]
    headers = {cell.value: cell.column_letter for cell in sheet[3]}
    col = {name: headers[header] for name, header in [
        ("unit", "单位"), ("last", "上年数值"), ("num", "分子"), ("den", "分母"), ("value", "数值"),
        ("missing", "暂缺原因"), ("comment", "说明"),
    ]}  # fmt: skip
    mistakes = []
    for row in range(4, sheet.max_row + 1):
        if not sheet[f"A{row}"].value:
            continue
        cell = {name: sheet[f"{letter}{row}"] for name, letter in col.items()}
        cell["comment"].value = "按统计年报口径填报"
        entered = [cell[k].value for k in ("num", "den", "value", "missing")]
        if any(v not in (None, "") and not str(v).startswith("=") for v in entered):
            continue  # entered on the web already (a formula only shows the computed rate)
        last = cell["last"].value
        if last in (None, ""):
            cell["missing"].value = "统计部门尚未发布"
            continue
        if not cell["num"].protection.locked:
            scale = SCALE_BY_UNIT[cell["unit"].value]
            cell["den"].value = 100000
            cell["num"].value = round(float(last) * 100000 / scale)
            if not cell["value"].protection.locked:
                cell["value"].value = None
        else:
            cell["value"].value = last
        if not mistakes and not cell["num"].protection.locked:
            cell["num"].value = 200000  # more than the denominator
            mistakes.append(f"{col['num']}{row}")
        elif len(mistakes) == 1 and not cell["num"].protection.locked:
            cell["den"].value = "十万"  # not a number
            mistakes.append(f"{col['den']}{row}")
    book.save(path)
    return mistakes[0], mistakes[1]


def fix(path: Path, numerator_cell: str, denominator_cell: str) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book["填报"]
    sheet[numerator_cell].value = 95000
    sheet[denominator_cell].value = 100000
    book.save(path)


def test_template_upload_fix_submit_approve_accept(page, server, tmp_path):
    log_in(page, server, "demo-reporter")
    page.goto(f"{server}{ENTRY}")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Excel 模板").click()
    workbook = tmp_path / "health-2025.xlsx"
    download.value.save_as(workbook)
    bad_numerator, bad_denominator = fill_template(workbook)

    page.get_by_role("link", name="上传 Excel").first.click()
    page.set_input_files("input[type=file]", str(workbook))
    page.get_by_role("button", name="校验并保存").click()
    errors = page.locator(".form-errors").inner_text()
    assert "发现 2 个问题" in errors and "未保存" in errors
    table = page.locator("table.data").inner_text()
    assert bad_numerator in table and bad_denominator in table
    assert "大于分母" in table and "十万" in table
    shot(page, "excel-upload-errors")

    fix(workbook, bad_numerator, bad_denominator)
    page.set_input_files("input[type=file]", str(workbook))
    page.get_by_role("button", name="校验并保存").click()
    assert "已保存为草稿" in page.locator("section.notice").inner_text()
    shot(page, "excel-upload-saved")

    page.goto(f"{server}{ENTRY}")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state()
    assert "已提交审核" in page.locator(".messages").inner_text(), page.locator(".messages").inner_text()
    assert "已提交，待审核" in page.locator(".state").first.inner_text()

    page.get_by_role("button", name="退出").click()
    log_in(page, server, "demo-reviewer")
    page.goto(f"{server}{ENTRY}")
    page.get_by_role("button", name="审核通过").click()
    page.wait_for_load_state()
    assert "本单位已审核" in page.locator(".state").first.inner_text()

    page.get_by_role("button", name="退出").click()
    log_in(page, server, "demo-office")
    page.goto(f"{server}{ENTRY}")
    page.get_by_role("button", name="接收").click()
    page.wait_for_load_state()
    assert "妇儿工委办已接收" in page.locator(".state").first.inner_text()
    shot(page, "entry-accepted")

    page.goto(f"{server}/plans/lucheng-2021-2025/collection/rounds/2025/")
    row = page.locator("table.data tr", has_text="区卫健局")
    assert "妇儿工委办已接收" in row.inner_text() and "100%" in row.inner_text()
    shot(page, "round-completeness")

    page.goto(f"{server}{ENTRY}")
    page.get_by_label("跳转到指标").select_option("HEA-18")  # indicators are folded: the jump list opens one
    page.locator("#HEA-18 a", has_text="记录").first.click()  # empty in the demo, filled from Excel
    history = page.locator("table.data").inner_text()
    assert "Excel 上传" in history and "health-2025.xlsx" in history and "demo-reporter" in history
    shot(page, "value-history")
