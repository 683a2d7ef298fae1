"""Spreadsheet cells that stay data: every CSV and XLSX the product writes goes through here.

A text that starts with = + - @ (or a tab or carriage return) is read by Excel, WPS and LibreOffice
as a formula when the file is opened: a child named `=HYPERLINK("http://evil/","a")` in an export
would become a live link, a comment typed into the data API a formula in the template colleagues
download. So (OWASP, "CSV injection"):

- in CSV such a text gets a leading single quote, which spreadsheets show as text;
- in XLSX it is written as a string cell (never a formula) with the "quote prefix" style, so that
  editing the cell in Excel keeps it text; its content is unchanged, so a template round trip
  reads back exactly what was written.

Numbers stay numbers: int, float and Decimal are left alone, and so is a text that is a plain
number (a negative figure, "-5" or "-1.5E+3", is not a formula).

Imports no app: every layer may use it (tests/layers/test_layers.py, SHARED).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def is_dangerous(value: object) -> bool:
    """Whether a spreadsheet would read `value` as a formula: a text starting with one of
    FORMULA_START that is not a plain number."""
    return isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.match(value)


def csv_cell(value: object) -> object:
    """`value` as a CSV cell: a dangerous text prefixed with a single quote, anything else as is
    (the csv module writes None as empty and numbers with str())."""
    if is_dangerous(value):
        return "'" + str(value)
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    return [csv_cell(v) for v in values]


class _Writable(Protocol):
    def write(self, text: str, /) -> object: ...


class SafeCsvWriter:
    """csv.writer whose every cell goes through csv_cell.

    With "\n" as line end the csv module leaves a carriage return inside a cell unquoted, which
    spreadsheets take as the end of the row: such a row is written with every cell quoted."""

    def __init__(self, out: _Writable, **options: Any):
        self._writer = csv.writer(out, **options)
        self._quoted = csv.writer(out, **{**options, "quoting": csv.QUOTE_ALL})
        self._bare_cr = "\r" not in options.get("lineterminator", "\r\n")

    def writerow(self, row: Iterable[object]) -> object:
        cells = csv_row(row)
        if self._bare_cr and any(isinstance(c, str) and "\r" in c for c in cells):
            return self._quoted.writerow(cells)
        return self._writer.writerow(cells)

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: _Writable, **options: Any) -> SafeCsvWriter:
    """Use instead of csv.writer for every file people open in a spreadsheet."""
    return SafeCsvWriter(out, **options)


def put_cell(sheet: Any, row: int, column: int, value: object) -> Any:
    """Write `value` to an openpyxl sheet's cell as data, never as a formula; return the cell.

    openpyxl turns any text starting with "=" into a formula: here it stays a string cell. A text
    starting with another formula character is already stored as a string, but gets the quote
    prefix too so that Excel does not turn it into a formula when someone edits the cell."""
    cell = sheet.cell(row, column)
    cell.value = value
    if is_dangerous(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def append_row(sheet: Any, values: Iterable[object]) -> None:
    """openpyxl's sheet.append, with no text turned into a formula (as put_cell)."""
    values = list(values)
    sheet.append(values)
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if is_dangerous(value):
            put_cell(sheet, row, column, value)
