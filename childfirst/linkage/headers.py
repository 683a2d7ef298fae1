"""Recognising a department list's columns by their headers (data/headers.yaml).

Headers are compared after NFKC (full-width forms half-width), with spaces, asterisks and
bracketed notes dropped ("身份证号（必填）", "* 姓名", "出生日期(yyyy-mm-dd)"), so the usual
variations of one name need no entry of their own.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pydantic
from django.utils.translation import gettext as _

from childfirst.datafile import DataFile

HEADERS_FILE = Path(__file__).parent / "data" / "headers.yaml"
FIELDS = (
    "record_id",
    "id_number",
    "name",
    "sex",
    "birth_date",
    "address",
    "street",
    "community",
    "school",
    "guardian_name",
    "guardian_id_number",
    "event_date",
)
# A list must have one of these to be linked at all.
REQUIRED_ANY = ("id_number", "name")
_NOTE = re.compile(r"[(（\[【<《].*?[)）\]】>》]")
_DROP = re.compile(r"[\s*＊:：_\-]+")


class HeaderFile(pydantic.RootModel[dict[str, list[str]]]):
    @pydantic.model_validator(mode="after")
    def _known_fields(self) -> HeaderFile:
        unknown = sorted(set(self.root) - set(FIELDS))
        if unknown:
            raise ValueError(_("unknown fields: %(fields)s") % {"fields": ", ".join(unknown)})
        return self


class HeaderError(ValueError):
    """No usable columns: the message (in the active language) names the columns found and
    those expected."""


def header_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = _NOTE.sub("", text)
    return _DROP.sub("", text).lower()


@functools.cache
def synonyms(path: Path = HEADERS_FILE) -> dict[str, str]:
    """Header key → canonical field, from the data file."""
    spec = DataFile.read(path).validate(HeaderFile)
    out: dict[str, str] = {}
    for field_name, names in spec.root.items():
        for name in [field_name, *names]:
            out.setdefault(header_key(name), field_name)
    return out


@dataclass(frozen=True)
class HeaderMap:
    """Canonical field → column index, and the headers as found."""

    columns: dict[str, int]
    headers: tuple[str, ...]

    def get(self, row: Sequence[object]) -> dict[str, object]:
        """One row's values by canonical field."""
        return {name: (row[index] if index < len(row) else None) for name, index in self.columns.items()}


def expected_names() -> str:
    by_field: dict[str, list[str]] = {}
    path = HEADERS_FILE
    for name, names in DataFile.read(path).validate(HeaderFile).root.items():
        by_field[name] = names[:3]
    return "、".join(n for names in by_field.values() for n in names)


def recognise_headers(headers: Sequence[object], extra: Mapping[str, str] | None = None) -> HeaderMap:
    """Map a file's headers to canonical fields. `extra` maps a source's own header names to
    fields (it wins over the common names). The first column with a field's name gets it.
    HeaderError when neither an ID number nor a name column is among them."""
    known = dict(synonyms())
    for name, field_name in (extra or {}).items():
        if field_name not in FIELDS:
            raise HeaderError(_("Unknown field %(field)s in the column mapping.") % {"field": field_name})
        known[header_key(name)] = field_name
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        found_field = known.get(header_key(str(header or "")))
        if found_field and found_field not in columns:
            columns[found_field] = index
    found = tuple(str(h or "").strip() for h in headers)
    if not any(name in columns for name in REQUIRED_ANY):
        raise HeaderError(
            _("The columns were not recognised. Columns found: %(found)s. Expected columns such as: %(expected)s.")
            % {"found": "、".join(h for h in found if h) or _("(none)"), "expected": expected_names()}
        )
    return HeaderMap(columns, found)
