"""Normalising whole columns at once: what `normalise.py` does per value, fast enough for lists of
a million rows.

Names, dates, sexes and areas repeat a lot, so each function works on a column's distinct values
(pyarrow's dictionary encoding) and spreads the results back; pypinyin is asked once per distinct
character, OpenCC once per batch of distinct names. ID numbers are nearly all distinct: those
already written as 18 clean characters are checked with numpy using the registry's own weights,
check characters and province codes (idnumber.py; tests/linkage/test_normalise.py checks they
agree with `parse_id_number`), and only the others (full-width, spaces, lower-case x, 15 digits,
damaged) go through `normalise.normalise_id` one by one.

The output is the matcher's input (matching.INPUT_COLUMNS).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from childfirst.linkage import normalise
from childfirst.linkage.headers import FIELDS
from childfirst.registry.children import idnumber

CANONICAL = FIELDS

_WEIGHTS = np.array(idnumber.WEIGHTS, dtype=np.int64)
_CHECK = np.frombuffer(idnumber.CHECK_CHARACTERS.encode(), dtype=np.uint8)
_PROVINCES = np.zeros(100, dtype=bool)
_PROVINCES[[int(code) for code in idnumber.PROVINCE_CODES]] = True
_MONTH_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _strings(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
        array = pc.cast(array, pa.string())
    return pc.cast(array, pa.string())


def map_distinct(column: pa.Array, function: Callable[[list[Any]], list[Any]], out_type: pa.DataType) -> pa.Array:
    """`function` applied to the distinct values of `column` (a list in, a list out), spread back."""
    encoded = pc.dictionary_encode(column)
    values = function(encoded.dictionary.to_pylist())
    return pa.array(values, type=out_type).take(encoded.indices)


def check_clean_ids(digits: np.ndarray, today: datetime.date) -> np.ndarray:
    """For an (n, 18) array of ASCII codes of [0-9]{17}[0-9X] numbers: which are valid, by the
    rules of idnumber.parse_id_number (province, real birth date from 1900 to today, check)."""
    numbers = digits[:, :17].astype(np.int64) - 48
    ok = _CHECK[(numbers @ _WEIGHTS) % 11] == digits[:, 17]
    ok &= _PROVINCES[numbers[:, 0] * 10 + numbers[:, 1]]
    year = numbers[:, 6] * 1000 + numbers[:, 7] * 100 + numbers[:, 8] * 10 + numbers[:, 9]
    month = numbers[:, 10] * 10 + numbers[:, 11]
    day = numbers[:, 12] * 10 + numbers[:, 13]
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_ok = (month >= 1) & (month <= 12)
    days = _MONTH_DAYS[np.where(month_ok, month, 0)] - ((month == 2) & ~leap)
    ok &= month_ok & (day >= 1) & (day <= days) & (year >= 1900)
    ok &= year * 10000 + month * 100 + day <= today.year * 10000 + today.month * 100 + today.day
    return ok


def normalise_ids(column: pa.Array, today: datetime.date | None = None) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(number: the valid 18-character number or null, digits: the cleaned characters or null,
    repaired: whether cleaning changed anything) for a column of ID numbers as given."""
    today = today or datetime.date.today()
    raw = _strings(column)
    n = len(raw)
    clean = pc.fill_null(pc.match_substring_regex(raw, r"^[0-9]{17}[0-9X]$"), False)
    clean_np = clean.to_numpy(zero_copy_only=False)
    number = np.empty(n, dtype=object)
    digits = np.empty(n, dtype=object)
    repaired = np.zeros(n, dtype=bool)
    if clean_np.any():
        clean_values = raw.filter(clean)
        packed = np.frombuffer(
            pc.binary_join(pa.array([clean_values], pa.list_(pa.string())), "")[0].as_buffer(), dtype=np.uint8
        )
        valid = check_clean_ids(packed.reshape(-1, 18), today)
        values = np.array(clean_values.to_pylist(), dtype=object)
        number[clean_np] = np.where(valid, values, np.array(None, dtype=object))
        digits[clean_np] = values
    other = ~clean_np & raw.is_valid().to_numpy(zero_copy_only=False)
    if other.any():
        positions = np.flatnonzero(other)
        keys = {value: normalise.normalise_id(value) for value in set(raw.take(positions).to_pylist())}
        for position, value in zip(positions, raw.take(positions).to_pylist(), strict=True):
            key = keys[value]
            number[position] = key.number
            digits[position] = key.digits or None
            repaired[position] = bool(key.repairs)
    return pa.array(number, pa.string()), pa.array(digits, pa.string()), pa.array(repaired)


def _names(values: list[str | None]) -> list[tuple[str, str, str, str] | None]:
    present = [v for v in values if v is not None and str(v).strip()]
    cleaned_text = normalise.to_simplified(
        "\n".join(normalise.names.normalise_name(str(v)).replace("\n", " ") for v in present)
    )
    cleaned = iter(cleaned_text.split("\n") if present else [])
    out: list[tuple[str, str, str, str] | None] = []
    for value in values:
        if value is None or not str(value).strip():
            out.append(None)
            continue
        name = next(cleaned)
        if normalise.CJK.search(name):
            name = "".join(name.split())
        surname, given = normalise.split_name(name)
        surname_pinyin = normalise.pinyin_of(surname, surname=True) if surname else ""
        out.append((name, surname_pinyin, normalise.pinyin_of(given), given))
    return out


def normalise_names(column: pa.Array) -> dict[str, pa.Array]:
    """name, pinyin, surname_pinyin, given_pinyin columns for a column of names."""
    encoded = pc.dictionary_encode(_strings(column))
    keys = _names(encoded.dictionary.to_pylist())
    indices = encoded.indices
    name = pa.array([k[0] if k else None for k in keys], pa.string()).take(indices)
    surname = pa.array([k[1] if k else None for k in keys], pa.string()).take(indices)
    given = pa.array([k[2] if k else None for k in keys], pa.string()).take(indices)
    pinyin = pa.array(
        [(" ".join(p for p in (k[1], k[2]) if p) or None) if k else None for k in keys], pa.string()
    ).take(indices)
    return {"name": name, "pinyin": pinyin, "surname_pinyin": surname, "given_pinyin": given}


def _dates(values: list[Any]) -> list[datetime.date | None]:
    out: list[datetime.date | None] = []
    for value in values:
        try:
            out.append(normalise.parse_date(value) if value is not None else None)
        except ValueError:
            out.append(None)
    return out


def normalise_dates(column: pa.Array) -> pa.Array:
    """A date32 column; values that are no date in a form we read become null."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_date(array.type) or pa.types.is_timestamp(array.type):
        return pc.cast(array, pa.date32())
    if pa.types.is_integer(array.type) or pa.types.is_floating(array.type):
        return map_distinct(array, _dates, pa.date32())
    return map_distinct(_strings(array), _dates, pa.date32())


def _map_scalar(function: Callable[[Any], str]) -> Callable[[list[Any]], list[str | None]]:
    def apply(values: list[Any]) -> list[str | None]:
        return [(function(v) or None) if v is not None else None for v in values]

    return apply


def prepare(table: pa.Table, today: datetime.date | None = None) -> pa.Table:
    """Raw rows keyed by canonical field names (missing columns are empty) → the matcher's input:
    record_id, id_number, id_digits, name, pinyin, surname_pinyin, given_pinyin, sex, birth_date,
    street, community, school, id_repaired. Sex and date of birth come from a valid ID number
    when the list has none."""
    n = table.num_rows

    def column(name: str) -> pa.Array:
        if name in table.column_names:
            col = table.column(name)
            return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        return pa.nulls(n, pa.string())

    number, digits, repaired = normalise_ids(column("id_number"), today)
    out: dict[str, pa.Array] = {
        "record_id": _strings(column("record_id")),
        "id_number": number,
        "id_digits": digits,
    }
    out.update(normalise_names(column("name")))
    sex = map_distinct(_strings(column("sex")), _map_scalar(normalise.normalise_sex), pa.string())
    from_id = pc.if_else(
        pc.equal(pc.bit_wise_and(pc.cast(pc.utf8_slice_codeunits(number, 16, 17), pa.int8()), 1), 1), "M", "F"
    )
    out["sex"] = pc.coalesce(sex, from_id)
    birth = normalise_dates(column("birth_date"))
    birth_from_id = pc.cast(
        pc.strptime(pc.utf8_slice_codeunits(number, 6, 14), "%Y%m%d", "s", error_is_null=True), pa.date32()
    )
    out["birth_date"] = pc.coalesce(birth, birth_from_id)
    for name in ("street", "community"):
        out[name] = map_distinct(_strings(column(name)), _map_scalar(normalise.normalise_area), pa.string())
    out["school"] = map_distinct(_strings(column("school")), _map_scalar(normalise.normalise_text), pa.string())
    out["id_repaired"] = repaired
    return pa.table(out)
