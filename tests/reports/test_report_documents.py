"""The report documents built from published snapshots of the demo: the annual monitoring report,
the mid-term and the final evaluation as Word and PDF, read back with python-docx and pypdf."""

from __future__ import annotations

import difflib
import io
import re
import subprocess
import warnings
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from docx import Document
from PIL import Image
from pypdf import PdfReader

from childfirst.collection.actions import do_reopen
from childfirst.collection.models import DataValue, Submission
from childfirst.evaluation import engine
from childfirst.evaluation.actions import do_publish
from childfirst.evaluation.labels import STATUS_LABELS
from childfirst.evaluation.models import Snapshot, SnapshotResult, SnapshotValue
from childfirst.plans.models import Plan
from childfirst.reports.build import KINDS, ReportUnavailable, build_report, report_content, snapshot_for
from childfirst.reports.docx_writer import write_docx
from childfirst.reports.pdf_writer import write_pdf
from tests.pdf_text import pdf_text

ANNUAL_HEADINGS = [
    "一、总体情况",
    "二、分领域监测情况",
    "三、分街镇监测情况",
    "四、重点实事项目进展",
    "五、成员单位规划实施情况",
    "六、上年度对策建议落实情况",
    "七、数据报送完整性与及时性",
    "八、监测方法说明",
    "九、附录",
]
EVALUATION_HEADINGS = [
    "一、评估概况",
    "二、总体评估结论",
    "三、主要成效",
    "四、存在问题",
    "五、分领域评估",
    "六、滞后指标及规划措施",
    "八、监测方法说明",
    "九、附录",
]


@pytest.fixture(scope="module")
def published(demo, django_db_blocker) -> dict[int, Snapshot]:
    """The demo's evaluations of 2021–2024, published (inside the demo's module transaction)."""
    with django_db_blocker.unblock():
        plan = Plan.objects.get(code="lucheng-2021-2025")
        return {year: do_publish(None, plan, year, "年度监测（测试）") for year in range(2021, 2025)}


@pytest.fixture(scope="module")
def annual(published, django_db_blocker, tmp_path_factory):
    """The 2024 annual report, built once for the module: (docx path, pdf path, progress calls, warnings)."""
    calls: list[tuple[int, str]] = []
    with django_db_blocker.unblock(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docx, pdf = build_report(
            "annual", published[2024], tmp_path_factory.mktemp("annual"), lambda p, s: calls.append((p, s))
        )
    return docx, pdf, calls, [str(w.message) for w in caught]


def headings(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]


def texts(document) -> list[str]:
    """Every paragraph and every table row (cells joined by |), in document order."""
    lines = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(t.text or "" for t in element.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for row in element.iter():
                if row.tag.endswith("}tr"):
                    cells = [c for c in row if c.tag.endswith("}tc")]
                    lines.append(
                        "|".join("".join(t.text or "" for t in c.iter() if t.tag.endswith("}t")) for c in cells)
                    )
    return lines


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def written(value: float | None) -> str:
    return "—" if value is None else engine.number(value)


@pytest.mark.django_db
class TestAnnualReport:
    def test_files_are_named_after_plan_year_and_version(self, annual):
        docx, pdf, _calls, _w = annual
        assert docx.name == "鹿城区儿童发展十四五规划2024年度监测报告-v1.docx"
        assert pdf.name == docx.with_suffix(".pdf").name
        assert docx.stat().st_size > 10_000 and pdf.stat().st_size > 10_000

    def test_progress_is_reported_up_to_done(self, annual):
        calls = annual[2]
        percents = [p for p, _s in calls]
        assert percents == sorted(percents) and percents[-1] == 100 and len(calls) >= 4
        assert all(step for _p, step in calls)

    def test_charts_have_no_missing_glyphs(self, annual):
        assert not [w for w in annual[3] if "missing from" in w or "Glyph" in w or "font" in w.lower()]

    def test_docx_has_every_section_and_states_its_snapshot(self, annual, published):
        document = Document(annual[0])
        found = headings(document)
        for heading in ANNUAL_HEADINGS:
            assert heading in found
        for number, domain in enumerate(published[2024].plan.domains.order_by("number"), 1):
            assert f"（{'一二三四五六七'[number - 1]}）{domain.name}" in found
        body = "\n".join(p.text for p in document.paragraphs)
        assert "2024年度监测报告" in body and "鹿城区人民政府妇女儿童工作委员会办公室" in body
        assert "依据2024年度评估快照第1版编制" in body and f"评估方法版本{engine.METHOD_VERSION}" in body
        properties = document.core_properties
        assert properties.title == "鹿城区儿童发展“十四五”规划2024年度监测报告"
        assert properties.created.replace(tzinfo=None) == published[2024].published_at.replace(
            tzinfo=None, microsecond=0
        )

    def test_domain_tables_have_one_row_per_indicator_with_the_snapshots_values(self, annual, published):
        snapshot = published[2024]
        document = Document(annual[0])
        tables = {}
        for table in document.tables:
            rows = table_rows(table)
            if rows[0] == ["代码", "指标", "目标", "2021年", "2022年", "2023年", "2024年", "状态"]:
                tables[rows[1][0].split("-")[0]] = rows
        values = {
            (v.indicator.code, v.year): v.value
            for v in SnapshotValue.objects.filter(snapshot=snapshot, area=snapshot.plan.area).select_related(
                "indicator"
            )
        }
        statuses = {
            r.indicator.code: str(STATUS_LABELS[r.status])
            for r in SnapshotResult.objects.filter(snapshot=snapshot, area=snapshot.plan.area).select_related(
                "indicator"
            )
        }
        assert len(tables) == 7
        for domain in snapshot.plan.domains.all():
            codes = list(domain.indicators.active().order_by("order").values_list("code", flat=True))
            rows = tables[codes[0].split("-")[0]]
            assert [row[0] for row in rows[1:]] == codes  # one row per indicator, in plan order
            for row in rows[1:]:
                code = row[0]
                assert row[3:7] == [written(values.get((code, year))) for year in range(2021, 2025)]
                assert row[7] == statuses[code]

    def test_early_warning_list_gives_each_reason(self, annual, published):
        document = Document(annual[0])
        table = next(t for t in document.tables if table_rows(t)[0][-1] == "预警原因")
        rows = table_rows(table)[1:]
        flagged = SnapshotResult.objects.filter(snapshot=published[2024], area=published[2024].plan.area)
        expected = {
            r.indicator.code for r in flagged.select_related("indicator") if r.warnings or r.status == "at_risk"
        }
        assert {row[0] for row in rows} == expected
        assert all(row[-1] for row in rows)
        assert any("按目前趋势" in row[-1] or "比上次变差" in row[-1] for row in rows)

    def test_docx_has_charts_as_png_images(self, annual):
        document = Document(annual[0])
        assert len(document.inline_shapes) >= 8  # status by domain, domains with numeric targets, streets
        for shape in document.inline_shapes:
            blip = shape._inline.graphic.graphicData.pic.blipFill.blip
            image = document.part.related_parts[blip.embed].blob
            assert image[:8] == b"\x89PNG\r\n\x1a\n"

    def test_appendix_lists_every_value_and_its_department(self, annual, published):
        document = Document(annual[0])
        tables = [table_rows(t) for t in document.tables]
        snapshot = published[2024]
        district = next(rows for rows in tables if rows[0][:2] == ["代码", "指标"] and rows[0][2] == "2018")
        streets = next(rows for rows in tables if rows[0][:2] == ["代码", "年份"])
        assert len(district) - 1 == snapshot.results.filter(area=snapshot.plan.area).count()
        assert streets[0][2:] == list(
            snapshot.results.filter(area__level="street")
            .order_by("area__code")
            .values_list("area__name", flat=True)
            .distinct()
        )
        cells = sum(1 for row in district[1:] for cell in row[2:-1] if cell)
        cells += sum(1 for row in streets[1:] for cell in row[2:] if cell)
        assert cells == snapshot.values.count()
        sources = {
            v.indicator.code: v.source["department"]
            for v in snapshot.values.filter(derived=False).select_related("indicator")
        }
        assert all(row[-1] == sources[row[0]] for row in district[1:])
        derived = snapshot.values.filter(derived=True, value__isnull=False).count()
        assert sum(1 for row in district[1:] for cell in row[2:-1] if cell.endswith("*")) == derived
        sources = next(rows for rows in tables if rows[0][0] == "报送单位" and "接收日期" in rows[0])
        departments = {v.source["department"] for v in snapshot.values.filter(derived=False)}
        assert {row[0] for row in sources[1:]} == departments

    def test_completeness_gives_counts_and_no_names(self, annual):
        document = Document(annual[0])
        table = next(t for t in document.tables if table_rows(t)[0][:4] == ["报送单位", "应填", "已填", "完整率"])
        rows = table_rows(table)[1:]
        assert rows and all(row[3].endswith("%") for row in rows)
        assert all(row[5] in ("按时", "逾期", "—") for row in rows)
        assert not any("system" in cell for row in rows for cell in row)

    def test_completeness_is_as_published_even_after_a_submission_is_reopened(self, published, users):
        snapshot = published[2024]
        assert snapshot.completeness["departments"], "the snapshot keeps the round's completeness"

        def completeness_lines() -> list[str]:
            lines = texts(Document(io.BytesIO(write_docx(report_content("annual", snapshot)))))
            # The headings' last occurrences: the first ones are in the table of contents.
            start = max(i for i, line in enumerate(lines) if line == "七、数据报送完整性与及时性")
            return lines[start : max(i for i, line in enumerate(lines) if line == "八、监测方法说明")]

        before = completeness_lines()
        submission = Submission.objects.filter(round__plan=snapshot.plan, round__year=2024, state="accepted").first()
        do_reopen(users.office, submission, submission.version, "更正一项数据")
        assert completeness_lines() == before
        assert any("已接收" in line for line in before)

    def test_pdf_has_pages_embedded_fonts_and_chinese_text(self, annual):
        reader = PdfReader(annual[1])
        assert len(reader.pages) > 10
        fonts = {}
        for page in reader.pages:
            for font in page["/Resources"].get("/Font", {}).values():
                font = font.get_object()
                descriptor = (
                    font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                    if "/DescendantFonts" in font
                    else font["/FontDescriptor"]
                ).get_object()
                fonts[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        assert fonts and all(fonts.values())  # every font embedded
        # Only the Noto CJK faces: a fallback font would mean a glyph the CJK fonts lack (tofu).
        # (WeasyPrint named them Noto-Serif-CJK-SC, Typst by their PostScript name NotoSerifCJKsc-Regular.)
        faces = {name.replace("-", "").lower() for name in fonts}
        assert all("notoserifcjksc" in face or "notosanscjksc" in face for face in faces), fonts
        text = pdf_text(annual[1])
        for heading in ANNUAL_HEADINGS:
            assert heading in text
        assert "儿童与健康领域指标监测情况" in text and "\ufffd" not in text
        assert reader.metadata.title == "鹿城区儿童发展“十四五”规划2024年度监测报告"

    def test_pdf_first_page_renders(self, annual, tmp_path):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(annual[1]), str(tmp_path / "cover")], check=True
        )
        png = next(tmp_path.glob("cover*.png"))
        image = Image.open(png).convert("L")
        dark = sum(image.histogram()[:128])
        assert image.size[0] > 200 and dark > 200  # the title and the office name are on it

    def test_same_snapshot_gives_the_same_files(self, annual, published):
        first, second = report_content("annual", published[2024]), report_content("annual", published[2024])
        assert write_docx(first) == write_docx(second) == annual[0].read_bytes()
        assert write_pdf(first) == write_pdf(second) == annual[1].read_bytes()  # byte-identical PDFs


def changed_lines(before: list[str], after: list[str]) -> list[tuple[str, str]]:
    """Pairs of (old, new) lines that differ; an added or dropped line pairs with ""."""
    pairs = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        old, new = before[i1:i2], after[j1:j2]
        if tag == "replace" and len(old) == len(new):
            pairs.extend(zip(old, new, strict=True))
        else:
            pairs.extend((line, "") for line in old)
            pairs.extend(("", line) for line in new)
    return pairs


def only_numbers_differ(old: str, new: str) -> bool:
    def shape(text: str) -> str:
        return re.sub(r"\d+(\.\d+)?", "#", text)

    return bool(old) and bool(new) and shape(old) == shape(new)


@pytest.mark.django_db
class TestCorrections:
    def correct(self, plan, code: str, value: float) -> Snapshot:
        cell = DataValue.objects.get(
            round__plan=plan, round__year=2024, indicator__code=code, area=plan.area, submission__state="accepted"
        )
        DataValue.objects.filter(pk=cell.pk).update(value=value)  # a correction, re-accepted
        return do_publish(None, plan, 2024, "更正")

    def lines(self, snapshot: Snapshot) -> list[str]:
        return texts(Document(io.BytesIO(write_docx(report_content("annual", snapshot)))))

    def test_a_corrected_figure_changes_only_its_rows_and_the_version(self, published):
        first = published[2024]
        plan = first.plan
        # An achieved count, away from its target: correcting it changes the figure, not the status.
        result = next(
            r
            for r in SnapshotResult.objects.filter(snapshot=first, area=plan.area, status="achieved", warnings=[])
            .select_related("indicator")
            .order_by("indicator__code")
            if r.indicator.unit == "count" and r.indicator.comparator == ">=" and not r.indicator.per_street
            and r.latest_value > float(r.indicator.target)
        )  # fmt: skip
        indicator = result.indicator
        second = self.correct(plan, indicator.code, result.latest_value + 1)
        assert second.version == 2
        pairs = changed_lines(self.lines(first), self.lines(second))
        assert pairs
        for old, new in pairs:
            if "评估快照第" in old + new:
                assert old.replace("第1版", "第2版").replace("年度监测（测试）", "更正") == new
                continue
            assert indicator.code in old + new, (old, new)
            assert written(result.latest_value + 1) in new or not new

    def test_a_correction_that_changes_a_status_changes_its_counts(self, published):
        first = published[2024]
        plan = first.plan
        result = next(
            r
            for r in SnapshotResult.objects.filter(snapshot=first, area=plan.area, status="on_track")
            .select_related("indicator")
            .order_by("indicator__code")
            if r.indicator.comparator == ">=" and not r.indicator.per_street and r.indicator.unit == "count"
        )
        indicator = result.indicator
        second = self.correct(plan, indicator.code, float(indicator.target))
        assert second.results.get(indicator=indicator, area=plan.area).status == "achieved"
        pairs = changed_lines(self.lines(first), self.lines(second))
        mentions = [(o, n) for o, n in pairs if indicator.code in o + n or indicator.name in o + n]
        assert mentions  # its table rows and the lists naming it
        for old, new in pairs:
            if (old, new) in mentions or "评估快照第" in old + new:
                continue
            assert only_numbers_differ(old, new), (old, new)  # counts and rates only
        assert any("已达标" in n for _o, n in pairs)


@pytest.mark.django_db
class TestEvaluations:
    def test_cli_writes_the_midterm_evaluation(self, published, tmp_path, capsys):
        call_command("report", "midterm", "--out", str(tmp_path))
        paths = [Path(line) for line in capsys.readouterr().out.split()]
        assert [p.suffix for p in paths] == [".docx", ".pdf"] and all(p.exists() for p in paths)
        assert paths[0].name == "鹿城区儿童发展十四五规划2023年中期评估报告-v1.docx"
        document = Document(paths[0])
        found = headings(document)
        for heading in EVALUATION_HEADINGS:
            assert heading in found
        assert "七、重点实事项目进展" in found
        assert "依据2023年度评估快照第1版编制" in "\n".join(p.text for p in document.paragraphs)
        # 达标率 by domain: achieved ÷ evaluable, as the snapshot says.
        snapshot = published[2023]
        rows = next(
            table_rows(t)
            for t in document.tables
            if table_rows(t)[0][:5] == ["领域", "指标数", "可评估", "已达标", "达标率"]
        )
        results = SnapshotResult.objects.filter(snapshot=snapshot, area=snapshot.plan.area).select_related(
            "indicator__domain"
        )
        for domain in snapshot.plan.domains.all():
            mine = [r for r in results if r.indicator.domain_id == domain.pk]
            evaluable = [r for r in mine if r.indicator.comparator not in ("up", "down") and r.status in (
                "achieved", "on_track", "needs_acceleration", "at_risk", "not_achieved")]  # fmt: skip
            achieved = sum(1 for r in evaluable if r.status == "achieved")
            row = next(row for row in rows if row[0] == domain.name)
            assert row[1:4] == [str(len(mine)), str(len(evaluable)), str(achieved)]
            assert row[4] == (f"{100 * achieved / len(evaluable):.1f}%" if evaluable else "—")
        assert PdfReader(paths[1]).pages

    def test_final_evaluation_needs_the_published_final_year(self, published, tmp_path):
        plan = published[2024].plan
        with pytest.raises(ReportUnavailable) as refused:
            snapshot_for(plan, "final", 2025)
        assert "2025" in str(refused.value)
        with pytest.raises(CommandError, match="2025"):
            call_command("report", "final", "--out", str(tmp_path))
        assert not list(tmp_path.iterdir())

    def test_final_evaluation_quotes_the_measures_behind_lagging_indicators(self, published, tmp_path):
        plan = published[2024].plan
        snapshot = do_publish(None, plan, 2025, "终期评估（测试）", reason="测试：2025 年轮次尚未完成")
        docx, pdf = build_report("final", snapshot_for(plan, "final", 2025), tmp_path)
        assert docx.name == "鹿城区儿童发展十四五规划2025年终期评估报告-v1.docx" and pdf.exists()
        document = Document(docx)
        found = headings(document)
        assert "七、重点实事项目完成情况" in found and "六、滞后指标及规划措施" in found
        body = "\n".join(p.text for p in document.paragraphs)
        assert "终期评估报告" in body
        lagging = [
            r.indicator
            for r in SnapshotResult.objects.filter(snapshot=snapshot, area=plan.area).select_related("indicator")
            if r.status in ("not_achieved", "at_risk", "needs_acceleration")
        ]
        assert lagging
        for indicator in lagging:
            assert any(h.endswith(f"{indicator.code} {indicator.name}") for h in found)
            for measure in indicator.measures.all():
                assert measure.title in body
        quoted = {m.pk: m for i in lagging for m in i.measures.all()}
        assert quoted and all(m.text in body for m in quoted.values())
        text = pdf_text(pdf)
        assert "六、滞后指标及规划措施" in text

    def test_a_report_can_be_built_from_an_earlier_version(self, published):
        plan = published[2024].plan
        do_publish(None, plan, 2023, "更正")
        assert snapshot_for(plan, "midterm", 2023).version == 2
        assert snapshot_for(plan, "midterm", 2023, 1) == published[2023]
        with pytest.raises(ReportUnavailable):
            snapshot_for(plan, "annual", 2023, 9)

    def test_kinds_and_years_outside_the_plan_are_refused(self, published):
        plan = published[2024].plan
        assert KINDS == ("annual", "midterm", "final")
        with pytest.raises(ReportUnavailable):
            snapshot_for(plan, "weekly", 2024)
        with pytest.raises(ReportUnavailable):
            snapshot_for(plan, "annual", 2030)
