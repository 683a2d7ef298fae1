"""The implementation report as a Word file, for departments that write in Word: download it with one
clearly marked table per item (and one for the summary), fill it in, upload it back.

Each item's table starts with a row holding the item's key in brackets (【K3】 for key project 3,
【M2.4】 for measure 4 of domain 2) and its name; then one row per field, in a fixed order. The file
names its report and the report's version in its properties (identifier), so a file of another
department or year is refused, and so is one downloaded before someone changed the report on the web.
Reading is all or nothing: every problem is listed (the item and the field), and nothing is saved."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
from docx import Document as WordDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from .models import ImplementationReport, ReportItem
from .report_actions import ITEM_FIELDS, ItemInput
from .report_forms import FIELD_LABELS, clean_field, clean_summary
from .reports import item_label, items_of

_ID_PREFIX = "childfirst-implementation-report"
_KEY = re.compile(r"【\s*(K[\w-]+|M\d+\.\d+|SUMMARY)\s*】")
_FONT = "Noto Sans CJK SC"


def item_key(item: ReportItem) -> str:
    if item.key_project is not None:
        return f"K{item.key_project.number}"
    assert item.measure is not None
    return f"M{item.measure.domain.number}.{item.measure.number}"


def _identifier(report: ImplementationReport) -> str:
    return f"{_ID_PREFIX}:{report.pk}:v{report.version}"


def _shade(cell, colour: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = properties.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): colour})
    properties.append(shading)


def _fonts(document) -> None:
    style = document.styles["Normal"]
    style.font.name = _FONT
    style.font.size = Pt(10.5)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attribute}"), _FONT)


def _write_value(cell, value: str) -> None:
    lines = value.split("\n") if value else [""]
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def write_report_docx(report: ImplementationReport) -> bytes:
    """The report as it stands, ready to be filled in Word."""
    document = WordDocument()
    _fonts(document)
    document.core_properties.identifier = _identifier(report)
    document.core_properties.title = f"{report.round.year} {report.department.name}"
    document.add_heading(
        _("%(department)s · %(year)s implementation report")
        % {"department": report.department.name, "year": report.round.year},
        level=1,
    )
    hint = document.add_paragraph(
        _(
            "Write in the right-hand column of each table. Do not change the first row of a table (its key in 【】), "
            "do not add, remove or reorder rows or tables. Funds are in 10,000 yuan (万元), as numbers. "
            "Then upload this file on the report's page: it is read all or nothing."
        )
    )
    hint.runs[0].font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    tables = [("SUMMARY", _("Overall summary"), [(_("Overall summary"), report.summary)])]
    for item in items_of(report):
        rows = [(str(FIELD_LABELS[n]), "" if getattr(item, n) is None else f"{getattr(item, n)}") for n in ITEM_FIELDS]
        tables.append((item_key(item), item_label(item), rows))
    for key, title, rows in tables:
        table = document.add_table(rows=1 + len(rows), cols=2)
        table.style = "Table Grid"
        head = table.rows[0].cells
        head[0].text = f"【{key}】"
        head[1].text = title
        for cell in head:
            _shade(cell, "DCE6F0")
            for run in cell.paragraphs[0].runs:
                run.font.bold = True
        for row, (label, value) in zip(table.rows[1:], rows, strict=True):
            row.cells[0].text = label
            _shade(row.cells[0], "F2F2F2")
            _write_value(row.cells[1], value)
        document.add_paragraph("")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@dataclass
class WordProblem:
    where: str  # the item (or the file)
    field: str  # the field, or ""
    message: str

    def __str__(self) -> str:
        return " · ".join(p for p in (self.where, self.field) if p) + f": {self.message}"


class WordRejected(Exception):
    def __init__(self, problems: list[WordProblem]):
        self.problems = problems
        super().__init__(_("%(count)d problem(s) in the Word file; nothing was saved.") % {"count": len(problems)})


@dataclass
class WordContent:
    summary: str
    items: dict[int, ItemInput]


def _cell_text(cell) -> str:
    return "\n".join(p.text for p in cell.paragraphs).strip()


def read_report_docx(report: ImplementationReport, content: bytes) -> WordContent:
    """The summary and every item's fields from a filled-in file, or WordRejected listing each problem."""
    where_file = _("the file")
    try:
        document = WordDocument(io.BytesIO(content))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise WordRejected([WordProblem(where_file, "", _("this is not a Word (.docx) file."))]) from None
    identifier = document.core_properties.identifier or ""
    prefix, _sep, rest = identifier.partition(":")
    report_pk, _sep, version = rest.partition(":v")
    if prefix != _ID_PREFIX:
        raise WordRejected(
            [
                WordProblem(
                    where_file,
                    "",
                    _("this is not a report template of ChildFirst: download the template and fill it in."),
                )
            ]
        )
    if report_pk != str(report.pk):
        raise WordRejected(
            [WordProblem(where_file, "", _("this file belongs to another department's or year's report."))]
        )
    if version != str(report.version):
        raise WordRejected(
            [
                WordProblem(
                    where_file,
                    "",
                    _(
                        "the report was changed after this file was downloaded; download it again, copy your text "
                        "into it and upload that (nothing was overwritten)."
                    ),
                )
            ]
        )
    items = {item_key(i): i for i in items_of(report)}
    labels = {key: item_label(i) for key, i in items.items()}
    problems: list[WordProblem] = []
    found: dict[str, list[str]] = {}
    for table in document.tables:
        if not table.rows or not table.rows[0].cells:
            continue
        match = _KEY.search(_cell_text(table.rows[0].cells[0]))
        if match is None:
            continue  # a table the user added for their own notes: not ours to read
        key = match.group(1)
        where = _("Overall summary") if key == "SUMMARY" else labels.get(key, key)
        if key != "SUMMARY" and key not in items:
            problems.append(WordProblem(where, "", _("no such item in this report (its key was changed?).")))
            continue
        if key in found:
            problems.append(WordProblem(where, "", _("this item's table appears twice.")))
            continue
        expected = 1 if key == "SUMMARY" else len(ITEM_FIELDS)
        if len(table.rows) != 1 + expected or any(len(r.cells) < 2 for r in table.rows[1:]):
            problems.append(
                WordProblem(
                    where,
                    "",
                    _("the table has %(rows)d rows where %(expected)d were given; do not add or remove rows.")
                    % {"rows": len(table.rows), "expected": 1 + expected},
                )
            )
            continue
        found[key] = [_cell_text(r.cells[1]) for r in table.rows[1:]]
    for key in ["SUMMARY", *items]:
        if key not in found and not any(p.where == (labels.get(key) or _("Overall summary")) for p in problems):
            where = _("Overall summary") if key == "SUMMARY" else labels[key]
            problems.append(WordProblem(where, "", _("this table is missing from the file.")))
    summary = ""
    if "SUMMARY" in found:
        try:
            summary = clean_summary(found["SUMMARY"][0])
        except ValueError as exc:
            problems.append(WordProblem(_("Overall summary"), "", str(exc)))
    cleaned: dict[int, ItemInput] = {}
    for key, item in items.items():
        if key not in found:
            continue
        entry = ItemInput()
        for name, raw in zip(ITEM_FIELDS, found[key], strict=True):
            try:
                setattr(entry, name, clean_field(name, raw))
            except ValueError as exc:
                problems.append(WordProblem(labels[key], str(FIELD_LABELS[name]), str(exc)))
        cleaned[item.pk] = entry
    if problems:
        raise WordRejected(problems)
    return WordContent(summary=summary, items=cleaned)
