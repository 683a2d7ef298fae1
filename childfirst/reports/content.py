"""What a report says, as plain data: sections of paragraphs, tables and charts, built from one
published evaluation snapshot. The Word and PDF writers render this same structure, so the two files
never disagree.

Everything here reads the snapshot (its results and values with provenance) and the plan catalogue;
nothing reads live data values, so the same snapshot always gives the same figures. The documents
are Chinese by design: building runs under zh-hans whatever the caller's language.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from django.utils import timezone

from childfirst.areas.models import Area
from childfirst.evaluation import engine
from childfirst.evaluation.labels import STATUS_LABELS, STATUS_ORDER
from childfirst.evaluation.models import Snapshot, SnapshotResult, SnapshotValue
from childfirst.evaluation.snapshot_targets import apply_result_targets
from childfirst.plans.models import Domain, Indicator, TargetRevision
from childfirst.plans.targets import RevisionStep, plan_revision_steps

from . import charts

KIND_TITLES = {"annual": "年度监测报告", "midterm": "中期评估报告", "final": "终期评估报告"}
CHINESE_NUMERALS = "一二三四五六七八九十"
EVALUABLE = ("achieved", "on_track", "needs_acceleration", "at_risk", "not_achieved")
LAGGING = ("not_achieved", "at_risk", "needs_acceleration")
WARNING_NAMES = {
    "projected_miss": "预计达不到目标",
    "moved_away": "偏离目标",
    "volatile": "波动较大",
    "missing_data": "数据缺失",
    "late_data": "数据迟报",
    "street_behind": "街镇明显落后",
}
NO_VALUE = "—"
MAX_FIGURE_HEIGHT_CM = 19.0  # a chart and its caption fit on an A4 page inside the margins


# --- the content model -----------------------------------------------------------------------------


@dataclass
class Paragraph:
    text: str
    style: str = "body"  # body (first line indented) | plain | note | quote | item | center
    kind = "paragraph"


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]
    widths: list[float]  # relative column widths
    align: str = ""  # one letter per column: l, c, r (default: first column left, rest centred)
    key: str = ""  # stable name (tests, anchors)
    small: bool = False  # appendix tables: smaller type
    number: int = 0
    kind = "table"

    def __post_init__(self) -> None:
        if not self.align:
            self.align = "l" + "c" * (len(self.header) - 1)

    @property
    def label(self) -> str:
        return f"表{self.number}　{self.caption}"

    @property
    def column_percents(self) -> list[float]:
        total = sum(self.widths)
        return [round(100 * w / total, 3) for w in self.widths]

    @property
    def aligned_rows(self) -> list[list[tuple[str, str]]]:
        return [list(zip(row, self.align, strict=True)) for row in self.rows]


@dataclass
class Chart:
    caption: str
    png: bytes
    width_cm: float = 15.0
    key: str = ""
    number: int = 0
    address: str = ""  # set by the PDF writer
    kind = "chart"

    @property
    def label(self) -> str:
        return f"图{self.number}　{self.caption}"

    @property
    def height_cm(self) -> float:
        width, height = charts.png_size(self.png)
        return round(self.width_cm * height / width, 2)

    @property
    def display_width(self) -> float:
        """The width on the page: narrower when the chart would otherwise be taller than a page allows."""
        if self.height_cm > MAX_FIGURE_HEIGHT_CM:
            return round(self.width_cm * MAX_FIGURE_HEIGHT_CM / self.height_cm, 2)
        return self.width_cm


@dataclass
class Section:
    title: str  # numbered as the office writes it: "一、总体情况", "（一）儿童与家庭"
    level: int  # 1, 2 or 3
    blocks: list = field(default_factory=list)
    key: str = ""
    page_break: bool = False
    anchor: str = ""  # set by the PDF writer
    kind = "section"

    def add(self, *blocks) -> Section:
        self.blocks.extend(blocks)
        return self


@dataclass
class ReportContent:
    kind: str
    plan_name: str
    report_title: str  # "2024年度监测报告"
    year: int
    office: str
    version_line: str
    date_line: str  # "2026年11月"
    published_at: datetime.datetime
    snapshot_version: int
    method_version: str
    sections: list[Section]

    @property
    def title(self) -> str:
        return f"{self.plan_name}{self.report_title}"

    def walk(self):
        """Every block in reading order, sections included."""

        def visit(blocks):
            for block in blocks:
                yield block
                if isinstance(block, Section):
                    yield from visit(block.blocks)

        yield from visit(self.sections)

    def number_figures(self) -> None:
        tables = figures = 0
        for block in self.walk():
            if isinstance(block, Table):
                tables += 1
                block.number = tables
            elif isinstance(block, Chart):
                figures += 1
                block.number = figures


def numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二 (section numbers)."""
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    if n < 20:
        return "十" + CHINESE_NUMERALS[n - 11]
    return CHINESE_NUMERALS[n // 10 - 1] + "十" + (CHINESE_NUMERALS[n % 10 - 1] if n % 10 else "")


def h1(n: int, title: str, **kw) -> Section:
    return Section(f"{numeral(n)}、{title}", 1, **kw)


def h2(n: int, title: str, **kw) -> Section:
    return Section(f"（{numeral(n)}）{title}", 2, **kw)


# --- formatting ------------------------------------------------------------------------------------


def fmt(value: float | None) -> str:
    return NO_VALUE if value is None or not math.isfinite(value) else engine.number(value)


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else NO_VALUE


def long_date(moment: datetime.datetime | datetime.date) -> str:
    if isinstance(moment, datetime.datetime):
        moment = timezone.localtime(moment).date()
    return f"{moment.year}年{moment.month}月{moment.day}日"


def joined(items: list[str], limit: int = 0) -> str:
    """ "甲、乙、丙" (and "等N项" when cut at `limit`)."""
    if limit and len(items) > limit:
        return "、".join(items[:limit]) + f"等{len(items)}项"
    return "、".join(items)


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def status_labels() -> dict[str, str]:
    return {s: status_label(s) for s in STATUS_ORDER}


def counts_text(counts: Mapping[str, int]) -> str:
    """ "已达标40项、进展顺利32项…" in the order best first, statuses with none left out."""
    parts = [f"{status_label(s)}{counts[s]}项" for s in reversed(STATUS_ORDER) if counts.get(s)]
    return "、".join(parts) if parts else "暂无评估结果"


# --- the snapshot's facts --------------------------------------------------------------------------


def warning_text(warning: dict) -> str:
    return engine.Warning(warning["code"], warning["params"]).message


def reasons_text(warnings: list[dict]) -> str:
    """ "预计达不到目标：…；偏离目标：…。" — each warning named, with its reason."""
    parts = [f"{WARNING_NAMES[w['code']]}：{warning_text(w).rstrip('。')}" for w in warnings]
    return "；".join(parts) + "。" if parts else ""


class Facts:
    """A snapshot's results and values, indexed for the report sections (a few queries in all)."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.plan = snapshot.plan
        self.year = snapshot.year
        self.district: Area = self.plan.area
        results = list(SnapshotResult.objects.filter(snapshot=snapshot).select_related("area"))
        ids = {r.indicator_id for r in results}
        self.indicators: list[Indicator] = list(
            Indicator.objects.filter(pk__in=ids)
            .select_related("domain", "key_project")
            .prefetch_related("measures__domain", "responsibilities__department")
            .order_by("domain__number", "order")
        )
        # The targets the snapshot was evaluated against, not today's (a revision may have come since).
        apply_result_targets((r for r in results if r.area_id == self.district.pk), self.indicators)
        self.by_id = {i.pk: i for i in self.indicators}
        self.domains: list[Domain] = sorted({i.domain for i in self.indicators}, key=lambda d: d.number)
        self.result: dict[tuple[int, str], SnapshotResult] = {(r.indicator_id, r.area.code): r for r in results}
        self.streets: list[Area] = sorted(
            {r.area for r in results if r.area.level == "street"}, key=lambda a: a.code
        )  # fmt: skip
        self.values: dict[tuple[int, str], dict[int, SnapshotValue]] = defaultdict(dict)
        for v in SnapshotValue.objects.filter(snapshot=snapshot).select_related("area").order_by("year"):
            self.values[(v.indicator_id, v.area.code)][v.year] = v

    @cached_property
    def revisions(self) -> list[RevisionStep]:
        """The target revisions this snapshot was evaluated with: in force by its year and loaded
        before it was published, in catalogue order."""
        revisions = TargetRevision.objects.of_plan(self.plan).filter(
            from_year__lte=self.year, loaded_at__lte=self.snapshot.published_at, indicator_id__in=self.by_id
        )
        return plan_revision_steps(revisions)

    # what the sections ask

    @property
    def years(self) -> list[int]:
        return list(range(self.plan.start_year, self.year + 1))

    @cached_property
    def value_years(self) -> list[int]:
        """Every year with a value in the snapshot (baseline years before the plan included)."""
        return sorted({y for years in self.values.values() for y in years})

    def of_domain(self, domain: Domain) -> list[Indicator]:
        return [i for i in self.indicators if i.domain_id == domain.pk]

    def district_result(self, indicator: Indicator) -> SnapshotResult | None:
        return self.result.get((indicator.pk, self.district.code))

    def status(self, indicator: Indicator, area: Area | None = None) -> str:
        result = self.result.get((indicator.pk, (area or self.district).code))
        return result.status if result else "insufficient_data"

    def value(self, indicator: Indicator, year: int, area: Area | None = None) -> float | None:
        point = self.values.get((indicator.pk, (area or self.district).code), {}).get(year)
        return point.value if point else None

    def counts(self, indicators: list[Indicator], area: Area | None = None) -> Counter:
        return Counter(self.status(i, area) for i in indicators)

    def street_indicators(self) -> list[Indicator]:
        return [i for i in self.indicators if i.per_street]

    def flagged(self) -> list[tuple[Indicator, SnapshotResult]]:
        """District results with a warning or a bad status, worst status first (as the dashboards)."""
        rows = []
        for indicator in self.indicators:
            result = self.district_result(indicator)
            if result and (result.warnings or result.status in ("at_risk", "not_achieved")):
                rows.append((indicator, result))
        return sorted(rows, key=lambda r: (STATUS_ORDER.index(r[1].status), r[0].domain.number, r[0].order))

    def evaluable(self, indicators: list[Indicator]) -> list[Indicator]:
        """Indicators with a numeric or year-on-year target and enough data to judge (达标率's denominator).
        A plain "raise"/"lower" target can never be met, so it is reported apart."""
        return [i for i in indicators if i.comparator not in ("up", "down") and self.status(i) in EVALUABLE]

    def completion(self, indicator: Indicator, value: float | None, year: int | None = None) -> float | None:
        """How far `value` has come towards the numeric target, in percent (100: met). None when the
        target is not a number (directional) or the figure cannot be put that way."""
        if value is None or indicator.target is None or indicator.comparator in ("yoy_increase", "up", "down"):
            return None
        target = float(indicator.target)
        if indicator.comparator == "annual_decrease":
            result = self.district_result(indicator)
            if result is None or result.target_for_latest is None:
                return None
            target = result.target_for_latest
        if indicator.direction == "up":
            return 100 * value / target if target > 0 else None
        if value <= 0:
            return 100.0 if target >= 0 else None
        return 100 * target / value if target > 0 else None

    def change_direction(self, indicator: Indicator, before: float | None, after: float | None) -> int:
        """+1 better, -1 worse, 0 same as written (rounding is no change)."""
        if before is None or after is None or engine.number(before) == engine.number(after):
            return 0
        better = after > before if indicator.direction == "up" else after < before
        return 1 if better else -1

    def status_in(self, indicator: Indicator, year: int) -> str:
        """The district status the engine gives on this snapshot's values up to `year` (an earlier year's
        status, for "newly achieved"), without the warnings that need the whole dataset."""
        from childfirst.evaluation.data import spec_of

        series = {
            y: p.value
            for y, p in self.values.get((indicator.pk, self.district.code), {}).items()
            if p.value is not None
        }
        spec = spec_of(indicator)
        # An earlier year is judged against the target in force then (before a revision: the old one).
        steps = [step for step in self.revisions if step.revision.indicator_id == indicator.pk]
        if steps:
            then = steps[0].before
            for step in steps:
                if step.revision.from_year <= year:
                    then = step.after
            target = float(then.target) if then.target is not None else None
            spec = dataclasses.replace(spec, comparator=then.comparator, target=target, target_year=then.target_year)
        return engine.evaluate(spec, series, year).status

    def reporter(self, indicator: Indicator) -> str:
        """The department(s) the indicator's values came from, as their provenance records it."""
        departments = []
        for (indicator_id, _area), points in self.values.items():
            if indicator_id == indicator.pk:
                departments += [p.source.get("department") for p in points.values() if not p.derived]
        return "、".join(sorted({d for d in departments if d}))

    def unit(self, indicator: Indicator) -> str:
        symbol = indicator.unit_symbol.strip()
        return f"（{symbol}）" if symbol else ""

    def named(self, indicator: Indicator) -> str:
        return f"{indicator.name}{self.unit(indicator)}"

    def office(self) -> str:
        return f"{self.district.name}人民政府妇女儿童工作委员会办公室"

    def version_line(self, kind: str) -> str:
        s = self.snapshot
        text = (
            f"本报告依据{s.year}年度评估快照第{s.version}版编制（{long_date(s.published_at)}发布，"
            f"评估方法版本{s.method_version}）"
        )
        if s.note:
            text += f"；快照说明：{s.note}"
        return text + "。"


# --- parts every report shares ---------------------------------------------------------------------


def progress_chart(facts: Facts, indicators: list[Indicator], caption: str, key: str, baseline: bool = False):
    """The domain chart: target completion of each numeric indicator, coloured by status; None when no
    indicator of the domain has a numeric target and a value."""
    bars = []
    for indicator in indicators:
        result = facts.district_result(indicator)
        latest = result.latest_value if result else None
        completion = facts.completion(indicator, latest)
        if completion is None:
            continue
        assert result is not None  # a completion needs a latest value, hence a result
        base = None
        if baseline:
            year, value = baseline_of(facts, indicator)
            base = facts.completion(indicator, value) if year is not None else None
        if indicator.comparator == "annual_decrease":
            text = f"{fmt(latest)}（{result.latest_year}年目标 ≤ {fmt(result.target_for_latest)}）"
        else:
            text = f"{fmt(latest)}（目标{indicator.target_display}）"
        bars.append(charts.Bar(f"{indicator.code} {short(indicator.name, 16)}", completion, result.status, text, base))
    if not bars:
        return None
    return Chart(caption, charts.progress_bars(bars, status_labels()), key=key)


def short(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def baseline_of(facts: Facts, indicator: Indicator) -> tuple[int | None, float | None]:
    """The plan's baseline when it gives one, else the first value in the snapshot."""
    if indicator.baseline_year is not None and indicator.baseline_value is not None:
        return indicator.baseline_year, float(indicator.baseline_value)
    points = facts.values.get((indicator.pk, facts.district.code), {})
    for year in sorted(points):
        if points[year].value is not None:
            return year, points[year].value
    return None, None


def method_section(n: int, facts: Facts, kind: str) -> Section:
    labels = status_labels()
    section = h1(n, "监测方法说明", key="method")
    section.add(
        Paragraph(facts.version_line(kind)),
        Paragraph(
            "监测数据为各成员单位按年度填报、经本单位审核并由区妇儿工委办接收的数值；草稿和待审核的数值不计入。"
            "比率类指标按分子、分母填报，全区数值由各街镇分子、分母合计后计算，不对街镇比率求平均。"
            "评估快照发布后即冻结，数据更正后另行发布新版本，报告注明所依据的快照版本。"
        ),
        Paragraph(
            "指标状态按统一的评估方法确定：最新值满足目标为“{achieved}”；目标年已到仍未满足为“{not_achieved}”；"
            "否则以基线年以来数值的最小二乘斜率计算进度比R（实际年均进度 ÷ 剩余年份每年所需进度），"
            "R ≥ 1为“{on_track}”，0.5 ≤ R < 1为“{needs_acceleration}”，R < 0.5为“{at_risk}”；"
            "有效数值少于两个为“{insufficient_data}”。“逐年增加”类指标看每年变化是否均为正，"
            "“提高”“降低”类方向性指标看趋势方向。".format(**labels)
        ),
        Paragraph(
            "预警包括：预计达不到目标、偏离目标（比上一年变差）、波动较大（稳健z分数大于3.5）、数据缺失、"
            "数据迟报、街镇明显落后于全区，每条预警均附原因。详细规则和算例见《评估方法》"
            f"（系统“评估方法”页面，方法版本{engine.METHOD_VERSION}）。"
        ),
    )
    section.add(*revisions_blocks(facts))
    if kind != "annual":
        section.add(
            Paragraph(
                "达标率 = 已达标指标数 ÷ 可评估指标数。"
                "可评估指标指有数值目标或“逐年增加”目标、且有足够数据作出判断的指标；"
                "“提高”“降低”类方向性指标没有数值目标，单独说明其趋势。"
            )
        )
    return section


def revisions_blocks(facts: Facts) -> list:
    """目标调整: each target revised by the report's year, old → new, with its decision."""
    steps = facts.revisions
    if not steps:
        return [Paragraph("本规划期内截至本年度未调整指标目标，各指标均按规划原定目标评估。")]
    rows = [
        [
            step.revision.indicator.code,
            facts.named(step.revision.indicator),
            step.old_display,
            step.new_display,
            f"{step.revision.from_year}年起",
            long_date(step.revision.decided_on),
            step.revision.document,
        ]
        for step in steps
    ]
    return [
        Paragraph(
            f"目标调整：截至{facts.year}年，有{len(steps)}项指标的目标经决定调整（见下表）。"
            "各年度按当年有效的目标评估：调整前的年份按原目标，调整起始年份及以后按调整后的目标；"
            "本报告各表所列目标均为本年度评估所依据的目标。"
        ),
        Table(
            "目标调整",
            ["代码", "指标", "原目标", "调整后目标", "适用年份", "决定日期", "依据文件"],
            rows,
            [1.5, 3.4, 1.8, 1.8, 1.5, 2.0, 3.5],
            "llcccll",
            key="revisions",
        ),
    ]


def appendix_sections(n: int, facts: Facts) -> Section:
    """Every value of the snapshot, and where each came from (department and dates)."""
    section = h1(n, "附录", key="appendix", page_break=True)
    years = facts.value_years
    values = Section("附录一　监测数据明细", 2, key="appendix-values")
    values.add(
        Paragraph(
            f"以下两表列出{facts.year}年度评估快照第{facts.snapshot.version}版包含的全部数值"
            f"（{years[0] if years else facts.year}—{facts.year}年）："
            "全区各指标逐年数值，以及分街镇监测指标的各街镇数值。"
            "标“*”的全区数值由各街镇分子、分母汇总得出，“—”为填报时说明无数据；"
            "各街镇数值与全区数值由同一报送单位报送。",
            "note",
        ),
        district_values_table(facts, years),
    )
    if facts.streets and facts.street_indicators():
        values.add(street_values_table(facts))
    section.add(values)
    sources = Section("附录二　数据来源", 2, key="appendix-sources")
    sources.add(
        Paragraph(
            "每个数值均可追溯到填报单位及其填报、审核、接收记录。下表按报送单位和年份汇总（街镇数值与全区数值同批报送）；"
            "逐个数值的修改记录保存在系统中。",
            "note",
        )
    )
    sources.add(source_table(facts))
    section.add(sources)
    return section


def _cell(point: SnapshotValue | None) -> str:
    if point is None:
        return ""
    return fmt(point.value) + ("*" if point.derived and point.value is not None else "")


def district_values_table(facts: Facts, years: list[int]) -> Table:
    rows = []
    for indicator in facts.indicators:
        points = facts.values.get((indicator.pk, facts.district.code), {})
        rows.append(
            [indicator.code, facts.named(indicator), *[_cell(points.get(y)) for y in years], facts.reporter(indicator)]
        )
    return Table(
        f"全区各指标逐年数值（{facts.district.name}）",
        ["代码", "指标", *[str(y) for y in years], "报送单位"],
        rows,
        [1.6, 4.6, *[1.3] * len(years), 2.3],
        "ll" + "r" * len(years) + "l",
        key="appendix-district",
        small=True,
    )


def street_values_table(facts: Facts) -> Table:
    """Per-street indicators: one row per indicator and year, one column per street."""
    rows = []
    for indicator in facts.street_indicators():
        by_street = [facts.values.get((indicator.pk, s.code), {}) for s in facts.streets]
        years = sorted({y for points in by_street for y in points})
        for index, year in enumerate(years):
            rows.append([indicator.code if index == 0 else "", str(year), *[_cell(p.get(year)) for p in by_street]])
    return Table(
        "分街镇监测指标各街镇数值",
        ["代码", "年份", *[s.name for s in facts.streets]],
        rows,
        [1.6, 1.05, *[1.0] * len(facts.streets)],
        "lc" + "r" * len(facts.streets),
        key="appendix-streets",
        small=True,
    )


def source_table(facts: Facts) -> Table:
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for points in facts.values.values():
        for year, point in points.items():
            if not point.derived and point.source:
                groups[(point.source.get("department", ""), year)].append(point.source)
    rows = []
    channel_names = {"web": "网页", "excel": "Excel", "api": "接口", "system": "系统"}
    for (department, year), items in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):

        def people(field_name: str, items=items) -> str:
            return "、".join(sorted({str(s.get(field_name) or "") for s in items} - {""}))

        accepted = sorted({(s.get("accepted_at") or "")[:10] for s in items} - {""})
        channels = Counter(channel_names.get(s.get("channel") or "", s.get("channel") or "") for s in items)
        rows.append(
            [
                department,
                str(year),
                str(len(items)),
                "、".join(f"{c}{n}" for c, n in sorted(channels.items())),
                people("entered_by"),
                people("approved_by"),
                people("accepted_by"),
                "—".join(dict.fromkeys([accepted[0], accepted[-1]])) if accepted else NO_VALUE,
            ]
        )
    return Table(
        "各单位各年度数据的填报、审核与接收",
        ["报送单位", "年度", "数值个数", "报送渠道", "填报", "审核", "接收", "接收日期"],
        rows,
        [3.0, 1.2, 1.3, 1.8, 1.8, 1.8, 1.8, 2.6],
        "lcrccccc",
        key="appendix-sources",
        small=True,
    )
