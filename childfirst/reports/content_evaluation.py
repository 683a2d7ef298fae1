"""The mid-term (中期评估) and final (终期评估) evaluations as content: baseline → current → target per
indicator, attainment by domain, findings generated from the figures, and for each lagging indicator
the plan's own measures behind it."""

from __future__ import annotations

from dataclasses import dataclass

from childfirst.evaluation.labels import STATUS_ORDER
from childfirst.plans.models import Domain, Indicator

from . import charts
from .content import (
    LAGGING,
    NO_VALUE,
    Chart,
    Facts,
    Paragraph,
    Section,
    Table,
    appendix_sections,
    baseline_of,
    counts_text,
    fmt,
    h1,
    h2,
    joined,
    method_section,
    percent,
    progress_chart,
    reasons_text,
    status_label,
)
from .content_annual import key_projects_section

STAGE = {"midterm": "中期", "final": "终期"}


@dataclass
class Attainment:
    """达标率 of a group of indicators: achieved ÷ evaluable."""

    name: str
    indicators: list[Indicator]
    evaluable: int
    achieved: int
    counts: dict[str, int]

    @property
    def rate(self) -> float | None:
        return 100 * self.achieved / self.evaluable if self.evaluable else None

    @property
    def rate_text(self) -> str:
        return percent(self.achieved, self.evaluable)


def attainment(facts: Facts, name: str, indicators: list[Indicator]) -> Attainment:
    evaluable = facts.evaluable(indicators)
    achieved = sum(1 for i in evaluable if facts.status(i) == "achieved")
    return Attainment(name, indicators, len(evaluable), achieved, dict(facts.counts(indicators)))


def evaluation_sections(facts: Facts, kind: str) -> list[Section]:
    domains = [attainment(facts, d.name, facts.of_domain(d)) for d in facts.domains]
    overall = attainment(facts, "合计", facts.indicators)
    return [
        scope_section(1, facts, kind),
        conclusion_section(2, facts, kind, domains, overall),
        results_section(3, facts, kind, domains, overall),
        problems_section(4, facts, kind, domains),
        domain_review_section(5, facts, kind),
        lagging_section(6, facts, kind),
        key_projects_section(7, facts, kind),
        method_section(8, facts, kind),
        appendix_sections(9, facts),
    ]


def scope_section(n: int, facts: Facts, kind: str) -> Section:
    stage = STAGE[kind]
    plan = facts.plan
    purpose = (
        "对照规划目标检查前半程实施进度，研判后半程达标形势，为调整工作重点提供依据"
        if kind == "midterm"
        else "全面评价规划目标实现情况和实施效果，总结经验，分析问题，为编制下一周期规划提供依据"
    )
    return h1(n, "评估概况", key="scope").add(
        Paragraph(
            f"根据规划“对规划的实施情况进行年度监测、中期评估和终期评估”的要求，{facts.office()}组织开展"
            f"{plan.name}{stage}评估，{purpose}。"
        ),
        Paragraph(
            f"评估范围为规划{len(facts.domains)}个领域的{len(facts.indicators)}项监测指标和{plan.key_projects.count()}项"
            f"重点实事项目，评估基准年为{facts.year}年，规划期为{plan.start_year}—{plan.end_year}年。"
            f"每项指标对照基线值、{facts.year}年值和目标值评估，并按领域计算达标率。{facts.version_line(kind)}"
        ),
    )


def conclusion_section(n: int, facts: Facts, kind: str, domains: list[Attainment], overall: Attainment) -> Section:
    order = [s for s in reversed(STATUS_ORDER)]
    directional = [i for i in facts.indicators if i.comparator in ("up", "down")]
    right_way = sum(1 for i in directional if facts.status(i) == "on_track")
    section = h1(n, "总体评估结论", key="conclusion")
    text = (
        f"截至{facts.year}年，{len(facts.indicators)}项指标中可评估{overall.evaluable}项，已达标{overall.achieved}项，"
        f"总体达标率{overall.rate_text}；全部指标{counts_text(overall.counts)}。"
    )
    if directional:
        text += f"另有“提高”“降低”类方向性指标{len(directional)}项，其中{right_way}项趋势方向正确。"
    section.add(Paragraph(text))
    rows = [
        [a.name, str(len(a.indicators)), str(a.evaluable), str(a.achieved), a.rate_text,
         *[str(a.counts.get(s, 0)) for s in order if s != "achieved"]]
        for a in [*domains, overall]
    ]  # fmt: skip
    section.add(
        Table(
            f"各领域指标达标情况（{facts.year}年）",
            ["领域", "指标数", "可评估", "已达标", "达标率", *[status_label(s) for s in order if s != "achieved"]],
            rows,
            [2.4, 1.1, 1.1, 1.1, 1.3, *[1.2] * (len(order) - 1)],
            key="attainment",
        ),
        Chart(
            f"各领域达标率（{facts.year}年）",
            charts.rate_bars([a.name for a in domains], [a.rate for a in domains]),
            key="attainment",
        ),
    )
    return section


def ranked(domains: list[Attainment]) -> list[Attainment]:
    """Domains with a rate, best first (ties: more indicators achieved first, then plan order)."""
    rated = [(i, a, a.rate) for i, a in enumerate(domains) if a.rate is not None]
    return [a for _i, a, _r in sorted(rated, key=lambda iar: (-iar[2], -iar[1].achieved, iar[0]))]


def movement(facts: Facts, indicator: Indicator) -> tuple[int | None, float | None, float | None, int]:
    """(baseline year, baseline value, current value, direction of the change: +1 better, -1 worse, 0)."""
    year, base = baseline_of(facts, indicator)
    result = facts.district_result(indicator)
    current = result.latest_value if result else None
    if year is not None and result and result.latest_year == year:
        return year, base, current, 0  # the baseline is the only figure: nothing moved yet
    return year, base, current, facts.change_direction(indicator, base, current)


def results_section(n: int, facts: Facts, kind: str, domains: list[Attainment], overall: Attainment) -> Section:
    section = h1(n, "主要成效", key="results")
    best = ranked(domains)[:2]
    outlook = "按目前趋势可如期达标" if kind == "midterm" else "趋势向好"
    items = [
        f"总体达标率{overall.rate_text}，已达标指标{overall.achieved}项；"
        f"另有{overall.counts.get('on_track', 0)}项进展顺利，{outlook}。"
    ]
    if best:
        items.append("达标率较高的领域是" + "和".join(f"{a.name}（{a.rate_text}）" for a in best) + "。")
    gains = []
    for indicator in facts.indicators:
        year, base, current, direction = movement(facts, indicator)
        if direction > 0:
            before = facts.completion(indicator, base)
            after = facts.completion(indicator, current)
            # Progress towards the target, not beyond it: 100 is met, whatever the figure.
            gain = min(after, 100) - min(before, 100) if before is not None and after is not None else 0.0
            gains.append((gain, indicator, year, base, current))
    gains.sort(key=lambda g: (-g[0], g[1].domain.number, g[1].order))
    if gains:
        latest = facts.year

        def moved(indicator, year, base, current) -> str:
            verb = "提高" if indicator.direction == "up" else "降低"
            return f"{indicator.name}由{fmt(base)}（{year}年）{verb}到{fmt(current)}（{latest}年）"

        items.append(
            f"与基线相比，{len(gains)}项指标改善，向目标推进较多的有："
            + "；".join(moved(i, y, b, c) for _g, i, y, b, c in gains[:5])
            + "。"
        )
    for domain in facts.domains:
        achieved = [i.name for i in facts.of_domain(domain) if facts.status(i) == "achieved"]
        if achieved:
            items.append(f"{domain.name}领域已达标：{joined(achieved, 8)}。")
    for number, text in enumerate(items, 1):
        section.add(Paragraph(f"{number}．{text}", "item"))
    return section


def problems_section(n: int, facts: Facts, kind: str, domains: list[Attainment]) -> Section:
    section = h1(n, "存在问题", key="problems")
    items = []
    order = ranked(domains)
    if len(order) > 2:
        worst = order[-2:][::-1]
        items.append("达标率较低的领域是" + "和".join(f"{a.name}（{a.rate_text}）" for a in worst) + "。")
    for status in LAGGING:
        names = [i.name for i in facts.indicators if facts.status(i) == status]
        if names:
            label = status_label(status)
            items.append(f"处于“{label}”状态的指标{len(names)}项：{joined(names)}。")
    worse = [i.name for i in facts.indicators if movement(facts, i)[3] < 0]
    if worse:
        items.append(f"与基线相比变差的指标{len(worse)}项：{joined(worse)}。")
    missing = [i.name for i in facts.indicators if facts.status(i) == "insufficient_data"]
    if missing:
        items.append(f"数据不足、无法评估的指标{len(missing)}项：{joined(missing)}，需完善统计口径和数据报送。")
    behind: dict[str, list[str]] = {}
    for indicator in facts.street_indicators():
        for street in facts.streets:
            result = facts.result.get((indicator.pk, street.code))
            if result and any(w["code"] == "street_behind" for w in result.warnings):
                behind.setdefault(street.name, []).append(indicator.name)
    if behind:
        most = sorted(behind.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:3]
        items.append(
            f"街镇之间发展不均衡：{len(behind)}个街镇有指标明显落后于全区，较多的是"
            + "、".join(f"{name}（{len(names)}项）" for name, names in most)
            + "。"
        )
    if not items:
        items.append("未发现需要特别关注的问题。")
    for number, text in enumerate(items, 1):
        section.add(Paragraph(f"{number}．{text}", "item"))
    return section


def domain_review_section(n: int, facts: Facts, kind: str) -> Section:
    section = h1(n, "分领域评估", key="domains", page_break=True)
    section.add(
        Paragraph(
            f"各表列出每项指标的基线值、{facts.year}年值和目标；括号内为数值所属年份，"
            f"{facts.year}年没有数据的列出最新一年的数值。图中条形为{facts.year}年（或最新）的目标完成程度，圆点为基线。",
            "note",
        )
    )
    for number, domain in enumerate(facts.domains, 1):
        indicators = facts.of_domain(domain)
        part = h2(number, domain.name, key=f"domain-{domain.code}")
        group = attainment(facts, domain.name, indicators)
        part.add(
            Paragraph(
                f"本领域监测指标{len(indicators)}项，可评估{group.evaluable}项，已达标{group.achieved}项，"
                f"达标率{group.rate_text}；按状态分，{counts_text(group.counts)}。"
            ),
            review_table(facts, domain, indicators),
        )
        chart = progress_chart(
            facts,
            indicators,
            f"{domain.name}领域指标目标完成程度：基线与{facts.year}年",
            f"domain-{domain.code}",
            baseline=True,
        )
        if chart:
            part.add(chart)
        section.add(part)
    return section


def review_table(facts: Facts, domain: Domain, indicators: list[Indicator]) -> Table:
    rows = []
    for indicator in indicators:
        year, base, current, direction = movement(facts, indicator)
        result = facts.district_result(indicator)
        current_text = fmt(current)
        if result and result.latest_year and result.latest_year != facts.year and current is not None:
            current_text += f"（{result.latest_year}）"
        rows.append(
            [
                indicator.code,
                facts.named(indicator),
                f"{fmt(base)}（{year}）" if year is not None else NO_VALUE,
                current_text,
                indicator.target_display,
                {1: "改善", -1: "变差", 0: "持平" if year is not None and current is not None else NO_VALUE}[direction],
                status_label(facts.status(indicator)),
            ]
        )
    return Table(
        f"{domain.name}领域指标：基线、{facts.year}年与目标",
        ["代码", "指标", "基线（年份）", f"{facts.year}年", "目标", "变化", "状态"],
        rows,
        [1.6, 3.9, 2.4, 2.4, 2.1, 1.0, 1.6],
        "llrrccc",
        key=f"domain-{domain.code}",
    )


def lagging_section(n: int, facts: Facts, kind: str) -> Section:
    section = h1(n, "滞后指标及规划措施", key="lagging", page_break=True)
    lagging = [i for i in facts.indicators if facts.status(i) in LAGGING]
    lagging.sort(key=lambda i: (STATUS_ORDER.index(facts.status(i)), i.domain.number, i.order))
    if not lagging:
        return section.add(Paragraph("没有处于未达标、预警或需加快状态的指标。"))
    section.add(
        Paragraph(
            f"以下{len(lagging)}项指标处于“{status_label('not_achieved')}”“{status_label('at_risk')}”或"
            f"“{status_label('needs_acceleration')}”状态，逐项列出现状、预警原因和规划中对应的主要措施（引用规划原文），"
            + ("供后半程加大推进力度时参照。" if kind == "midterm" else "供总结和下一周期规划参照。")
        )
    )
    quoted: dict[int, str] = {}
    for number, indicator in enumerate(lagging, 1):
        part = Section(f"{number}．{indicator.code} {indicator.name}", 3, key=f"lagging-{indicator.code}")
        year, base, current, _direction = movement(facts, indicator)
        result = facts.district_result(indicator)
        text = f"状态：{status_label(facts.status(indicator))}。"
        if year is not None:
            text += f"基线{fmt(base)}（{year}年），"
        text += f"最新值{fmt(current)}"
        if result and result.latest_year:
            text += f"（{result.latest_year}年）"
        text += f"，目标{indicator.target_display}（{indicator.target_year}年）。"
        reasons = reasons_text(result.warnings if result else [])
        if reasons:
            text += "预警原因：" + reasons
        part.add(Paragraph(text))
        part.add(Paragraph(f"规划原文：{indicator.source_text}", "quote"))
        measures = list(indicator.measures.all())
        if not measures:
            part.add(Paragraph("规划未为本指标列出对应措施。", "note"))
        for measure in measures:
            where = f"{measure.domain.name}领域主要措施第{measure.number}条"
            if measure.pk in quoted:
                part.add(Paragraph(f"对应措施：{where}“{measure.title}”（原文见{quoted[measure.pk]}）。", "note"))
                continue
            quoted[measure.pk] = f"{indicator.code}项下"
            part.add(Paragraph(f"对应措施：{where}“{measure.title}”", "item"), Paragraph(measure.text, "quote"))
        section.add(part)
    return section
