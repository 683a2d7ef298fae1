"""What a round expects: which indicators each department reports, for which areas.

An indicator is reported by its lead department (first responsible unit), per street/town
where the catalogue says so (the streets that exist at the end of the round's year), else
for the plan's district. A round for a year before the plan starts is a baseline round: it
asks only for indicators whose baseline is that year. A city plan's indicators summed from its
districts (`from_districts`) are never asked for.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from childfirst.areas.models import Area
from childfirst.plans.models import Department, Indicator, Plan

from .entries import IndicatorInfo
from .succession import Carried, carried_values


def round_indicators(plan: Plan, year: int, led_by: Department | None = None) -> list[Indicator]:
    indicators = plan.indicators.active()
    if led_by is not None:
        indicators = indicators.led_by(led_by)  # in SQL: one department's few, not the plan's every indicator
    # A city's indicator summed from its districts is derived at evaluation: nobody enters it.
    indicators = indicators.filter(from_districts="").select_related("domain").prefetch_related("responsibilities")
    if year < plan.start_year:
        indicators = indicators.filter(baseline_year=year)
    return list(indicators)


def reporting_departments(plan: Plan, year: int) -> list[Department]:
    return list(Department.objects.filter(pk__in=expected_by_department(plan, year)).order_by("code"))


def streets_in_year(plan: Plan, year: int) -> list[Area]:
    return list(Area.objects.within(plan.area).streets().valid_on(datetime.date(year, 12, 31)))


@dataclass
class Expected:
    """The cells one department owes in one round, in display order."""

    indicators: list[Indicator]
    streets: list[Area]
    district: Area
    # (indicator id, area id) → an earlier plan's accepted value of this year: already reported.
    carried: dict[tuple[int, int], Carried] = field(default_factory=dict)

    def areas_for(self, indicator: Indicator) -> list[Area]:
        return self.streets if indicator.per_street else [self.district]

    def cells(self) -> list[tuple[Indicator, Area]]:
        return [(i, a) for i in self.indicators for a in self.areas_for(i)]

    def carried_for(self, indicator: Indicator, area: Area) -> Carried | None:
        return self.carried.get((indicator.pk, area.pk))

    def infos(self) -> dict[str, IndicatorInfo]:
        return {i.code: info_of(i) for i in self.indicators}


def expected_by_department(plan: Plan, year: int) -> dict[int, Expected]:
    """Every reporting department's Expected in one pass (department id → Expected)."""
    indicators = round_indicators(plan, year)
    streets = streets_in_year(plan, year)
    led: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        lead = min(indicator.responsibilities.all(), key=lambda r: r.order, default=None)
        if lead is not None:
            led.setdefault(lead.department_id, []).append(indicator)
    carried = carried_values(plan, year, indicators)
    return {
        dept: Expected(indicators=items, streets=streets, district=plan.area, carried=carried)
        for dept, items in led.items()
    }


def expected_for(plan: Plan, year: int, department: Department) -> Expected:
    indicators = round_indicators(plan, year, led_by=department)
    return Expected(
        indicators=indicators,
        streets=streets_in_year(plan, year),
        district=plan.area,
        carried=carried_values(plan, year, indicators),
    )


def info_of(indicator: Indicator) -> IndicatorInfo:
    return IndicatorInfo(code=indicator.code, name=indicator.name, unit=indicator.unit, per_street=indicator.per_street)
