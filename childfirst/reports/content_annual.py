"""The annual monitoring report (年度监测报告) as content, and the two parts the evaluations share with
it: key projects' progress and the completeness and timeliness of reporting."""

from __future__ import annotations

import datetime
from collections import Counter

from childfirst.collection.models import SubmissionState
from childfirst.evaluation.completeness_record import completeness_record
from childfirst.evaluation.key_projects import key_project_progress
from childfirst.evaluation.labels import STATUS_ORDER
from childfirst.plans.models import Indicator

from . import charts
from .content import (
    NO_VALUE,
    WARNING_NAMES,
    Chart,
    Facts,
    Paragraph,
    Section,
    Table,
    appendix_sections,
    counts_text,
    fmt,
    h1,
    h2,
    joined,
    long_date,
    method_section,
    percent,
    progress_chart,
    reasons_text,
    status_label,
    status_labels,
)
from .content_implementation import implementation_section, recommendations_section


def annual_sections(facts: Facts) -> list[Section]:
    return [
        summary_section(1, facts),
        domains_section(2, facts),
        streets_section(3, facts),
        key_projects_section(4, facts, "annual"),
        # Section 四's machinery: what the departments reported doing, and the follow-up of last year's
        # recommendations, both as they stood when the evaluation was published.
        implementation_section(5, facts.plan, facts.year, facts.snapshot.published_at),
        recommendations_section(6, facts.plan, facts.year, facts.snapshot.published_at),
        completeness_section(7, facts),
        method_section(8, facts, "annual"),
        appendix_sections(9, facts),
    ]


# --- 一、总体情况 -------------------------------------------------------------------------------------


def summary_section(n: int, facts: Facts) -> Section:
    section = h1(n, "总体情况", key="summary")
    counts = facts.counts(facts.indicators)
    numeric = [i for i in facts.indicators if i.target is not None]
    achieved_numeric = sum(1 for i in numeric if facts.status(i) == "achieved")
    overview = h2(1, "指标总体状况")
    overview.add(
        Paragraph(
            f"{facts.plan.name}共设监测指标{len(facts.indicators)}项，分属{len(facts.domains)}个领域，"
            f"其中{len(numeric)}项有数值目标、{len(facts.street_indicators())}项分街镇监测。"
            f"根据{facts.year}年度数据，全区层面{counts_text(counts)}。"
            f"有数值目标的{len(numeric)}项指标中已达标{achieved_numeric}项，"
            f"占{percent(achieved_numeric, len(numeric))}。"
        ),
        status_table(facts),
        Chart(
            f"各领域指标状态（{facts.year}年，全区）",
            charts.stacked_status(
                [d.name for d in facts.domains],
                [dict(facts.counts(facts.of_domain(d))) for d in facts.domains],
                status_labels(),
            ),
            key="status-by-domain",
        ),
    )
    section.add(overview, achievements(2, facts), warnings_part(3, facts))
    return section


def status_table(facts: Facts) -> Table:
    order = list(reversed(STATUS_ORDER))
    rows = []
    for domain in facts.domains:
        counts = facts.counts(facts.of_domain(domain))
        rows.append([domain.name, str(sum(counts.values())), *[str(counts.get(s, 0)) for s in order]])
    total = facts.counts(facts.indicators)
    rows.append(["合计", str(sum(total.values())), *[str(total.get(s, 0)) for s in order]])
    return Table(
        f"各领域指标状态（{facts.year}年，全区）",
        ["领域", "指标数", *[status_label(s) for s in order]],
        rows,
        [2.6, 1.2, *[1.2] * len(order)],
        key="status-by-domain",
    )


def achievements(n: int, facts: Facts) -> Section:
    part = h2(n, "主要进展")
    year, previous = facts.year, facts.year - 1
    better: list[Indicator] = []
    worse: list[Indicator] = []
    for indicator in facts.indicators:
        direction = facts.change_direction(indicator, facts.value(indicator, previous), facts.value(indicator, year))
        (better if direction > 0 else worse if direction < 0 else []).append(indicator)
    newly = [
        i
        for i in facts.indicators
        if facts.status(i) == "achieved"
        and previous >= facts.plan.start_year
        and facts.status_in(i, previous) != "achieved"
    ]
    text = f"与{previous}年相比，全区有数据可比的指标中{len(better)}项改善、{len(worse)}项变差。"
    if newly:
        text += f"{year}年新达标指标{len(newly)}项：{joined([i.name for i in newly])}。"
    part.add(Paragraph(text))
    for domain in facts.domains:
        achieved = [i.name for i in facts.of_domain(domain) if facts.status(i) == "achieved"]
        if achieved:
            part.add(Paragraph(f"{domain.name}领域已达标{len(achieved)}项：{joined(achieved, 6)}。", "item"))
    return part


def warnings_part(n: int, facts: Facts) -> Section:
    part = h2(n, "预警指标")
    flagged = facts.flagged()
    street_warnings = sum(
        len(facts.result[(i.pk, s.code)].warnings)
        for i in facts.street_indicators()
        for s in facts.streets
        if (i.pk, s.code) in facts.result
    )
    by_code = Counter(w["code"] for _i, r in flagged for w in r.warnings)
    kinds = "、".join(f"{WARNING_NAMES[c]}{by_code[c]}条" for c in WARNING_NAMES if by_code.get(c))
    part.add(
        Paragraph(
            f"全区层面有{len(flagged)}项指标出现预警信息或处于“{status_label('at_risk')}”“{status_label('not_achieved')}”"
            f"状态{('（' + kinds + '）') if kinds else ''}，逐项列出如下，每项附预警原因。"
            f"街镇层面另有预警{street_warnings}条，见第三部分。"
        )
    )
    rows = []
    for indicator, result in flagged:
        reasons = reasons_text(result.warnings)
        rows.append(
            [
                indicator.code,
                facts.named(indicator),
                fmt(result.latest_value),
                indicator.target_display,
                status_label(result.status),
                reasons or "进度比低于0.5",
            ]
        )
    if rows:
        part.add(
            Table(
                f"预警指标清单（{facts.year}年，全区）",
                ["代码", "指标", "最新值", "目标", "状态", "预警原因"],
                rows,
                [1.6, 3.6, 1.3, 1.8, 1.6, 5.9],
                "llccll",
                key="warnings",
            )
        )
    return part


# --- 二、分领域监测情况 ---------------------------------------------------------------------------------


def domains_section(n: int, facts: Facts) -> Section:
    section = h1(n, "分领域监测情况", key="domains", page_break=True)
    for number, domain in enumerate(facts.domains, 1):
        indicators = facts.of_domain(domain)
        part = h2(number, domain.name, key=f"domain-{domain.code}")
        counts = facts.counts(indicators)
        lagging = [i.name for i in indicators if facts.status(i) in ("at_risk", "not_achieved")]
        text = f"本领域监测指标{len(indicators)}项，{counts_text(counts)}。"
        if lagging:
            text += f"处于预警或未达标状态的有：{joined(lagging)}。"
        part.add(Paragraph(text), domain_table(facts, domain, indicators))
        chart = progress_chart(
            facts, indicators, f"{domain.name}领域指标目标完成程度（{facts.year}年，全区）", f"domain-{domain.code}"
        )
        if chart:
            part.add(chart)
        directional = [i for i in indicators if i.comparator in ("yoy_increase", "up", "down")]
        if chart and directional:
            part.add(Paragraph("注：方向性指标（提高、降低、逐年增加）没有数值目标，不在图中。", "note"))
        section.add(part)
    return section


def domain_table(facts: Facts, domain, indicators) -> Table:
    years = facts.years
    rows = []
    for indicator in indicators:
        rows.append(
            [
                indicator.code,
                facts.named(indicator),
                indicator.target_display,
                *[fmt(facts.value(indicator, y)) for y in years],
                status_label(facts.status(indicator)),
            ]
        )
    return Table(
        f"{domain.name}领域指标监测情况（全区）",
        ["代码", "指标", "目标", *[f"{y}年" for y in years], "状态"],
        rows,
        [1.6, 4.4, 2.2, *[1.2] * len(years), 1.6],
        "llc" + "r" * len(years) + "c",
        key=f"domain-{domain.code}",
    )


# --- 三、分街镇监测情况 ---------------------------------------------------------------------------------


def streets_section(n: int, facts: Facts) -> Section:
    section = h1(n, "分街镇监测情况", key="streets", page_break=True)
    indicators = facts.street_indicators()
    if not facts.streets or not indicators:
        return section.add(Paragraph("本年度没有分街镇监测的指标数据。"))
    order = list(reversed(STATUS_ORDER))
    rows, counts_list = [], []
    for street in facts.streets:
        counts = facts.counts(indicators, street)
        counts_list.append(dict(counts))
        evaluable = sum(counts.get(s, 0) for s in order if s != "insufficient_data")
        rows.append(
            [street.name, *[str(counts.get(s, 0)) for s in order], percent(counts.get("achieved", 0), evaluable)]
        )
    rates = [
        (street.name, facts.counts(indicators, street).get("achieved", 0)) for street in facts.streets
    ]  # fmt: skip
    best = max(rates, key=lambda r: r[1])
    worst = min(rates, key=lambda r: r[1])
    status_part = h2(1, "各街镇指标状态")
    status_part.add(
        Paragraph(
            f"分街镇监测的指标{len(indicators)}项，覆盖{len(facts.streets)}个街镇。{facts.year}年已达标指标最多的是"
            f"{best[0]}（{best[1]}项），最少的是{worst[0]}（{worst[1]}项）。"
        ),
        Table(
            f"各街镇分街镇监测指标状态（{facts.year}年）",
            ["街镇", *[status_label(s) for s in order], "达标率"],
            rows,
            [2.4, *[1.3] * len(order), 1.4],
            key="streets",
        ),
        Chart(
            f"各街镇分街镇监测指标状态（{facts.year}年）",
            charts.stacked_status([s.name for s in facts.streets], counts_list, status_labels()),
            key="streets",
        ),
    )
    behind_rows = []
    for indicator in indicators:
        for street in facts.streets:
            result = facts.result.get((indicator.pk, street.code))
            for warning in result.warnings if result else []:
                if warning["code"] == "street_behind":
                    params = warning["params"]
                    behind_rows.append(
                        [street.name, indicator.code, facts.named(indicator), fmt(params.get("value")),
                         fmt(params.get("district")), fmt(params.get("gap"))]
                    )  # fmt: skip
    behind = h2(2, "明显落后于全区的街镇")
    if behind_rows:
        behind.add(
            Paragraph(
                f"按评估方法，{len(behind_rows)}个“街镇 × 指标”明显落后于全区"
                "（差距超过街镇间通常差异且超过全区值的1%），"
                "建议相关街镇和责任单位重点督办。"
            ),
            Table(
                f"明显落后于全区的街镇指标（{facts.year}年）",
                ["街镇", "代码", "指标", "街镇值", "全区值", "差距"],
                behind_rows,
                [2.2, 1.6, 5.1, 1.5, 1.5, 1.5],
                "lllrrr",
                key="streets-behind",
            ),
        )
    else:
        behind.add(Paragraph("没有明显落后于全区的街镇。"))
    other = Counter(
        w["code"]
        for i in indicators
        for s in facts.streets
        for w in (facts.result[(i.pk, s.code)].warnings if (i.pk, s.code) in facts.result else [])
        if w["code"] != "street_behind"
    )
    if other:
        behind.add(
            Paragraph(
                "街镇层面的其他预警："
                + "、".join(f"{WARNING_NAMES[c]}{other[c]}条" for c in WARNING_NAMES if other.get(c))
                + "，逐条见系统“监测评估”街镇页面。",
                "note",
            )
        )
    section.add(status_part, behind)
    return section


# --- 重点实事项目 ----------------------------------------------------------------------------------------


def key_projects_section(n: int, facts: Facts, kind: str) -> Section:
    title = "重点实事项目进展" if kind != "final" else "重点实事项目完成情况"
    section = h1(n, title, key="key-projects", page_break=True)
    projects = key_project_progress(facts.plan, facts.snapshot)
    if not projects:
        return section.add(Paragraph("规划未设重点实事项目。"))
    statuses = Counter(p.status for p in projects)
    done = sum(p.done_milestones for p in projects)
    total = sum(len(p.milestones) for p in projects)
    section.add(
        Paragraph(
            f"规划确定重点实事项目{len(projects)}项，总体状态：{counts_text(statuses)}。"
            f"各项目共设里程碑{total}个，截至{facts.year}年已完成{done}个（{percent(done, total)}）。"
        ),
        Table(
            f"重点实事项目总体情况（{facts.year}年）",
            ["序号", "项目", "责任单位", "里程碑完成", "状态"],
            [
                [
                    str(p.number),
                    p.name,
                    "、".join(p.departments),
                    f"{p.done_milestones}/{len(p.milestones)}"
                    + (f"（{p.completion:g}%）" if p.completion is not None else ""),
                    status_label(p.status),
                ]
                for p in projects
            ],
            [1.0, 5.2, 3.4, 2.4, 1.6],
            "clllc",
            key="key-projects",
        ),
    )
    for number, project in enumerate(projects, 1):
        part = h2(number, project.name, key=f"key-project-{project.code}")
        text = f"责任单位：{'、'.join(project.departments)}。项目状态：{status_label(project.status)}"
        if project.completion is not None:
            text += f"，里程碑完成{project.done_milestones}/{len(project.milestones)}（{project.completion:g}%）"
        part.add(Paragraph(text + "。"), Paragraph(f"规划内容：{project.text}", "quote"))
        if project.assessment:
            part.add(
                Paragraph(
                    f"{facts.year}年工委办评定为“{status_label(project.assessment.status)}”"
                    f"（{long_date(project.assessment.assessed_on)}）：{project.assessment.evidence}"
                )
            )
        rows = []
        for milestone in project.milestones:
            linked = milestone.indicator
            rows.append(
                [
                    f"{milestone.year}年",
                    milestone.text,
                    f"{linked.code} {linked.name}" if linked else NO_VALUE,
                    fmt(linked.latest_value) if linked else NO_VALUE,
                    status_label(milestone.status)
                    + ("（工委办评定）" if milestone.status_from == "assessment" else ""),
                ]
            )
        if rows:
            part.add(
                Table(
                    f"{project.name}里程碑进展",
                    ["期限", "里程碑", "关联指标", "最新值", "状态"],
                    rows,
                    [1.3, 5.2, 4.2, 1.5, 2.0],
                    "clllc",
                    key=f"key-project-{project.code}",
                )
            )
        if kind != "annual":
            history = [y for y in project.years if y.assessment]
            if history:
                part.add(
                    Table(
                        f"{project.name}历年评定",
                        ["年度", "评定", "依据"],
                        [
                            [str(y.year), status_label(y.assessment.status), y.assessment.evidence]
                            for y in history
                            if y.assessment is not None  # all of them: history keeps those with one
                        ],
                        [1.3, 1.8, 11.1],
                        "ccl",
                        key=f"key-project-history-{project.code}",
                    )
                )
        section.add(part)
    return section


# --- 数据报送完整性与及时性 -------------------------------------------------------------------------------


def whole_percent(part: int, whole: int) -> int:
    """As the collection pages show it: whole percent, 100 when nothing was expected."""
    return round(100 * part / whole) if whole else 100


def completeness_section(n: int, facts: Facts) -> Section:
    section = h1(n, "数据报送完整性与及时性", key="completeness")
    as_of = facts.snapshot.published_at
    # Frozen at publication; snapshots from before that was kept are recomputed as of publication.
    record = facts.snapshot.completeness or completeness_record(facts.plan, facts.year, as_of)
    if not record:
        return section.add(Paragraph(f"{facts.year}年未开展数据填报。"))
    departments = record["departments"]
    expected = sum(d["expected"] for d in departments)
    answered = sum(d["answered"] for d in departments)
    section.add(
        Paragraph(
            f"{facts.year}年度数据填报于{long_date(datetime.date.fromisoformat(record['opened_at']))}开启，截止日期为"
            f"{long_date(datetime.date.fromisoformat(record['deadline']))}。应报送单位{len(departments)}个，"
            f"已报送{sum(d['submitted'] for d in departments)}个，"
            f"按时报送{sum(bool(d['on_time']) for d in departments)}个，"
            f"工委办已接收{sum(d['accepted'] for d in departments)}个；应填数据{expected}项，已填{answered}项，"
            f"完整率{whole_percent(answered, expected)}%。以上为评估快照发布时（{long_date(as_of)}）的报送记录。"
        )
    )
    states = dict(SubmissionState.choices)
    rows = [
        [
            d["name"],
            str(d["expected"]),
            str(d["answered"]),
            f"{whole_percent(d['answered'], d['expected'])}%",
            long_date(datetime.date.fromisoformat(d["submitted_on"])) if d["submitted_on"] else "未报送",
            {True: "按时", False: "逾期", None: NO_VALUE}[d["on_time"]],
            str(states.get(d["state"], d["state"])),
        ]
        for d in departments
    ]
    section.add(
        Table(
            f"各单位数据报送情况（{facts.year}年度）",
            ["报送单位", "应填", "已填", "完整率", "报送日期", "及时性", "状态"],
            rows,
            [3.2, 1.1, 1.1, 1.3, 2.8, 1.2, 3.4],
            "lrrrccl",
            key="completeness",
        )
    )
    if record["streets"]:
        section.add(
            Table(
                f"各街镇数据完整率（{facts.year}年度）",
                ["区域", "应填", "已填", "完整率"],
                [
                    [
                        street["name"],
                        str(street["expected"]),
                        str(street["answered"]),
                        f"{whole_percent(street['answered'], street['expected'])}%",
                    ]
                    for street in record["streets"]
                ],
                [4.0, 2.0, 2.0, 2.0],
                "lrrr",
                key="completeness-streets",
            )
        )
    return section
