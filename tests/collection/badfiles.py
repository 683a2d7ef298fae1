"""The bad-workbook corpus (issue 11): crafted files an upload must refuse, built from a real
template so that each would otherwise be read. Every builder takes the template's bytes and
returns (file name, content)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import openpyxl

from childfirst.collection.excel_template import DATA_SHEET

DISTRICT = "330302"
DATA_PART = "xl/worksheets/sheet1.xml"  # the data sheet is the template's first
COL = {"numerator": "G", "denominator": "H", "value": "I", "missing_reason": "J", "comment": "K"}


def rewrite(content: bytes, changes: dict[str, Callable[[bytes], bytes] | bytes | None]) -> bytes:
    """The zip with members changed (a function of the old bytes), replaced (bytes), added
    (bytes, for a new name) or removed (None)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            change = changes.get(name, data)
            if change is None:
                continue
            target.writestr(name, change(data) if callable(change) else change)
        for name, data in changes.items():
            if name not in source.namelist() and isinstance(data, bytes):
                target.writestr(name, data)
    return out.getvalue()


def row_of(ws, indicator: str, area: str) -> int:
    for row in range(1, ws.max_row + 1):
        if ws[f"A{row}"].value == indicator and ws[f"D{row}"].value == area:
            return row
    raise AssertionError(f"no row for {indicator}/{area}")


def edited(template: bytes, indicator: str, area: str, **cells: object) -> tuple[bytes, int]:
    """The template with cells of one row typed in (openpyxl: a formula gets no cached value)."""
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb[DATA_SHEET]
    row = row_of(ws, indicator, area)
    for name, value in cells.items():
        ws[f"{COL[name]}{row}"] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), row


def undefined_entity(template: bytes) -> tuple[str, bytes]:
    """An entity reference that is declared nowhere: calamine raised XmlError when reading the sheet."""
    content = rewrite(template, {DATA_PART: lambda xml: xml.replace(b"<t>", b"<t>&evil;", 1)})
    return "entity.xlsx", content


def truncated_sheet(template: bytes) -> tuple[str, bytes]:
    return "truncated.xlsx", rewrite(template, {DATA_PART: lambda xml: xml[: len(xml) // 2]})


def billion_laughs(template: bytes) -> tuple[str, bytes]:
    """Entities declared in a DTD, each ten of the one before."""
    entities = b'<!ENTITY l0 "ha">' + b"".join(
        b'<!ENTITY l%d "%s">' % (i, b"".join(b"&l%d;" % (i - 1) for _ in range(10))) for i in range(1, 9)
    )
    dtd = b"<!DOCTYPE worksheet [" + entities + b"]>"
    change = {
        DATA_PART: lambda xml: re.sub(rb"(<worksheet)", dtd + rb"\1", xml, count=1).replace(b"<t>", b"<t>&l8;", 1)
    }
    return "laughs.xlsx", rewrite(template, change)


def macro_extension(template: bytes) -> tuple[str, bytes]:
    """A clean workbook named as macro-enabled."""
    return "卫健.xlsm", template


def macro_content_type(template: bytes) -> tuple[str, bytes]:
    """An .xlsx whose content types declare a macro-enabled workbook and a VBA project."""
    main = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    change = {
        "[Content_Types].xml": lambda xml: xml.replace(main, b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
        .replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    }  # fmt: skip
    return "looks-clean.xlsx", rewrite(template, change)


def vba_project(template: bytes) -> tuple[str, bytes]:
    """An .xlsx carrying xl/vbaProject.bin, content types untouched."""
    return "looks-clean.xlsx", rewrite(template, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(512)})


def zip_bomb(_template: bytes) -> tuple[str, bytes]:
    """A tiny zip whose sheet XML unpacks to 60 MB, above the 50 MB default."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open(DATA_PART, "w", force_zip64=True) as stream:
            chunk = b" " * (1 << 20)
            for _ in range(60):
                stream.write(chunk)
    return "bomb.xlsx", out.getvalue()


def wrong_template(_template: bytes) -> tuple[str, bytes]:
    """A workbook with a 填报 sheet and the right headers, but not made by ChildFirst."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws.append(["指标代码", "指标名称", "单位", "区域代码", "区域名称", "上年数值", "分子", "分母", "数值"])
    ws.append(["HEA-01", "x", "个数", DISTRICT, "鹿城区", None, None, None, 5])
    out = io.BytesIO()
    wb.save(out)
    return "other.xlsx", out.getvalue()


def far_cell(template: bytes) -> tuple[str, bytes]:
    """One cell far outside any template: calamine allocated the whole rectangle up to it (gigabytes
    from a tiny file, and the process aborted)."""
    far = b'<row r="99999999"><c r="B99999999" t="n"><v>1</v></c></row></sheetData>'
    return "far.xlsx", rewrite(template, {DATA_PART: lambda xml: xml.replace(b"</sheetData>", far, 1)})


def formula_injection(template: bytes) -> tuple[str, bytes]:
    """A comment typed as =HYPERLINK(…): a formula without a calculated value, read as empty."""
    content, _row = edited(template, "HEA-01", DISTRICT, value=5, comment='=HYPERLINK("http://evil/","a")')
    return "injection.xlsx", content


def uncached_formula(template: bytes) -> tuple[str, bytes]:
    """A value cell holding =40+2 with no cached result (written by a program, not by Excel)."""
    content, _row = edited(template, "HEA-01", DISTRICT, value="=40+2")
    return "uncached.xlsx", content


def superscript(template: bytes) -> tuple[str, bytes]:
    """² would have been read as 2."""
    content, _row = edited(template, "HEA-01", DISTRICT, value="²")
    return "superscript.xlsx", content


def tiny_number(template: bytes) -> tuple[str, bytes]:
    """1e-30 would have been saved as 0."""
    content, _row = edited(template, "HEA-01", DISTRICT, value=1e-30)
    return "tiny.xlsx", content


def tiny_text(template: bytes) -> tuple[str, bytes]:
    content, _row = edited(template, "HEA-01", DISTRICT, value="1e-30")
    return "tiny-text.xlsx", content


# name → (builder, a part of the expected Chinese message)
CORPUS: dict[str, tuple[Callable[[bytes], tuple[str, bytes]], str]] = {
    "undefined-entity": (undefined_entity, "工作簿已损坏"),
    "truncated-sheet": (truncated_sheet, "工作簿已损坏"),
    "billion-laughs": (billion_laughs, "工作簿已损坏"),
    "macro-extension": (macro_extension, "含有宏"),
    "macro-content-type": (macro_content_type, "含有宏"),
    "vba-project": (vba_project, "含有宏"),
    "zip-bomb": (zip_bomb, "50.0 MB"),
    "wrong-template": (wrong_template, "不是儿童优先系统的填报模板"),
    "far-cell": (far_cell, "远大于填报模板"),
    "formula-injection": (formula_injection, "公式"),
    "uncached-formula": (uncached_formula, "公式"),
    "superscript": (superscript, "²"),
    "tiny-number": (tiny_number, "0"),
    "tiny-text": (tiny_text, "0"),
}
