"""The bad-workbook corpus (tests/collection/badfiles.py) through both doors, the web upload and
`childfirst data import`: each file is refused with its message (in Chinese by default), the page
answers 422 and never 500, the command fails with a CommandError rather than a traceback, and
nothing in the database changes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from childfirst.collection.excel_import import import_workbook
from childfirst.collection.excel_template import DATA_SHEET, build_template
from childfirst.collection.models import DataValue, ImportBatch, Submission, ValueChange

from . import badfiles


def snapshot() -> tuple:
    """Everything an import could change."""
    return (
        sorted(DataValue.objects.values_list("pk", "version", "value", "numerator", "denominator", "missing_reason",
                                             "comment")),
        ValueChange.objects.count(),
        ImportBatch.objects.count(),
        sorted(Submission.objects.values_list("pk", "version", "state")),
    )  # fmt: skip


@pytest.fixture
def template(health) -> bytes:
    return build_template(health)


CASES = sorted(badfiles.CORPUS)


@pytest.mark.parametrize("case", CASES)
def test_web_upload_refuses(case, client, users, health, template):
    builder, message = badfiles.CORPUS[case]
    name, content = builder(template)
    client.force_login(users.reporter)
    before = snapshot()
    url = reverse("collection_excel:upload", args=["lucheng-2021-2025", 2025, "health"])
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not response.context["result"].ok
    assert snapshot() == before


@pytest.mark.parametrize("case", CASES)
def test_cli_import_refuses(case, users, health, template, tmp_path):
    builder, message = badfiles.CORPUS[case]
    name, content = builder(template)
    path = tmp_path / name
    path.write_bytes(content)
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        call_command("data_import", str(path), user="reporter")
    assert message in str(refused.value)
    assert snapshot() == before


def test_cell_problems_name_the_cell_indicator_and_street(users, health, template):
    for builder in (badfiles.superscript, badfiles.tiny_number, badfiles.uncached_formula):
        _name, content = builder(template)
        result = import_workbook(content, user=users.reporter, file_name="x.xlsx")
        problem = result.errors[0]
        row = badfiles.row_of(badfiles.openpyxl.load_workbook(badfiles.io.BytesIO(content))[DATA_SHEET], "HEA-01",
                              badfiles.DISTRICT)  # fmt: skip
        assert (problem.sheet, problem.cell) == (DATA_SHEET, f"I{row}"), builder
        assert "HEA-01" in problem.reason and badfiles.DISTRICT in problem.reason


def test_comment_formula_refused_but_its_text_in_a_string_cell_accepted(users, health, template):
    """A comment that merely starts with = (a string cell, as the template writes it) is text."""
    content, row = badfiles.edited(template, "HEA-01", badfiles.DISTRICT, value=5)
    text = f'<c r="K{row}" t="inlineStr"><is><t>=1+1 见附件</t></is></c><c r="Z{row}"'.encode()
    content = badfiles.rewrite(
        content, {badfiles.DATA_PART: lambda xml: xml.replace(f'<c r="K{row}"'.encode(), text, 1)}
    )
    result = import_workbook(content, user=users.reporter, file_name="x.xlsx")
    assert result.ok, result.errors
    assert DataValue.objects.get(indicator__code="HEA-01", area__code=badfiles.DISTRICT).comment == "=1+1 见附件"


def test_ordinary_numbers_still_read(users, health, template):
    """Full-width digits, small but storable figures and negative zero stay accepted."""
    content, _row = badfiles.edited(template, "HEA-01", badfiles.DISTRICT, value="１２")
    assert import_workbook(content, user=users.reporter, file_name="x.xlsx").ok
    content, _row = badfiles.edited(template, "HEA-26", badfiles.DISTRICT, value="0.5%")
    result = import_workbook(content, user=users.reporter, file_name="x.xlsx")
    assert result.ok, result.errors
