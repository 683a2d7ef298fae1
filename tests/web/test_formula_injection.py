"""No text the product writes into a CSV or XLSX becomes a formula (issue 11, finding 3).

Every writer is exercised with a text starting with each character spreadsheets read as the start
of a formula, and the real file is read back (csv module, openpyxl): in CSV the text comes out
behind a single quote, in XLSX as a string cell; negative numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.test import RequestFactory
from django.utils import timezone

from childfirst.areas.models import Area
from childfirst.collection.actions import save_values
from childfirst.collection.entries import RawCell
from childfirst.collection.excel_template import DATA_SHEET, build_template
from childfirst.collection.export import ExportRow, write_csv
from childfirst.collection.models import Channel
from childfirst.evaluation.views import _download
from childfirst.plans.models import Indicator
from childfirst.registry.children.actions import ChildData, GuardianData, do_create_child
from childfirst.registry.models import CategoryType
from childfirst.reports.opendata import METADATA_COLUMNS, IndicatorFigures, metadata_csv
from childfirst.spreadsheet import FORMULA_START, csv_cell, is_dangerous

EVIL = [
    '=HYPERLINK("http://evil/","a")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
NUMBERS = [-5, -1.5, Decimal("-2.25")]


def csv_cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def assert_inert_csv(rows: list[list[str]], evil: list[str] = EVIL) -> None:
    cells = [cell for row in rows for cell in row]
    for text in evil:
        assert "'" + text in cells, text
        assert text not in cells, text
    assert not [c for c in cells if c.startswith(FORMULA_START) and is_dangerous(c)]


def assert_inert_xlsx(content: bytes, own_formula: str = "\0") -> openpyxl.Workbook:
    """Every text that looks like a formula is a string cell, but for the file's own formulas."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and is_dangerous(cell.value) and not cell.value.startswith(own_formula):
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.coordinate)
    return book


def test_the_rule():
    for text in EVIL:
        assert is_dangerous(text) and csv_cell(text) == "'" + text
    for harmless in ("-5", "-1.5E+3", "+7", "1+1", "王小明", "", "a=b"):
        assert not is_dangerous(harmless) and csv_cell(harmless) == harmless
    for number in [*NUMBERS, 0, None]:
        assert csv_cell(number) is number


def test_collection_values_export():
    rows = [
        ExportRow(2025, "X-01", text, "count", "330302", "鹿城区", Decimal("-3"), None, None, text, "draft",
                  False, None, "api")
        for text in EVIL
    ]  # fmt: skip
    out = io.StringIO()
    write_csv(rows, out)
    read = csv_cells(out.getvalue())
    assert_inert_csv(read)
    assert {row[6] for row in read[1:]} == {"-3"}  # the negative value stays a plain number


@pytest.mark.parametrize("wanted", ["csv", "xlsx"])
def test_evaluation_chart_downloads(wanted):
    request = RequestFactory().get("/", {"format": wanted})
    header = ["=Code", "Value"]
    body = [[text, number] for text, number in zip(EVIL, NUMBERS * 2, strict=True)]
    response = _download(request, "chart", header, body)
    assert response is not None
    if wanted == "csv":
        read = csv_cells(response.content.decode("utf-8"))
        assert_inert_csv(read, [*EVIL, "=Code"])
        assert [row[1] for row in read[1:4]] == ["-5", "-1.5", "-2.25"]
    else:
        sheet = assert_inert_xlsx(response.content).active
        assert [c.value for c in sheet["A"]] == ["=Code", *EVIL]
        assert [c.value for c in sheet["B"][1:4]] == [-5, -1.5, -2.25]
        assert {c.data_type for c in sheet["B"][1:]} == {"n"}


def test_registry_child_export(client, users):
    area = Area.objects.get(code="330302001001")
    names = EVIL[:4]  # names are stripped of surrounding spaces when saved
    for number, text in enumerate(names):
        do_create_child(
            users.director,
            ChildData(
                name=text,
                sex="male",
                birth_date=datetime.date(2015, 3, number + 1),
                residence_area=area,
                school=text,
                guardians=[GuardianData(text, "father", "13812345678")],
                categories=[(CategoryType.objects.get(code="left_behind"), datetime.date(2024, 9, 1), "")],
            ),
        )
    client.force_login(users.director)
    response = client.post("/registry/children/export/", {"reason": "=1+1 核对", "status": "active"})
    assert response.status_code == 200
    read = csv_cells(response.content.decode("utf-8"))
    assert_inert_csv(read, names)


def test_open_data_csvs():
    figures = IndicatorFigures(
        indicator=Indicator(code="X-01", name="x"),
        status="on_track",
        latest_value=-1.5,
        latest_year=2025,
        district=[(2024, -1.5), (2025, 2.0)],
        streets={Area(pk=n + 1, code=f"33030200{n}", name=text): [(2025, -3.0)] for n, text in enumerate(EVIL)},
    )
    read = csv_cells(figures.csv_text())
    assert_inert_csv(read)
    assert read[1] == ["2024", "", "-1.5"]
    record = {column: "" for column in METADATA_COLUMNS}
    records = [dict(record, name=text, departments=[text], latest_value=-1.5) for text in EVIL]
    read = csv_cells(metadata_csv(records))
    assert_inert_csv(read)
    assert {row[METADATA_COLUMNS.index("latest_value")] for row in read[1:]} == {"-1.5"}


def test_open_data_zip(monkeypatch):
    """The zip's members are written by the same functions (csv_text, metadata_csv)."""
    from childfirst.reports import opendata

    figures = IndicatorFigures(Indicator(code="X-01", name="x"), "on_track", None, None,
                               streets={Area(pk=1, code="330302001", name=EVIL[0]): [(2025, 1.0)]})  # fmt: skip

    class Snapshot:
        published_at = timezone.now()
        year, version, method_version = 2025, 1, "1"
        plan = type("Plan", (), {"name": "p", "name_en": "p", "start_year": 2021, "end_year": 2025})

    record = dict.fromkeys(METADATA_COLUMNS, EVIL[1]) | {"departments": []}
    monkeypatch.setattr(opendata, "metadata", lambda pub: [record])
    content = opendata.build_zip(opendata.Publication(Snapshot(), [figures]))  # type: ignore[arg-type]  # a stand-in snapshot
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert_inert_csv(csv_cells(archive.read("data/X-01.csv").decode()), EVIL[:1])
    assert_inert_csv(csv_cells(archive.read("metadata.csv").decode()), EVIL[1:2])


def test_excel_template_comment_from_the_api(health, users):
    """A comment sent through the data API is a string cell in the template, and reads back the same."""
    cells = [
        RawCell(indicator="HEA-01", area="330302", value=5, comment=EVIL[0], source_note=EVIL[3]),
        RawCell(indicator="HEA-32", area="330302", missing_reason=EVIL[2]),
    ]
    save_values(users.reporter, health, cells, channel=Channel.API)
    book = assert_inert_xlsx(build_template(health), own_formula="=IFERROR(IF(OR(")
    texts = [c.value for row in book[DATA_SHEET].iter_rows() for c in row]
    assert EVIL[0] in texts and EVIL[2] in texts and EVIL[3] in texts
    # the template's own rate formulas stay formulas
    assert any(c.data_type == "f" for row in book[DATA_SHEET].iter_rows() for c in row)
