"""Comparing two lists without the database (`childfirst linkage pair`, and the office's upload of two
lists): read, recognise the columns, normalise, link, decide, write LINKS.csv."""

from __future__ import annotations

import datetime
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from django.utils.translation import gettext as _

from childfirst.linkage import columns, matching, normalise
from childfirst.linkage.headers import HeaderError, header_key, recognise_headers
from childfirst.linkage.reading import ListFile, ListFileError, read_list
from childfirst.spreadsheet import csv_writer

LINKS_HEADER = ("left_id", "right_id", "match_probability", "decision")
DATE_FIELDS = ("birth_date", "event_date")


@dataclass
class PairResult:
    left_rows: int
    right_rows: int
    matches: int
    reviews: int
    rows: list[tuple[str, str, float, str]]


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def list_table(listing: ListFile, id_column: str | None = None, extra: Mapping[str, str] | None = None) -> pa.Table:
    """The list's rows keyed by canonical field (strings), record_id from the first column or the
    one named. ListFileError naming file, row and column for a missing or repeated id or an
    unreadable date."""
    try:
        header_map = recognise_headers(listing.headers, extra)
    except HeaderError as error:
        raise ListFileError(f"{listing.name}: {error}") from None
    id_index = 0
    if id_column is not None:
        keys = [header_key(h) for h in listing.headers]
        if header_key(id_column) not in keys:
            raise ListFileError(
                _("%(file)s: there is no column %(column)s for the record ids.")
                % {"file": listing.name, "column": id_column}
            )
        id_index = keys.index(header_key(id_column))
    id_header = listing.headers[id_index] if listing.headers else ""
    fields = [name for name in header_map.columns if name != "record_id"]
    data: dict[str, list[str | None]] = {name: [] for name in (*fields, "record_id")}
    seen: dict[str, int] = {}
    problems: dict[object, str] = {}  # per distinct date value: "" or why it is no date
    for number, row in listing.rows:
        values = header_map.get(row)
        record_id = _text(row[id_index] if id_index < len(row) else None)
        if record_id is None:
            raise ListFileError(
                _("%(file)s, row %(row)s, column %(column)s: the record id is empty.")
                % {"file": listing.name, "row": number, "column": id_header}
            )
        if record_id in seen:
            raise ListFileError(
                _("%(file)s, row %(row)s, column %(column)s: the record id repeats row %(first)s.")
                % {"file": listing.name, "row": number, "column": id_header, "first": seen[record_id]}
            )
        seen[record_id] = number
        for name in DATE_FIELDS:
            value = values.get(name)
            if _text(value) is None or isinstance(value, datetime.date):
                continue
            if value not in problems:
                try:
                    normalise.parse_date(value)
                    problems[value] = ""
                except ValueError as error:
                    problems[value] = str(error)
            if problems[value]:
                raise ListFileError(
                    _("%(file)s, row %(row)s, column %(column)s: %(reason)s")
                    % {
                        "file": listing.name,
                        "row": number,
                        "column": listing.headers[header_map.columns[name]],
                        "reason": problems[value],
                    }
                )
        for name in fields:
            data[name].append(_text(values.get(name)))
        data["record_id"].append(record_id)
    return pa.table({name: pa.array(values, pa.string()) for name, values in data.items()})


def pair_files(
    left_path: Path | str, right_path: Path | str, *, id_column: str | None = None, today: datetime.date | None = None
) -> PairResult:
    left = columns.prepare(list_table(read_list(left_path, recognise_headers), id_column), today)
    right = columns.prepare(list_table(read_list(right_path, recognise_headers), id_column), today)
    pairs = matching.link(left, right)
    rows = [
        (pair.left_id, pair.right_id, round(pair.probability, 4), decision)
        for pair, decision in matching.decisions(pairs)
    ]
    rows.sort(key=lambda row: (row[3] != "match", row[1], -row[2]))
    matches = sum(1 for row in rows if row[3] == "match")
    return PairResult(left.num_rows, right.num_rows, matches, len(rows) - matches, rows)


def write_links(result: PairResult, out: Path | str) -> None:
    """LINKS.csv (UTF-8 with BOM, so Excel shows Chinese ids), written whole or not at all."""
    out = Path(out)
    handle, temporary = tempfile.mkstemp(dir=out.parent or ".", prefix=".links-", suffix=".csv")
    try:
        with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as stream:
            writer = csv_writer(stream)
            writer.writerow(LINKS_HEADER)
            writer.writerows(result.rows)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
