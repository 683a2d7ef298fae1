"""An indicator's district series as the catalogue page shows it: every accepted year, the earlier
plans' years included (evaluation/data.py), each row marked with its plan, and the chart data with
each plan's target in its own years (plans/succession.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from childfirst.plans.models import Indicator
from childfirst.plans.succession import Lineage
from childfirst.plans.targets import target_line

from .dashboard import board
from .data import Point


@dataclass(frozen=True)
class SeriesRow:
    year: int
    point: Point
    plan_name: str
    earlier: bool  # the value is an earlier plan's


@dataclass(frozen=True)
class DistrictSeries:
    rows: list[SeriesRow]
    chart: dict


def district_series(indicator: Indicator, lineage: Lineage) -> DistrictSeries | None:
    """The accepted district figures of the indicator up to its plan's last year (the dashboards'
    cached board), or None when there is none yet."""
    plan = indicator.plan
    points = board(plan, plan.end_year).data.points.get((indicator.pk, plan.area.code), {})
    figures = {y: p for y, p in points.items() if p.value is not None}
    if not figures:
        return None
    rows = [
        SeriesRow(
            y,
            p,
            p.source.get("plan_name") or lineage.plan_of_year(y).display_name,
            bool(p.source.get("plan_name")),
        )
        for y, p in sorted(figures.items())
    ]
    years = list(range(rows[0].year, max(indicator.target_year, rows[-1].year) + 1))
    per_plan = lineage.target_lines(years)
    chart = {
        "years": [str(y) for y in years],
        "values": [figures[y].value if y in figures else None for y in years],
        "target": None,
        # A plan of its own draws its target in force each year (as the dashboards do); a lineage one line per plan.
        "targets": None if per_plan else target_line(indicator, years),
        "plan_targets": per_plan,
        "projection": [None] * len(years),
        "streets": [],
        "street_values": [],
        "district_value": None,
        "labels": {"value": _("District"), "projection": _("Projection"), "target": _("Target"), "district": ""},
    }
    return DistrictSeries(rows, chart)
