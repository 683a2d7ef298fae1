"""A target revised in 2023 on the demo's values: 2022 is evaluated against the old target and 2024
against the new one — in the engine's results, the dashboards, `childfirst evaluate`, published
snapshots (which keep the target they were evaluated against), the portal and the reports."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from docx import Document

from childfirst.evaluation.actions import do_publish
from childfirst.evaluation.data import evaluate_plan
from childfirst.evaluation.models import SnapshotResult
from childfirst.plans.revisions import load_revisions
from childfirst.reports.build import build_report, report_content
from childfirst.reports.content import Facts, Table
from tests.pdf_text import pdf_text

# HEA-17 (0-6岁儿童健康管理率, plan: ≥ 90%) is 95.0% in 2022 and 95.7% in 2024 in the demo values:
# met under the plan's target, not yet under the revised ≥ 96% from 2023.
REVISION = (Path(__file__).resolve().parents[1] / "data" / "hea17-revision.yaml").read_text(encoding="utf-8")


@pytest.fixture
def revise(tmp_path):
    def load():
        path = tmp_path / "revisions.yaml"
        path.write_text(REVISION, encoding="utf-8")
        return load_revisions(path)

    return load


def district_row(plan, year: int, code: str = "HEA-17"):
    return next(r for r in evaluate_plan(plan, year) if r.indicator.code == code and r.area.pk == plan.area_id)


@pytest.mark.django_db
class TestEvaluation:
    def test_2022_is_evaluated_against_the_old_target_and_2024_against_the_new(self, demo, plan, revise):
        revise()
        before = district_row(plan, 2022)
        assert before.indicator.target == Decimal(90) and before.indicator.revision_in_force is None
        assert before.result.status == "achieved" and before.result.latest_value > 90
        after = district_row(plan, 2024)
        assert after.indicator.target == Decimal(96) and after.indicator.revision_in_force is not None
        assert 90 < after.result.latest_value < 96
        assert after.result.status != "achieved" and after.result.target_for_latest == 96.0
        # An indicator that was not revised keeps the plan's target.
        assert district_row(plan, 2024, "HEA-04").indicator.target == Decimal(90)

    def test_the_command_reports_the_target_in_force_and_its_decision(self, demo, plan, revise, capsys):
        revise()
        for year, target, revision in ((2022, 90.0, None), (2024, 96.0, "测试：鹿妇儿工委〔2023〕1号")):
            call_command("evaluate", "--year", str(year), "--json")
            rows = json.loads(capsys.readouterr().out)
            row = next(r for r in rows if r["indicator"] == "HEA-17" and r["area"] == "330302")
            assert (row["target"], row["target_revision"]) == (target, revision)

    def test_the_indicator_page_shows_the_years_target_its_history_and_a_stepped_target_line(
        self, client, users, demo, revise
    ):
        revise()
        client.force_login(users.leader)
        page = client.get("/plans/lucheng-2021-2025/evaluation/indicators/HEA-17/?year=2024")
        body = page.content.decode()
        assert "≥ 96%" in body and "2023 年起调整" in body
        assert "2023 年起 ≥ 96%（原 ≥ 90%），依据 测试：鹿妇儿工委〔2023〕1号，2023-06-30" in body
        chart = page.context["chart"]
        targets = dict(zip(chart["years"], chart["targets"], strict=True))
        assert targets["2022"] == 90.0 and targets["2023"] == 96.0 and targets["2025"] == 96.0
        assert chart["target"] == 96.0
        earlier = client.get("/plans/lucheng-2021-2025/evaluation/indicators/HEA-17/?year=2022")
        assert earlier.context["chart"]["target"] == 90.0 and earlier.context["district"].result.status == "achieved"


@pytest.mark.django_db
class TestPublished:
    def test_a_snapshot_published_before_a_revision_keeps_its_target(self, demo, plan, users, revise, client):
        first = do_publish(users.office, plan, 2024, "年度监测")
        kept = SnapshotResult.objects.get(snapshot=first, indicator__code="HEA-17", area=plan.area)
        assert (kept.comparator, kept.target, kept.target_year, kept.revision_document) == (">=", 90, 2025, "")
        revise()
        kept.refresh_from_db()
        assert kept.target == 90 and kept.status == "achieved"
        # The portal and the report read the snapshot's target, not today's.
        page = client.get("/open/lucheng-2021-2025/indicators/HEA-17/?year=2024").content.decode()
        assert "≥ 90%" in page and "≥ 96%" not in page
        content = report_content("annual", first)
        assert "≥ 90%" in cells_of(content, "domain-health", "HEA-17")
        assert not [t for t in tables(content) if t.key == "revisions"]
        # Published again, the year is evaluated against the revised target and names the decision.
        second = do_publish(users.office, plan, 2024, "目标调整后重新发布")
        again = SnapshotResult.objects.get(snapshot=second, indicator__code="HEA-17", area=plan.area)
        assert again.target == 96 and again.status != "achieved"
        assert (
            again.revision_document == "测试：鹿妇儿工委〔2023〕1号" and str(again.revision_decided_on) == "2023-06-30"
        )
        page = client.get("/open/lucheng-2021-2025/indicators/HEA-17/?year=2024").content.decode()
        assert "≥ 96%" in page

    def test_the_report_lists_the_revision_and_evaluates_each_year_against_its_target(
        self, demo, plan, users, revise, tmp_path
    ):
        revise()
        snapshots = {year: do_publish(users.office, plan, year, "年度监测") for year in (2022, 2024)}
        earlier = report_content("annual", snapshots[2022])
        assert "≥ 90%" in cells_of(earlier, "domain-health", "HEA-17")
        assert not [t for t in tables(earlier) if t.key == "revisions"]
        # An earlier year's status in the 2024 report ("newly achieved") uses that year's target.
        facts = Facts(snapshots[2024])
        hea17 = next(i for i in facts.indicators if i.code == "HEA-17")
        assert facts.status_in(hea17, 2022) == "achieved" and facts.status_in(hea17, 2023) != "achieved"
        docx, pdf = build_report("annual", snapshots[2024], tmp_path)
        document = Document(str(docx))
        revisions = next(t for t in document.tables if t.rows[0].cells[0].text == "代码" and len(t.columns) == 7)
        rows = [[cell.text for cell in row.cells] for row in revisions.rows]
        assert rows[0] == ["代码", "指标", "原目标", "调整后目标", "适用年份", "决定日期", "依据文件"]
        assert rows[1][0] == "HEA-17" and rows[1][2:] == [
            "≥ 90%",
            "≥ 96%",
            "2023年起",
            "2023年6月30日",
            "测试：鹿妇儿工委〔2023〕1号",
        ]
        health = next(t for t in document.tables if any(r.cells[0].text == "HEA-17" for r in t.rows[1:]))
        row = next(r for r in health.rows if r.cells[0].text == "HEA-17")
        assert "≥ 96%" in [c.text for c in row.cells]
        # Table cells wrap: compare without the line breaks and spaces.
        text = re.sub(r"\s+", "", pdf_text(pdf))
        assert "表" in text and "目标调整" in text and "测试：鹿妇儿工委〔2023〕1号" in text


def tables(content) -> list[Table]:
    return [block for block in content.walk() if isinstance(block, Table)]


def cells_of(content, key: str, code: str) -> list[str]:
    table = next(t for t in tables(content) if t.key == key)
    return next(row for row in table.rows if row[0] == code)
