"""A value collected once serves both plans: when a round's year is also a year of an earlier
plan whose indicator this plan's indicator continues, and that value is accepted there, the cell
counts as already reported in this round (read-only on the entry page, left out of the Excel
template, refused by every save path, counted as present) — nobody enters it twice."""

from __future__ import annotations

from dataclasses import dataclass

from childfirst.plans.models import Indicator, Plan
from childfirst.plans.succession import earlier_indicators

from .models import DataValue


@dataclass(frozen=True)
class Carried:
    """An earlier plan's accepted value standing in for a cell of this round."""

    value: DataValue
    plan: Plan

    @property
    def plan_name(self) -> str:
        return self.plan.display_name


def carried_values(plan: Plan, year: int, indicators: list[Indicator]) -> dict[tuple[int, int], Carried]:
    """(indicator id, area id) → the earlier plan's accepted value of `year`, for the given
    indicators of `plan` that continue another; the nearest earlier plan's value wins."""
    owner = earlier_indicators([i for i in indicators if i.plan_id == plan.pk])
    if not owner:
        return {}
    values = (
        DataValue.objects.accepted()
        .filter(indicator_id__in=owner, round__year=year)
        .exclude(round__plan=plan)
        .select_related("round__plan")
        .order_by("round__plan__start_year")  # later plans last: the nearest one overwrites
    )
    carried: dict[tuple[int, int], Carried] = {}
    for value in values:
        if value.value is None:
            continue  # the earlier plan has no figure either: this round still asks for one
        carried[(owner[value.indicator_id].pk, value.area_id)] = Carried(value, value.round.plan)
    return carried
