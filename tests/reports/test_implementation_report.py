"""Section 四 in the documents: the annual report's chapter compiled from the accepted implementation
reports and its section on last year's recommendations, and `childfirst report implementation`
(the year's compilation as Word and PDF), each read back with python-docx and pypdf."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone
from docx import Document

from childfirst.collection.actions import do_open_round
from childfirst.evaluation.actions import do_publish
from childfirst.implementation.models import (
    Assignment,
    AssignmentState,
    ImplementationReport,
    Recommendation,
    ReportItem,
    Response,
)
from childfirst.implementation.reports import department_items
from childfirst.plans.models import Department, Indicator, KeyProject
from childfirst.reports.build import report_content
from childfirst.reports.docx_writer import write_docx
from tests.pdf_text import pdf_text

from .test_report_documents import headings, texts

PLAN = "lucheng-2021-2025"
HEALTH_WORK = "全区新增托育机构12家"
HEALTH_RESULT = "托位达到每千人4.1个"


def at(day: str) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.fromisoformat(day + "T10:00"))


def between(lines: list[str], start: str, end: str) -> list[str]:
    """The body's lines from heading `start` to `end` (the last occurrences: the contents list them first)."""
    last = {line: i for i, line in enumerate(lines)}
    return lines[last[start] : last[end]]


def department(code: str) -> Department:
    return Department.objects.get(code=code, area__code="330302")


@pytest.fixture
def section_four(plan, users):
    """2024: health's report accepted (its measures and KP1 with funds), education's only submitted;
    the 2023 recommendations: health's closed on time after an accepted answer, education's overdue
    after a returned one."""
    reporting_round = do_open_round(users.office, plan, 2024, datetime.date(2025, 3, 31))
    health = ImplementationReport.objects.create(
        round=reporting_round,
        department=department("health"),
        state="accepted",
        summary="卫健局全年推进儿童健康领域各项措施。",
        submitted_at=at("2025-03-20"),
        submitted_by=users.reporter,
        accepted_at=at("2025-04-02"),
        accepted_by=users.office,
    )
    measures, projects = department_items(plan, department("health"))
    measure = measures[0]
    ReportItem.objects.create(report=health, measure=measure, work_done=HEALTH_WORK, results=HEALTH_RESULT)
    kp1 = KeyProject.objects.get(plan=plan, code="KP1")
    assert kp1 in projects
    ReportItem.objects.create(
        report=health,
        key_project=kp1,
        work_done="建设普惠托育点",
        funds_budgeted=Decimal("500.00"),
        funds_spent=Decimal("420.50"),
    )
    education = ImplementationReport.objects.create(
        round=reporting_round, department=department("education"), state="submitted", submitted_at=at("2025-04-10")
    )
    ReportItem.objects.create(report=education, measure=measures[0], work_done="教育局未接收的内容")

    def recommendation(title: str, due: str) -> Recommendation:
        return Recommendation.objects.create(
            plan=plan,
            year=2023,
            title=title,
            text=f"{title}：请研究采取措施。",
            source="warning",
            indicator=Indicator.objects.get(plan=plan, code="HEA-14"),
            due_date=datetime.date.fromisoformat(due),
            issued_at=at("2024-05-01"),
            issued_by=users.office,
        )

    first = recommendation("提高托育机构覆盖率", "2024-09-30")
    closed = Assignment.objects.create(
        recommendation=first,
        department=department("health"),
        state=AssignmentState.CLOSED,
        closed_at=at("2024-09-15"),
        closed_by=users.office,
    )
    Response.objects.create(
        assignment=closed,
        action_taken="已制定托育机构建设三年计划",
        responded_at=at("2024-09-01"),
        responded_by=users.reporter,
        decision="accepted",
        decided_at=at("2024-09-15"),
        decided_by=users.office,
    )
    second = recommendation("加强学生体质监测", "2024-10-31")
    late = Assignment.objects.create(
        recommendation=second, department=department("education"), state=AssignmentState.RETURNED
    )
    Response.objects.create(
        assignment=late,
        action_taken="已开会部署",
        responded_at=at("2024-10-20"),
        responded_by=users.education_reporter,
        decision="returned",
        decided_at=at("2024-10-25"),
        decided_by=users.office,
        decision_reason="缺少具体措施",
    )
    return health, education


@pytest.mark.django_db
class TestAnnualChapter:
    def test_the_chapter_and_the_recommendations_section(self, plan, users, section_four):
        snapshot = do_publish(users.office, plan, 2024, reason="测试")
        document = Document(io.BytesIO(write_docx(report_content("annual", snapshot))))
        titles = headings(document)
        assert "五、成员单位规划实施情况" in titles and "六、上年度对策建议落实情况" in titles
        assert titles.index("五、成员单位规划实施情况") < titles.index("七、数据报送完整性与及时性")
        lines = texts(document)
        chapter = between(lines, "五、成员单位规划实施情况", "六、上年度对策建议落实情况")
        joined = "\n".join(chapter)
        assert "工委办已接收1个" in joined and "区教育局（已提交待审核）" in joined
        assert f"区卫健局：工作开展情况：{HEALTH_WORK}；取得成效：{HEALTH_RESULT}。" in chapter
        assert "教育局未接收的内容" not in joined  # a report not accepted is not quoted
        kp1 = KeyProject.objects.get(plan=plan, code="KP1")
        assert f"{kp1.name}|区卫健局|500.00|420.50|84.1%" in chapter
        assert "合计||500.00|420.50|84.1%" in chapter
        section = between(lines, "六、上年度对策建议落实情况", "七、数据报送完整性与及时性")
        joined = "\n".join(section)
        assert "共提出对策建议2项" in joined and "按期办结1个" in joined and "逾期未办结1个" in joined
        assert "1|提高托育机构覆盖率|指标预警|区卫健局|2024年9月30日|已办结|1|是" in section
        assert "2|加强学生体质监测|指标预警|区教育局|2024年10月31日|已答复|1|逾期" in section
        assert "工委办意见：退回，理由：缺少具体措施。" in joined
        # no account names: the documents name departments, never people
        assert not any(name in "\n".join(lines) for name in ("reporter", "edu-reporter", "office"))

    def test_only_what_stood_at_publication(self, plan, users, section_four):
        health, _education = section_four
        ImplementationReport.objects.filter(pk=health.pk).update(
            accepted_at=timezone.now() + datetime.timedelta(days=1)
        )
        snapshot = do_publish(users.office, plan, 2024, reason="测试")
        lines = texts(Document(io.BytesIO(write_docx(report_content("annual", snapshot)))))
        joined = "\n".join(lines)
        assert "2024年度暂无工委办已接收的成员单位实施报告。" in joined
        assert "区卫健局（评估发布后接收）" in joined and HEALTH_WORK not in joined

    def test_without_reports_or_recommendations(self, plan, users):
        snapshot = do_publish(users.office, plan, 2024)
        lines = texts(Document(io.BytesIO(write_docx(report_content("annual", snapshot)))))
        assert "2024年度暂无工委办已接收的成员单位实施报告。" in lines
        assert "2023年度监测评估未提出对策建议。" in lines


@pytest.mark.django_db
class TestCompilationCommand:
    def test_writes_word_and_pdf_with_every_department(self, plan, users, section_four, tmp_path, capsys):
        call_command("report", "implementation", "--year", "2024", "--out", str(tmp_path), "--plan", PLAN)
        printed = capsys.readouterr().out.split()
        docx_path, pdf_path = (tmp_path / p.rsplit("/", 1)[-1] for p in printed)
        assert docx_path.name == "鹿城区儿童发展十四五规划2024年度成员单位规划实施情况汇编.docx"
        assert pdf_path.suffix == ".pdf" and pdf_path.stat().st_size > 10_000
        document = Document(docx_path)
        titles = headings(document)
        assert titles[:2] == ["一、总体情况", "二、各单位实施情况"] and "三、重点实事项目资金落实情况" in titles
        assert "（一）区卫健局" in titles or any(t.endswith("区卫健局") for t in titles)
        lines = texts(document)
        joined = "\n".join(lines)
        assert f"工作开展情况：{HEALTH_WORK}" in lines and f"取得成效：{HEALTH_RESULT}" in lines
        assert "资金：预算500.00万元，支出420.50万元，执行率84.1%。" in lines
        assert "该单位2024年度实施报告尚未经工委办接收（当前状态：已提交待审核）。" in lines
        assert "该单位未报送2024年度实施报告。" in lines  # e.g. civil affairs
        assert "区卫健局|工委办已接收|2025年3月20日|2025年4月2日|2/" in joined
        assert "教育局未接收的内容" not in joined
        assert not any(name in joined for name in ("reporter", "edu-reporter"))
        text = pdf_text(pdf_path)
        compact = text.replace(" ", "").replace("\n", "")
        assert "成员单位规划实施情况汇编" in compact and HEALTH_WORK in compact
        assert "尚未经工委办接收" in compact

    def test_refuses_a_missing_or_outside_year(self, plan, tmp_path):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="--year"):
            call_command("report", "implementation", "--out", str(tmp_path), "--plan", PLAN)
        with pytest.raises(CommandError, match="2031"):
            call_command("report", "implementation", "--year", "2031", "--out", str(tmp_path), "--plan", PLAN)
        assert not list(tmp_path.iterdir())
