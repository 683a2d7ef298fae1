"""Reading numbers as people type them into forms and spreadsheets.

Handles full-width digits and signs (NFKC), stray and ideographic spaces, thousands
separators, a trailing % or ‰, and Excel's floats. A value that is not a number raises
NumberError with the reason, which callers place at the cell or field it came from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u3000]+")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
MAX_ABS = Decimal("1e14")  # larger than any count or rate this system holds; catches pasted IDs


class NumberError(ValueError):
    pass


@dataclass(frozen=True)
class ParsedNumber:
    number: Decimal
    sign: str = ""  # "%" or "‰" when the person typed one


def parse_number(raw: object) -> ParsedNumber | None:
    """None for an empty cell; the number otherwise; NumberError when it is not one."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise NumberError(_("TRUE/FALSE is not a number"))
    if isinstance(raw, int | float | Decimal):
        number = Decimal(str(raw))
        if not number.is_finite():
            raise NumberError(_("not a finite number"))
        return _checked(ParsedNumber(number))
    text = unicodedata.normalize("NFKC", str(raw))
    text = _SPACES.sub("", text)
    if text in ("", "-", "—", "/"):
        return None
    sign = ""
    if text[-1] in "%‰":
        sign, text = text[-1], text[:-1]
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    if not _PLAIN.match(text):
        raise NumberError(_("%(text)s is not a number") % {"text": str(raw).strip()[:40]})
    try:
        return _checked(ParsedNumber(Decimal(text), sign))
    except InvalidOperation:
        raise NumberError(_("%(text)s is not a number") % {"text": str(raw).strip()[:40]}) from None


def _checked(parsed: ParsedNumber) -> ParsedNumber:
    if abs(parsed.number) >= MAX_ABS:
        raise NumberError(_("the number is implausibly large"))
    return parsed
