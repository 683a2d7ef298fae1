"""The Excel round trip: a protected, prefilled template; an upload that saves all or nothing and
names the cell of every problem; the command line and the web pages; who may do what.

Workbooks are real files: written by the template builder, edited with openpyxl as a person
would in Excel, and read back by the import through python-calamine.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.urls import reverse
from django.utils import translation

from childfirst import cli
from childfirst.collection.actions import do_open_round, do_submit, save_values
from childfirst.collection.entries import RawCell
from childfirst.collection.excel_import import import_workbook, read_number
from childfirst.collection.excel_template import DATA_SHEET, FORMAT_VERSION, META_SHEET, build_template
from childfirst.collection.models import Channel, DataValue, ImportBatch, Submission, ValueChange
from childfirst.collection.review import review_submission
from childfirst.collection.scope import expected_for

DISTRICT, WUMA = "330302", "330302001"
COL = {"indicator": "A", "area": "D", "last_year": "F", "numerator": "G", "denominator": "H", "value": "I",
       "missing_reason": "J", "comment": "K", "source_note": "L"}  # fmt: skip


# ----- helpers ----------------------------------------------------------------------------------


def submission_of(department: str, year: int = 2025) -> Submission:
    return Submission.objects.select_related("round__plan", "department").get(
        round__year=year, department__code=department
    )


def workbook(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def to_bytes(wb: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row_of(ws, indicator: str, area: str) -> int:
    for row in range(1, ws.max_row + 1):
        if ws[f"A{row}"].value == indicator and ws[f"D{row}"].value == area:
            return row
    raise AssertionError(f"no row for {indicator}/{area}")


def put(ws, indicator: str, area: str, **cells: object) -> int:
    row = row_of(ws, indicator, area)
    for name, value in cells.items():
        ws[f"{COL[name]}{row}"] = value
    return row


def stored(indicator: str, area: str, year: int = 2025) -> DataValue:
    return DataValue.objects.get(round__year=year, indicator__code=indicator, area__code=area)


def snapshot() -> tuple:
    """Everything an import could change."""
    return (
        sorted(DataValue.objects.values_list("pk", "version", "value", "numerator", "denominator", "missing_reason")),
        ValueChange.objects.count(),
        ImportBatch.objects.count(),
        sorted(Submission.objects.values_list("pk", "version", "state")),
    )


@pytest.fixture
def run_cli(monkeypatch):
    """`childfirst …` in this process (so it sees the test database); returns the exit code."""
    # A command run from the command line closes every connection when it ends; the test's
    # own transaction must outlive it.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args: str) -> int:
        try:
            return cli.main(list(args))
        except SystemExit as exc:
            return exc.code
        finally:
            translation.activate("zh-hans")

    return run


def filled(submission: Submission) -> tuple[bytes, dict[str, int]]:
    """The health template filled in the ways people really type."""
    wb = workbook(build_template(submission))
    ws = wb[DATA_SHEET]
    rows = {
        "full_width": put(ws, "HEA-32", DISTRICT, value="１２"),
        "percent_sign": put(ws, "HEA-26", DISTRICT, value="90%"),
        "fraction": put(ws, "HEA-27", DISTRICT, value=0.9),
        "thousands": put(ws, "HEA-35", DISTRICT, value="1,234", comment="含兼职", source_note="区卫健局年报"),
        "spaces": put(ws, "HEA-37", DISTRICT, value="  56 "),
        "parts": put(ws, "HEA-03", WUMA, numerator="９８", denominator=" 100 "),
        "missing": put(ws, "HEA-38", DISTRICT, missing_reason="统计口径调整，年底提供"),
    }
    return to_bytes(wb), rows


def cell_places(result) -> list[str]:
    return [p.place for p in result.errors]


# ----- the template -----------------------------------------------------------------------------


class TestTemplate:
    def test_only_input_cells_are_unlocked(self, health):
        wb = workbook(build_template(health))
        assert wb.sheetnames[0] == DATA_SHEET and META_SHEET in wb.sheetnames
        ws = wb[DATA_SHEET]
        assert ws.protection.sheet is True
        assert [c.value for c in ws[3]] == ["指标代码", "指标名称", "单位", "区域代码", "区域名称", "上年数值",
                                           "分子", "分母", "数值", "暂缺原因", "说明", "数据来源"]  # fmt: skip
        expected = expected_for(health.round.plan, 2025, health.department)
        assert ws.max_row - 3 == len(expected.cells()) == 320
        kinds = {i.code: i for i in expected.indicators}
        for row in range(1, ws.max_row + 1):
            code = ws[f"A{row}"].value if row > 3 else None
            indicator = kinds.get(code)
            for cell in ws[row]:
                unlocked = not cell.protection.locked
                if indicator is None:
                    assert not unlocked, cell.coordinate
                    continue
                letter = cell.column_letter
                if letter in "JKL":
                    should = True
                elif letter in "GH":
                    should = indicator.is_rate
                elif letter == "I":
                    should = not (indicator.is_rate and indicator.per_street)
                else:
                    should = False
                assert unlocked == should, (cell.coordinate, code)
        assert ws["Z500"].protection.locked  # beyond the data, too
        # a per-street rate shows its value computed, in a locked cell
        row = row_of(ws, "HEA-03", WUMA)
        assert str(ws[f"I{row}"].value).startswith("=") and ws[f"I{row}"].protection.locked
        assert wb["说明"].protection.sheet is True

    def test_hidden_sheet_identifies_template_and_rows(self, health):
        wb = workbook(build_template(health))
        meta = wb[META_SHEET]
        assert meta.sheet_state == "veryHidden"
        values = {meta.cell(r, 1).value: meta.cell(r, 2).value for r in range(1, 10)}
        assert values["format"] == FORMAT_VERSION
        assert (values["plan"], values["year"], values["department"]) == ("lucheng-2021-2025", 2025, "health")
        assert values["submission"] == health.pk and values["generated_at"]
        header = next(r for r in range(1, 20) if meta.cell(r, 1).value == "row")
        records = [[c.value for c in line] for line in meta.iter_rows(min_row=header + 1)]
        assert len(records) == 320
        ws = wb[DATA_SHEET]
        for row, indicator, area, version, _base in records:
            assert (ws[f"A{row}"].value, ws[f"D{row}"].value, version) == (indicator, area, 0)

    def test_last_year_values_stand_beside_the_inputs(self, plan, users):
        do_open_round(users.office, plan, 2024, datetime.date(2025, 3, 31))
        save_values(
            users.reporter,
            submission_of("health", 2024),
            [RawCell("HEA-01", DISTRICT, value=3), RawCell("HEA-03", WUMA, numerator=45, denominator=50)],
            channel=Channel.WEB,
        )
        do_open_round(users.office, plan, 2025, datetime.date(2026, 3, 31))
        ws = workbook(build_template(submission_of("health")))[DATA_SHEET]
        assert ws[f"F{row_of(ws, 'HEA-01', DISTRICT)}"].value == 3
        assert ws[f"F{row_of(ws, 'HEA-03', WUMA)}"].value == 90
        assert ws[f"F{row_of(ws, 'HEA-02', DISTRICT)}"].value is None
        assert ws[f"F{row_of(ws, 'HEA-01', DISTRICT)}"].protection.locked

    def test_download_edit_upload_changes_only_what_was_edited(self, health, users):
        save_values(
            users.reporter,
            health,
            [
                RawCell("HEA-26", DISTRICT, value="0.5%"),  # would read as 50% if written as 0.5
                RawCell("HEA-02", DISTRICT, numerator=120, denominator="98765"),
                RawCell("HEA-03", WUMA, numerator=7, denominator=9, comment="核实过"),
                RawCell("HEA-38", DISTRICT, missing_reason="年底提供"),
                RawCell("HEA-01", DISTRICT, value=Decimal("3"), source_note="年报"),
            ],
            channel=Channel.WEB,
        )
        before = snapshot()
        result = import_workbook(build_template(health), user=users.reporter, file_name="t.xlsx")
        assert result.ok, result.errors
        assert (result.created, result.updated, result.unchanged) == (0, 0, 320)
        assert not result.notices
        assert snapshot()[0] == before[0]


# ----- uploads that work ------------------------------------------------------------------------


class TestUpload:
    def test_cli_import_reads_what_people_type(self, health, users, tmp_path, capsys, run_cli):
        content, _rows = filled(health)
        path = tmp_path / "卫健局2025.xlsx"
        path.write_bytes(content)
        assert run_cli("data", "import", str(path), "--user", "reporter") == 0
        out = capsys.readouterr().out
        assert stored("HEA-32", DISTRICT).value == 12
        assert stored("HEA-26", DISTRICT).value == 90
        assert stored("HEA-27", DISTRICT).value == 90
        assert "0.9" in out and "90%" in out  # the fraction read as a percentage is said
        thousands = stored("HEA-35", DISTRICT)
        assert (thousands.value, thousands.comment, thousands.source_note) == (1234, "含兼职", "区卫健局年报")
        assert stored("HEA-37", DISTRICT).value == 56
        parts = stored("HEA-03", WUMA)
        assert (parts.numerator, parts.denominator, parts.value) == (98, 100, 98)
        missing = stored("HEA-38", DISTRICT)
        assert (missing.value, missing.missing_reason) == (None, "统计口径调整，年底提供")
        assert set(DataValue.objects.values_list("channel", flat=True)) == {Channel.EXCEL}
        batch = ImportBatch.objects.get()
        assert bytes(batch.content) == content and batch.file_name == path.name and batch.value_count == 7
        assert batch.created_by == users.reporter and batch.channel == Channel.EXCEL
        changes = ValueChange.objects.filter(import_batch=batch)
        assert changes.count() == 7
        assert {(c.channel, c.submission_state, c.changed_by_id) for c in changes} == {
            (Channel.EXCEL, "draft", users.reporter.pk)
        }
        health.refresh_from_db()
        assert health.state == "draft"

    def test_formulas_count_by_their_cached_values(self, health, users):
        wb = workbook(build_template(health))
        row = put(wb[DATA_SHEET], "HEA-01", DISTRICT, value="=40+2")
        content = to_bytes(wb)
        # openpyxl writes no cached value (<v/>, or <v></v> when it writes with lxml); Excel would.
        # Put one in, as Excel leaves it.
        content = _patch_sheet(content, lambda xml: re.sub(
            rf'(<c r="I{row}"[^>]*><f>40\+2</f>)<v(?:\s*/>|></v>)', r"\g<1><v>42</v>", xml))  # fmt: skip
        result = import_workbook(content, user=users.reporter, file_name="f.xlsx")
        assert result.ok, result.errors
        assert stored("HEA-01", DISTRICT).value == 42

    def test_reading_cells(self):
        assert read_number(0.1 + 0.2) == (Decimal("0.3"), None)
        assert read_number(1234.0) == (Decimal("1234"), None)
        assert read_number("") == (None, None)
        number, reason = read_number(datetime.date(2025, 3, 4))
        assert number is None and reason

    def test_rows_resorted_and_blank_rows_still_land_on_their_cells(self, health, users):
        wb = workbook(build_template(health))
        ws = wb[DATA_SHEET]
        put(ws, "HEA-01", DISTRICT, value=5)
        put(ws, "HEA-03", WUMA, numerator=30, denominator=40)
        lines = [[c.value for c in ws[r]] for r in range(4, ws.max_row + 1)]
        lines.reverse()
        lines.insert(10, [None] * 12)  # a blank row in the middle
        for offset, line in enumerate(lines):
            for col, value in enumerate(line, start=1):
                ws.cell(4 + offset, col).value = value  # cell(r, c, None) would leave the old value
        assert row_of(ws, "HEA-01", DISTRICT) != 4
        result = import_workbook(to_bytes(wb), user=users.reporter, file_name="sorted.xlsx")
        assert result.ok, result.errors
        assert stored("HEA-01", DISTRICT).value == 5
        assert stored("HEA-03", WUMA).value == 75

    def test_sheets_reordered(self, health, users):
        wb = workbook(build_template(health))
        put(wb[DATA_SHEET], "HEA-01", DISTRICT, value=6)
        wb.move_sheet(DATA_SHEET, offset=2)
        assert wb.sheetnames.index(DATA_SHEET) != 0
        assert import_workbook(to_bytes(wb), user=users.reporter, file_name="x.xlsx").ok
        assert stored("HEA-01", DISTRICT).value == 6

    def test_older_compatible_template_is_accepted(self, health, users):
        wb = workbook(build_template(health))
        put(wb[DATA_SHEET], "HEA-01", DISTRICT, value=7)
        meta = wb[META_SHEET]
        meta["B2"] = "1.0"
        for row in meta.iter_rows(min_col=5, max_col=5):  # 1.0 templates had no fingerprints
            row[0].value = None
        result = import_workbook(to_bytes(wb), user=users.reporter, file_name="old.xlsx")
        assert result.ok, result.errors
        assert stored("HEA-01", DISTRICT).value == 7

    def test_value_changed_elsewhere_but_untouched_in_file_is_kept(self, health, users):
        content = build_template(health)
        save_values(users.reporter, health, [RawCell("HEA-02", DISTRICT, value=1.5)], channel=Channel.WEB)
        wb = workbook(content)
        put(wb[DATA_SHEET], "HEA-01", DISTRICT, value=8)
        result = import_workbook(to_bytes(wb), user=users.reporter, file_name="x.xlsx")
        assert result.ok, result.errors
        assert stored("HEA-02", DISTRICT).value == Decimal("1.5")
        assert stored("HEA-01", DISTRICT).value == 8
        assert any(n.cell == f"A{row_of(wb[DATA_SHEET], 'HEA-02', DISTRICT)}" for n in result.notices)

    def test_system_import_needs_its_flag(self, health, tmp_path, capsys, run_cli):
        path = tmp_path / "t.xlsx"
        path.write_bytes(filled(health)[0])
        assert run_cli("data", "import", str(path)) == 1
        assert DataValue.objects.count() == 0
        assert run_cli("data", "import", str(path), "--as-system") == 0
        assert DataValue.objects.count() == 7

    def test_cli_template(self, health, tmp_path, capsys, run_cli):
        out = tmp_path / "t.xlsx"
        assert run_cli("data", "template", "--department", "health", "--year", "2025", "--out", str(out)) == 0
        assert workbook(out.read_bytes())[META_SHEET]["B5"].value == "health"
        assert run_cli("data", "template", "--department", "nowhere", "--year", "2025", "--out", str(out)) == 1


def _patch_sheet(content: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            target.writestr(name, data)
    return out.getvalue()


# ----- uploads that are refused -----------------------------------------------------------------


def _zip(members: dict[str, bytes | int]) -> bytes:
    """A zip; an int member is that many zero bytes, written in chunks."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            with archive.open(name, "w", force_zip64=True) as stream:
                if isinstance(data, int):
                    chunk = bytes(1 << 20)
                    for _ in range(data >> 20):
                        stream.write(chunk)
                else:
                    stream.write(data)
    return out.getvalue()


class TestRefused:
    """Each refused upload names its cell, in Chinese by default, and changes nothing."""

    def refused(self, content: bytes, user, **kwargs):
        before = snapshot()
        result = import_workbook(content, user=user, file_name="bad.xlsx", **kwargs)
        assert not result.ok
        assert snapshot() == before
        return result

    def test_text_numerator_above_denominator_and_more_all_listed(self, health, users):
        wb = workbook(build_template(health))
        ws = wb[DATA_SHEET]
        text_row = put(ws, "HEA-01", DISTRICT, value="十二")
        above_row = put(ws, "HEA-03", WUMA, numerator=120, denominator=100)
        both_row = put(ws, "HEA-26", DISTRICT, value=80, missing_reason="暂无")
        date_row = put(ws, "HEA-32", DISTRICT, value=datetime.date(2025, 3, 4))
        ok_row = put(ws, "HEA-35", DISTRICT, value=9)
        result = self.refused(to_bytes(wb), users.reporter)
        assert cell_places(result) == [
            f"{DATA_SHEET}!I{text_row}",
            f"{DATA_SHEET}!G{above_row}",
            f"{DATA_SHEET}!I{both_row}",
            f"{DATA_SHEET}!I{date_row}",
        ]
        assert f"I{ok_row}" not in [p.cell for p in result.errors]
        text = next(p for p in result.errors if p.cell == f"I{text_row}")
        assert text.value == "十二" and text.reason == "十二 不是数字"  # Chinese by default
        above = next(p for p in result.errors if p.cell == f"G{above_row}")
        assert above.value == "120" and "100" in above.reason

    def test_deleted_data_sheet(self, health, users):
        wb = workbook(build_template(health))
        del wb[DATA_SHEET]
        result = self.refused(to_bytes(wb), users.reporter)
        assert result.errors[0].sheet == DATA_SHEET

    def test_deleted_hidden_sheet(self, health, users):
        wb = workbook(build_template(health))
        del wb[META_SHEET]
        result = self.refused(to_bytes(wb), users.reporter)
        assert META_SHEET in result.errors[0].reason

    def test_renamed_code_column_value_names_the_row(self, health, users):
        wb = workbook(build_template(health))
        row = row_of(wb[DATA_SHEET], "HEA-01", DISTRICT)
        wb[DATA_SHEET][f"A{row}"] = "HEA-99"
        result = self.refused(to_bytes(wb), users.reporter)
        assert cell_places(result) == [f"{DATA_SHEET}!A{row}"]
        assert result.errors[0].value == f"HEA-99 / {DISTRICT}"

    def test_duplicated_row(self, health, users):
        wb = workbook(build_template(health))
        ws = wb[DATA_SHEET]
        first = row_of(ws, "HEA-01", DISTRICT)
        last = ws.max_row + 1
        for col in range(1, 13):
            ws.cell(last, col, ws.cell(first, col).value)
        result = self.refused(to_bytes(wb), users.reporter)
        assert cell_places(result) == [f"{DATA_SHEET}!A{last}"]

    @pytest.mark.parametrize(
        "content",
        [b"indicator,area,value\nHEA-01,330302,5\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048),
         b"PK\x03\x04 broken", b""],
        ids=["csv", "xls", "broken-zip", "empty"],
    )  # fmt: skip
    def test_not_a_workbook(self, health, users, content):
        result = self.refused(content, users.reporter)
        assert len(result.errors) == 1
        reason = result.errors[0].reason
        assert (reason.count(".xls") > reason.count(".xlsx")) == content.startswith(b"\xd0\xcf")

    def test_a_zip_that_is_not_a_workbook(self, health, users):
        self.refused(_zip({"word/document.xml": b"<x/>"}), users.reporter)

    def test_oversized(self, health, users, settings):
        settings.EXCEL_UPLOAD_MAX_BYTES = 4096
        result = self.refused(build_template(health), users.reporter)
        assert "MB" in result.errors[0].value

    def test_zip_bomb_is_refused_before_it_is_opened(self, health, users):
        bomb = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": 300 << 20})
        assert len(bomb) < 2 << 20
        assert "50.0 MB" in self.refused(bomb, users.reporter).errors[0].reason
        # a single member packed over 100:1, though far below the size limit
        ratio = _zip({"xl/workbook.xml": b"<workbook/>", "xl/sharedStrings.xml": 4 << 20})
        assert "50.0 MB" in self.refused(ratio, users.reporter).errors[0].reason

    def test_old_or_newer_format(self, health, users):
        for version in ("0.9", "2.0", "1.9", "x"):
            wb = workbook(build_template(health))
            wb[META_SHEET]["B2"] = version
            result = self.refused(to_bytes(wb), users.reporter)
            assert result.errors[0].place == f"{META_SHEET}!B2" and result.errors[0].value == version

    def test_another_departments_template(self, health, users):
        education = build_template(submission_of("education"))
        result = self.refused(education, users.reporter)  # a health reporter uploading it
        assert "区教育局" in result.errors[0].reason
        result = self.refused(education, users.education_reporter, expect=health)  # on the health page
        assert "区教育局" in result.errors[0].reason and "区卫健局" in result.errors[0].reason

    def test_another_years_template(self, health, users, plan):
        do_open_round(users.office, plan, 2024, datetime.date(2025, 3, 31))
        result = self.refused(build_template(submission_of("health", 2024)), users.reporter, expect=health)
        assert "2024" in result.errors[0].reason

    def test_value_changed_by_someone_else_after_download(self, health, users):
        content = build_template(health)
        save_values(users.reporter, health, [RawCell("HEA-01", DISTRICT, value=5)], channel=Channel.WEB)
        wb = workbook(content)
        row = put(wb[DATA_SHEET], "HEA-01", DISTRICT, value=7)
        put(wb[DATA_SHEET], "HEA-32", DISTRICT, value=2)
        result = self.refused(to_bytes(wb), users.reporter)
        assert cell_places(result) == [f"{DATA_SHEET}!I{row}"]
        assert result.errors[0].value == "7" and "reporter" in result.errors[0].reason
        assert stored("HEA-01", DISTRICT).value == 5

    def test_submitted_data_cannot_be_uploaded_over(self, health, users):
        cells = [RawCell(i.code, a.code, missing_reason="暂无") for i, a in
                 expected_for(health.round.plan, 2025, health.department).cells()]  # fmt: skip
        save_values(users.reporter, health, cells, channel=Channel.WEB)
        assert not review_submission(health).blocking
        do_submit(users.reporter, health, None)
        wb = workbook(build_template(health))
        put(wb[DATA_SHEET], "HEA-01", DISTRICT, value=3, missing_reason=None)
        result = self.refused(to_bytes(wb), users.reporter)
        assert "submitted" in result.errors[0].reason or "已提交" in result.errors[0].reason

    def test_cli_lists_every_error_and_exits_non_zero(self, health, users, tmp_path, capsys, run_cli):
        wb = workbook(build_template(health))
        row = put(wb[DATA_SHEET], "HEA-01", DISTRICT, value="abc")
        path = tmp_path / "bad.xlsx"
        path.write_bytes(to_bytes(wb))
        before = snapshot()
        assert run_cli("data", "import", str(path), "--user", "reporter") == 1
        err = capsys.readouterr().err
        assert f"{DATA_SHEET}!I{row}" in err and "abc 不是数字" in err
        assert run_cli("--lang", "en", "data", "import", str(path), "--user", "reporter") == 1
        assert "abc is not a number" in capsys.readouterr().err
        assert run_cli("data", "import", str(path), "--user", "edu-reporter") == 1
        assert "区卫健局" in capsys.readouterr().err
        assert snapshot() == before


# ----- the web pages ----------------------------------------------------------------------------


def urls(year: int = 2025, department: str = "health") -> tuple[str, str]:
    return (
        reverse("collection_excel:template", args=["lucheng-2021-2025", year, department]),
        reverse("collection_excel:upload", args=["lucheng-2021-2025", year, department]),
    )


class TestWeb:
    def test_reporter_downloads_fills_and_uploads(self, client, health, users):
        template_url, upload_url = urls()
        client.force_login(users.reporter)
        response = client.get(template_url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in response["Content-Disposition"]
        wb = workbook(response.content)
        put(wb[DATA_SHEET], "HEA-27", DISTRICT, value=0.9)
        put(wb[DATA_SHEET], "HEA-01", DISTRICT, value="１")
        page = client.get(upload_url)
        assert page.status_code == 200 and b'type="file"' in page.content
        response = client.post(upload_url, {"file": SimpleUploadedFile("卫健.xlsx", to_bytes(wb))})
        assert response.status_code == 200
        result = response.context["result"]
        assert result.ok and result.created == 2
        assert stored("HEA-27", DISTRICT).value == 90 and stored("HEA-01", DISTRICT).channel == Channel.EXCEL
        html = response.content.decode()
        assert "/plans/lucheng-2021-2025/collection/rounds/2025/health/" in html
        assert "90%" in html  # the notice on reading 0.9 as 90%

    def test_errors_shown_as_a_table(self, client, health, users):
        client.force_login(users.reporter)
        wb = workbook(build_template(health))
        row = put(wb[DATA_SHEET], "HEA-03", WUMA, numerator=5, denominator=4)
        before = snapshot()
        response = client.post(urls()[1], {"file": SimpleUploadedFile("x.xlsx", to_bytes(wb))})
        assert snapshot() == before
        html = response.content.decode()
        assert "<table" in html and f"G{row}" in html and DATA_SHEET in html

    def test_oversized_upload_refused_before_reading(self, client, health, users, settings):
        settings.EXCEL_UPLOAD_MAX_BYTES = 1024
        client.force_login(users.reporter)
        before = snapshot()
        response = client.post(urls()[1], {"file": SimpleUploadedFile("big.xlsx", bytes(200 * 1024))})
        assert not response.context["result"].ok and snapshot() == before

    def test_other_department_template_on_this_page(self, client, health, users):
        client.force_login(users.reporter)
        content = build_template(submission_of("education"))
        response = client.post(urls()[1], {"file": SimpleUploadedFile("edu.xlsx", content)})
        assert "区教育局" in response.context["result"].errors[0].reason

    @pytest.mark.parametrize("who", ["reviewer", "office", "leader", "evaluator"])
    def test_read_only_roles_download_the_same_file(self, client, health, users, who):
        client.force_login(getattr(users, who))
        template_url, upload_url = urls()
        response = client.get(template_url)
        assert response.status_code == 200
        assert workbook(response.content)[META_SHEET]["B6"].value == health.pk
        assert client.get(upload_url).status_code == 403

    @pytest.mark.parametrize("who", ["education_reporter", "supervisor", "director"])
    def test_refused(self, client, health, users, who):
        client.force_login(getattr(users, who))
        for url in urls():
            assert client.get(url).status_code == 403
        assert client.post(urls()[1], {"file": SimpleUploadedFile("x.xlsx", b"x")}).status_code == 403

    def test_anonymous_goes_to_login(self, client, health):
        for url in urls():
            response = client.get(url)
            assert response.status_code == 302 and reverse("login") in response["Location"]

    def test_unknown_round_or_department(self, client, health, users):
        client.force_login(users.office)
        assert client.get(urls(2019)[0]).status_code == 404
        assert client.get(urls(2025, "nowhere")[0]).status_code == 404


def test_a_sheet_far_larger_than_a_template_is_refused(health, users):
    wb = workbook(build_template(health))
    wb[DATA_SHEET]["A60000"] = "HEA-01"
    before = snapshot()
    result = import_workbook(to_bytes(wb), user=users.reporter, file_name="big.xlsx")
    assert result.errors[0].sheet == DATA_SHEET and "60000" in result.errors[0].value
    assert snapshot() == before
