"""Synthetic monitoring data for the demo: a 2018 baseline round, rounds 2021–2024 accepted and
closed, and the plan's last round open with departments at every step of the workflow.

Every figure is made up (each value's source note says so) but shaped like the real thing: rates
are numerator/denominator over street-sized populations, rare events are Poisson draws, most
indicators move towards their target, some slip away from it, a few jump once, a couple of streets
stand apart, and a few cells are missing with a reason. Everything is drawn from random.Random
seeded by indicator, area and year, so two loads give the same figures whatever the date.

Values go in through the same actions as a department's would (save_values, do_submit, do_approve,
do_accept, do_close_round, with the system as actor), so they carry history and audit rows and pass
the same validation. Afterwards the demo's own timestamps are set back to plausible dates in the
year after each data year (entry in February–March, deadline 31 March, acceptance in April,
closing at the end of June), so that timeliness pages read like a real history; the audit log
keeps the true load time, as it must.

Loading is idempotent: a round that already exists is left exactly as it is.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from childfirst.areas.models import Area
from childfirst.collection.actions import (
    do_accept,
    do_approve,
    do_close_round,
    do_open_round,
    do_return,
    do_submit,
    save_values,
)
from childfirst.collection.entries import PROPORTION_UNITS, SCALE, RawCell, clean_cell
from childfirst.collection.models import Channel, DataValue, ReportingRound, Submission, SubmissionState, ValueChange
from childfirst.collection.review import history_for
from childfirst.collection.rules import current_rules
from childfirst.collection.scope import Expected, expected_for
from childfirst.collection.warnings import street_outlier_warnings, yoy_warnings
from childfirst.plans.models import HIGHER_IS_BETTER, Comparator, Indicator, Plan

SEED = "childfirst-demo-1"
SOURCE_NOTE = "演示合成数据（非真实统计）"
MISSING_SHARE = 0.012  # of cells left without a figure, with a reason

# ----- the district as the generator sees it (orders of magnitude only, not official figures) --

DATA_FILE = Path(__file__).resolve().parent / "data" / "lucheng-values.yaml"

# What a rate's denominator counts, found from the catalogue's own wording (first match wins).
DENOMINATOR_KINDS = [
    ("街镇总数", "one"),
    ("救助保护中心", "one"),
    ("村（社区）总数", "communities"),
    ("社区图书馆", "libraries"),
    ("卫生院", "health_centres"),
    ("照护服务机构从业人员", "childcare_staff"),
    ("心理健康教育教师", "psych_teachers"),
    ("幼儿园总数", "kindergartens"),
    ("薄弱初中", "twinning"),
    ("义务教育学校", "schools"),
    ("中小学校", "schools"),
    ("学校总数", "all_schools"),
    ("批次", "food_batches"),
    ("法律援助", "legal_aid"),
    ("入学时", "cohort"),
    ("调查", "survey"),
    ("围产儿", "births"),
    ("活产", "births"),
    ("在校学生和在园幼儿", "students_and_pupils"),
    ("学前三年", "preschool_age"),
    ("在园幼儿", "pupils"),
    ("残疾儿童", "disabled_children"),
    ("重点关爱儿童", "children_of_concern"),
    ("0-3岁", "under3"),
    ("3岁以下", "under3"),
    ("0-6岁", "under7"),
    ("5岁以下", "under5"),
    ("12岁", "age12"),
    ("常住人口", "population"),
    ("学生", "students"),
    ("儿童青少年", "students"),
    ("0-17岁", "children"),
    ("儿童", "children"),
]
# Units counted one by one (a school has a counselling room or not): they change stepwise and stay.
STRUCTURAL = {"one", "communities", "libraries", "health_centres", "kindergartens", "schools", "all_schools"}
DISTRICT_ONLY = {"twinning": 12, "food_batches": 320, "legal_aid": 46, "survey": 1600}

# Street factors (f, persistent): a rate whose target is high scales its gap to 100 by f, any
# other scales its level by f; f = exp(N(0, spread)).
SPREAD = {"gap": 0.35, "level": 0.12}


@dataclass(frozen=True)
class Event:
    """A figure that breaks the pattern, with the reporter's explanation."""

    indicator: str
    area: str
    year: int
    kind: str  # "add": points on the street's level; "mul": a factor on it
    amount: float
    comment: str
    lasting: bool = True  # a new level from that year on, or that year only


MISSING_REASONS = ["统计口径调整，暂无数据", "数据尚在核实，暂无数据", "当年未开展该项统计"]
# Data for year Y is due on 31 March of Y+1, the last round included: the demo runs after that
# date, so the departments that have not submitted show as overdue and reminders have someone to go to.
DEADLINE = (3, 31)


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


# The demo's story of the district (see the data file): populations, levels, events, outliers,
# missing cells and how far the last round has come.
_DATA = _read(DATA_FILE)
# Resident population per street/town; other districts' streets get a size drawn from their code.
POPULATION: dict[str, int] = dict(_DATA["population"])
BIRTHS_PER_1000: dict[int, float] = dict(_DATA["births_per_1000"])
LEVELS: dict[str, tuple[float, ...]] = {code: tuple(levels) for code, levels in _DATA["levels"].items()}
BASELINES = {(b["indicator"], b["year"]): b["level"] for b in _DATA["baselines"]}
EVENTS = [Event(**event) for event in _DATA["events"]]
# Streets far from the others, every year: (indicator, area) → (how, factor, explanation).
OUTLIERS = {(o["indicator"], o["area"]): (o["how"], o["factor"], o["comment"]) for o in _DATA["outliers"]}
MISSING = {(m["indicator"], m["area"], m["year"]): m["reason"] for m in _DATA["missing"]}
# The plan's last round, part-way: department → where it stands (the rest have not started).
LAST_ROUND = [(r["department"], SubmissionState(r["state"])) for r in _DATA["last_round"]]


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (SEED, *parts)))  # noqa: S311 (made-up figures, not secrets)


# ----- denominators ----------------------------------------------------------------------------


def denominator_kind(indicator: Indicator) -> str:
    for word, kind in DENOMINATOR_KINDS:
        if word in indicator.denominator:
            return kind
    return "children"


def population(street: str, year: int) -> int:
    base = POPULATION.get(street) or _rng("population", street).randint(40_000, 120_000)
    return round(base * 1.005 ** (year - 2021))


def street_base(kind: str, street: str, year: int, indicator: str) -> int:
    """How many of `kind` a street has in `year` (schools, live births, children aged 0–3 …)."""
    people = population(street, year)
    births = people * BIRTHS_PER_1000.get(year, 7.0) / 1000
    children = people * 0.155 * 0.99 ** (year - 2021)
    wobble = _rng("base", kind, street, year).uniform(0.985, 1.015)
    sizes = {
        "one": 1,
        "communities": max(4, round(people / 5_500)),
        "libraries": max(3, round(people / 8_000)),
        "health_centres": 1 + (people > 100_000),
        "kindergartens": max(3, round(people / 5_500)),
        "schools": max(4, round(people / 7_000)),
        "all_schools": max(4, round(people / 7_000)) + max(3, round(people / 5_500)),
        "childcare_staff": people / 1_000 * (1 + 0.12 * (year - 2021)) * wobble,
        "psych_teachers": max(4, round(people / 7_000)) * 1.8,
        "survey": _rng("survey", indicator, street).randint(120, 360),
        "births": births * wobble,
        "under3": births * 3.2 * wobble,
        "under5": births * 5.4 * wobble,
        "under7": births * 7.8 * wobble,
        "age12": people * 0.0105 * wobble,
        "preschool_age": births * 3.5 * wobble,
        "pupils": births * 3.48 * wobble,
        "students_and_pupils": (people * 0.105 + births * 3.48) * wobble,
        "students": people * 0.105 * wobble,
        "disabled_children": children * 0.0012 * wobble,
        "children_of_concern": children * 0.007 * wobble,
        "population": people,
        "children": children * wobble,
    }
    return max(1, round(sizes.get(kind, children)))


def district_base(kind: str, streets: list[Area], year: int, indicator: str) -> int:
    if kind in DISTRICT_ONLY:
        return DISTRICT_ONLY[kind]
    if kind == "one":
        return 1
    if kind == "cohort":
        return round(sum(street_base("students", s.code, year, indicator) for s in streets) / 9)
    return sum(street_base(kind, s.code, year, indicator) for s in streets)


# ----- levels ----------------------------------------------------------------------------------


def district_level(indicator: Indicator, year: int, plan: Plan) -> float:
    """The district's level in the indicator's unit: the table above, else one drawn from the target."""
    if (indicator.code, year) in BASELINES:
        return BASELINES[(indicator.code, year)]
    levels = LEVELS.get(indicator.code) or generic_levels(indicator, plan.end_year - plan.start_year + 1)
    if year < plan.start_year:  # a baseline before the plan: carry the early trend back
        step = levels[0] - levels[1]
        return levels[0] + step * (plan.start_year - year)
    return levels[min(year - plan.start_year, len(levels) - 1)]


def generic_levels(indicator: Indicator, years: int) -> tuple[float, ...]:
    """For an indicator the demo does not know: a steady move that reaches the target."""
    target = float(indicator.target) if indicator.target is not None else None
    up = indicator.comparator in HIGHER_IS_BETTER
    if indicator.comparator == Comparator.ANNUAL_DECREASE:
        start, end = 50.0, 50.0 - (target or 1) * (years - 1)
    elif target is None:
        start = 70.0 if indicator.unit == "%" else 10.0
        end = start * (1.1 if up else 0.85)
    elif up:
        start = target * 0.9
        end = min(target * 1.02, 100.0) if indicator.unit == "%" else target * 1.05
    else:
        start, end = target * 1.15, target * 0.9
    return tuple(start + (end - start) * i / max(1, years - 1) for i in range(years))


def gap_based(indicator: Indicator, plan: Plan) -> bool:
    """A percentage that is high and should be: streets differ in how far they fall short of 100."""
    return (
        indicator.unit == "%"
        and indicator.comparator in HIGHER_IS_BETTER
        and district_level(indicator, plan.start_year, plan) >= 75
    )


def street_level(indicator: Indicator, street: str, year: int, plan: Plan) -> tuple[float, str]:
    """A street's level and the explanation a reporter would give for an unusual one."""
    level = district_level(indicator, year, plan)
    how = "gap" if gap_based(indicator, plan) else "level"
    factor = math.exp(_rng("factor", indicator.code, street).gauss(0, SPREAD[how]))
    if denominator_kind(indicator) == "one":  # a street has it or not; which ones is drawn later
        factor = 1.0
    comment = ""
    if (indicator.code, street) in OUTLIERS:
        how, factor, comment = OUTLIERS[(indicator.code, street)]
    value = 100 - (100 - level) * factor if how == "gap" else level * factor
    for event in EVENTS:
        if (event.indicator, event.area) == (indicator.code, street) and (
            event.year == year or (event.lasting and event.year < year)
        ):
            value = value + event.amount if event.kind == "add" else value * event.amount
            comment = event.comment if event.year == year else f"{event.year}年起：{event.comment}"
    ceiling = {"%": 100.0, "‰": 1000.0}.get(indicator.unit, math.inf)
    return min(max(value, 0.0), ceiling), comment


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def draw_numerator(indicator: Indicator, kind: str, level: float, denominator: int, rng, persistent) -> int:
    """How many of the denominator count: stepwise for units counted one by one, a Poisson draw
    for rare events, sampling noise otherwise."""
    expected = denominator * level / SCALE[indicator.unit]
    share = min(level / SCALE[indicator.unit], 1.0)
    proportion = indicator.unit in PROPORTION_UNITS
    if kind in STRUCTURAL:
        number = math.floor(expected + persistent)  # the same units stay counted as the level rises
    elif proportion and share > 0.5 and denominator - expected < 30:  # few fall short: draw those
        number = denominator - _poisson(rng, denominator - expected)
    elif expected < 30:
        number = _poisson(rng, expected)
    else:
        spread = math.sqrt(denominator * share * (1 - share)) if proportion else expected**0.5
        number = round(rng.gauss(expected, spread * 0.6))
    if indicator.unit in PROPORTION_UNITS:
        number = min(number, denominator)
    return max(number, 0)


# ----- cells -----------------------------------------------------------------------------------


def demo_cell(indicator: Indicator, area: Area, year: int, plan: Plan, streets: list[Area]) -> RawCell:
    """The synthetic figure for one indicator × area × year."""
    street = area.code if area.level == "street" else ""
    level, comment = district_level(indicator, year, plan), ""
    if street:
        level, comment = street_level(indicator, street, year, plan)
    reason = MISSING.get((indicator.code, street, year))
    rng = _rng("cell", indicator.code, area.code, year)
    # Some figures are missing, never the ones the demo's story is about (they carry a comment).
    if reason is None and year >= plan.start_year and rng.random() < MISSING_SHARE and not comment:
        reason = rng.choice(MISSING_REASONS)
    if reason:
        return RawCell(indicator.code, area.code, missing_reason=reason, source_note=SOURCE_NOTE)
    if indicator.unit not in SCALE:
        share = population(street, year) / sum(population(s.code, year) for s in streets) if street else 1
        number = level * share
        value = round(number, 1) if number != int(number) and number < 100 else round(number)
        return RawCell(indicator.code, area.code, value=value, comment=comment, source_note=SOURCE_NOTE)
    kind = denominator_kind(indicator)
    if street:
        denominator = street_base(kind, street, year, indicator.code)
    else:
        denominator = district_base(kind, streets, year, indicator.code)
    persistent = _rng("unit", indicator.code, area.code).random()
    numerator = draw_numerator(indicator, kind, level, denominator, rng, persistent)
    return RawCell(
        indicator.code,
        area.code,
        numerator=numerator,
        denominator=denominator,
        comment=comment,
        source_note=SOURCE_NOTE,
    )


def demo_cells(submission: Submission, expected: Expected) -> list[RawCell]:
    plan, year = submission.round.plan, submission.round.year
    return [demo_cell(i, a, year, plan, expected.streets) for i, a in expected.cells()]


def explain_warnings(submission: Submission, expected: Expected, cells: list[RawCell]) -> None:
    """Give every cell the soft checks would flag the comment a reporter would add, so that the
    submission can go through (the designed outliers and jumps carry their own already)."""
    rules = current_rules()
    infos = expected.infos()
    entries = [entry for cell in cells if (entry := clean_cell(cell, infos[cell.indicator], rules)[0])]
    where = {(e.indicator, e.area): f"{e.indicator}/{e.area}" for e in entries}
    last_year, pairs = history_for(submission, expected)
    warnings = yoy_warnings(entries, infos, last_year, pairs, rules, where)
    warnings += street_outlier_warnings(entries, infos, {a.code for a in expected.streets}, rules, where)
    by_key = {(c.indicator, c.area): c for c in cells}
    for warning in warnings:
        cell = by_key[(warning.indicator, warning.area)]
        if cell.comment:
            continue
        # A demo cell's denominator is an int (street_base, district_base) or None.
        if isinstance(cell.denominator, int) and cell.denominator < 50:
            cell.comment = "基数小，个别单位变化即引起比例明显波动，经核实属实"
        elif warning.rule == "yoy_change":
            cell.comment = "较上年变化较大，已逐项核对原始台账，数据属实"
        else:
            cell.comment = "与其他街镇差异较大，已核对原始台账，数据属实"


# ----- rounds ----------------------------------------------------------------------------------


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _fill(submission: Submission, expected: Expected, *, half: bool = False) -> int:
    cells = demo_cells(submission, expected)
    if half:
        codes = [i.code for i in expected.indicators][: max(1, len(expected.indicators) // 2)]
        cells = [c for c in cells if c.indicator in codes]
    explain_warnings(submission, expected, cells)
    return save_values(None, submission, cells, channel=Channel.SYSTEM).created


def _advance(submission: Submission, to: SubmissionState, reason: str = "") -> Submission:
    """Move a filled submission along the workflow, as its department and the office would."""
    submission = do_submit(None, submission, None)
    if to == SubmissionState.RETURNED:
        return do_return(None, submission, None, reason)
    if to in (SubmissionState.APPROVED, SubmissionState.ACCEPTED):
        submission = do_approve(None, submission, None)
    if to == SubmissionState.ACCEPTED:
        submission = do_accept(None, submission, None)
    return submission


def return_reason(expected: Expected) -> str:
    indicator = next((i for i in expected.indicators if i.per_street), expected.indicators[0])
    street = expected.streets[-1].name if indicator.per_street and expected.streets else expected.district.name
    return f"{indicator.code} {indicator.name}：请补充{street}数据的来源说明（报表名称和统计口径）后重新提交。"


def _backdate(submission: Submission, rng: random.Random, report_year: int, *, late: bool) -> None:
    """Put the demo's own timestamps where a real round would have had them."""
    deadline = datetime.date(report_year, *DEADLINE)
    submitted = deadline - datetime.timedelta(days=rng.randint(2, 40))
    if late:
        submitted = deadline + datetime.timedelta(days=rng.randint(3, 20))
    entered = _at(submitted - datetime.timedelta(days=rng.randint(1, 6)), rng.randint(9, 16), rng.randint(0, 59))
    values = DataValue.objects.filter(submission=submission)
    values.update(updated_at=entered)
    ValueChange.objects.filter(data_value__submission=submission).update(changed_at=entered)
    stamps = {}
    if submission.submitted_at:
        stamps["submitted_at"] = _at(submitted, rng.randint(9, 17), rng.randint(0, 59))
    if submission.reviewed_at:
        stamps["reviewed_at"] = _at(submitted + datetime.timedelta(days=rng.randint(1, 4)), 10, rng.randint(0, 59))
    if submission.accepted_at:
        stamps["accepted_at"] = _at(submitted + datetime.timedelta(days=rng.randint(6, 14)), 15, rng.randint(0, 59))
    if stamps:
        Submission.objects.filter(pk=submission.pk).update(**stamps)


@transaction.atomic
def load_closed_round(plan: Plan, year: int) -> int:
    """A round whose every department's data was accepted, then closed. Returns values created."""
    report_year = max(year + 1, plan.start_year)
    deadline = datetime.date(report_year, *DEADLINE)
    reporting_round = do_open_round(None, plan, year, deadline)
    created = 0
    for submission in reporting_round.submissions.select_related("round__plan", "department"):
        expected = expected_for(plan, year, submission.department)
        created += _fill(submission, expected)
        submission = _advance(submission, SubmissionState.ACCEPTED)
        rng = _rng("timeline", year, submission.department.code)
        _backdate(submission, rng, report_year, late=rng.random() < 0.15)
    do_close_round(None, reporting_round)
    ReportingRound.objects.filter(pk=reporting_round.pk).update(
        opened_at=_at(datetime.date(report_year, 1, 8), 9, 30),
        closed_at=_at(datetime.date(report_year, 6, 30), 17, 0),
    )
    return created


@transaction.atomic
def load_open_round(plan: Plan, year: int) -> int:
    """The current round: a few departments part-way through, the rest not started."""
    report_year = year + 1
    reporting_round = do_open_round(None, plan, year, datetime.date(report_year, *DEADLINE))
    submissions = {
        s.department.code: s for s in reporting_round.submissions.select_related("round__plan", "department")
    }
    stages = [(code, state) for code, state in LAST_ROUND if code in submissions]
    # Another plan's departments: give the stages nobody took to its departments in order.
    spare = [code for code in submissions if code not in dict(stages)]
    unplaced = [state for code, state in LAST_ROUND if code not in submissions]
    stages += list(zip(spare, unplaced, strict=False))
    created = 0
    for code, state in stages:
        submission = submissions[code]
        expected = expected_for(plan, year, submission.department)
        created += _fill(submission, expected, half=state == SubmissionState.DRAFT)
        if state != SubmissionState.DRAFT:
            submission = _advance(submission, state, return_reason(expected))
        rng = _rng("timeline", year, code)
        _backdate(submission, rng, report_year, late=state == SubmissionState.SUBMITTED)
    ReportingRound.objects.filter(pk=reporting_round.pk).update(opened_at=_at(datetime.date(report_year, 1, 8), 9, 30))
    return created


def demo_years(plan: Plan) -> list[int]:
    baseline_years = sorted(
        {y for y in plan.indicators.active().values_list("baseline_year", flat=True) if y and y < plan.start_year}
    )
    return [*baseline_years, *range(plan.start_year, plan.end_year + 1)]


def load_demo_values(plan: Plan) -> dict[str, int]:
    """Load the demo's rounds and values for `plan`; rounds that already exist are left alone.
    The plan's last year stays open, part-way; every earlier one is accepted and closed."""
    existing = set(ReportingRound.objects.filter(plan=plan).values_list("year", flat=True))
    rounds = values = 0
    for year in demo_years(plan):
        if year in existing:
            continue
        values += load_open_round(plan, year) if year == plan.end_year else load_closed_round(plan, year)
        rounds += 1
    return {"rounds_created": rounds, "values_created": values}
