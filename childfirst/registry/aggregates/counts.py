"""Aggregate counts the registry offers to monitoring: children by category and street per year,
and the children's homes' coverage, as prefilled values for the departments' data entry.

Only counts leave: every figure is a number for a street/town or the district, computed here and
handed to collection as `collection.prefill.Prefill` (indicator code, area code, numbers). Which
indicator takes which aggregate is data (data/aggregates.yaml), not code.

Small counts are not suppressed: these figures go to the internal collection only, to the
department that reports the indicator. The public portal shows accepted values; if a count per
street ever goes there, small-cell suppression (e.g. < 5 shown as "<5") belongs in the portal.

A child counts in a year when one of its category periods overlaps the year (up to today for the
running year) and its file was not closed before the year began. The street is the one the child
lives in now: the registry keeps no history of residence.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal

from django.db.models import Case, CharField, Count, Q, Sum, Value, When
from django.db.models.functions import Substr
from django.utils import timezone
from pydantic import BaseModel, ConfigDict, Field

from childfirst.areas.models import CODE_LENGTH, Area, Level
from childfirst.collection.prefill import SCALE, Prefill
from childfirst.datafile import DataFile
from childfirst.homes.coverage import Coverage, coverage
from childfirst.plans.models import Indicator, Plan
from childfirst.registry.models import CategoryCount, CategoryType, ChildCategory

AGGREGATE_FILE = Path(__file__).resolve().parent.parent / "data" / "aggregates.yaml"
SOURCE = "registry"
# A street's code is the first CODE_LENGTH[STREET] characters of its communities' codes (areas'
# street_code(), here done by the database).
STREET_CODE_LENGTH = CODE_LENGTH[Level.STREET]


# ----- the mapping file -------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MappingSpec(_Strict):
    aggregate: str
    categories: list[str] = []
    part: Literal["value", "numerator", "denominator"] = "value"


class AggregateFile(_Strict):
    schema_version: Literal[1]
    plans: dict[str, dict[str, MappingSpec]] = Field(default_factory=dict)


def read_mapping(path: Path = AGGREGATE_FILE) -> AggregateFile:
    """The mapping file; DataFileInvalid naming line and column when it is wrong."""
    return DataFile.read(path).validate(AggregateFile)


def check_mapping(path: Path = AGGREGATE_FILE) -> list[str]:
    """Problems of the mapping against the aggregates, categories and plans in the database."""
    problems = []
    spec = read_mapping(path)
    categories = set(CategoryType.objects.values_list("code", flat=True))
    for plan_code, indicators in spec.plans.items():
        plan = Plan.objects.filter(code=plan_code).first()
        known = {i.code: i for i in plan.indicators.all()} if plan else {}
        for code, mapping in indicators.items():
            where = f"{path.name}: plans.{plan_code}.{code}"
            if plan is not None and code not in known:
                problems.append(f"{where}: 规划中没有指标 {code} / no indicator {code} in the plan")
            aggregate = AGGREGATES.get(mapping.aggregate)
            if aggregate is None:
                problems.append(
                    f"{where}: 未知的汇总 {mapping.aggregate} / unknown aggregate; one of {sorted(AGGREGATES)}"
                )
                continue
            if mapping.aggregate == "children_in_categories" and not mapping.categories:
                problems.append(f"{where}: 须列出儿童类别 / name the categories")
            for category in mapping.categories:
                if category not in categories:
                    problems.append(f"{where}: 未知的儿童类别 {category} / unknown category")
            if code in known:
                problem = fits(aggregate, mapping, known[code])
                if problem:
                    problems.append(f"{where}: {problem}")
    return problems


def fits(aggregate: Aggregate, mapping: MappingSpec, indicator: Indicator) -> str:
    """Why this aggregate cannot fill this indicator ("" when it can)."""
    is_rate = indicator.unit in SCALE
    if aggregate.kind == "rate" and not is_rate:
        return f"{indicator.code} 不是比率指标 / is not a rate, {aggregate.name} gives a rate"
    if aggregate.kind == "count" and is_rate and mapping.part == "value":
        return f"{indicator.code} 是比率指标，须注明 part: numerator 或 denominator / is a rate: say which part"
    if aggregate.kind == "rate" and mapping.part != "value":
        return f"{aggregate.name} 给出分子和分母 / gives both parts; leave out part"
    return ""


# ----- aggregates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One area's figure: a count, or a rate's numerator and denominator."""

    count: int | None = None
    numerator: int | None = None
    denominator: int | None = None


def reading_day(year: int) -> datetime.date:
    """A year's figures are read on its last day, or today while it is still running."""
    return min(datetime.date(year, 12, 31), timezone.localdate())


@dataclass
class Context:
    """What one round of suggestions shares: the district, the year and the day it is read on."""

    district: Area
    year: int
    _coverage: Coverage | None = field(default=None, repr=False)

    @property
    def day(self) -> datetime.date:
        return reading_day(self.year)

    @property
    def coverage(self) -> Coverage:
        if self._coverage is None:
            self._coverage = coverage(self.district, self.day)
        return self._coverage


@dataclass(frozen=True)
class Aggregate:
    name: str
    kind: Literal["rate", "count"]
    compute: Callable[[Context, MappingSpec], dict[str, Figure]]  # area code → figure, streets and district


def _rates(context: Context, numerator: Callable, denominator: Callable) -> dict[str, Figure]:
    counts: dict[str, tuple[int, int]] = {
        s.street.code: (numerator(s), denominator(s)) for s in context.coverage.streets
    }
    figures = {code: Figure(numerator=n, denominator=d) for code, (n, d) in counts.items()}
    figures[context.district.code] = Figure(
        numerator=sum(n for n, d in counts.values()), denominator=sum(d for n, d in counts.values())
    )
    return figures


def homes_basic_coverage(context: Context, mapping: MappingSpec) -> dict[str, Figure]:
    """Basic coverage: communities whose home meets 五有 / communities valid at the year's end."""
    return _rates(context, lambda s: s.meeting_standard, lambda s: s.communities)


def homes_demonstration_coverage(context: Context, mapping: MappingSpec) -> dict[str, Figure]:
    """Demonstration coverage: communities with a recognised demonstration home / communities."""
    return _rates(context, lambda s: s.demonstration, lambda s: s.communities)


def streets_with_demonstration_home(context: Context, mapping: MappingSpec) -> dict[str, Figure]:
    """Streets with a demonstration home: per street 1/1 or 0/1; the district sums them (streets with one / streets)."""
    return _rates(context, lambda s: int(s.has_demonstration), lambda s: 1)


def homes_demonstration_count(context: Context, mapping: MappingSpec) -> dict[str, Figure]:
    """Demonstration homes recognised at district level or above (every level counts)."""
    figures = {s.street.code: Figure(count=s.demonstration) for s in context.coverage.streets}
    figures[context.district.code] = Figure(count=context.coverage.demonstration)
    return figures


def children_in_categories(context: Context, mapping: MappingSpec) -> dict[str, Figure]:
    """Children in any of the mapping's categories (with their sub-categories) in the year, each
    child once, per street and for the district."""
    counts = count_children(context.district, context.year, mapping.categories)
    figures = {code: Figure(count=n) for code, n in counts.items()}
    figures[context.district.code] = Figure(count=sum(counts.values()))
    return figures


AGGREGATES: dict[str, Aggregate] = {
    a.name: a
    for a in [
        Aggregate("homes_basic_coverage", "rate", homes_basic_coverage),
        Aggregate("homes_demonstration_coverage", "rate", homes_demonstration_coverage),
        Aggregate("streets_with_demonstration_home", "rate", streets_with_demonstration_home),
        Aggregate("homes_demonstration_count", "count", homes_demonstration_count),
        Aggregate("children_in_categories", "count", children_in_categories),
    ]
}


# ----- children by category ---------------------------------------------------------------------

# Read from the count table (registry/tally), kept by the registry's actions: a year's counts sum a
# few thousand rows instead of recounting the categories of every file (1.4 s at a million
# children). The recount below is the definition the table is checked against.


def _top_codes() -> dict[int, str]:
    """Category id → the code of its top-level category (a sub-category counts with its parent)."""
    types = list(CategoryType.objects.values_list("pk", "code", "parent_id"))
    codes = {pk: code for pk, code, _parent in types}
    return {pk: codes[parent] if parent else code for pk, code, parent in types}


def _counted(district: Area, year: int) -> list[tuple[str, list[int], int]]:
    """(street code, top category ids, children) of the district's communities in `year`: each child
    in one row at most, under the set of categories it was in that year."""
    rows = (
        CategoryCount.objects.filter(
            community__code__startswith=district.code, first_year__lte=year, last_year__gte=year, children__gt=0
        )
        .annotate(street=Substr("community__code", 1, STREET_CODE_LENGTH))
        .values("street", "tops")
        .annotate(n=Sum("children"))
        .values_list("street", "tops", "n")
    )
    return [(street, [int(pk) for pk in tops.split()], n) for street, tops, n in rows]


def count_children(district: Area, year: int, categories: Iterable[str]) -> dict[str, int]:
    """Street code → children in any of `categories` (or their sub-categories) in `year`, each
    child once; every street of the district valid at the year's end is present, 0 included."""
    wanted = set(categories)
    tops = {pk for pk, code in _top_codes().items() if code in wanted}
    counts = dict.fromkeys(_streets(district, reading_day(year)), 0)
    for street, in_tops, n in _counted(district, year):
        if street in counts and tops.intersection(in_tops):
            counts[street] += n
    return counts


def children_by_category(district: Area, year: int) -> dict[str, dict[str, int]]:
    """Top-level category code → street code → children in it in `year` (a child in two
    categories counts in each; in two sub-categories of one, once)."""
    tops = _top_codes()
    streets = _streets(district, reading_day(year))
    # Every top-level category has a line, 0 included, in the file's order.
    table = {code: dict.fromkeys(streets, 0) for code in dict.fromkeys(tops.values())}
    for street, in_tops, n in _counted(district, year):
        for top in in_tops:
            line = table.get(tops.get(top, ""))
            if line is not None and street in line:
                line[street] += n
    return table


def _in_year(district: Area, year: int) -> tuple[Q, datetime.date, datetime.date]:
    start, end = datetime.date(year, 1, 1), reading_day(year)
    condition = (
        Q(start__lte=end)
        & (Q(end__isnull=True) | Q(end__gt=start))
        & (Q(child__exit_date__isnull=True) | Q(child__exit_date__gte=start))
        & Q(child__residence_area__code__startswith=district.code)
    )
    return condition, start, end


def recounted_by_category(district: Area, year: int) -> dict[str, dict[str, int]]:
    """children_by_category counted from the files themselves (the definition; slow at scale):
    what `childfirst registry aggregates --verify` and the tests hold the table to."""
    tops = _top_codes()
    condition, _start, end = _in_year(district, year)
    top_of = Case(
        *[When(type_id=pk, then=Value(code)) for pk, code in tops.items()], output_field=CharField(), default=Value("")
    )
    rows = (
        ChildCategory.objects.filter(condition)
        .annotate(top=top_of, street=Substr("child__residence_area__code", 1, STREET_CODE_LENGTH))
        .values("top", "street")
        .annotate(n=Count("child_id", distinct=True))
    )
    streets = _streets(district, end)
    table = {code: dict.fromkeys(streets, 0) for code in dict.fromkeys(tops.values())}
    for row in rows:
        if row["street"] in streets and row["top"] in table:
            table[row["top"]][row["street"]] = row["n"]
    return table


def recounted_children(district: Area, year: int, categories: Iterable[str]) -> dict[str, int]:
    """count_children counted from the files themselves (the definition)."""
    wanted = set(categories)
    type_ids = [pk for pk, top in _top_codes().items() if top in wanted]
    condition, _start, end = _in_year(district, year)
    rows = (
        ChildCategory.objects.filter(condition, type_id__in=type_ids)
        .annotate(street=Substr("child__residence_area__code", 1, STREET_CODE_LENGTH))
        .values("street")
        .annotate(n=Count("child_id", distinct=True))
    )
    counts = dict.fromkeys(_streets(district, end), 0)
    for row in rows:
        if row["street"] in counts:
            counts[row["street"]] = row["n"]
    return counts


def _streets(district: Area, day: datetime.date) -> list[str]:
    return list(Area.objects.within(district).streets().valid_on(day).values_list("code", flat=True))


# ----- prefills for collection ------------------------------------------------------------------


def prefills(plan: Plan, year: int, indicator_codes: Iterable[str]) -> list[Prefill]:
    """The registry's suggestions for these indicators of `plan` in `year` (the mapping file says
    which indicators it knows). Per street for per-street indicators, else for the district.
    Not cached: read from the count table they take tens of milliseconds at a million children
    (bench/README.md, issue 16), so the entry page shows today's counts, not five minutes' old."""
    mapping = read_mapping().plans.get(plan.code, {})
    wanted = sorted(code for code in indicator_codes if code in mapping)
    if not wanted:
        return []
    return _compute_prefills(plan, year, mapping, wanted)


def _compute_prefills(plan: Plan, year: int, mapping: dict[str, MappingSpec], wanted: list[str]) -> list[Prefill]:
    context = Context(district=plan.area, year=year)
    found = []
    for indicator in plan.indicators.filter(code__in=wanted).order_by("code"):
        spec = mapping[indicator.code]
        aggregate = AGGREGATES.get(spec.aggregate)
        if aggregate is None or fits(aggregate, spec, indicator):
            continue  # `childfirst registry aggregates --check` names the problem
        figures = aggregate.compute(context, spec)
        areas = [s.street.code for s in context.coverage.streets] if indicator.per_street else [plan.area.code]
        for area in areas:
            figure = figures.get(area)
            if figure is not None:
                found.append(_prefill(indicator.code, area, figure, spec.part))
    return found


def _prefill(indicator: str, area: str, figure: Figure, part: str) -> Prefill:
    def number(n: int | None) -> Decimal | None:
        return None if n is None else Decimal(n)

    if figure.count is None:
        return Prefill(
            indicator, area, SOURCE, numerator=number(figure.numerator), denominator=number(figure.denominator)
        )
    if part == "numerator":
        return Prefill(indicator, area, SOURCE, numerator=number(figure.count))
    if part == "denominator":
        return Prefill(indicator, area, SOURCE, denominator=number(figure.count))
    return Prefill(indicator, area, SOURCE, value=number(figure.count))
