"""The Excel template a department fills in for one round: what it looks like and how it is built.

The workbook is a form, not a report: sheet protection leaves only the input cells unlocked (to
stop accidental edits, not attackers), last year's values stand beside the inputs for reference,
and the cells are prefilled with the submission's current values so that download → edit →
upload changes only what the person changed. A "very hidden" sheet records the template format,
plan, year, department, submission and, per data row, the value's version when the file was
made; the import (excel_import.py) reads it to find the cells and to spot values someone else
changed in the meantime.

The layout constants below are the file format shared with the import; the sheet names and
headers are Chinese whatever the interface language, because they are what the import reads.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
from copy import copy
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection

from childfirst.plans.models import Indicator, Unit
from childfirst.spreadsheet import put_cell

from .entries import SCALE, Entry
from .models import DataValue, Submission
from .scope import expected_for

# "major.minor": a reader accepts any template of its own major version with a minor version up
# to its own (minor versions only add things a reader may ignore); another major is refused.
FORMAT_VERSION = "1.1"
MAGIC = "ChildFirst template"

DATA_SHEET = "填报"
GUIDE_SHEET = "说明"
META_SHEET = "_childfirst"
TITLE_ROW, INFO_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = 4
META_ROWS_HEADER = "row"  # in column A of the hidden sheet, above the per-row records

# (field, header) in sheet order. The import finds columns by header, so a column moved by hand
# is still found; the field names are those of RawCell.
COLUMNS: list[tuple[str, str]] = [
    ("indicator", "指标代码"),
    ("name", "指标名称"),
    ("unit", "单位"),
    ("area", "区域代码"),
    ("area_name", "区域名称"),
    ("last_year", "上年数值"),
    ("numerator", "分子"),
    ("denominator", "分母"),
    ("value", "数值"),
    ("missing_reason", "暂缺原因"),
    ("comment", "说明"),
    ("source_note", "数据来源"),
]
HEADERS = dict(COLUMNS)
LETTER = {name: get_column_letter(i) for i, (name, _header) in enumerate(COLUMNS, start=1)}
TEXT_FIELDS = ("missing_reason", "comment", "source_note")

UNIT_TEXT: dict[str, str] = {  # by Unit; looked up with the indicator's unit, a plain str
    Unit.PERCENT: "%",
    Unit.PER_MILLE: "‰",
    Unit.PER_1000_CHILDREN: "每千名儿童",
    Unit.PER_1000_POPULATION: "每千人口",
    Unit.PER_100000: "每10万",
    Unit.COUNT: "个数",
    Unit.PERCENTAGE_POINTS: "百分点",
}
WIDTHS = {
    "indicator": 9,
    "name": 34,
    "unit": 10,
    "area": 12,
    "area_name": 12,
    "last_year": 10,
    "numerator": 11,
    "denominator": 11,
    "value": 11,
    "missing_reason": 18,
    "comment": 24,
    "source_note": 16,
}

DEFAULT_PASSWORD = "childfirst"  # noqa: S105 - against slips of the hand only; anyone can remove sheet protection

_thin = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
_UNUSED_FILL = PatternFill("solid", fgColor="BFBFBF")  # numerator/denominator of a count: not used
_INPUT_FILL = PatternFill("solid", fgColor="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_TITLE_FONT = Font(bold=True, size=14)
_UNLOCKED = Protection(locked=False)
_WRAP = Alignment(wrap_text=True, vertical="top")


class _DataCellStyles:
    """The data cells' styles: each (role, decimal) combination is set on its first cell; later cells
    take a copy of that cell's style array, as openpyxl's own sheet copier does. Setting border, fill,
    protection and number format on each of a template's thousands of cells made openpyxl hash the
    style objects again every time (a quarter of the time building a template took). Applied before
    the value, so that put_cell's quote prefix (part of the style array) is kept."""

    def __init__(self) -> None:
        self._first: dict[tuple[str, bool], StyleArray] = {}

    def apply(self, cell: Cell, key: tuple[str, bool]) -> None:
        first = self._first.get(key)
        if first is not None:
            cell._style = copy(first)
            return
        role, decimal = key
        cell.border = _BORDER
        if role == "input":
            cell.protection, cell.fill = _UNLOCKED, _INPUT_FILL
        else:
            cell.fill = _UNUSED_FILL if role == "unused" else _LOCKED_FILL
        if decimal:
            cell.number_format = "0.00##"
        self._first[key] = copy(cell._style)


def template_password() -> str:
    return getattr(settings, "EXCEL_TEMPLATE_PASSWORD", "") or DEFAULT_PASSWORD


@dataclass(frozen=True)
class RowKind:
    """Which of a row's number cells take input, by the indicator's unit and reporting level."""

    parts: bool  # numerator and denominator
    value: bool  # the value itself
    formula: bool  # the value is shown computed from numerator/denominator (per-street rates)


def row_kind(indicator: Indicator) -> RowKind:
    if not indicator.is_rate:
        return RowKind(parts=False, value=True, formula=False)
    if indicator.per_street:
        # Street rates must come as numerator and denominator so district totals can be summed.
        return RowKind(parts=True, value=False, formula=True)
    return RowKind(parts=True, value=True, formula=False)


def input_fields(indicator: Indicator) -> list[str]:
    """The fields of a row that are unlocked input cells."""
    kind = row_kind(indicator)
    fields = (["numerator", "denominator"] if kind.parts else []) + (["value"] if kind.value else [])
    return [*fields, *TEXT_FIELDS]


def record_hash(record: dict[str, str | None]) -> str:
    """A short fingerprint of a value's stored form (Entry.as_record), kept per row in the hidden
    sheet: a row that reads back to it was not touched, so a newer value in the system is kept."""
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:20]


def _stored_record(value: DataValue | None) -> dict[str, str | None]:
    if value is None:
        return Entry("", "", None, None, None, "", "", "").as_record()
    return Entry("", "", value.value, value.numerator, value.denominator, value.missing_reason, value.comment,
                 value.source_note).as_record()  # fmt: skip


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def _value_cell(indicator: Indicator, value: DataValue | None) -> object:
    """What to prefill in the value cell so that uploading it unchanged reads back the same."""
    if value is None or value.value is None:
        return None
    if indicator.is_rate and value.numerator is not None and value.denominator is not None:
        return None  # computed from numerator/denominator; a stale copy would contradict an edit
    number = _number(value.value)
    assert number is not None  # value.value is not None (see above)
    if indicator.unit == Unit.PERCENT and 0 < number <= 1:
        # 0.5 in a percent cell would be read as 50%; the sign keeps 0.5% what it is.
        return f"{format(value.value.normalize(), 'f')}%"
    return number


def _rate_formula(indicator: Indicator, row: int) -> str:
    num, den, scale = f"{LETTER['numerator']}{row}", f"{LETTER['denominator']}{row}", SCALE[indicator.unit]
    return f'=IFERROR(IF(OR({num}="",{den}=""),"",ROUND({num}/{den}*{scale},2)),"")'


def _title(submission: Submission) -> tuple[str, str]:
    rnd, department = submission.round, submission.department
    title = f"{rnd.plan.name} · {department.name} · {rnd.year}年度指标数据填报"
    info = (
        f"截止日期：{rnd.deadline:%Y-%m-%d}　｜　白色单元格为填报项，灰色单元格不可修改　｜　"
        f"填写说明见“{GUIDE_SHEET}”工作表　｜　上传后先整体校验，有任何错误均不保存"
    )
    return title, info


def build_template(submission: Submission, *, now: datetime.datetime | None = None) -> bytes:
    """The department's workbook for this round, prefilled with the submission's current values."""
    rnd = submission.round
    plan, year, department = rnd.plan, rnd.year, submission.department
    expected = expected_for(plan, year, department)
    current = {(v.indicator_id, v.area_id): v for v in submission.values.all()}
    last_year = dict(
        (
            ((i, a), v)
            for i, a, v in DataValue.objects.filter(
                round__plan=plan, round__year=year - 1, indicator__in=expected.indicators, value__isnull=False
            ).values_list("indicator_id", "area_id", "value")
        )
    )

    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    title, info = _title(submission)
    last_letter = get_column_letter(len(COLUMNS))
    put_cell(ws, TITLE_ROW, 1, title)
    put_cell(ws, INFO_ROW, 1, info)
    ws["A1"].font, ws["A2"].alignment = _TITLE_FONT, Alignment(wrap_text=True)
    ws.merge_cells(f"A{TITLE_ROW}:{last_letter}{TITLE_ROW}")
    ws.merge_cells(f"A{INFO_ROW}:{last_letter}{INFO_ROW}")
    ws.row_dimensions[INFO_ROW].height = 32
    for col, (name, header) in enumerate(COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, col, header)
        cell.font, cell.fill, cell.border = _HEADER_FONT, _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS[name]

    records: list[tuple[int, str, str, int, str]] = []
    styles = _DataCellStyles()
    row = FIRST_DATA_ROW
    for indicator, area in expected.cells():
        if expected.carried_for(indicator, area):
            continue  # already reported in an earlier plan (collection/succession.py): not asked again
        value = current.get((indicator.pk, area.pk))
        kind = row_kind(indicator)
        inputs = set(input_fields(indicator))
        previous = last_year.get((indicator.pk, area.pk))
        content = {
            "indicator": indicator.code,
            "name": indicator.name,
            "unit": UNIT_TEXT.get(indicator.unit, indicator.unit),
            "area": area.code,
            "area_name": area.name,
            "last_year": _number(previous),
            "numerator": _number(value.numerator) if value and kind.parts else None,
            "denominator": _number(value.denominator) if value and kind.parts else None,
            "value": _rate_formula(indicator, row) if kind.formula else _value_cell(indicator, value),
            "missing_reason": value.missing_reason if value else None,
            "comment": value.comment if value else None,
            "source_note": value.source_note if value else None,
        }
        for col, (name, _header) in enumerate(COLUMNS, start=1):
            if name in inputs:
                role = "input"
            elif name in ("numerator", "denominator") and not kind.parts:
                role = "unused"
            else:
                role = "locked"
            decimal = name in ("numerator", "denominator", "value", "last_year") and indicator.unit != Unit.COUNT
            styles.apply(ws.cell(row, col), (role, decimal))
            if name == "value" and kind.formula:
                ws.cell(row, col, content[name])  # the template's own formula
            else:  # a comment or a name is data: a text starting with "=" must not become a formula
                put_cell(ws, row, col, None if content[name] == "" else content[name])
        base = record_hash(_stored_record(value))
        records.append((row, indicator.code, area.code, value.version if value else 0, base))
        row += 1
    ws.freeze_panes = f"{LETTER['numerator']}{FIRST_DATA_ROW}"
    # Printed for signing off on paper: landscape, all columns on one page width, header repeated.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    _protect(ws)

    _guide_sheet(wb, submission, expected.indicators)
    _meta_sheet(wb, submission, records, now or timezone.now())
    wb.active = 0
    wb.security = WorkbookProtection(workbookPassword=template_password(), lockStructure=True)
    wb.calculation.fullCalcOnLoad = True  # show the per-street rates computed when the file opens
    wb.properties.creator = "ChildFirst"
    wb.properties.title = title
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _protect(ws) -> None:
    ws.protection.sheet = True
    ws.protection.password = template_password()
    # Widening columns and rows is harmless and people need it to read long names.
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


GUIDE_LINES = [
    "填写说明",
    "1. 只填写白色单元格；灰色单元格（指标、区域、上年数值等）已锁定，请勿修改、删除或重排工作表。",
    "2. 比率类指标（%、‰、每千名儿童等）请填写分子和分母，系统自动计算数值；分街镇填报的比率必须填写分子和分母。"
    "不分街镇的比率也可只填数值。",
    "3. 百分比可写作 90、90% 或 0.9（0.9 按 90% 理解，系统会提示）；数值 0.5% 请写作 0.5%，不要写 0.5。",
    "4. 计数类指标只填数值，分子、分母不适用（深灰色）。",
    "5. 数字可含千分位（1,234）、全角数字或前后空格；请勿填写单位或文字说明，文字请写在“说明”列。",
    "6. 暂时无法提供数据时，数值留空，在“暂缺原因”中写明原因；暂缺原因代替数值，二者只填其一。",
    "7. “上年数值”仅供参考。与上年相比变化异常的数值，请在“说明”列解释，否则无法提交。",
    "8. 上传时系统先校验全部单元格：有任何错误都不会保存，并逐一列出工作表、单元格、填写内容和原因；"
    "全部正确才保存为草稿，需在系统中另行提交。",
    "9. 下载后他人在系统中修改过的数值，上传时会提示冲突；请重新下载模板后再填写。",
]


def _guide_sheet(wb: Workbook, submission: Submission, indicators: list[Indicator]) -> None:
    ws = wb.create_sheet(GUIDE_SHEET)
    for row, line in enumerate(GUIDE_LINES, start=1):
        ws.cell(row, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
        ws.row_dimensions[row].height = 15 if row == 1 else 32
    ws["A1"].font = _TITLE_FONT
    start = len(GUIDE_LINES) + 2
    for col, header in enumerate(["指标代码", "指标名称", "单位", "分街镇填报", "分子", "分母"], start=1):
        cell = ws.cell(start, col, header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for row, indicator in enumerate(indicators, start=start + 1):
        cells = [
            indicator.code,
            indicator.name,
            UNIT_TEXT.get(indicator.unit, indicator.unit),
            "是" if indicator.per_street else "否",
            indicator.numerator or None,
            indicator.denominator or None,
        ]
        for col, text in enumerate(cells, start=1):
            put_cell(ws, row, col, text).alignment = _WRAP
    for letter, width in zip("ABCDEF", (10, 40, 12, 10, 40, 40), strict=True):
        ws.column_dimensions[letter].width = width
    _protect(ws)


def _meta_sheet(wb: Workbook, submission: Submission, records, now: datetime.datetime) -> None:
    ws = wb.create_sheet(META_SHEET)
    ws.sheet_state = "veryHidden"
    rnd = submission.round
    meta = [
        ("magic", MAGIC),
        ("format", FORMAT_VERSION),
        ("plan", rnd.plan.code),
        ("year", rnd.year),
        ("department", submission.department.code),
        ("submission", submission.pk),
        ("generated_at", timezone.localtime(now).isoformat(timespec="seconds")),
        ("data_sheet", DATA_SHEET),
        ("header_row", HEADER_ROW),
    ]
    for row, (key, value) in enumerate(meta, start=1):
        ws.cell(row, 1, key)
        ws.cell(row, 2, value)
    row = len(meta) + 1
    # "base" (format 1.1) fingerprints the prefilled value; 1.0 templates lack it.
    for col, header in enumerate((META_ROWS_HEADER, "indicator", "area", "version", "base"), start=1):
        ws.cell(row, col, header)
    for record in records:
        row += 1
        for col, item in enumerate(record, start=1):
            ws.cell(row, col, item)
    _protect(ws)
