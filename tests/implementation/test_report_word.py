"""The Word round trip of an implementation report: a real .docx written by python-docx, filled in as a
department would (edited with python-docx) and uploaded back — all or nothing, every problem naming the
item and the field, funds parsed as numbers, the uploaded file kept as a Document."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from docx import Document as WordDocument

from childfirst.implementation.models import Document
from childfirst.implementation.report_actions import ITEM_FIELDS
from childfirst.implementation.report_forms import FIELD_LABELS
from childfirst.implementation.report_word import WordRejected, item_key, read_report_docx, write_report_docx
from childfirst.implementation.reports import item_label, items_of
from tests.implementation.files import upload

pytestmark = pytest.mark.django_db
PLAN = "lucheng-2021-2025"


def _fill(content: bytes, values: dict[str, dict[int, str]]) -> bytes:
    """Write into the right-hand column: {table key: {row number: text}}."""
    document = WordDocument(io.BytesIO(content))
    for table in document.tables:
        key = table.rows[0].cells[0].text.strip("【】 ")
        for row, text in values.get(key, {}).items():
            table.rows[row].cells[1].text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _everything(report) -> dict[str, dict[int, str]]:
    values = {"SUMMARY": {1: "全年总结：完成各项任务。"}}
    for item in items_of(report):
        values[item_key(item)] = {1: f"做了{item.pk}", 2: "成效", 3: "12.5", 4: "1,000万元", 5: "", 6: "明年计划"}
    return values


def _problems(report, content: bytes, items) -> tuple[list[str], list[str]]:
    """The problems (in English) reading `content` raises, and the labels of `items` in English."""
    with translation.override("en"):
        with pytest.raises(WordRejected) as refused:
            read_report_docx(report, content)
        return [str(p) for p in refused.value.problems], [item_label(i) for i in items[:2]]


def test_the_template_has_a_marked_table_per_item(health_report):
    document = WordDocument(io.BytesIO(write_report_docx(health_report)))
    items = items_of(health_report)
    assert len(document.tables) == 1 + len(items)
    keys = [t.rows[0].cells[0].text for t in document.tables]
    assert keys[0] == "【SUMMARY】" and keys[1:] == [f"【{item_key(i)}】" for i in items]
    assert document.tables[1].rows[0].cells[1].text == item_label(items[0])
    assert [r.cells[0].text for r in document.tables[1].rows[1:]] == [str(FIELD_LABELS[n]) for n in ITEM_FIELDS]
    assert document.core_properties.identifier.endswith(f":{health_report.pk}:v1")


def test_a_filled_in_file_is_read(health_report):
    filled = _fill(write_report_docx(health_report), _everything(health_report))
    read = read_report_docx(health_report, filled)
    assert read.summary == "全年总结：完成各项任务。"
    first = items_of(health_report)[0]
    entry = read.items[first.pk]
    assert (entry.work_done, entry.funds_budgeted, entry.funds_spent, entry.next_year) == (
        f"做了{first.pk}",
        Decimal("12.50"),
        Decimal("1000.00"),
        "明年计划",
    )


def test_every_problem_names_the_item_and_the_field(health_report):
    items = items_of(health_report)
    values = _everything(health_report)
    values[item_key(items[0])][3] = "十二万"
    values[item_key(items[1])][4] = "-5"
    filled = _fill(write_report_docx(health_report), values)
    problems, labels = _problems(health_report, filled, items)
    assert len(problems) == 2
    assert problems[0].startswith(f"{labels[0]} · Funds budgeted") and "not a number" in problems[0]
    assert problems[1].startswith(f"{labels[1]} · Funds spent") and "negative" in problems[1]


def test_a_removed_table_or_row_is_named(health_report):
    document = WordDocument(io.BytesIO(write_report_docx(health_report)))
    items = items_of(health_report)
    table = document.tables[2]
    table._tbl.remove(table.rows[3]._tr)  # a row deleted from the second item
    document.tables[1]._tbl.getparent().remove(document.tables[1]._tbl)  # the first item's table deleted
    out = io.BytesIO()
    document.save(out)
    problems, labels = _problems(health_report, out.getvalue(), items)
    assert any(p.startswith(labels[1]) and "rows" in p for p in problems)
    assert any(p.startswith(labels[0]) and "missing" in p for p in problems)


def test_a_file_of_another_report_or_an_older_version_is_refused(health_report, reports_2025, users):
    from childfirst.implementation.models import ImplementationReport
    from childfirst.implementation.report_actions import do_save_report

    education = ImplementationReport.objects.get(round=reports_2025, department__code="education")
    assert "another department" in _problems(health_report, write_report_docx(education), [])[0][0]
    old = write_report_docx(health_report)
    do_save_report(users.reporter, health_report, 1, "网页上改过", {})
    health_report.refresh_from_db()
    assert "changed after" in _problems(health_report, old, [])[0][0]
    assert "not a Word" in _problems(health_report, b"PK\x03\x04 not really", [])[0][0]


def test_the_round_trip_through_the_pages(client: Client, users, health_report):
    client.force_login(users.reporter)
    template = client.get(reverse("implementation:word_template", args=[PLAN, health_report.pk]))
    assert template.status_code == 200 and "attachment;" in template["Content-Disposition"]
    values = _everything(health_report)
    first = items_of(health_report)[0]
    values[item_key(first)][3] = "abc"
    bad = _fill(template.content, values)
    url = reverse("implementation:word_upload", args=[PLAN, health_report.pk])
    refused = client.post(url, {"file": upload("卫健.docx", bad)})
    assert refused.status_code == 422 and item_label(first) in refused.content.decode()
    health_report.refresh_from_db()
    assert health_report.version == 1 and not Document.objects.filter(report=health_report).exists()  # all or nothing
    values[item_key(first)][3] = "12.5"
    good = _fill(template.content, values)
    assert client.post(url, {"file": upload("卫健.docx", good)}).status_code == 302
    health_report.refresh_from_db()
    first.refresh_from_db()
    assert health_report.summary == "全年总结：完成各项任务。" and first.funds_budgeted == Decimal("12.50")
    kept = Document.objects.get(report=health_report)
    assert kept.name == "卫健.docx" and bytes(kept.content) == good
    # a program renamed .docx never reaches the reader
    from tests.implementation.files import exe_bytes

    assert client.post(url, {"file": upload("x.docx", exe_bytes())}).status_code == 422
