"""Reading a filled-in template back: check everything first, then save all of it or nothing.

The order matters. The file itself is judged before anything opens it (size; a workbook and not
a CSV or an old .xls; a zip whose members would not blow up in memory), then the hidden sheet
says which submission the file belongs to, then who may upload it, then every row and cell. Only
when nothing is wrong are the values handed to `save_values`, which checks them once more, finds
values changed by someone else since the download, and saves them in one transaction.

Every problem names its sheet, cell, the value found and the reason, so a person can fix the
file and upload it again. Rows are found by their locked code columns (indicator, area) and
cross-checked with the hidden sheet, never by position, so sorting or inserting blank rows is
harmless; columns are found by their header text.
"""

from __future__ import annotations

import datetime
import io
import math
import posixpath
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area
from childfirst.plans.models import Indicator

from .actions import CollectionError, UploadedFile, ValuesRejected, clean_cells, save_values
from .entries import Entry, Finding, RawCell
from .excel_template import (
    COLUMNS,
    DATA_SHEET,
    FORMAT_VERSION,
    HEADERS,
    MAGIC,
    META_ROWS_HEADER,
    META_SHEET,
    TEXT_FIELDS,
    record_hash,
    row_kind,
)
from .models import Channel, DataValue, ImportBatch, ReportingRound, Submission
from .numbers import NumberError, parse_number
from .rules import current_rules
from .scope import expected_for

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_UNCOMPRESSED = 50 * 1024 * 1024  # a department's template unpacks to well under 1 MB
MAX_RATIO = 100  # uncompressed/compressed size of one member; sheet XML rarely passes 20
RATIO_FLOOR = 1024 * 1024  # small members may compress very well and still be harmless
MAX_MEMBERS = 2000
MAX_ROWS, MAX_COLUMNS = 50_000, 100  # a department's template has hundreds of rows and 12 columns
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and workbooks encrypted with a password
NUMBER_FIELDS = ("numerator", "denominator", "value")
REQUIRED_FIELDS = ("indicator", "area", *NUMBER_FIELDS, *TEXT_FIELDS)
TEXT_LIMITS = {"missing_reason": 500, "source_note": 500, "comment": 5000}
_CELL = re.compile(r"^([A-Z]+)(\d+)$")
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlam", ".xla", ".xlsb")
# Parts and content types of macros: VBA projects, and Excel 4.0 macro sheets.
_MACRO_PART = re.compile(r"(^|/)(vbaProject[^/]*\.bin|macrosheets/[^/]*)$", re.IGNORECASE)
_MACRO_TYPE = re.compile(rb"vbaProject|macroEnabled|macrosheet", re.IGNORECASE)


def max_upload_bytes() -> int:
    return int(getattr(settings, "EXCEL_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_uncompressed_bytes() -> int:
    return int(getattr(settings, "EXCEL_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with (or worth knowing about) an uploaded file, where it was found."""

    sheet: str = ""
    cell: str = ""
    value: str = ""
    reason: str = ""
    about: str = ""  # the row's indicator (code and name) and area, e.g. "XY-04 新生儿访视率 · 某某街道"

    @property
    def place(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.sheet and self.cell else self.sheet

    def __str__(self) -> str:
        place = f"{self.place} ({self.about})" if self.about and self.place else self.place or self.about
        text = f"{place}: {self.reason}" if place else self.reason
        if self.value:
            text += " " + _("(found: %(value)s)") % {"value": self.value}
        return text

    def sort_key(self) -> tuple:
        match = _CELL.match(self.cell)
        if not match:
            return (self.sheet != "", self.sheet != DATA_SHEET, 0, 0)
        letters, number = match.groups()
        column = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(letters)))
        return (True, self.sheet != DATA_SHEET, int(number), column)


@dataclass
class ImportResult:
    submission: Submission | None = None
    errors: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    batch: ImportBatch | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


class _Refused(Exception):
    """Stops the import at a problem that makes reading further pointless."""

    def __init__(self, *problems: Problem):
        self.problems = list(problems)


# ----- the file as a whole ----------------------------------------------------------------------


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_size(size: int) -> Problem | None:
    """A problem when a file of `size` bytes is over the limit (callers check before reading it)."""
    limit = max_upload_bytes()
    if size > limit:
        return Problem(
            value=_megabytes(size),
            reason=_("The file is larger than %(limit)s; a department's template is far smaller.")
            % {"limit": _megabytes(limit)},
        )
    return None


def _damaged() -> Problem:
    return Problem(reason=_("The workbook is damaged and cannot be read; save it again in Excel or WPS."))


def _macros() -> Problem:
    return Problem(
        reason=_(
            "This workbook contains macros (a macro-enabled file such as .xlsm, or a VBA project inside). "
            "Files with macros are not accepted: save it as an Excel workbook (.xlsx) and upload that."
        )
    )


def check_name(file_name: str) -> Problem | None:
    """A problem when the file's name says it is macro-enabled (its content is checked as well)."""
    if file_name.lower().endswith(MACRO_EXTENSIONS):
        return _macros()
    return None


@dataclass
class Scan:
    """What the sheets' XML says before calamine reads them: per sheet name, the cells holding a
    formula without a calculated value (calamine reads those as empty)."""

    uncached: dict[str, set[str]] = field(default_factory=dict)


def _check_container(content: bytes) -> Scan:
    """Refuse what is not an .xlsx, or whose unpacked size would be dangerous, before any parser
    sees it. Declared sizes can lie, so every member is also read through with a running count.
    Then refuse macros, and XML that would break or exhaust the reader (a DTD, malformed XML, a
    cell placed far outside any template); note the formulas without a calculated value."""
    too_big = check_size(len(content))
    if too_big:
        raise _Refused(too_big)
    if content.startswith(OLE2_MAGIC):
        raise _Refused(
            Problem(
                reason=_(
                    "This is an old-format .xls workbook or one locked with a password to open. "
                    "Download the template again and fill it in, or save the file as .xlsx without a password."
                )
            )
        )
    not_workbook = Problem(
        reason=_(
            "This file is not an Excel workbook (.xlsx). A CSV or any other file cannot be read: "
            "download the template and fill it in."
        )
    )
    if not content.startswith(b"PK"):
        raise _Refused(not_workbook)
    limit = max_uncompressed_bytes()
    bomb = Problem(
        reason=_(
            "The file would unpack to more than %(limit)s (or packs its content suspiciously tightly); "
            "it was not opened."
        )
        % {"limit": _megabytes(limit)}
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _Refused(not_workbook) from None
    if len(members) > MAX_MEMBERS:
        raise _Refused(bomb)
    if not any(m.filename == "xl/workbook.xml" for m in members):
        raise _Refused(not_workbook)
    if any(_MACRO_PART.search(m.filename) for m in members):
        raise _Refused(_macros())
    if sum(m.file_size for m in members) > limit:
        raise _Refused(bomb)
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise _Refused(bomb)
    unpacked = 0
    parts: dict[str, bytes] = {}
    try:
        for member in members:
            chunks = []
            with archive.open(member) as stream:
                while chunk := stream.read(1 << 20):
                    unpacked += len(chunk)
                    if unpacked > limit:
                        raise _Refused(bomb)
                    chunks.append(chunk)
            if member.filename.lower().endswith((".xml", ".rels")):
                parts[member.filename] = b"".join(chunks)
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError, OSError):
        raise _Refused(_damaged()) from None
    if _MACRO_TYPE.search(parts.get("[Content_Types].xml", b"")):
        raise _Refused(_macros())
    try:
        return _scan_sheets(parts)
    except (expat.ExpatError, _DocumentType):
        raise _Refused(_damaged()) from None


class _DocumentType(Exception):
    """OOXML has no DTDs: one can only declare entities (the "billion laughs") or be damage."""


def _parse(data: bytes, start, end=None, text=None) -> None:
    """Stream `data` through expat with element names stripped of their namespace; a document
    type declaration (and so any entity declaration) raises _DocumentType, malformed XML or an
    undefined entity ExpatError."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: object) -> None:
        raise _DocumentType

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = lambda name, attrs: start(_local(name), attrs)
    if end is not None:
        parser.EndElementHandler = lambda name: end(_local(name))
    if text is not None:
        parser.CharacterDataHandler = text
    parser.Parse(data, True)


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name → the zip member holding its XML, from the workbook and its relationships."""
    targets: dict[str, str] = {}
    sheets: dict[str, str] = {}

    def relationship(name: str, attrs: dict[str, str]) -> None:
        if name == "Relationship":
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            targets[attrs.get("Id", "")] = path

    def sheet(name: str, attrs: dict[str, str]) -> None:
        if name == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            if rid in targets:
                sheets[attrs.get("name", "")] = targets[rid]

    _parse(parts.get("xl/_rels/workbook.xml.rels", b"<r/>"), relationship)
    _parse(parts["xl/workbook.xml"], sheet)
    return sheets


def _column_number(letters: str) -> int:
    return sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(letters)))


class _SheetScan:
    """One worksheet's cells, streamed: where each lies, and which hold a formula without a
    cached value (<f> and no or an empty <v>)."""

    def __init__(self, sheet: str):
        self.sheet = sheet
        self.row = self.column = 0
        self.uncached: set[str] = set()
        self.formula = False
        self.cached: list[str] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name == "row":
            number = attrs.get("r", "")
            self.row, self.column = (int(number) if number.isdigit() else self.row + 1), 0
        elif name == "c":
            match = _CELL.match(attrs.get("r", ""))
            if match:
                self.column, self.row = _column_number(match[1]), int(match[2])
            else:
                self.column += 1
            if self.row > MAX_ROWS or self.column > MAX_COLUMNS:
                raise _Refused(
                    Problem(self.sheet, "", attrs.get("r", "") or f"R{self.row}C{self.column}",
                            _("The sheet is far larger than a template (at most %(rows)d rows and "
                              "%(columns)d columns).") % {"rows": MAX_ROWS, "columns": MAX_COLUMNS})
                )  # fmt: skip
            self.formula, self.cached = False, None
        elif name == "f":
            self.formula = True
        elif name == "v":
            self.cached = []

    def end(self, name: str) -> None:
        if name == "c" and self.formula and not "".join(self.cached or []):
            self.uncached.add(f"{_letter(self.column - 1)}{self.row}")

    def text(self, data: str) -> None:
        if self.cached is not None:
            self.cached.append(data)


def _scan_sheets(parts: dict[str, bytes]) -> Scan:
    """Every worksheet's XML before calamine reads it. A cell beyond MAX_ROWS × MAX_COLUMNS is
    refused here, because calamine would allocate the whole rectangle up to it (one cell at
    XFD1048576 in a tiny file asks for gigabytes, or aborts the process); formulas without a
    cached value are noted. The other XML parts are parsed too, so that none holds a DTD."""
    scan = Scan()
    sheets = _sheet_parts(parts)
    for name, path in sheets.items():
        if path in parts:
            sheet = _SheetScan(name)
            _parse(parts[path], sheet.start, sheet.end, sheet.text)
            scan.uncached[name] = sheet.uncached
    scanned = {*sheets.values(), "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
    for path, data in parts.items():
        if path not in scanned:
            _parse(data, lambda name, attrs: None)
    return scan


def _open(content: bytes) -> tuple[CalamineWorkbook, Scan]:
    scan = _check_container(content)
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(content)), scan
    except CalamineError:  # the base of calamine's errors (XmlError, ZipError, …): all mean damage to a user
        raise _Refused(_damaged()) from None


# ----- cells ------------------------------------------------------------------------------------


def display(raw: object) -> str:
    """A cell's content as the person would recognise it, shortened for messages."""
    if raw is None or raw == "":
        return ""
    if isinstance(raw, float):
        text = str(int(raw)) if raw.is_integer() else f"{raw:.12g}"
    elif isinstance(raw, datetime.datetime | datetime.date | datetime.time):
        text = raw.isoformat()
    else:
        text = str(raw).strip()
    return text if len(text) <= 60 else text[:57] + "…"


def read_number(raw: object) -> tuple[object, str | None]:
    """What a number cell holds, ready for parse_number, or why it cannot be read.

    Formulas arrive as their cached values. Floats keep 15 significant digits, which drops the
    binary noise of spreadsheet arithmetic (0.1 + 0.2) but keeps every digit a person typed."""
    if raw is None or raw == "":
        return None, None
    if isinstance(raw, datetime.datetime | datetime.date | datetime.time | datetime.timedelta):
        return None, _("Excel turned this entry into a date or time; type the number again.")
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return None, _("not a finite number")
        return Decimal(f"{raw:.15g}"), None
    if isinstance(raw, int) and not isinstance(raw, bool):
        return Decimal(raw), None
    return raw if isinstance(raw, bool) else str(raw), None


def read_text(raw: object) -> str:
    if raw is None or raw == "":
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else f"{raw:.12g}"
    if isinstance(raw, datetime.datetime | datetime.date | datetime.time):
        return raw.isoformat()
    return str(raw).strip()


def read_code(raw: object) -> str:
    """A code cell: text, or a number if someone retyped a numeric area code."""
    return read_text(raw)


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _at(row: list, index: int | None) -> object:
    return row[index] if index is not None and index < len(row) else None


def _int(raw: object) -> int:
    """int() of a cell: TypeError for what int() cannot take (empty, a date), as int() itself."""
    if not isinstance(raw, str | int | float | Decimal):
        raise TypeError(raw)
    return int(raw)


def _rows(book: CalamineWorkbook, name: str) -> list[list]:
    """A sheet's cells from A1, refused when far larger than any template (each cell costs memory)."""
    try:
        sheet = book.get_sheet_by_name(name)
    except CalamineError:  # sheets are parsed here, lazily: an undefined entity, a truncated sheet
        raise _Refused(_damaged()) from None
    if sheet.height > MAX_ROWS or sheet.width > MAX_COLUMNS:
        raise _Refused(
            Problem(name, "", f"{sheet.height} × {sheet.width}",
                    _("The sheet is far larger than a template (at most %(rows)d rows and %(columns)d columns).")
                    % {"rows": MAX_ROWS, "columns": MAX_COLUMNS})
        )  # fmt: skip
    try:
        return sheet.to_python(skip_empty_area=False)
    except CalamineError:
        raise _Refused(_damaged()) from None


# ----- the hidden sheet -------------------------------------------------------------------------


@dataclass
class Meta:
    format: str
    plan: str
    year: int
    department: str
    submission: int
    rows: dict[tuple[str, str], tuple[int, int]]  # (indicator, area) → (row at generation, version)
    base: dict[tuple[str, str], str]  # (indicator, area) → fingerprint of the prefilled value (format ≥ 1.1)


def _format_problem(found: str) -> Problem | None:
    try:
        major, minor = (int(part) for part in found.split("."))
    except ValueError:
        major, minor = -1, -1
    current_major, current_minor = (int(part) for part in FORMAT_VERSION.split("."))
    if major == current_major and minor <= current_minor:
        return None
    if (major, minor) > (current_major, current_minor):
        reason = _(
            "This template was made by a newer version of ChildFirst (format %(found)s); "
            "download the template from this system."
        )
    else:
        reason = _(
            "This template has an old format (%(found)s) that can no longer be read; "
            "download a new template and copy your figures into it."
        )
    return Problem(META_SHEET, "B2", found, reason % {"found": found})


def _read_meta(book: CalamineWorkbook) -> Meta:
    names = book.sheet_names
    missing = []
    if META_SHEET not in names:
        missing.append(
            Problem(
                reason=_(
                    "This is not a ChildFirst template, or its hidden sheet %(sheet)s was removed: "
                    "download the template again."
                )
                % {"sheet": META_SHEET}
            )
        )
    if DATA_SHEET not in names:
        missing.append(
            Problem(
                DATA_SHEET,
                "",
                "",
                _("The sheet %(sheet)s is missing (deleted or renamed); the data must stay on it.")
                % {"sheet": DATA_SHEET},
            )
        )
    if missing:
        raise _Refused(*missing)
    rows = _rows(book, META_SHEET)
    damaged = _("The hidden sheet of the template is damaged: download the template again.")
    values: dict[str, object] = {}
    index = 0
    while index < len(rows) and read_text(_at(rows[index], 0)) != META_ROWS_HEADER:
        values[read_text(_at(rows[index], 0))] = _at(rows[index], 1)
        index += 1
    if read_text(values.get("magic")) != MAGIC:
        raise _Refused(Problem(META_SHEET, "B1", display(values.get("magic")), damaged))
    found = read_text(values.get("format"))
    if problem := _format_problem(found):
        raise _Refused(problem)
    records: dict[tuple[str, str], tuple[int, int]] = {}
    base: dict[tuple[str, str], str] = {}
    try:
        year, submission = _int(values["year"]), _int(values["submission"])
        for line in rows[index + 1 :]:
            if all(cell in ("", None) for cell in line):
                continue
            key = (read_code(_at(line, 1)), read_code(_at(line, 2)))
            records[key] = (_int(_at(line, 0)), _int(_at(line, 3) or 0))
            if fingerprint := read_text(_at(line, 4)):
                base[key] = fingerprint
    except (KeyError, TypeError, ValueError):
        raise _Refused(Problem(META_SHEET, "", "", damaged)) from None
    return Meta(
        format=found,
        plan=read_text(values.get("plan")),
        year=year,
        department=read_text(values.get("department")),
        submission=submission,
        rows=records,
        base=base,
    )


def _submission_of(meta: Meta, expect: Submission | None) -> Submission:
    rnd = ReportingRound.objects.filter(plan__code=meta.plan, year=meta.year).select_related("plan__area").first()
    submission = (
        Submission.objects.filter(round=rnd, department__code=meta.department)
        .select_related("round__plan__area", "department")
        .first()
        if rnd
        else None
    )
    if submission is None or submission.pk != meta.submission:
        raise _Refused(
            Problem(
                reason=_(
                    "This template (%(department)s, %(year)s) does not belong to a reporting round "
                    "of this system: download the template again."
                )
                % {"department": meta.department, "year": meta.year}
            )
        )
    if expect is not None and submission.pk != expect.pk:
        raise _Refused(
            Problem(
                reason=_(
                    "This template is for %(department)s, %(year)s (%(plan)s), not for %(expected)s, "
                    "%(expected_year)s: upload it on its own department's page."
                )
                % {
                    "department": submission.department.name,
                    "year": submission.round.year,
                    "plan": submission.round.plan.name,
                    "expected": expect.department.name,
                    "expected_year": expect.round.year,
                }
            )
        )
    return submission


def _check_may_upload(user: User | None, submission: Submission) -> None:
    if user is not None and not (user.role == Role.DEPT_REPORTER and user.department_id == submission.department_id):
        raise _Refused(
            Problem(
                reason=_("Only the reporters of %(department)s can upload its data.")
                % {"department": submission.department.name}
            )
        )
    if not submission.is_editable:
        reason = (
            _("This submission is %(state)s and cannot be changed.") % {"state": submission.get_state_display()}
            if submission.round.is_open
            else _("The %(year)s round is closed.") % {"year": submission.round.year}
        )
        raise _Refused(Problem(reason=reason))


# ----- the data sheet ---------------------------------------------------------------------------


@dataclass
class _Sheet:
    cells: list[RawCell]
    seen_versions: dict[tuple[str, str], int]
    shown: dict[str, str]  # "填报!G12" → the value found there
    rows: dict[tuple[str, str], RawCell]
    errors: list[Problem]
    notices: list[Problem]
    about: dict[tuple[str, str], str] = field(default_factory=dict)  # (indicator, area) → what the row is


def _find_columns(rows: list[list]) -> tuple[int, dict[str, int]]:
    for index, line in enumerate(rows[:30]):
        texts = [read_text(cell) for cell in line]
        if HEADERS["indicator"] in texts and HEADERS["area"] in texts:
            columns: dict[str, int] = {}
            for position, text in enumerate(texts):
                for name, header in COLUMNS:
                    if text == header and name not in columns:
                        columns[name] = position
            absent = [HEADERS[name] for name in REQUIRED_FIELDS if name not in columns]
            if absent:
                raise _Refused(
                    Problem(
                        DATA_SHEET,
                        f"A{index + 1}",
                        "",
                        _("Column(s) missing from the header row: %(columns)s") % {"columns": "、".join(absent)},
                    )
                )
            return index, columns
    raise _Refused(
        Problem(DATA_SHEET, "", "", _("The header row (指标代码 … 区域代码 …) was not found on this sheet."))
    )


def _read_sheet(
    book: CalamineWorkbook,
    meta: Meta,
    indicators: dict[str, Indicator],
    uncached: AbstractSet[str] = frozenset(),
    areas: dict[str, Area] | None = None,
) -> _Sheet:
    """The data sheet's rows; `uncached` are its cells holding a formula without a calculated value.
    Each problem names its cell and, when the row has its codes, the indicator and area (`areas`:
    code → area, for their names), so that a person knows what to fix without decoding the row."""
    rows = _rows(book, DATA_SHEET)
    header, columns = _find_columns(rows)
    sheet = _Sheet(cells=[], seen_versions={}, shown={}, rows={}, errors=[], notices=[])
    first_row: dict[tuple[str, str], int] = {}
    about = ""

    def place(name: str, row: int) -> str:
        return f"{_letter(columns[name])}{row}"

    def error(cell: str, value: object, reason: str) -> None:
        sheet.errors.append(Problem(DATA_SHEET, cell, display(value), reason, about))

    for index in range(header + 1, len(rows)):
        line, row = rows[index], index + 1
        indicator_code, area_code = read_code(_at(line, columns["indicator"])), read_code(_at(line, columns["area"]))
        inputs = {name: _at(line, columns[name]) for name in (*NUMBER_FIELDS, *TEXT_FIELDS)}
        about = describe_row(indicators.get(indicator_code), indicator_code, (areas or {}).get(area_code), area_code)
        if not indicator_code and not area_code:
            if any(v not in ("", None) for v in inputs.values()):
                error(place("indicator", row), "", _("This row has figures but no indicator code and area code."))
            continue
        key = (indicator_code, area_code)
        shown_key = f"{indicator_code} / {area_code}"
        if key not in meta.rows:
            error(
                place("indicator", row),
                shown_key,
                _(
                    "This row is not part of the template (indicator %(indicator)s, area %(area)s); "
                    "the code columns must not be changed."
                )
                % {"indicator": indicator_code, "area": area_code},
            )
            continue
        if key in first_row:
            error(
                place("indicator", row),
                shown_key,
                _("The row for %(indicator)s / %(area)s appears twice (also row %(row)d).")
                % {"indicator": indicator_code, "area": area_code, "row": first_row[key]},
            )
            continue
        first_row[key] = row
        sheet.about[key] = about
        indicator = indicators.get(indicator_code)
        if indicator is None:
            error(
                place("indicator", row),
                shown_key,
                _("Indicator %(code)s is no longer reported by this department: download a new template.")
                % {"code": indicator_code},
            )
            continue
        where = {"row": f"{DATA_SHEET}!{place('indicator', row)}"}
        where.update({name: f"{DATA_SHEET}!{place(name, row)}" for name in inputs})
        sheet.shown[where["row"]] = shown_key
        raw = RawCell(indicator=indicator_code, area=area_code, where=where)
        kind = row_kind(indicator)
        for name in NUMBER_FIELDS:
            if name == "value" and kind.formula:
                continue  # a locked display of numerator/denominator, not an entry
            sheet.shown[where[name]] = display(inputs[name])
            if place(name, row) in uncached:
                error(place(name, row), inputs[name], _uncached_reason(key))
                continue
            number, reason = read_number(inputs[name])
            reason = reason or _lossy_reason(number, name, key)
            if reason:
                error(place(name, row), inputs[name], reason)
            setattr(raw, name, number)
        for name in TEXT_FIELDS:
            if place(name, row) in uncached:
                error(place(name, row), inputs[name], _uncached_reason(key))
                continue
            text = read_text(inputs[name])
            sheet.shown[where[name]] = display(text)
            if len(text) > TEXT_LIMITS[name]:
                error(place(name, row), text, _("longer than %(limit)d characters") % {"limit": TEXT_LIMITS[name]})
            setattr(raw, name, text)
        sheet.cells.append(raw)
        sheet.rows[key] = raw
        sheet.seen_versions[key] = meta.rows[key][1]

    absent = [key for key in meta.rows if key not in first_row]
    if absent:
        sheet.notices.append(
            Problem(
                DATA_SHEET,
                "",
                "",
                _(
                    "%(count)d row(s) of the template are not on the sheet (first: %(first)s); "
                    "their values were left as they were."
                )
                % {"count": len(absent), "first": " / ".join(absent[0])},
            )
        )
    return sheet


def describe_row(indicator: Indicator | None, indicator_code: str, area: Area | None, area_code: str) -> str:
    """ "XY-04 新生儿访视率 · 某某街道": a row's indicator and area as people know them ("" without codes)."""
    if not indicator_code and not area_code:
        return ""
    name = f"{indicator_code} {indicator.display_name}" if indicator else indicator_code
    return f"{name} · {area.display_name if area else area_code}"


def _uncached_reason(key: tuple[str, str]) -> str:
    return _(
        "%(indicator)s / %(area)s: this cell holds a formula without a calculated value, which would be "
        "read as empty; type the figure, or open the file in Excel or WPS and save it again."
    ) % {"indicator": key[0], "area": key[1]}


_ORDINARY_DIGITS = frozenset("0123456789０１２３４５６７８９")


def _lossy_reason(number: object, name: str, key: tuple[str, str]) -> str | None:
    """Why a number cell would silently change when read: a special digit (² would become 2, ①
    1), or a figure too small to survive the stored decimal places (1e-30 would become 0)."""
    if isinstance(number, str):
        odd = next((ch for ch in number if (ch.isdigit() or unicodedata.category(ch) == "No")
                    and ch not in _ORDINARY_DIGITS), None)  # fmt: skip
        if odd is not None:
            return _(
                "%(indicator)s / %(area)s: %(character)s is not an ordinary digit; type the number with the digits 0-9."
            ) % {"indicator": key[0], "area": key[1], "character": odd}
    try:
        parsed = parse_number(number)
    except NumberError:
        return None  # said when the entry is checked
    if parsed is None or parsed.number == 0:
        return None
    stored = DataValue._meta.get_field(name)
    assert isinstance(stored, models.DecimalField)  # value, numerator, denominator
    places = stored.decimal_places
    if abs(parsed.number) < Decimal(1).scaleb(-places) / 2:
        return _(
            "%(indicator)s / %(area)s: %(number)s is too small to keep (%(places)d decimal places are "
            "stored) and would be saved as 0."
        ) % {"indicator": key[0], "area": key[1], "number": display(number), "places": places}
    return None


def _problem_of(finding: Finding, sheet: _Sheet) -> Problem:
    """A finding from validation or saving, placed at its cell in the workbook."""
    location = finding.location
    if location not in sheet.shown:
        raw = sheet.rows.get((finding.indicator, finding.area))
        if raw is not None:  # e.g. a conflict, which names the value rather than a cell
            location = next(
                (raw.where[n] for n in ("value", "numerator") if raw.where[n] in sheet.shown), raw.where["row"]
            )
    sheet_name, _sep, cell = location.partition("!")
    about = sheet.about.get((finding.indicator, finding.area), "")
    if not cell:
        return Problem("", "", "", f"{location}: {finding.message}", about)
    return Problem(sheet_name, cell, sheet.shown.get(location, ""), finding.message, about)


# ----- the whole import -------------------------------------------------------------------------


def import_workbook(
    content: bytes, *, user: User | None, file_name: str, expect: Submission | None = None, plan: str | None = None
) -> ImportResult:
    """Validate the whole workbook; save its values as a draft through channel "excel" only if
    nothing is wrong. `user` None is the system (command line with --as-system). `expect`, when
    given, is the submission the file must belong to (the web page it was uploaded on); `plan`, when
    given, the code of the plan the template must name (`data import --plan CODE`)."""
    result = ImportResult()
    try:
        if problem := check_name(file_name):
            raise _Refused(problem)
        book, scan = _open(content)
        meta = _read_meta(book)
        if plan is not None and meta.plan != plan:
            raise _Refused(
                Problem(
                    reason=_("This template is for plan %(template)s, not for plan %(plan)s (--plan).")
                    % {"template": meta.plan, "plan": plan}
                )
            )
        submission = _submission_of(meta, expect)
        result.submission = submission
        _check_may_upload(user, submission)
        expected = expected_for(submission.round.plan, submission.round.year, submission.department)
        sheet = _read_sheet(
            book,
            meta,
            {i.code: i for i in expected.indicators},
            scan.uncached.get(DATA_SHEET, set()),
            {a.code: a for a in [expected.district, *expected.streets]},
        )
    except _Refused as refused:
        result.errors = refused.problems
        return result
    result.rows = len(sheet.cells)
    rules = current_rules()
    entries, findings, _catalogue = clean_cells(submission, sheet.cells, rules)
    errors = sheet.errors + [_problem_of(f, sheet) for f in findings if f.severity == "error"]
    if errors:
        result.errors = sorted(errors, key=Problem.sort_key)
        return result
    changed, untouched_notices = _touched(sheet, meta, entries, submission)
    try:
        saved = save_values(
            user,
            submission,
            changed,
            channel=Channel.EXCEL,
            seen_versions=sheet.seen_versions,
            upload=UploadedFile(name=file_name[:255], content=content),
            rules=rules,
        )
    except ValuesRejected as rejected:
        result.errors = sorted((_problem_of(f, sheet) for f in rejected.findings), key=Problem.sort_key)
        return result
    except PermissionDenied as exc:
        result.errors = [Problem(reason=str(exc) or _("Your role cannot do this."))]
        return result
    except CollectionError as exc:
        result.errors = [Problem(reason=str(exc))]
        return result
    result.created, result.updated, result.batch = saved.created, saved.updated, saved.batch
    result.unchanged = saved.unchanged + len(sheet.cells) - len(changed)
    notices = [_problem_of(f, sheet) for f in saved.notices] + untouched_notices
    result.notices = sheet.notices + sorted(notices, key=Problem.sort_key)
    return result


def _touched(sheet: _Sheet, meta: Meta, entries: list[Entry], submission: Submission) -> tuple[list, list]:
    """The rows the person changed since the download; the others are left out, so that a value
    someone else changed in the system meanwhile is kept rather than reported as a conflict.
    Templates of format 1.0 carry no fingerprints: all their rows count as changed."""
    if not meta.base:
        return sheet.cells, []
    by_key = {(e.indicator, e.area): e for e in entries}
    now = {(i, a): v for i, a, v in submission.values.values_list("indicator__code", "area__code", "version")}
    changed, notices = [], []
    for raw in sheet.cells:
        key = (raw.indicator, raw.area)
        entry = by_key.get(key)
        if entry is None or record_hash(entry.as_record()) != meta.base.get(key):
            changed.append(raw)
        elif now.get(key, 0) != meta.rows[key][1]:
            notices.append(
                Problem(DATA_SHEET, raw.where["row"].partition("!")[2], sheet.shown.get(raw.where["row"], ""),
                        _("changed in the system by someone else after this template was downloaded; "
                          "the newer value was kept (download the template again to see it)"),
                        sheet.about.get(key, ""))
            )  # fmt: skip
    return changed, notices
