"""Reading a department list from a CSV (UTF-8 or GB18030/GBK, detected) or XLSX file into a header
row and value rows, with errors naming the file, and the row and column where they apply."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook


class ListFileError(ValueError):
    """A file that cannot be read as a list; the message (active language) says where and why."""


@dataclass
class ListFile:
    name: str
    headers: list[str]
    rows: list[tuple[int, list[object]]]  # (row number in the file, counting the header as 1; values)


def decode(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) when it decodes, else GB18030 (which covers GBK and GB2312)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ListFileError(_("%(file)s: the file is neither UTF-8 nor GBK/GB18030 text.") % {"file": name})


def _cell(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number cell holding an ID or a code: 1.0 is "1"
    if isinstance(value, datetime.datetime | datetime.date):
        return value
    return value


def read_list(path: Path | str) -> ListFile:
    path = Path(path)
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ListFileError(
            _("%(file)s: cannot read the file (%(reason)s).") % {"file": name, "reason": error.strerror}
        ) from None
    if raw[:4] == b"PK\x03\x04":
        try:
            sheet = CalamineWorkbook.from_filelike(io.BytesIO(raw)).get_sheet_by_index(0)
            table = [[_cell(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
        except (CalamineError, ValueError, IndexError):
            raise ListFileError(_("%(file)s: not a readable XLSX workbook.") % {"file": name}) from None
    else:
        text = decode(raw, name)
        try:
            table = [list(row) for row in csv.reader(io.StringIO(text))]
        except csv.Error as error:
            raise ListFileError(
                _("%(file)s: not a readable CSV file (%(reason)s).") % {"file": name, "reason": error}
            ) from None
    numbered = [
        (number, row) for number, row in enumerate(table, start=1) if any(str(v).strip() for v in row if v is not None)
    ]
    if not numbered:
        raise ListFileError(_("%(file)s: the file is empty.") % {"file": name})
    headers = [str(v or "").strip() for v in numbered[0][1]]
    return ListFile(name, headers, numbered[1:])
