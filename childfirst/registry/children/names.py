"""Names: one normal form for storing and comparing, and the pinyin keys they are searched by.

Workers search by name in characters, in full pinyin ("zhangxiaoming") or by initials ("zxm").
pypinyin reads characters as in ordinary words, which gets many surnames wrong (曾 is zēng as a
surname, not céng; 单 shàn, 解 xiè, 区 ōu, 仇 qiú …), and it has no surname mode, so the
surname readings are a table here. A name is indexed under both readings when they differ, so
whichever a worker types finds the child.

Traditional characters are not converted to simplified (that needs OpenCC, which is not
installed): a name entered in traditional characters is found by the same characters only,
but its pinyin keys are the same, so a pinyin search finds it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import cast

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Surnames whose reading differs from the everyday one, syllables separated by spaces
# (compound surnames first: they are matched on the first two characters).
SURNAME_READINGS: dict[str, str] = {
    "尉迟": "yu chi",
    "万俟": "mo qi",
    "单于": "chan yu",
    "长孙": "zhang sun",
    "令狐": "ling hu",
    "澹台": "tan tai",
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "区": "ou",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "乐": "yue",
    "覃": "qin",
    "翟": "zhai",
    "盖": "ge",
    "缪": "miao",
    "种": "chong",
    "员": "yun",
    "谌": "chen",
    "繁": "po",
    "召": "shao",
    "黑": "he",
    "秘": "bi",
    "隗": "wei",
    "句": "gou",
    "尉": "yu",
    "柏": "bai",
    "薄": "bo",
    "卜": "bu",
    "过": "guo",
    "冼": "xian",
    "纪": "ji",
    "任": "ren",
    "华": "hua",
    "宁": "ning",
    "沈": "shen",
    "石": "shi",
    "车": "che",
    "都": "du",
    "贾": "jia",
    "折": "she",
    "阚": "kan",
    "燕": "yan",
    "葛": "ge",
    "藏": "zang",
    "臧": "zang",
    "能": "nai",
    "角": "jue",
    "郇": "huan",
    "应": "ying",
    "传": "chuan",
}
# Separators in names of ethnic minorities (买买提·艾力) typed in several look-alike ways.
MIDDLE_DOTS = "•・‧∙⋅．.·"


# Invisible characters that change how text around them is shown (bidirectional controls:
# U+200E/F, U+202A–202E, U+2066–2069): in a name they can make it display as another name.
BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_name(raw: str) -> None:
    """Refuse a name with control characters (NUL, line breaks, tabs …) or bidirectional
    controls: ValidationError. The one check for the web forms (NameField) and the API."""
    if any(ch in BIDI_CONTROLS or unicodedata.category(ch) == "Cc" for ch in raw or ""):
        raise ValidationError(
            _("The name contains invisible control characters (such as text-direction marks); type it again.")
        )


def normalise_name(raw: str) -> str:
    """Full-width letters and digits made half-width (NFKC), spaces trimmed and collapsed (and
    dropped between Chinese characters: "张 三" is 张三), the middle dot made one character."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join("·" if ch in MIDDLE_DOTS else ch for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])", "", text)
    return text


@functools.lru_cache(maxsize=8192)
def _reading(character: str) -> str:
    """The everyday reading of one character, lower-case letters only ("" for punctuation)."""
    # Imported here: its phrase dictionary costs ~0.2 s, which every process start (a console
    # command, a server) would pay although most never read a name.
    from pypinyin import Style, lazy_pinyin

    # pypinyin's stub types `errors` as returning str; its docs (and the converter) take a list too.
    keep = cast("Callable[[str], str]", lambda chars: [chars])
    syllable = lazy_pinyin(character, style=Style.NORMAL, errors=keep)[0]
    return "".join(ch for ch in syllable.lower() if ch.isascii() and ch.isalpha())


def _syllables(text: str) -> list[str]:
    """Lower-case syllables of the Chinese characters of `text`, and its runs of Latin letters
    as one syllable each (other characters dropped). Character by character: a name is not a
    word, so pypinyin's phrase readings do not apply to it (and reading per character, cached,
    is what makes indexing 20,000 names take well under a second)."""
    out: list[str] = []
    for run in re.findall(r"[\u3400-\u9fff]|[A-Za-z]+", text):
        syllable = _reading(run) if len(run) == 1 and not run.isascii() else run.lower()
        if syllable:
            out.append(syllable)
    return out


def pinyin_readings(name: str) -> list[list[str]]:
    """The readings of `name` as syllable lists: the surname's reading first, then the everyday one."""
    name = normalise_name(name)
    everyday = _syllables(name)
    readings = []
    for length in (2, 1):
        surname = name[:length]
        if len(surname) == length and surname in SURNAME_READINGS:
            rest = _syllables(name[length:])
            readings.append([*SURNAME_READINGS[surname].split(), *rest])
            break
    if everyday not in readings:
        readings.append(everyday)
    # ü is typed as v or u: index both.
    for reading in list(readings):
        if any("v" in syllable for syllable in reading):
            variant = [syllable.replace("v", "u") for syllable in reading]
            if variant not in readings:
                readings.append(variant)
    return [reading for reading in readings if reading]


def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin readings, initials readings), each space-separated: ("zengxm cengxm", "zxm cxm")."""
    readings = pinyin_readings(name)
    full = list(dict.fromkeys("".join(reading) for reading in readings))
    initials = list(dict.fromkeys("".join(syllable[0] for syllable in reading) for reading in readings))
    return " ".join(full), " ".join(initials)


# Ends every syllable of a sort key. Compared syllable by syllable, "chen" (陈) must come before
# "cheng" (程) whatever follows; a space would do in C collation but locale collations
# (PostgreSQL's en_US, zh_CN) skip spaces and punctuation, while digits count and sort before letters.
SYLLABLE_END = "0"

# The name a file records for a child whose name nobody knows (a foundling), until it is known.
UNKNOWN_NAME = "不详"
# What reporters write for a name they do not know. Such a "name" names nobody: it is stored as
# no name, and the matcher and name searches never compare it with a child's name.
UNKNOWN_NAME_WORDS = frozenset({"不详", "不明", "未知", "无名", "无名氏", "不知道", "不清楚", "unknown", "?", "？"})


def is_unknown_name(name: str) -> bool:
    """True for an empty name and for the words reporters use for a name they do not know."""
    text = normalise_name(name).lower()
    return not text or text in UNKNOWN_NAME_WORDS


def sort_key(name: str) -> str:
    """The key child lists are ordered by: the surname's reading, then the given name's, syllable
    by syllable ("chen0an0" for 陈安 before "cheng0an0" for 程安), so all 陈 come before all 程.
    Concatenated pinyin ("chenan", "chengan") interleaves them on the letter after "chen"."""
    readings = pinyin_readings(name)
    return "".join(f"{syllable}{SYLLABLE_END}" for syllable in readings[0]) if readings else ""


def pinyin_query(text: str) -> str:
    """A search term reduced to lower-case ASCII letters ("Zhang Xiaoming" → "zhangxiaoming");
    empty when the term holds anything but letters, spaces and apostrophes."""
    cleaned = unicodedata.normalize("NFKC", text).strip().lower()
    if not cleaned or not re.fullmatch(r"[a-zü' ]+", cleaned):
        return ""
    return re.sub(r"[ ']", "", cleaned).replace("ü", "v")
