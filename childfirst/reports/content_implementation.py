"""Section 四 in the documents: the annual report's chapter compiled from the departments' accepted
implementation reports (per domain, with funds per key project), its section on the previous year's
recommendations and how each was followed up, and the yearly compilation of every department's report
(`childfirst report implementation`), as content for the same Word and PDF writers.

Only what departments wrote about their work, department and street names, dates and sums of money:
no account, no person. A report not yet accepted by the office is named as such and not quoted.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from django.db.models import Prefetch
from django.utils import timezone, translation

from childfirst.collection.models import SubmissionState
from childfirst.implementation.models import (
    Assignment,
    AssignmentState,
    ImplementationReport,
    Recommendation,
    RecommendationSource,
    ReportItem,
    Response,
    ResponseDecision,
)
from childfirst.implementation.reports import department_items
from childfirst.implementation.scorecard_inputs import scored_departments
from childfirst.plans.models import Department, Domain, KeyProject, Plan

from .content import NO_VALUE, Paragraph, ReportContent, Section, Table, h1, h2, long_date, percent

COMPILATION_TITLE = "年度成员单位规划实施情况汇编"
SOURCES = {
    RecommendationSource.WARNING: "指标预警",
    RecommendationSource.STREET: "街镇落后",
    RecommendationSource.EVALUATION: "评估发现问题",
    RecommendationSource.OTHER: "其他",
}
DECISIONS = {ResponseDecision.PENDING: "待审核", ResponseDecision.ACCEPTED: "采纳", ResponseDecision.RETURNED: "退回"}
STATES = {
    SubmissionState.DRAFT: "填写中",
    SubmissionState.SUBMITTED: "已提交待审核",
    SubmissionState.RETURNED: "已退回修改",
    SubmissionState.APPROVED: "单位已审核待接收",
    SubmissionState.ACCEPTED: "工委办已接收",
}


def year_reports(plan: Plan, year: int) -> list[ImplementationReport]:
    """The year's reports of every department, whatever their state, with their items in plan order."""
    items = ReportItem.objects.select_related("measure__domain", "key_project__domain")
    return list(
        ImplementationReport.objects.for_plan_year(plan, year)
        .select_related("department", "round")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("department__code")
    )


def ordered(report: ImplementationReport) -> list[ReportItem]:
    """A report's items in plan order: the measures by domain and number, then the key projects."""

    def key(item: ReportItem) -> tuple[int, int, int]:
        if item.measure is not None:
            return (0, item.measure.domain.number, item.measure.number)
        return (1, 0, item.key_project.number if item.key_project else 0)

    return sorted(report.items.all(), key=key)


def money(value: Decimal | None) -> str:
    return NO_VALUE if value is None else f"{value:,.2f}"


def _said(item: ReportItem) -> list[tuple[str, str]]:
    parts = [
        ("工作开展情况", item.work_done),
        ("取得成效", item.results),
        ("存在问题", item.problems),
        ("下一年度计划", item.next_year),
    ]
    return [(label, text.strip()) for label, text in parts if text.strip()]


def _funds(items: list[tuple[Department, ReportItem]]) -> tuple[Decimal | None, Decimal | None]:
    budgeted = [i.funds_budgeted for _d, i in items if i.funds_budgeted is not None]
    spent = [i.funds_spent for _d, i in items if i.funds_spent is not None]
    return (sum(budgeted, Decimal(0)) if budgeted else None, sum(spent, Decimal(0)) if spent else None)


def _rate(budgeted: Decimal | None, spent: Decimal | None) -> str:
    return f"{100 * spent / budgeted:.1f}%" if budgeted and spent is not None else NO_VALUE


def funds_table(plan: Plan, reports: list[ImplementationReport], year: int, key: str) -> Table | None:
    """Funds budgeted and spent per key project, summed over the departments' items; None without any."""
    by_project: dict[int, list[tuple[Department, ReportItem]]] = defaultdict(list)
    for report in reports:
        for item in report.items.all():
            if item.key_project_id is not None:
                by_project[item.key_project_id].append((report.department, item))
    if not by_project:
        return None
    projects = KeyProject.objects.filter(pk__in=by_project).order_by("number")
    rows = []
    all_budgeted: list[Decimal] = []
    all_spent: list[Decimal] = []
    for project in projects:
        items = by_project[project.pk]
        budgeted, spent = _funds(items)
        all_budgeted += [budgeted] if budgeted is not None else []
        all_spent += [spent] if spent is not None else []
        departments = "、".join(dict.fromkeys(d.name for d, _i in items))
        rows.append([project.name, departments, money(budgeted), money(spent), _rate(budgeted, spent)])
    total_budgeted = sum(all_budgeted, Decimal(0)) if all_budgeted else None
    total_spent = sum(all_spent, Decimal(0)) if all_spent else None
    rows.append(["合计", "", money(total_budgeted), money(total_spent), _rate(total_budgeted, total_spent)])
    return Table(
        f"重点实事项目资金落实情况（{year}年，万元）",
        ["项目", "报告单位", "预算", "支出", "执行率"],
        rows,
        [5.0, 4.0, 2.0, 2.0, 1.6],
        "llrrr",
        key=key,
    )


# --- the annual report's chapters ------------------------------------------------------------------
# Both read the records as they stood when the year's evaluation was published (`as_of`), as the
# completeness section does: rebuilding a published report later gives the same chapters.


def implementation_section(n: int, plan: Plan, year: int, as_of: datetime.datetime) -> Section:
    """成员单位规划实施情况: the reports accepted by `as_of`, per domain and measure, with the funds table."""
    section = h1(n, "成员单位规划实施情况", key="implementation", page_break=True)
    reports = year_reports(plan, year)
    accepted = [r for r in reports if r.state == SubmissionState.ACCEPTED and r.accepted_at and r.accepted_at <= as_of]
    others = [r for r in reports if r not in accepted]
    expected = scored_departments(plan)
    missing = [d for d in expected if d.pk not in {r.department_id for r in reports}]
    text = (
        f"{year}年度应报送实施报告的成员单位{len(expected)}个，截至{long_date(as_of)}工委办已接收{len(accepted)}个"
        f"（{percent(len(accepted), len(expected))}）。"
    )
    if others:
        text += (
            "尚未接收："
            + "、".join(
                f"{r.department.name}（"
                + ("评估发布后接收" if r.state == SubmissionState.ACCEPTED else STATES[SubmissionState(r.state)])
                + "）"
                for r in others
            )
            + "。"
        )
    if missing:
        text += "未报送：" + "、".join(d.name for d in missing) + "。"
    if not accepted:
        return section.add(Paragraph(text), Paragraph(f"{year}年度暂无工委办已接收的成员单位实施报告。"))
    section.add(Paragraph(text + "以下依据工委办已接收的实施报告汇总。"))
    by_domain: dict[int, list[tuple[Department, ReportItem]]] = defaultdict(list)
    domains: dict[int, Domain] = {}
    for report in accepted:
        for item in ordered(report):
            if not item.work_done.strip():
                continue
            domain = item.measure.domain if item.measure else item.key_project.domain if item.key_project else None
            if domain is None:
                continue
            domains[domain.pk] = domain
            by_domain[domain.pk].append((report.department, item))
    for number, domain_id in enumerate(sorted(domains, key=lambda d: domains[d].number), 1):
        part = h2(number, domains[domain_id].name, key=f"implementation-{domains[domain_id].code}")
        entries = sorted(by_domain[domain_id], key=lambda e: (_subject_order(e[1]), e[0].code))
        subject: object = None
        for department, item in entries:
            here = item.key_project or item.measure
            if here != subject:
                subject = here
                part.add(Paragraph(_subject_title(item), "plain"))
            said = "；".join(f"{label}：{text.rstrip('。；')}" for label, text in _said(item))
            part.add(Paragraph(f"{department.name}：{said}。", "item"))
        section.add(part)
    table = funds_table(plan, accepted, year, "implementation-funds")
    if table is not None:
        funds = h2(len(domains) + 1, "重点实事项目资金落实", key="implementation-funds")
        section.add(funds.add(Paragraph("各责任单位在实施报告中填报的重点实事项目资金预算与支出如下。"), table))
    return section


def _subject_order(item: ReportItem) -> tuple[int, int]:
    if item.measure is not None:
        return (0, item.measure.number)
    return (1, item.key_project.number if item.key_project else 0)


def _subject_title(item: ReportItem, with_domain: bool = False) -> str:
    """ "措施3. …" under its domain's heading; with the domain where items of several domains follow
    each other (measures are numbered within their domain)."""
    if item.key_project is not None:
        return f"重点实事项目：{item.key_project.name}"
    if with_domain and item.measure is not None:
        return f"{item.measure.domain.name} · 措施{item.measure}"
    return f"措施{item.measure}"


def recommendations_section(n: int, plan: Plan, year: int, as_of: datetime.datetime) -> Section:
    """上年度对策建议落实情况: the recommendations of `year` − 1 issued by `as_of`, and each addressee's
    follow-up as it stood then (answers given, the office's decisions, closed on time or not)."""
    previous = year - 1
    section = h1(n, "上年度对策建议落实情况", key="recommendations")
    recommendations = list(
        Recommendation.objects.filter(plan=plan, year=previous, issued_at__lte=as_of)
        .select_related("indicator")
        .prefetch_related("assignments__department", "assignments__area", "assignments__responses")
        .order_by("issued_at", "id")
    )
    if not recommendations:
        return section.add(Paragraph(f"{previous}年度监测评估未提出对策建议。"))
    day = timezone.localdate(as_of)

    def closed(a: Assignment) -> bool:
        return a.state == AssignmentState.CLOSED and a.closed_at is not None and a.closed_at <= as_of

    def answers(a: Assignment) -> list[Response]:
        return [r for r in a.responses.all() if r.responded_at <= as_of]

    def state(a: Assignment) -> str:
        if closed(a):
            return "已办结"
        return "已答复" if answers(a) else "待答复"

    assignments = [a for r in recommendations for a in r.assignments.all()]
    done = [a for a in assignments if closed(a)]
    overdue = [a for a in assignments if not closed(a) and a.recommendation.due_date < day]
    section.add(
        Paragraph(
            f"根据{previous}年度监测评估，工委办共提出对策建议{len(recommendations)}项，"
            f"督办对象{len(assignments)}个（次）。截至{long_date(as_of)}，已办结{len(done)}个，"
            f"其中按期办结{sum(1 for a in done if a.closed_on_time)}个；逾期未办结{len(overdue)}个。"
        )
    )
    rows = []
    for number, recommendation in enumerate(recommendations, 1):
        for assignment in recommendation.assignments.all():
            if closed(assignment):
                in_time = "是" if assignment.closed_on_time else "否"
            else:
                in_time = "逾期" if assignment in overdue else NO_VALUE
            rows.append(
                [
                    str(number),
                    recommendation.title,
                    SOURCES.get(RecommendationSource(recommendation.source), recommendation.source),
                    _addressee(assignment),
                    long_date(recommendation.due_date),
                    state(assignment),
                    str(len(answers(assignment))),
                    in_time,
                ]
            )
    section.add(
        Table(
            f"{previous}年度对策建议督办情况",
            ["序号", "建议", "来源", "督办对象", "办理期限", "状态", "答复次数", "按期办结"],
            rows,
            [0.8, 4.0, 1.6, 2.4, 2.4, 1.6, 1.2, 1.2],
            "cllccccc",
            key="recommendations",
        )
    )
    for number, recommendation in enumerate(recommendations, 1):
        part = h2(number, recommendation.title, key=f"recommendation-{number}")
        indicator = recommendation.indicator
        about = f"（关联指标：{indicator.code} {indicator.name}）" if indicator else ""
        part.add(Paragraph(f"建议内容{about}：{recommendation.text}", "quote"))
        for assignment in recommendation.assignments.all():
            name = _addressee(assignment)
            given = answers(assignment)
            if not given:
                part.add(Paragraph(f"{name}：尚未答复。", "item"))
            for response in given:
                decided = response.decided_at is not None and response.decided_at <= as_of
                decision = DECISIONS[ResponseDecision(response.decision)] if decided else "待审核"
                text = (
                    f"{name}（{long_date(response.responded_at)}答复）：{response.action_taken.strip().rstrip('。')}。"
                    f"工委办意见：{decision}"
                )
                if decided and response.decision == ResponseDecision.RETURNED and response.decision_reason.strip():
                    text += f"，理由：{response.decision_reason.strip().rstrip('。')}"
                part.add(Paragraph(text + "。", "item"))
            if closed(assignment) and assignment.closed_at is not None:
                when = "按期" if assignment.closed_on_time else "逾期"
                part.add(Paragraph(f"{name}：{long_date(assignment.closed_at)}办结（{when}）。", "note"))
        section.add(part)
    return section


def _addressee(assignment: Assignment) -> str:
    addressee = assignment.department or assignment.area
    return addressee.name if addressee is not None else NO_VALUE


# --- the yearly compilation (childfirst report implementation) ------------------------------------


def office_name(plan: Plan) -> str:
    return f"{plan.area.name}人民政府妇女儿童工作委员会办公室"


def compilation_content(plan: Plan, year: int) -> ReportContent:
    """Every department's report of the year: the accepted ones in full, item by item with their funds,
    the others named with their state. Chinese by design."""
    with translation.override("zh-hans"):
        reports = year_reports(plan, year)
        by_department = {r.department_id: r for r in reports}
        departments = scored_departments(plan)
        departments += [r.department for r in reports if r.department not in departments]
        accepted = [r for r in reports if r.state == SubmissionState.ACCEPTED]
        overview = h1(1, "总体情况", key="overview")
        overview.add(
            Paragraph(
                f"{year}年度应报送实施报告的成员单位{len(departments)}个，"
                f"已提交{sum(1 for r in reports if r.submitted_at)}个，"
                f"工委办已接收{len(accepted)}个。本汇编收录工委办已接收的实施报告全文；"
                "尚未接收的，列明其当前状态。"
            ),
        )
        rows = []
        for department in departments:
            report = by_department.get(department.pk)
            measures, projects = department_items(plan, department)
            expected = len(measures) + len(projects)
            filled = sum(1 for i in report.items.all() if i.work_done.strip()) if report else 0
            rows.append(
                [
                    department.name,
                    STATES[SubmissionState(report.state)] if report else "未报送",
                    long_date(report.submitted_at) if report and report.submitted_at else NO_VALUE,
                    long_date(report.accepted_at) if report and report.accepted_at else NO_VALUE,
                    f"{filled}/{expected}",
                ]
            )
        overview.add(
            Table(
                f"{year}年度各单位实施报告报送情况",
                ["单位", "状态", "提交日期", "接收日期", "已填事项/应报事项"],
                rows,
                [3.4, 3.0, 2.6, 2.6, 2.4],
                "llccc",
                key="compilation-overview",
            )
        )
        body = h1(2, "各单位实施情况", key="departments", page_break=True)
        for number, department in enumerate(departments, 1):
            body.add(_department_part(number, plan, department, by_department.get(department.pk), year))
        sections = [overview, body]
        table = funds_table(plan, accepted, year, "compilation-funds")
        funds = h1(3, "重点实事项目资金落实情况", key="funds")
        sections.append(funds.add(table) if table else funds.add(Paragraph("已接收的实施报告未填报重点实事项目资金。")))
        moments = [r.accepted_at for r in accepted if r.accepted_at]
        moment = max(moments) if moments else timezone.now().replace(microsecond=0)
        local = timezone.localtime(moment)
        content = ReportContent(
            kind="implementation",
            plan_name=plan.name,
            report_title=f"{year}{COMPILATION_TITLE}",
            year=year,
            office=office_name(plan),
            version_line=f"本汇编依据截至{long_date(moment)}工委办已接收的{len(accepted)}份成员单位实施报告编制。",
            date_line=f"{local.year}年{local.month}月",
            published_at=moment,
            snapshot_version=0,
            method_version="—",
            sections=sections,
        )
        content.number_figures()
        return content


def _department_part(
    number: int, plan: Plan, department: Department, report: ImplementationReport | None, year: int
) -> Section:
    part = h2(number, department.name, key=f"department-{department.code}")
    if report is None:
        return part.add(Paragraph(f"该单位未报送{year}年度实施报告。"))
    if report.state != SubmissionState.ACCEPTED:
        return part.add(
            Paragraph(
                f"该单位{year}年度实施报告尚未经工委办接收（当前状态：{STATES[SubmissionState(report.state)]}）。"
            )
        )
    dates = f"{long_date(report.submitted_at)}提交" if report.submitted_at else ""
    if report.accepted_at:
        dates += f"，{long_date(report.accepted_at)}工委办接收"
    if dates:
        part.add(Paragraph(f"（{dates.lstrip('，')}）", "note"))
    if report.summary.strip():
        part.add(Paragraph(report.summary.strip()))
    for item in ordered(report):
        item_section = Section(_subject_title(item, with_domain=True), 3)
        said = _said(item)
        for label, text in said:
            item_section.add(Paragraph(f"{label}：{text}"))
        if not said:
            item_section.add(Paragraph("未填写。", "note"))
        if item.funds_budgeted is not None or item.funds_spent is not None:
            item_section.add(
                Paragraph(
                    f"资金：预算{money(item.funds_budgeted)}万元，支出{money(item.funds_spent)}万元，"
                    f"执行率{_rate(item.funds_budgeted, item.funds_spent)}。"
                )
            )
        part.add(item_section)
    table = funds_table(plan, [report], year, f"funds-{department.code}")
    if table is not None:
        table.caption = f"{department.name}重点实事项目资金（{year}年，万元）"
        part.add(table)
    return part


def compilation_filename(plan: Plan, year: int) -> str:
    name = re.sub(r"[\\/:*?\"<>|“”‘’「」'\s]", "", plan.name)
    return f"{name}{year}{COMPILATION_TITLE}"


def build_compilation(
    plan: Plan, year: int, out_dir: Path, progress: Callable[[int, str], None] | None = None
) -> tuple[Path, Path]:
    """Write the year's compilation as Word and PDF into `out_dir`; returns (docx, pdf)."""
    from .build import _write_atomically
    from .docx_writer import write_docx
    from .pdf_writer import write_pdf

    content = compilation_content(plan, year)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = compilation_filename(plan, year)
    docx_path, pdf_path = out_dir / f"{stem}.docx", out_dir / f"{stem}.pdf"
    with translation.override("zh-hans"):
        if progress:
            progress(30, "Word")
        _write_atomically(docx_path, write_docx(content))
        if progress:
            progress(60, "PDF")
        _write_atomically(pdf_path, write_pdf(content))
    return docx_path, pdf_path
