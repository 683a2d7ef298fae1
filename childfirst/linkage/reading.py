"""Reading a department list: CSV (UTF-8 with or without BOM, UTF-16, or GB18030/GBK, detected) or an
Excel workbook (.xlsx, first sheet, python-calamine), into a header row and the data rows under it.

The file is judged before a parser sees it: its size, an old .xls or a password-locked workbook, a zip
that would unpack beyond the limit, a sheet whose cells lie far outside any real list (calamine would
allocate the whole rectangle up to the farthest cell). Every refusal is a `FileRefused` whose message
says, in the active language, what to do; no value of the file is ever put in a message.

The header row is the first of the top rows whose columns are recognised (a title row such as
"某某区2025年学籍名单" above the headers is common). Row numbers are the file's own (1 = the first line
or spreadsheet row), so a person can find the row the import names.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and workbooks encrypted with a password
HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 200
MAX_MEMBERS = 2000
# A cell reference in sheet XML with a column of three letters (AAA = 703 and beyond: no list is that
# wide) or a row number of eight digits (beyond Excel's own 1,048,576).
_FAR_CELL = re.compile(rb'\sr="(?:[A-Z]{3,}\d+|[A-Z]+\d{8,})"')
_DELIMITERS = (",", "\t", ";", "|")


class FileRefused(Exception):
    """The file cannot be read at all; the message is for the person who uploaded it."""


@dataclass
class Table:
    """The rows of a list: `rows` are (file row number, cells) under the header row."""

    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[object]]] = field(default_factory=list)
    encoding: str = ""  # "UTF-8", "UTF-8 (BOM)", "UTF-16", "GB18030" or "XLSX"


def max_upload_bytes() -> int:
    return int(settings.LINKAGE_UPLOAD_MAX_BYTES)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def check_size(size: int) -> None:
    if size > max_upload_bytes():
        raise FileRefused(
            _("The file is larger than %(limit)s. Split the list, or ask the system administrator to raise the limit.")
            % {"limit": _megabytes(max_upload_bytes())}
        )


def decode(content: bytes) -> tuple[str, str]:
    """(text, encoding name): a BOM decides; otherwise UTF-8 if the bytes are UTF-8, else GB18030 (the
    superset of GBK and GB2312 that Chinese Excel and WPS save CSV in)."""
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "UTF-8 (BOM)"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16"), "UTF-16"
    try:
        return content.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030"), "GB18030"
    except UnicodeDecodeError:
        raise FileRefused(
            _(
                "The file is neither an Excel workbook nor a CSV text in UTF-8 or GBK. Save it again as "
                '"CSV UTF-8" or as an Excel workbook (.xlsx).'
            )
        ) from None


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(content: bytes) -> tuple[list[tuple[int, list[object]]], str]:
    text, encoding = decode(content)
    if "\x00" in text:
        raise FileRefused(_("The file is not a text file (it holds NUL characters). Upload a CSV or an .xlsx file."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[tuple[int, list[object]]] = []
    try:
        for cells in reader:
            rows.append((reader.line_num, list(cells)))
    except csv.Error:
        raise FileRefused(
            _("The CSV file is malformed near line %(line)d (a quotation mark not closed?).")
            % {"line": reader.line_num}
        ) from None
    return rows, encoding


def _check_workbook(content: bytes) -> None:
    """Refuse a zip bomb and a sheet reaching far beyond any real list, before calamine opens it."""
    limit = int(settings.LINKAGE_MAX_UNPACKED_BYTES)
    bomb = FileRefused(
        _("The workbook would unpack to more than %(limit)s, or is not a normal workbook; it was not opened.")
        % {"limit": _megabytes(limit)}
    )
    damaged = FileRefused(_("The workbook is damaged and cannot be read; save it again in Excel or WPS."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise damaged from None
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > limit:
        raise bomb
    if not any(m.filename == "xl/workbook.xml" for m in members):
        raise FileRefused(_("This zip file is not an Excel workbook (.xlsx)."))
    unpacked = 0
    try:
        for member in members:
            sheet = member.filename.startswith("xl/worksheets/")
            tail = b""
            with archive.open(member) as stream:
                while chunk := stream.read(1 << 20):
                    unpacked += len(chunk)
                    if unpacked > limit:
                        raise bomb
                    if sheet and _FAR_CELL.search(tail + chunk):
                        raise FileRefused(
                            _(
                                "A sheet of the workbook has cells far outside any list (beyond column ZZ or row "
                                "1,048,576). Copy the list into a new workbook and upload that."
                            )
                        )
                    tail = chunk[-40:]
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError, OSError):
        raise damaged from None


def read_xlsx(content: bytes) -> list[tuple[int, list[object]]]:
    _check_workbook(content)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        names = workbook.sheet_names
        if not names:
            raise FileRefused(_("The workbook has no sheet."))
        sheet = workbook.get_sheet_by_index(0)
        data = sheet.to_python(skip_empty_area=False)
    except CalamineError:  # the base of calamine's errors: all mean damage, to a user
        raise FileRefused(_("The workbook is damaged and cannot be read; save it again in Excel or WPS.")) from None
    start = sheet.start[0] if sheet.start else 0
    return [(start + index + 1, list(cells)) for index, cells in enumerate(data)]


def read_rows(
    content: bytes, file_name: str = "", *, limit_size: bool = True
) -> tuple[list[tuple[int, list[object]]], str]:
    """Every row of the file with its row number, and the encoding ("XLSX" for a workbook). The upload
    limit applies to files from the web; a file given on the command line is the operator's own."""
    if limit_size:
        check_size(len(content))
    if content.startswith(OLE2_MAGIC):
        raise FileRefused(
            _(
                "This is an old-format .xls workbook or one locked with a password. Save it as an Excel "
                "workbook (.xlsx) without a password, or as CSV."
            )
        )
    if content.startswith(b"PK"):
        return read_xlsx(content), "XLSX"
    if file_name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise FileRefused(_("The file is named as an Excel workbook but is not one; save it again in Excel or WPS."))
    return read_csv(content)


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(content: bytes, file_name: str, recognise: Callable[[list[str]], object]) -> tuple[Table, object]:
    """The table under the header row, and what `recognise` made of that row (a HeaderMap).

    `recognise` raises for a row it does not take as headers; the first of the top rows it accepts is
    the header row, and if none is accepted its error for the first non-empty row is raised."""
    return read_table_rows(*read_rows(content, file_name), recognise)


def read_table_rows(
    rows: list[tuple[int, list[object]]], encoding: str, recognise: Callable[[list[str]], object]
) -> tuple[Table, object]:
    first_error: Exception | None = None
    for position, (number, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if all(blank(c) for c in cells):
            continue
        headers = ["" if c is None else str(c).strip() for c in cells]
        if len(headers) > MAX_COLUMNS:
            raise FileRefused(_("The list has more than %(count)d columns.") % {"count": MAX_COLUMNS})
        try:
            recognised = recognise(headers)
        except ValueError as error:
            first_error = first_error or error
            continue
        body = [(n, c) for n, c in rows[position + 1 :] if not all(blank(v) for v in c)]
        return Table(headers, number, body, encoding), recognised
    if first_error is not None:
        raise first_error
    raise FileRefused(_("The file is empty: no header row and no rows were found."))


class ListFileError(ValueError):
    """A list file given on the command line that cannot be read; the message names the file."""


@dataclass
class ListFile:
    name: str
    headers: list[str]
    rows: list[tuple[int, list[object]]]  # (row number in the file, values) under the header row


def _cell(value: object) -> object:
    # A number cell holding an ID or a code: 1.0 is "1".
    return str(int(value)) if isinstance(value, float) and value.is_integer() else value


def read_list(path: Path | str, recognise: Callable[[list[str]], object]) -> ListFile:
    """A list file from disk (`childfirst linkage pair`), read as the web import reads an upload."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as error:
        raise ListFileError(
            _("%(file)s: cannot read the file (%(reason)s).") % {"file": path.name, "reason": error.strerror}
        ) from None
    try:
        rows, encoding = read_rows(content, path.name, limit_size=False)
        table, _recognised = read_table_rows(rows, encoding, recognise)
    except (FileRefused, ValueError) as error:
        raise ListFileError(f"{path.name}: {error}") from None
    return ListFile(path.name, table.headers, [(n, [_cell(v) for v in cells]) for n, cells in table.rows])
