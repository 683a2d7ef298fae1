"""Showing stored figures: two decimals at most (the database keeps six), no trailing zeros."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def figure(number: Decimal | float | int | None, places: int = 2) -> str:
    if number is None or number == "":
        return "—"
    rounded = Decimal(str(number)).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    text = format(rounded.normalize(), "f")
    return "0" if text in ("-0", "") else text
