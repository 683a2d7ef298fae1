"""The office's department-list pages: upload → progress → done or problems; the comparison of two lists."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from childfirst.linkage import pair_jobs
from childfirst.linkage.models import JobState, ListImport, PairJob, SourceRecord, StoredFile

from .lists import A, B, csv_bytes

pytestmark = pytest.mark.django_db


def upload(client, capture, content: bytes, name: str = "户籍.csv", source: str = "hukou"):
    with capture(execute=True):
        return client.post(
            reverse("linkage:upload"),
            {"source": source, "as_of": "2025-09-01", "file": SimpleUploadedFile(name, content)},
        )


def test_upload_progress_done(client, users, django_capture_on_commit_callbacks):
    client.force_login(users.office)
    page = client.get(reverse("linkage:index"))
    assert page.status_code == 200 and "户籍人口" in page.content.decode()
    response = upload(client, django_capture_on_commit_callbacks, csv_bytes())
    imported = ListImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("linkage:import", args=[imported.pk])
    assert imported.state == JobState.DONE and imported.created_by == users.office
    assert not StoredFile.objects.exists()  # the upload is not kept
    body = client.get(response.url).content.decode()
    assert "3" in body and "张伟" not in body and A not in body  # counts, never a person
    progress = client.get(reverse("linkage:import_progress", args=[imported.pk]), HTTP_HX_REQUEST="true")
    assert progress.status_code == 200 and progress["HX-Refresh"] == "true"
    index = client.get(reverse("linkage:index")).content.decode()
    assert "2025-09-01" in index and "张伟" not in index


def test_a_running_import_shows_its_progress_bar(client, users):
    client.force_login(users.office)
    imported = ListImport.objects.create(
        source="student",
        district=users.office.area,
        as_of="2025-09-01",
        state=JobState.RUNNING,
        progress=42,
        step="读取第 100 行",
    )
    body = client.get(reverse("linkage:import", args=[imported.pk])).content.decode()
    assert "<progress" in body and 'value="42"' in body and "every 1s" in body
    partial = client.get(reverse("linkage:import_progress", args=[imported.pk]), HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in partial and "42%" in partial.content.decode()
    assert client.get(reverse("linkage:import_progress", args=[imported.pk])).status_code == 302


def test_failure_shows_the_problems(client, users, django_capture_on_commit_callbacks):
    client.force_login(users.office)
    bad = csv_bytes([["王五", "", "未知", "2015-13-40", "五马街道", "", ""]])
    response = upload(client, django_capture_on_commit_callbacks, bad)
    body = client.get(response.url).content.decode()
    assert ListImport.objects.get().state == JobState.FAILED and not SourceRecord.objects.exists()
    assert 'id="problems"' in body and "出生日期" in body and "性别" in body and "王五" not in body


def test_a_bad_form_is_refused_with_422(client, users):
    client.force_login(users.office)
    response = client.post(reverse("linkage:upload"), {"source": "nosuch", "as_of": "2999-01-01"})
    assert response.status_code == 422 and not ListImport.objects.exists()
    assert client.get(reverse("linkage:upload")).status_code == 405


def test_another_districts_office_sees_nothing(client, users, second_district, django_capture_on_commit_callbacks):
    client.force_login(users.office)
    upload(client, django_capture_on_commit_callbacks, csv_bytes())
    imported = ListImport.objects.get()
    client.force_login(second_district.office)
    assert client.get(reverse("linkage:import", args=[imported.pk])).status_code == 404
    assert client.get(reverse("linkage:import_progress", args=[imported.pk]), HTTP_HX_REQUEST="true").status_code == 404
    body = client.get(reverse("linkage:index")).content.decode()
    assert "2025-09-01" not in body


@pytest.mark.parametrize("role", ["director", "supervisor", "reporter", "leader", "evaluator"])
def test_other_roles_are_refused(client, users, role):
    client.force_login(getattr(users, role))
    assert client.get(reverse("linkage:index")).status_code == 403
    assert client.get(reverse("linkage:pair")).status_code == 403


def test_the_pair_page(client, users, monkeypatch, django_capture_on_commit_callbacks):
    seen = {}

    def fake(left, right, id_column):
        seen["files"] = (left.read_bytes(), right.read_bytes(), id_column)
        return [pair_jobs.Link("L1", "R9", 0.998, "match"), pair_jobs.Link("=cmd()", "R2", 0.71, "review")]

    monkeypatch.setattr(pair_jobs, "link_files", fake)
    client.force_login(users.office)
    assert client.get(reverse("linkage:pair")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("linkage:pair"),
            {
                "left": SimpleUploadedFile("户籍.csv", csv_bytes()),
                "right": SimpleUploadedFile("学籍.xlsx", b"PK..."),
                "id_column": "",
            },
        )
    job = PairJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("linkage:pair_job", args=[job.pk])
    assert seen["files"] == (csv_bytes(), b"PK...", "")
    assert job.state == JobState.DONE and job.counts["match"] == 1 and job.counts["review"] == 1
    assert list(job.files.values_list("purpose", flat=True)) == ["result"]  # the two lists are gone
    page = client.get(response.url).content.decode()
    assert reverse("linkage:pair_download", args=[job.pk]) in page
    download = client.get(reverse("linkage:pair_download", args=[job.pk]))
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("L1", "R9", 0.998)
    assert sheet.cell(3, 1).quotePrefix  # a formula-looking id stays text
    # Another office user does not see this comparison.
    from ..conftest import make_user

    other = make_user("office-b", users.office.role, area="330302")
    client.force_login(other)
    assert client.get(reverse("linkage:pair_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("linkage:pair_download", args=[job.pk])).status_code == 404


def test_a_refused_pair_shows_its_reason(client, users, monkeypatch, django_capture_on_commit_callbacks):
    def refuse(left, right, id_column):
        raise pair_jobs.PairRefused("列名无法识别")

    monkeypatch.setattr(pair_jobs, "link_files", refuse)
    client.force_login(users.office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("linkage:pair"),
            {"left": SimpleUploadedFile("a.csv", csv_bytes()), "right": SimpleUploadedFile("b.csv", csv_bytes())},
        )
    job = PairJob.objects.get()
    assert job.state == JobState.FAILED and not job.files.exists()
    assert "列名无法识别" in client.get(response.url).content.decode()
    assert client.get(reverse("linkage:pair_download", args=[job.pk])).status_code == 404
    assert B  # the lists' module is shared with the import tests
