"""Normalising department lists' values so that two lists compare: names, dates, ID numbers, sex.

Pure functions, no ORM. Each scalar function here is the reference for one field; `columns.py`
does the same over whole columns (per distinct value, so a million rows cost what their few
hundred thousand distinct names cost) and is tested to agree with these.

Reasons in errors and problem lists are gettext messages naming the field and what is wrong,
never the value: they end up in import reports and logs.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

import opencc
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from childfirst.registry.children import idnumber, names

# Compound surnames (复姓): the surname is the first two characters when they are one of these.
# The registry's surname readings (names.SURNAME_READINGS) hold those read unusually; this is
# the list of all common ones, read as usual or not.
COMPOUND_SURNAMES = frozenset(
    (
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "钟离",
        "端木",
        "澹台",
        "万俟",
        "单于",
        "呼延",
        "南宫",
        "西门",
        "独孤",
        "百里",
        "东郭",
        "太史",
        "申屠",
        "闻人",
        "公羊",
        "赫连",
        "濮阳",
        "淳于",
        "第五",
        "公冶",
        "拓跋",
        "仲孙",
        "鲜于",
        "闾丘",
        "司空",
        "亓官",
        "司寇",
        "子车",
        "颛孙",
        "壤驷",
        "公良",
        "漆雕",
        "乐正",
        "宰父",
        "谷梁",
        "左丘",
        "东门",
        "梁丘",
        "公西",
        "巫马",
        "羊舌",
        "微生",
        "南门",
        "呼衍",
        "段干",
        "东乡",
    )
)
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters made simplified (OpenCC's t2s tables); anything else unchanged."""
    return _t2s().convert(text) if text else text


def clean_name(raw: object) -> str:
    """The registry's normal form of a name (NFKC: full-width letters half-width, NBSP and the
    ideographic space made spaces; the middle dot one character) with every space dropped when
    the name has a Chinese character ("张 三", "张　三" are 张三), and traditional → simplified."""
    text = names.normalise_name("" if raw is None else str(raw))
    if CJK.search(text):
        text = re.sub(r"\s+", "", text)
    return to_simplified(text)


@functools.lru_cache(maxsize=65536)
def syllable(character: str) -> str:
    """One character's toneless reading, as the registry reads it (homophones read alike)."""
    return names._reading(character)  # the registry's cached per-character reading


def split_name(name: str) -> tuple[str, str]:
    """(surname, given name) of a cleaned name: a compound surname when the name starts with
    one and has a given name after it; the part before a middle dot is the given name of an
    ethnic-minority name (买买提·艾力), which has no surname."""
    if "·" in name or not CJK.match(name):
        return "", name
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


def pinyin_of(text: str, *, surname: bool = False) -> str:
    """Toneless syllables separated by spaces; a surname read as a surname (曾 zeng, 单 shan)."""
    if surname and text in names.SURNAME_READINGS:
        return names.SURNAME_READINGS[text]
    out = []
    for run in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]|[A-Za-z]+", text):
        reading = syllable(run) if CJK.match(run) else run.lower()
        if reading:
            out.append(reading)
    return " ".join(out)


@dataclass(frozen=True)
class NameKey:
    """A name's comparable forms: `name` simplified without spaces; `pinyin` its toneless
    syllables separated by spaces (伟/玮, 婷/亭 read alike); `surname` and `given` in characters,
    `surname_pinyin` and `given_pinyin` their readings."""

    name: str
    pinyin: str
    surname: str
    given: str
    surname_pinyin: str = ""
    given_pinyin: str = ""


def normalise_name(raw: object) -> NameKey:
    name = clean_name(raw)
    surname, given = split_name(name)
    surname_pinyin = pinyin_of(surname, surname=True) if surname else ""
    given_pinyin = pinyin_of(given)
    pinyin = " ".join(part for part in (surname_pinyin, given_pinyin) if part)
    return NameKey(name, pinyin, surname, given, surname_pinyin, given_pinyin)


# -- dates -----------------------------------------------------------------------------------

EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year bug included)
# Serial numbers taken as dates: 1900-01-01 … 2173-10-14; larger integers are read as YYYYMMDD.
EXCEL_SERIAL_MAX = 99999
_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_YM = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"\d{1,5}(\.\d*)?")
# A time after the date, as exports from other systems write it ("2015-03-04 00:00:00").
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def _from_serial(serial: float) -> datetime.date:
    if not 1 <= serial <= EXCEL_SERIAL_MAX:
        raise ValueError(_("The number is not an Excel date."))
    return EXCEL_EPOCH + datetime.timedelta(days=int(serial))


def _ymd(year: str, month: str, day: str) -> datetime.date:
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(_("The month or day is out of range.")) from None


def parse_date(raw: object) -> datetime.date:
    """A date in any form department lists use: 2015-03-04, 2015/3/4, 2015.3.4, 20150304,
    2015年3月4日, 2015年03月 (the first of the month), an Excel serial number (as a number or a
    text), a date or datetime. ValueError with a translatable reason otherwise."""
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, bool) or raw is None:
        raise ValueError(_("The date is empty."))
    if isinstance(raw, int | float):
        if isinstance(raw, int) and 10000101 <= raw <= 99991231:
            return parse_date(str(raw))
        return _from_serial(raw)
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if not text:
        raise ValueError(_("The date is empty."))
    text = _TIME.sub("", text)
    if match := _YMD.fullmatch(text):
        return _ymd(*match.groups())
    if match := _COMPACT.fullmatch(text):
        return _ymd(*match.groups())
    if match := _YM.fullmatch(text):
        return _ymd(match.group(1), match.group(2), "1")
    if _SERIAL.fullmatch(text):
        return _from_serial(float(text))
    raise ValueError(_("The date is not in a form we read (such as 2015-03-04 or 2015年3月4日)."))


# -- ID numbers ------------------------------------------------------------------------------

_FULL_WIDTH = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


@dataclass(frozen=True)
class IdKey:
    """An ID number as given and as checked: `number` the valid 18-character number (a 15-digit
    one converted) or None; `digits` the cleaned characters as given (half-width, no spaces,
    upper-case X), for comparing a damaged number; `repairs` what cleaning changed:
    full_width, lower_x, spaces, converted_15."""

    number: str | None
    digits: str
    valid: bool
    repairs: tuple[str, ...] = ()


def normalise_id(raw: object) -> IdKey:
    text = "" if raw is None else str(raw)
    repairs = []
    if _FULL_WIDTH.search(text):
        repairs.append("full_width")
    if "x" in text or "ｘ" in text:
        repairs.append("lower_x")
    if any(ch.isspace() or ch == "-" for ch in text.strip()):
        repairs.append("spaces")
    digits = idnumber.clean_characters(text)
    if not digits:
        return IdKey(None, "", False)
    try:
        number = idnumber.parse_id_number(digits).number
    except ValidationError:
        return IdKey(None, digits, False, tuple(repairs))
    if len(digits) == 15:
        repairs.append("converted_15")
    return IdKey(number, number, True, tuple(repairs))


# -- sex ------------------------------------------------------------------------------------

SEX_VALUES = {
    "男": "M",
    "女": "F",
    "1": "M",
    "2": "F",
    "M": "M",
    "F": "F",
    "MALE": "M",
    "FEMALE": "F",
    "男性": "M",
    "女性": "F",
}


def normalise_sex(raw: object, id_key: IdKey | None = None) -> str:
    """ "M", "F" or "" (unknown): 男/女, 1/2 (GB/T 2261.1), M/F, male/female; when the value says
    nothing, the sex a valid ID number encodes (the parity of digit 17)."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw)).strip().upper()
    if text.endswith(".0"):  # 1.0 from a spreadsheet's number cell
        text = text[:-2]
    sex = SEX_VALUES.get(text, "")
    if not sex and id_key is not None and id_key.number:
        sex = "M" if int(id_key.number[16]) % 2 else "F"
    return sex


# -- areas and other text ---------------------------------------------------------------------

# Suffixes an area name is written with or without (东风街道 / 东风街道办事处 / 东风).
AREA_SUFFIXES = (
    "街道办事处",
    "街道办",
    "街道",
    "社区居委会",
    "社区居民委员会",
    "居民委员会",
    "村民委员会",
    "村委会",
    "居委会",
)


def normalise_text(raw: object) -> str:
    """NFKC, simplified, every space dropped: for addresses, schools."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw))
    return to_simplified(re.sub(r"\s+", "", text))


def normalise_area(raw: object) -> str:
    """An area name or code without spaces, simplified, without the office suffixes."""
    text = normalise_text(raw)
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    for suffix in AREA_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)] + ("社区" if "社区" in suffix else "")
    return text


# -- rows -----------------------------------------------------------------------------------


@dataclass
class NormalisedRow:
    """One row's normalised values. `repaired` names the fields cleaning changed (full-width
    digits, spaces, traditional characters, a 15-digit ID number …); `problems` lists
    (field, reason) for values that could not be read, which are then None/empty."""

    record_id: str = ""
    id_number: IdKey = field(default_factory=lambda: IdKey(None, "", False))
    name: NameKey | None = None
    sex: str = ""
    birth_date: datetime.date | None = None
    address: str = ""
    street: str = ""
    community: str = ""
    school: str = ""
    guardian_name: NameKey | None = None
    guardian_id_number: IdKey = field(default_factory=lambda: IdKey(None, "", False))
    event_date: datetime.date | None = None
    repaired: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _id_field(row: NormalisedRow, name: str, raw: object) -> IdKey:
    key = normalise_id(raw)
    if key.repairs:
        row.repaired.append(name)
    if key.digits and not key.valid:
        row.problems.append((name, _("The ID number is not valid (length, date or check character).")))
    return key


def _name_field(row: NormalisedRow, name: str, raw: object) -> NameKey | None:
    if _blank(raw):
        return None
    key = normalise_name(raw)
    if key.name != str(raw).strip():
        row.repaired.append(name)
    return key


def _date_field(row: NormalisedRow, name: str, raw: object) -> datetime.date | None:
    if _blank(raw):
        return None
    try:
        return parse_date(raw)
    except ValueError as error:
        row.problems.append((name, str(error)))
        return None


def normalise_row(row: Mapping[str, object]) -> NormalisedRow:
    """A row keyed by canonical field names (FIELDS; others ignored), normalised. The sex and date
    of birth a valid ID number encodes fill those fields when they are empty."""
    out = NormalisedRow()
    raw_id = row.get("record_id")
    out.record_id = "" if raw_id is None else unicodedata.normalize("NFKC", str(raw_id)).strip()
    out.id_number = _id_field(out, "id_number", row.get("id_number"))
    out.guardian_id_number = _id_field(out, "guardian_id_number", row.get("guardian_id_number"))
    out.name = _name_field(out, "name", row.get("name"))
    out.guardian_name = _name_field(out, "guardian_name", row.get("guardian_name"))
    raw_sex = row.get("sex")
    out.sex = normalise_sex(raw_sex, out.id_number)
    if not _blank(raw_sex) and not normalise_sex(raw_sex):
        out.problems.append(("sex", _("The sex is not one of 男, 女, 1, 2, M, F.")))
    out.birth_date = _date_field(out, "birth_date", row.get("birth_date"))
    if out.birth_date is None and out.id_number.number and "birth_date" not in dict(out.problems):
        out.birth_date = idnumber.parse_id_number(out.id_number.number).birth_date
    out.event_date = _date_field(out, "event_date", row.get("event_date"))
    for name in ("address", "school"):
        raw = row.get(name)
        value = normalise_text(raw)
        if value != ("" if raw is None else str(raw)).strip():
            out.repaired.append(name)
        setattr(out, name, value)
    out.street = normalise_area(row.get("street"))
    out.community = normalise_area(row.get("community"))
    return out
