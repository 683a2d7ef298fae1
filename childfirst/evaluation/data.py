"""Feeding the engine: accepted values as series per indicator × area, derived district totals,
each value's provenance, and the engine's results for a plan and year.

Only values the office has accepted count: a draft or a submission under review is not yet a
figure of record. Nothing personal is read here; values are counts and rates.

An indicator that continues an earlier plan's (`continues:`) has one series across both plans: the
earlier indicator's accepted values fill the years the plan has no accepted value of its own
(the years before it, an overlap year), each point's source naming its plan. The engine then reads
a baseline year given without a value from that series, so a new plan's 2025 baseline is the
earlier plan's accepted 2025 figure, never retyped.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from childfirst.accounts.models import User
from childfirst.areas.models import Area
from childfirst.collection.models import DataValue, ReportingRound, Submission
from childfirst.collection.scope import streets_in_year
from childfirst.collection.totals import derive_total
from childfirst.plans.models import Indicator, Plan
from childfirst.plans.succession import earlier_indicators
from childfirst.plans.targets import apply_targets_in_force

from . import engine
from .city import derive_from_districts


def spec_of(indicator: Indicator) -> engine.Spec:
    """The engine's Spec from the indicator's target: the year's target in force when the instance
    came from `collect` (plans.targets.apply_targets), else the plan file's."""
    return engine.Spec(
        comparator=indicator.comparator,
        target=float(indicator.target) if indicator.target is not None else None,
        target_year=indicator.target_year,
        baseline_year=indicator.baseline_year,
        baseline_value=float(indicator.baseline_value) if indicator.baseline_value is not None else None,
    )


@dataclass
class Point:
    """One figure of a series, with where it came from."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    derived: bool = False
    source: dict = field(default_factory=dict)


@dataclass
class Dataset:
    plan: Plan
    year: int
    indicators: list[Indicator]
    streets: list[Area]
    # (indicator id, area code) → year → point
    points: dict[tuple[int, str], dict[int, Point]]
    late_years: dict[int, set[int]]  # indicator id → years whose data came after the deadline
    _changes: dict[int, list[float]] | None = None  # built once, on first use

    def series(self, indicator: Indicator, area_code: str) -> dict[int, float]:
        return {
            y: p.value
            for y, p in self.points.get((indicator.pk, area_code), {}).items()
            if p.value is not None and y <= self.year
        }

    def history_changes(self, indicator: Indicator) -> list[float]:
        """Yearly changes of the indicator over every area, before the evaluation year's own change."""
        if self._changes is None:
            self._changes = defaultdict(list)
            for (indicator_id, _area), years in self.points.items():
                for y, point in years.items():
                    following = years.get(y + 1)
                    if y + 1 < self.year and point.value is not None and following and following.value is not None:
                        self._changes[indicator_id].append(following.value - point.value)
        return self._changes.get(indicator.pk, [])


def _source(value: DataValue) -> dict:
    submission = value.submission

    def when(moment: datetime | None) -> str | None:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else None

    return {
        "data_value": value.pk,
        "channel": value.channel,
        "entered_by": value.updated_by.get_username() if value.updated_by else "system",
        "entered_at": when(value.updated_at),
        "department": submission.department.name,
        "submitted_by": submission.submitted_by.get_username() if submission.submitted_by else "system",
        "approved_by": submission.reviewed_by.get_username() if submission.reviewed_by else "system",
        "accepted_by": submission.accepted_by.get_username() if submission.accepted_by else "system",
        "accepted_at": when(submission.accepted_at),
        "source_note": value.source_note,
    }


def _plan_source(value: DataValue) -> dict:
    """Where a point from an earlier plan came from (a point of the plan itself names none)."""
    return {"plan": value.round.plan.code, "plan_name": value.round.plan.display_name}


def _with_provenance(values: QuerySet[DataValue]) -> list[DataValue]:
    """`values` with their round (and plan), area, submission (department and people) and editor, each
    read once: a few dozen of them shared by thousands of values, where joining them to every value
    made eight objects a value (most of a publication's time)."""
    found = list(values)
    rounds = ReportingRound.objects.select_related("plan").in_bulk({v.round_id for v in found})
    areas = Area.objects.in_bulk({v.area_id for v in found})
    submissions = Submission.objects.select_related("department", "submitted_by", "reviewed_by", "accepted_by").in_bulk(
        {v.submission_id for v in found}
    )
    editors = User.objects.in_bulk({v.updated_by_id for v in found if v.updated_by_id is not None})
    for value in found:
        value.round, value.area = rounds[value.round_id], areas[value.area_id]
        value.submission = submissions[value.submission_id]
        value.updated_by = editors[value.updated_by_id] if value.updated_by_id is not None else None
    return found


def collect(plan: Plan, year: int) -> Dataset:
    """Every accepted value of the plan up to `year`, with derived district totals, and of the
    earlier plans its indicators continue for the years it has none of its own (one query).
    The indicators carry the targets in force in `year` (revisions applied)."""
    indicators = list(plan.indicators.active().select_related("domain"))
    apply_targets_in_force(indicators, year)
    by_id = {i.pk: i for i in indicators}
    earlier = earlier_indicators(indicators)
    values = _with_provenance(
        DataValue.objects.accepted()
        .filter(Q(round__plan=plan) | Q(indicator_id__in=earlier), round__year__lte=year)
        .order_by("round__year")
    )
    own, borrowed = [], []
    for value in values:
        if value.round.plan_id == plan.pk:
            if value.indicator_id in by_id:
                own.append((by_id[value.indicator_id], value))
        elif value.indicator_id in earlier:
            borrowed.append((earlier[value.indicator_id], value))
    own_years = {(indicator.pk, value.round.year) for indicator, value in own}
    # An earlier plan fills only the years this plan has no accepted value of its own; of two
    # earlier plans with the same year, the nearer (later) one stands.
    borrowed.sort(key=lambda pair: pair[1].round.plan.start_year)
    fill: dict[tuple[int, int, str], tuple[Indicator, DataValue]] = {}
    for indicator, value in borrowed:
        if (indicator.pk, value.round.year) not in own_years:
            fill[(indicator.pk, value.round.year, value.area.code)] = (indicator, value)
    points: dict[tuple[int, str], dict[int, Point]] = defaultdict(dict)
    street_values: dict[tuple[int, int], list[DataValue]] = defaultdict(list)
    late: dict[int, set[int]] = defaultdict(set)
    for indicator, value in [*fill.values(), *own]:
        points[(indicator.pk, value.area.code)][value.round.year] = Point(
            value=float(value.value) if value.value is not None else None,
            numerator=float(value.numerator) if value.numerator is not None else None,
            denominator=float(value.denominator) if value.denominator is not None else None,
            source=_source(value) if value.round.plan_id == plan.pk else {**_source(value), **_plan_source(value)},
        )
        submitted = value.submission.submitted_at
        if value.round.plan_id == plan.pk and submitted and timezone.localdate(submitted) > value.round.deadline:
            late[indicator.pk].add(value.round.year)
        if indicator.per_street and value.area.level == "street":
            street_values[(indicator.pk, value.round.year)].append(value)
    streets_by_year = {y: len(streets_in_year(plan, y)) for y in {y for _i, y in street_values}}
    for (indicator_id, data_year), group in street_values.items():
        indicator = by_id[indicator_id]
        for value in group:
            value.indicator = indicator  # derive_total reads the unit
        total = derive_total(indicator, group, streets_by_year[data_year])
        points[(indicator_id, plan.area.code)][data_year] = Point(
            value=float(total.value) if total.value is not None else None,
            numerator=float(total.numerator) if total.numerator is not None else None,
            denominator=float(total.denominator) if total.denominator is not None else None,
            derived=True,
            source={
                "derived_from_streets": total.areas_reported,
                "streets_expected": total.areas_expected,
                **(_plan_source(group[0]) if group[0].round.plan_id != plan.pk else {}),
            },
        )
    # A city plan's indicators summed from its districts (evaluation/city.py); empty for a district.
    for (indicator_id, data_year), figure in derive_from_districts(plan, year, indicators).items():
        points[(indicator_id, plan.area.code)][data_year] = Point(
            value=None if figure.value is None else float(figure.value),
            numerator=None if figure.numerator is None else float(figure.numerator),
            denominator=None if figure.denominator is None else float(figure.denominator),
            derived=True,
            source=figure.source,
        )
    return Dataset(plan, year, indicators, streets_in_year(plan, year), dict(points), dict(late))


@dataclass(frozen=True)
class Evaluated:
    indicator: Indicator
    area: Area
    result: engine.Result


def evaluate_dataset(data: Dataset) -> list[Evaluated]:
    """The engine's result for every active indicator in the district, and per street where reported."""
    rows = []
    expected = list(range(data.plan.start_year, data.year + 1))
    for indicator in data.indicators:
        spec = spec_of(indicator)
        changes = data.history_changes(indicator)
        # Late data is a warning about the evaluation year's own figures, not about history.
        late = [y for y in data.late_years.get(indicator.pk, ()) if y == data.year]
        district = data.plan.area
        district_result = engine.evaluate(
            spec, data.series(indicator, district.code), data.year,
            history_changes=changes, expected_years=expected, late_years=late,
        )  # fmt: skip
        rows.append(Evaluated(indicator, district, district_result))
        if not indicator.per_street:
            continue
        # "Far behind the district" compares like with like: rates, not counts summed over streets.
        compare_streets = indicator.is_rate
        street_results = {
            street.code: engine.evaluate(
                spec,
                data.series(indicator, street.code),
                data.year,
                history_changes=changes,
                expected_years=expected,
            )
            for street in data.streets
        }
        latest = {code: r.latest_value for code, r in street_results.items() if r.latest_value is not None}
        behind = engine.street_behind(spec, district_result.latest_value, latest) if compare_streets else {}
        for street in data.streets:
            result = street_results[street.code]
            if street.code in behind:
                result = dataclasses.replace(result, warnings=(*result.warnings, behind[street.code]))
            rows.append(Evaluated(indicator, street, result))
    return rows


def evaluate_plan(plan: Plan, year: int) -> list[Evaluated]:
    return evaluate_dataset(collect(plan, year))
