"""A city's figures derived from its districts: a city plan's indicator with `from_districts: CODE`
has, each year, the sum of the numerators and the sum of the denominators of indicator CODE's
accepted values in the plans of the city's districts (a count: the sum of the values), and the
value they give in the unit. Nothing is typed at the city: the figure is worked out at every
evaluation, with provenance naming the districts summed and those missing, so a figure from one
district of two says so.

"The city's districts" are the districts inside the city's area that have a plan (not a draft)
covering the year; a district reporting by street counts with its derived total.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from childfirst.areas.models import Area, Level
from childfirst.collection.entries import compute_rate
from childfirst.collection.models import DataValue, SubmissionState
from childfirst.collection.totals import derive_total
from childfirst.plans.models import RATE_UNITS, Indicator, Plan, PlanStatus


@dataclass(frozen=True)
class CityFigure:
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    source: dict


@dataclass(frozen=True)
class _Part:
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None


def derive_from_districts(plan: Plan, year: int, indicators: list[Indicator]) -> dict[tuple[int, int], CityFigure]:
    """(city indicator id, year) → the figure summed over the districts, for every year of the plan up
    to `year` in which at least one district is expected. Empty unless the plan is a city's."""
    summed = [i for i in indicators if i.from_districts]
    if not summed or plan.area.level != Level.CITY:
        return {}
    district_plans = list(
        Plan.objects.filter(area__in=Area.objects.within(plan.area).districts())
        .exclude(status=PlanStatus.DRAFT)
        .select_related("area")
    )
    parts = _district_parts(district_plans, {i.from_districts for i in summed}, year)
    figures = {}
    for data_year in range(plan.start_year, year + 1):
        expected = {p.area.code: p.area for p in district_plans if p.start_year <= data_year <= p.end_year}
        if not expected:
            continue
        for indicator in summed:
            found = {
                code: part
                for code in expected
                if (part := parts.get((indicator.from_districts, code, data_year))) is not None
                and _usable(indicator, part)
            }
            figures[(indicator.pk, data_year)] = _figure(indicator, expected, found)
    return figures


def _usable(indicator: Indicator, part: _Part) -> bool:
    if indicator.unit in RATE_UNITS:
        return part.numerator is not None and part.denominator is not None
    return part.value is not None


def _figure(indicator: Indicator, expected: dict[str, Area], found: dict[str, _Part]) -> CityFigure:
    def named(codes: set[str]) -> list[dict[str, str]]:
        return [{"code": code, "name": expected[code].name} for code in sorted(codes)]

    source = {
        "derived_from_districts": named(set(found)),
        "districts_missing": named(set(expected) - set(found)),
        "districts_expected": len(expected),
        "district_indicator": indicator.from_districts,
    }
    if not found:
        return CityFigure(None, None, None, source)
    if indicator.unit in RATE_UNITS:
        numerator = sum((p.numerator for p in found.values() if p.numerator is not None), Decimal(0))
        denominator = sum((p.denominator for p in found.values() if p.denominator is not None), Decimal(0))
        value = compute_rate(indicator.unit, numerator, denominator) if denominator else None
        return CityFigure(value, numerator, denominator, source)
    return CityFigure(sum((p.value for p in found.values() if p.value is not None), Decimal(0)), None, None, source)


def _district_parts(plans: list[Plan], codes: set[str], year: int) -> dict[tuple[str, str, int], _Part]:
    """(indicator code, district code, year) → the district's accepted figure (one query): its own
    district-level value, else the total derived from its streets."""
    if not plans:
        return {}
    values = (
        DataValue.objects.filter(
            round__plan__in=plans,
            round__year__lte=year,
            submission__state=SubmissionState.ACCEPTED,
            indicator__code__in=codes,
            indicator__retired_at__isnull=True,
        )
        .select_related("area", "round__plan__area", "indicator")
        .order_by("round__year")
    )
    parts: dict[tuple[str, str, int], _Part] = {}
    by_street: dict[tuple[str, str, int], list[DataValue]] = defaultdict(list)
    indicators: dict[tuple[str, str, int], Indicator] = {}
    for value in values:
        district = value.round.plan.area
        key = (value.indicator.code, district.code, value.round.year)
        if value.area_id == district.pk:
            parts[key] = _Part(value.numerator, value.denominator, value.value)
        elif value.indicator.per_street and value.area.level == Level.STREET:
            by_street[key].append(value)
            indicators[key] = value.indicator
    for key, group in by_street.items():  # as the district's own evaluation: the streets' total stands
        streets = Area.objects.within(group[0].round.plan.area).streets().valid_on(datetime.date(key[2], 12, 31))
        total = derive_total(indicators[key], group, streets.count())
        parts[key] = _Part(total.numerator, total.denominator, total.value)
    return parts


def describe(source: dict) -> str:
    """The provenance of a city figure in one sentence (for pages and reports)."""
    summed = "、".join(d["name"] for d in source["derived_from_districts"]) or "—"
    text = _("summed from %(n)d of %(expected)d districts (%(names)s)") % {
        "n": len(source["derived_from_districts"]),
        "expected": source["districts_expected"],
        "names": summed,
    }
    if source["districts_missing"]:
        missing = "、".join(d["name"] for d in source["districts_missing"])
        text = _("%(summed)s; missing: %(names)s") % {"summed": text, "names": missing}
    return text
