"""The check that keeps a child's personal data out of what the office may publish (a good practice's
title and text): a resident ID number, or the name of a child on the children's information platform.

ID numbers are recognised here (GB 11643: 18 characters, or 15 digits for an old number). Names are
the registry's to know, and the registry lies above this app: it offers its check at start-up
(`register_personal_data_check` in RegistryConfig.ready), as it offers counts to collection through
`collection.prefill`, so this app never imports it and runs without it.

Errors say what was found and where ("paragraph 2 contains an ID number"), never the number or name
itself: the message is shown on the page, and what it would repeat is what must not be kept."""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _

# A check takes the texts and answers the indexes of those that hold what it looks for.
PersonalDataCheck = Callable[[Sequence[str]], set[int]]
# key → (check, what it finds, as the error says it: "the name of a registered child").
PERSONAL_DATA_CHECKS: dict[str, tuple[PersonalDataCheck, str | Promise]] = {}

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
# First two digits of GB/T 2260 codes (provinces; 81–83 for Hong Kong, Macao and Taiwan residents).
PROVINCE_CODES = frozenset(
    str(code)
    for code in (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46)
    + (50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83)
)
# A run of digits, possibly written in groups ("1101 0520 1501 0112 34", "110105-2015…"), ending in a
# digit or X; not part of a longer run of letters or digits.
_NUMBER_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9](?:[ \-]?[0-9]){13,16}(?:[ \-]?[0-9Xx])?(?![0-9A-Za-z])")


def register_personal_data_check(key: str, check: PersonalDataCheck, what: str | Promise) -> None:
    """Add a check; call it from the offering app's AppConfig.ready(). The same key again replaces it."""
    PERSONAL_DATA_CHECKS[key] = (check, what)


def _check_character(first17: str) -> str:
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return year >= 1900


def id_number_kind(candidate: str) -> str:
    """ "valid" for an ID number with a correct check character, "likely" for 18 characters with a
    province code and a real date of birth whose check character is wrong (a mistyped number still
    points at one person), "old" for a 15-digit number with a province code and a real date, "" else.

    Decision: all three are refused. Eighteen digits without a province code or a real date (an order
    or account number) pass."""
    number = candidate.replace(" ", "").replace("-", "").upper()
    if number[:2] not in PROVINCE_CODES:
        return ""
    if len(number) == 18 and number[:17].isdigit():
        if not _real_date(int(number[6:10]), int(number[10:12]), int(number[12:14])):
            return ""
        return "valid" if _check_character(number[:17]) == number[17] else "likely"
    if len(number) == 15 and number.isdigit():
        return "old" if _real_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12])) else ""
    return ""


def holds_id_number(text: str) -> bool:
    plain = unicodedata.normalize("NFKC", text)  # full-width digits count as digits
    return any(id_number_kind(match.group()) for match in _NUMBER_RUN.finditer(plain))


@dataclass(frozen=True)
class Part:
    """A piece of what was submitted and how the error names it ("the title", "paragraph 2")."""

    where: str
    text: str


def parts_of(title: str, text: str) -> list[Part]:
    """The title, then each non-empty line of the text as a numbered paragraph."""
    parts = [Part(_("The title"), title)]
    paragraphs = [line for line in text.splitlines() if line.strip()]
    parts += [Part(_("Paragraph %(number)d") % {"number": n}, line) for n, line in enumerate(paragraphs, start=1)]
    return parts


def find_personal_data(parts: Sequence[Part]) -> list[str]:
    """One message per part and kind of personal data found, in the parts' order; empty when none."""
    found: dict[int, list[str]] = {}
    for index, part in enumerate(parts):
        if holds_id_number(part.text):
            found.setdefault(index, []).append(str(_("an ID number")))
    texts = [part.text for part in parts]
    for check, what in PERSONAL_DATA_CHECKS.values():
        for index in sorted(check(texts)):
            found.setdefault(index, []).append(str(what))
    return [
        _("%(where)s contains %(what)s: remove it and submit again.")
        % {"where": parts[index].where, "what": _(" and ").join(whats)}
        for index, whats in sorted(found.items())
    ]
