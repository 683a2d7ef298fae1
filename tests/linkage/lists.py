"""Small department lists for the linkage tests, as the bytes of a CSV or XLSX file."""

from __future__ import annotations

import datetime
import io

from openpyxl import Workbook

from childfirst.registry.children.idnumber import check_character


def id_number(birth: datetime.date, sequence: int, region: str = "330302") -> str:
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


A = id_number(datetime.date(2015, 3, 4), 11)  # a boy
B = id_number(datetime.date(2012, 7, 1), 22)  # a girl
C = id_number(datetime.date(2010, 1, 9), 33)

HEADERS = ["姓名", "公民身份号码", "性别", "出生日期", "街道", "社区", "户籍地址"]
ROWS = [
    ["张伟", A, "男", "2015-03-04", "五马街道", "五马第一社区", "演示路1号"],
    ["李 婷", B, "女", "2012/7/1", "五马", "330302001002", "演示路2号"],
    ["陳小明", C.lower().replace("X", "x"), "1", "20100109", "松台街道", "", "演示路3号"],
]


def csv_bytes(rows: list[list[object]] = ROWS, headers: list[str] = HEADERS, encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join(headers)] + [",".join(str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list[object]] = ROWS, headers: list[str] = HEADERS, title: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
