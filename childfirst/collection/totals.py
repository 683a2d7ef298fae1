"""District totals of per-street indicators, derived and never typed: counts are summed; rates
come from the summed numerators and denominators, never from averaging the streets' rates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from childfirst.plans.models import Indicator

from .entries import SCALE, compute_rate
from .models import DataValue


@dataclass(frozen=True)
class Total:
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    areas_reported: int  # streets with a value
    areas_expected: int


def derive_total(indicator: Indicator, values: list[DataValue], streets_expected: int) -> Total:
    """The district figure from the streets' values of one indicator in one year."""
    reported = [v for v in values if v.value is not None]
    if indicator.unit in SCALE:
        parts = [
            (v.numerator, v.denominator) for v in reported if v.numerator is not None and v.denominator is not None
        ]
        numerator = sum((n for n, _d in parts), Decimal(0))
        denominator = sum((d for _n, d in parts), Decimal(0))
        value = compute_rate(indicator.unit, numerator, denominator) if parts and denominator else None
        return Total(value, numerator if parts else None, denominator if parts else None, len(parts), streets_expected)
    value = sum((v.value for v in reported if v.value is not None), Decimal(0)) if reported else None
    return Total(value, None, None, len(reported), streets_expected)


def district_totals(values: list[DataValue], streets_expected: dict[int, int]) -> dict[tuple[int, int], Total]:
    """(indicator id, round id) → derived total, for the per-street indicators among `values`.
    `streets_expected`: round id → number of streets expected that year."""
    grouped: dict[tuple[int, int], list[DataValue]] = defaultdict(list)
    indicators: dict[int, Indicator] = {}
    for value in values:
        if value.indicator.per_street and value.area.level == "street":
            grouped[(value.indicator_id, value.round_id)].append(value)
            indicators[value.indicator_id] = value.indicator
    return {
        key: derive_total(indicators[key[0]], group, streets_expected.get(key[1], len(group)))
        for key, group in grouped.items()
    }
