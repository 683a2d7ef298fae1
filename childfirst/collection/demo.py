"""Synthetic monitoring data for the demo: a 2018 baseline round, rounds 2021–2024 accepted and
closed, and the 2025 round open with departments at every step of the workflow.

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

from django.db import transaction
from django.utils import timezone

from childfirst.areas.models import Area
from childfirst.plans.models import HIGHER_IS_BETTER, Comparator, Indicator, Plan

from .actions import do_accept, do_approve, do_close_round, do_open_round, do_return, do_submit, save_values
from .entries import PROPORTION_UNITS, SCALE, RawCell, clean_cell
from .models import Channel, DataValue, ReportingRound, Submission, SubmissionState, ValueChange
from .review import history_for
from .rules import current_rules
from .scope import Expected, expected_for
from .warnings import street_outlier_warnings, yoy_warnings

SEED = "childfirst-demo-1"
SOURCE_NOTE = "演示合成数据（非真实统计）"
MISSING_SHARE = 0.012  # of cells left without a figure, with a reason

# ----- the district as the generator sees it (orders of magnitude only, not official figures) --

# Resident population per street/town; other districts' streets get a size drawn from their code.
POPULATION = {
    "330302001": 72_000, "330302002": 78_000, "330302003": 112_000, "330302004": 128_000,
    "330302005": 42_000, "330302006": 83_000, "330302007": 96_000, "330302008": 88_000,
    "330302009": 92_000, "330302010": 158_000, "330302011": 68_000, "330302012": 118_000,
    "330302013": 61_000, "330302014": 36_000,
}  # fmt: skip
BIRTHS_PER_1000 = {2018: 10.2, 2021: 8.1, 2022: 7.4, 2023: 7.0, 2024: 6.7, 2025: 6.3}

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

# District level of each rate (in its unit) and each district count, 2021–2025, as the demo tells
# it: most reach their target, some fall short, some slip away from it (marked).
LEVELS: dict[str, tuple[float, ...]] = {
    "FAM-01": (62, 71, 80, 88, 92),
    "FAM-02": (4, 4, 5, 6, 6),
    "FAM-03": (76, 84, 91, 97, 100),
    "HEA-01": (1, 1, 1, 1, 1),
    "HEA-02": (0.82, 0.86, 0.91, 0.96, 1.02),
    "HEA-03": (86, 93, 100, 100, 100),
    "HEA-04": (95.2, 95.8, 96.3, 96.9, 97.3),
    "HEA-05": (58, 60, 62, 64, 66),
    "HEA-06": (1, 1, 1, 1, 1),
    "HEA-07": (1.6, 1.5, 1.4, 1.3, 1.2),
    "HEA-08": (2.6, 2.5, 2.3, 2.2, 2.0),
    "HEA-09": (3.5, 3.3, 3.1, 2.9, 2.8),
    "HEA-10": (82, 84, 86, 88, 90),
    "HEA-11": (55, 59, 62, 65, 67),  # falls short of 70
    "HEA-12": (78, 80, 83, 85, 87),
    "HEA-13": (2.1, 2.5, 2.9, 3.3, 3.7),  # with 双屿's new centres (below) 4.1 or so: short of 4.5
    "HEA-14": (36, 43, 57, 71, 79),
    "HEA-15": (94.1, 94.8, 95.5, 96.0, 96.4),
    "HEA-16": (72, 76, 80, 84, 87),
    "HEA-17": (94.0, 94.6, 95.1, 95.5, 96.0),
    "HEA-18": (6.6, 6.2, 5.9, 5.5, 5.2),
    "HEA-19": (1.9, 1.8, 1.7, 1.6, 1.5),
    "HEA-20": (6.6, 6.5, 6.3, 6.2, 6.0),
    "HEA-21": (92, 95, 97, 99, 100),
    "HEA-22": (48, 50, 52, 54, 55),
    "HEA-23": (60.2, 61.5, 62.4, 63.1, 63.6),  # slipping: poor eyesight rises
    "HEA-24": (52.6, 51.9, 50.6, 49.5, 48.4),  # myopia: down, but not 1 pp every year since 2018
    "HEA-25": (28.4, 27.3, 26.1, 25.2, 24.5),
    "HEA-26": (78, 80, 82, 84, 86),
    "HEA-27": (12.4, 12.9, 13.3, 13.6, 13.9),  # slipping
    "HEA-28": (0.46, 0.45, 0.44, 0.43, 0.42),
    "HEA-29": (80, 82, 85, 87, 88),
    "HEA-30": (16.4, 16.9, 17.5, 17.9, 18.3),  # slipping: overweight rises
    "HEA-31": (96, 98, 100, 100, 100),
    "HEA-32": (0, 0, 1, 1, 1),
    "HEA-33": (85, 88, 92, 95, 97),  # falls short of 100
    "HEA-34": (80, 86, 92, 97, 100),
    "HEA-35": (46, 52, 58, 57, 63),  # one year without the increase
    "HEA-36": (6, 8, 12, 14, 15),
    "HEA-37": (12, 15, 18, 20, 22),
    "HEA-38": (28, 52, 77, 101, 126),  # cumulative since the plan's first year
    "SAF-01": (6.4, 6.0, 5.6, 5.1, 4.8),
    "SAF-02": (97.8, 98.0, 98.2, 98.4, 98.6),
    "SAF-03": (97, 98, 99, 100, 100),
    "SAF-04": (88, 89, 91, 92, 93),
    "EDU-01": (88, 90, 92, 94, 96),  # falls short of 100
    "EDU-02": (60, 62, 64, 66, 68),
    "EDU-03": (99.3, 99.4, 99.5, 99.5, 99.6),
    "EDU-04": (52, 55, 59, 63, 66),
    "EDU-05": (89, 90, 91.5, 92.5, 93),
    "EDU-06": (66, 68, 71, 74, 76),
    "EDU-07": (99.6, 99.7, 99.7, 99.8, 99.8),  # just short of 100
    "EDU-08": (95, 96, 97, 98, 99),
    "EDU-09": (98.5, 98.8, 99.1, 99.3, 99.5),
    "EDU-10": (100, 100, 100, 100, 100),
    "EDU-11": (0, 0, 1, 1, 1),
    "WEL-01": (97.5, 97.9, 98.3, 98.6, 98.9),
    "WEL-02": (85, 87, 89, 91, 93),
    "WEL-03": (182, 196, 211, 226, 240),
    "WEL-04": (25, 19, 15, 12, 10),
    "WEL-05": (4, 3, 3, 2, 2),
    "WEL-06": (1, 1, 1, 1, 1),
    "WEL-07": (100, 100, 100, 100, 100),
    "WEL-08": (100, 100, 100, 100, 100),
    "WEL-09": (100, 100, 100, 100, 100),
    "WEL-10": (50, 64, 79, 93, 100),
    "WEL-11": (99.3, 99.2, 99.1, 99.0, 98.9),  # slipping, and never 100
    "WEL-12": (92, 95, 97, 99, 100),
    "WEL-13": (90, 94, 97, 99, 100),
    "WEL-14": (8, 10, 12, 14, 16),
    "WEL-15": (18, 28, 39, 47, 49),  # falls short of 50
    "WEL-16": (95, 96, 97, 98, 99),
    "LAW-01": (100, 100, 100, 100, 100),
    "LAW-02": (100, 100, 100, 100, 100),
    "LAW-03": (100, 100, 100, 100, 100),
    "LAW-04": (99.7, 99.7, 99.8, 99.8, 99.8),
    "ENV-01": (118, 126, 133, 139, 146),
    "ENV-02": (30, 32, 35, 36, 38),
    "ENV-03": (1, 1, 1, 1, 1),
    "ENV-04": (28.6, 30.2, 31.5, 33.0, 34.1),  # minutes a day
    "ENV-05": (8.2, 8.9, 9.5, 10.1, 10.6),  # books a year
    "ENV-06": (3, 4, 5, 6, 6),
    "ENV-07": (57, 71, 86, 93, 100),
    "ENV-08": (96, 97, 98, 99, 100),
}
BASELINES = {("HEA-24", 2018): 54.8}
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


EVENTS = [
    Event("HEA-13", "330302010", 2023, "mul", 2.1, "新建托育机构集中投用，托位数大幅增加"),
    Event("EDU-04", "330302012", 2023, "add", 18, "新建公办幼儿园开园招生"),
    Event("HEA-05", "330302003", 2022, "add", -16, "当年调查样本更换，抽样口径与上年不同", lasting=False),
    Event("HEA-16", "330302008", 2024, "add", 14, "集中组织从业人员参加保育师资格培训考试"),
]
# Streets far from the others, every year: (indicator, area) → (how, factor, explanation), where
# "gap" scales the street's shortfall from 100% and "level" its level.
OUTLIERS = {
    ("HEA-13", "330302014"): ("level", 0.25, "山区镇，常住人口分散，托育机构少"),
    ("HEA-16", "330302014"): ("gap", 1.8, "山区镇，托育从业人员流动大，持证比例低"),
    ("EDU-06", "330302005"): ("gap", 1.8, "江心岛街道，优质幼儿园较少"),
    ("HEA-22", "330302010"): ("level", 0.72, "外来务工人员子女集中，学生体质基础较弱"),
}
MISSING = {
    ("HEA-12", "330302014", 2021): "当年未开展抽样调查",
    ("HEA-12", "330302005", 2021): "当年未开展抽样调查",
    ("HEA-26", "", 2021): "该项调查自2022年起开展",
    ("EDU-02", "330302011", 2022): "统计口径调整，暂无数据",
}
MISSING_REASONS = ["统计口径调整，暂无数据", "数据尚在核实，暂无数据", "当年未开展该项统计"]

# The 2025 round, part-way: department → where it stands (the rest have not started).
ROUND_2025 = [
    ("market-regulation", SubmissionState.ACCEPTED),
    ("civil-affairs", SubmissionState.APPROVED),
    ("disabled-federation", SubmissionState.SUBMITTED),
    ("education", SubmissionState.RETURNED),
    ("health", SubmissionState.DRAFT),  # half filled: the demo reporter's department
]
# Data for year Y is due on 31 March of Y+1, the 2025 round included: the demo runs after that
# date, so the departments that have not submitted show as overdue and reminders have someone to go to.
DEADLINE = (3, 31)


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
        if cell.denominator is not None and cell.denominator < 50:
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
    stages = [(code, state) for code, state in ROUND_2025 if code in submissions]
    # Another plan's departments: give the stages nobody took to its departments in order.
    spare = [code for code in submissions if code not in dict(stages)]
    unplaced = [state for code, state in ROUND_2025 if code not in submissions]
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
