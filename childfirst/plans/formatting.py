"""How targets and values read to people, in the active language."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from .models import Indicator

SYMBOLS = {">=": "≥", "<=": "≤", "<": "<", ">": ">"}


def plain_number(value: Decimal | float | int | None) -> str:
    """90.0000 → "90", 4.5000 → "4.5"; no exponent for large numbers."""
    if value is None:
        return ""
    number = Decimal(str(value)).normalize()
    text = format(number, "f")
    return text


def target_display(indicator: Indicator) -> str:
    return spec_display(indicator, indicator.comparator, indicator.target)


def spec_display(indicator: Indicator, comparator_code: str, target: Decimal | float | None) -> str:
    """A target of `indicator` (its unit and baseline) as the plan would say it, e.g. for a revision's
    old and new target."""
    from .models import Comparator

    comparator = Comparator(comparator_code)
    unit = indicator.unit_symbol
    if comparator in (Comparator.GE, Comparator.LE, Comparator.LT, Comparator.GT):
        return f"{SYMBOLS[comparator]} {plain_number(target)}{unit}"
    if comparator == Comparator.ANNUAL_DECREASE:
        text = _("decrease by ≥ %(points)s percentage points a year") % {"points": plain_number(target)}
        if indicator.baseline_year:
            text += _(" (from %(year)s)") % {"year": indicator.baseline_year}
        return text
    return {
        Comparator.YOY_INCREASE: _("increase year on year"),
        Comparator.UP: _("raise"),
        Comparator.DOWN: _("lower"),
    }[comparator]
