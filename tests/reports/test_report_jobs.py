"""Report jobs: the office requests a report, a worker generates it outside the request with its
progress on the job's row, and the documents are downloaded (audited) by the office, leaders and
evaluators. Failures read as a reason, never as a traceback; stale jobs do not run for ever."""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import sys
import types
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from docx import Document
from huey.contrib import djhuey
from huey.contrib.djhuey import HUEY
from huey.storage import MemoryStorage
from pypdf import PdfReader, PdfWriter

import childfirst.reports
from childfirst.accounts.models import AuditEvent, Role
from childfirst.areas.models import Area
from childfirst.evaluation.actions import do_publish
from childfirst.evaluation.models import Snapshot
from childfirst.plans.models import Plan
from childfirst.reports import tasks
from childfirst.reports.actions import (
    NOT_QUEUED,
    NOT_TAKEN_UP,
    STALLED,
    do_expire_stale_jobs,
    do_request_report,
    unavailable_reason,
)
from childfirst.reports.models import KIND_IN_SENTENCE, JobState, ReportFile, ReportJob

from ..conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def published(demo, django_db_blocker) -> dict[int, Snapshot]:
    """The demo's 2021–2024 evaluations, published once for this file (inside the demo's transaction)."""
    with django_db_blocker.unblock():
        plan = Plan.objects.get(code="lucheng-2021-2025")
        return {year: do_publish(None, plan, year, "测试") for year in range(2021, 2025)}


class FakeUnavailable(Exception):
    pass


def _fake_build_module(fail: Exception | None = None) -> types.ModuleType:
    """Stands in for childfirst.reports.build where a test needs a failure or speed, not the documents."""
    module = types.ModuleType("childfirst.reports.build")
    module.ReportUnavailable = FakeUnavailable
    module.KINDS = ("annual", "midterm", "final")

    def build_report(kind, snapshot, out_dir: Path, progress=None):
        progress(10, "读取已发布的评估")
        if fail is not None:
            raise fail
        progress(60, "绘制图表")
        document = Document()
        document.add_heading(f"{snapshot.year}年度监测报告", level=0)
        docx = out_dir / "report.docx"
        document.save(docx)
        writer = PdfWriter()
        writer.add_blank_page(width=595, height=842)
        pdf = out_dir / "report.pdf"
        with pdf.open("wb") as out:
            writer.write(out)
        progress(100, "完成")
        return docx, pdf

    module.build_report = build_report
    module.report_filename = lambda kind, snapshot: f"鹿城区儿童发展规划{snapshot.year}年度监测报告-v{snapshot.version}"
    return module


@pytest.fixture
def fake_build(monkeypatch):
    def install(fail: Exception | None = None) -> types.ModuleType:
        module = _fake_build_module(fail)
        monkeypatch.setitem(sys.modules, "childfirst.reports.build", module)
        monkeypatch.setattr(childfirst.reports, "build", module, raising=False)
        return module

    return install


@pytest.fixture
def progress_seen(monkeypatch) -> list[tuple[int, str]]:
    """Every progress report as it stands on the job's row right after it was written."""
    seen: list[tuple[int, str]] = []
    original = tasks.note_progress

    def spy(job_id: int, percent: int, step: str) -> None:
        original(job_id, percent, step)
        seen.append(ReportJob.objects.values_list("progress", "step").get(pk=job_id))

    monkeypatch.setattr(tasks, "note_progress", spy)
    return seen


def request_report(client, capture, kind: str, snapshot: Snapshot, **extra):
    with capture(execute=True):
        return client.post(
            "/plans/lucheng-2021-2025/reports/request/", {"kind": kind, "snapshot": snapshot.pk, **extra}
        )


class TestGenerate:
    def test_the_real_documents_end_to_end(self, client, users, published, django_capture_on_commit_callbacks):
        """Request → the worker's task builds the real Word and PDF → download → both open with the title."""
        client.force_login(users.office)
        request_report(client, django_capture_on_commit_callbacks, "annual", published[2024])
        job = ReportJob.objects.get()
        assert job.state == JobState.DONE, job.error
        assert job.filename.endswith("2024年度监测报告-v1")
        docx = client.get(f"/plans/lucheng-2021-2025/reports/jobs/{job.pk}/report.docx")
        titles = [p.text for p in Document(io.BytesIO(docx.content)).paragraphs if p.style.name == "CF Title"]
        assert titles == ["2024年度监测报告"]
        assert unquote(docx["Content-Disposition"].split("filename*=UTF-8''")[1]) == f"{job.filename}.docx"
        pdf = PdfReader(io.BytesIO(client.get(f"/plans/lucheng-2021-2025/reports/jobs/{job.pk}/report.pdf").content))
        assert len(pdf.pages) > 5 and "2024年度监测报告" in pdf.pages[0].extract_text()
        assert AuditEvent.objects.filter(action="reports.download", object_id=str(job.pk)).count() == 2

    def test_request_runs_the_job_with_progress_and_keeps_both_files(
        self, client, users, published, fake_build, progress_seen, django_capture_on_commit_callbacks
    ):
        fake_build()
        client.force_login(users.office)
        response = request_report(client, django_capture_on_commit_callbacks, "annual", published[2024])
        job = ReportJob.objects.get()
        assert response.status_code == 302 and response.url == f"/plans/lucheng-2021-2025/reports/#job-{job.pk}"
        assert (job.state, job.progress, job.error) == (JobState.DONE, 100, "")
        assert job.started_at <= job.finished_at and job.requested_by == users.office
        assert progress_seen[:3] == [(0, _("Starting")), (10, "读取已发布的评估"), (60, "绘制图表")]
        files = {f.format: f for f in job.files.all()}
        assert set(files) == {"docx", "pdf"}
        for stored in files.values():
            content = bytes(stored.content)
            assert stored.size == len(content) > 0 and stored.sha256 == hashlib.sha256(content).hexdigest()
        assert job.filename == "鹿城区儿童发展规划2024年度监测报告-v1"
        events = AuditEvent.objects.filter(object_type="reports.reportjob", object_id=str(job.pk))
        assert set(events.values_list("action", flat=True)) == {"reports.request", "reports.done"}
        assert events.get(action="reports.request").detail["year"] == 2024

    def test_download_is_audited_with_content_type_and_chinese_filename(
        self, client, users, published, fake_build, django_capture_on_commit_callbacks
    ):
        fake_build()
        client.force_login(users.office)
        request_report(client, django_capture_on_commit_callbacks, "annual", published[2024])
        job = ReportJob.objects.get()
        docx = client.get(f"/plans/lucheng-2021-2025/reports/jobs/{job.pk}/report.docx")
        assert docx.status_code == 200
        assert docx["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        disposition = docx["Content-Disposition"]
        assert disposition.startswith('attachment; filename="childfirst-annual-2024-v1.docx"; ')
        assert unquote(disposition.split("filename*=UTF-8''")[1]) == "鹿城区儿童发展规划2024年度监测报告-v1.docx"
        assert Document(io.BytesIO(docx.content)).paragraphs[0].text == "2024年度监测报告"
        pdf = client.get(f"/plans/lucheng-2021-2025/reports/jobs/{job.pk}/report.pdf")
        assert pdf["Content-Type"] == "application/pdf"
        assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 1
        downloads = AuditEvent.objects.filter(action="reports.download", actor=users.office)
        assert sorted(downloads.values_list("detail__format", flat=True)) == ["docx", "pdf"]
        assert client.get(f"/plans/lucheng-2021-2025/reports/jobs/{job.pk}/report.xlsx").status_code == 404

    def test_a_generated_report_is_offered_again_and_can_be_regenerated(
        self, client, users, published, fake_build, django_capture_on_commit_callbacks
    ):
        fake_build()
        client.force_login(users.office)
        request_report(client, django_capture_on_commit_callbacks, "annual", published[2023])
        again = request_report(client, django_capture_on_commit_callbacks, "annual", published[2023])
        first = ReportJob.objects.get()
        assert again.url == f"/plans/lucheng-2021-2025/reports/#job-{first.pk}"
        already = _(
            "The %(report)s of %(year)d (version %(version)d) has already been generated: download it below, "
            "or generate it again."
        ) % {"report": KIND_IN_SENTENCE["annual"], "year": 2023, "version": 1}
        assert escape(already) in client.get(again.url).content.decode()
        request_report(client, django_capture_on_commit_callbacks, "annual", published[2023], regenerate="1")
        assert ReportJob.objects.filter(state=JobState.DONE).count() == 2
        assert AuditEvent.objects.filter(action="reports.request").count() == 2

    def test_midterm_needs_the_middle_year_and_final_the_last(
        self, client, users, published, fake_build, django_capture_on_commit_callbacks
    ):
        fake_build()
        client.force_login(users.office)
        refused = request_report(client, django_capture_on_commit_callbacks, "midterm", published[2024])
        assert refused.url == "/plans/lucheng-2021-2025/reports/" and not ReportJob.objects.exists()
        assert (
            escape(unavailable_reason("midterm", published[2024]))
            in client.get("/plans/lucheng-2021-2025/reports/").content.decode()
        )
        request_report(client, django_capture_on_commit_callbacks, "midterm", published[2023])
        assert ReportJob.objects.get().kind == "midterm"
        page = client.get("/plans/lucheng-2021-2025/reports/").content.decode()
        not_yet = _("The %(year)d evaluation has not been published yet.")
        assert escape(not_yet % {"year": 2025}) in page  # the final evaluation, greyed out with its reason
        final_card = page.split('id="card-final"')[1].split("</li>")[0]
        assert "disabled" in final_card
        assert escape(not_yet % {"year": 2023}) not in page


class TestNeverBlocks:
    def test_the_request_only_queues_the_job_and_a_worker_runs_it(
        self, client, users, published, fake_build, monkeypatch, django_capture_on_commit_callbacks
    ):
        fake_build()
        monkeypatch.setattr(HUEY, "_immediate", False)
        monkeypatch.setattr(HUEY, "storage", MemoryStorage("test-report-jobs"))
        client.force_login(users.office)
        response = request_report(client, django_capture_on_commit_callbacks, "annual", published[2024])
        job = ReportJob.objects.get()
        assert response.status_code == 302
        assert (job.state, job.progress, job.files.count()) == (JobState.QUEUED, 0, 0)
        assert HUEY.pending_count() == 1
        page = client.get("/plans/lucheng-2021-2025/reports/").content.decode()
        assert 'hx-trigger="every 1s"' in page and str(JobState.QUEUED.label) in page
        # What the consumer does, except closing the database connection between tasks, which here
        # would end the test's own transaction.
        monkeypatch.setattr(djhuey, "close_old_connections", lambda: None)
        HUEY.execute(HUEY.dequeue())
        job.refresh_from_db()
        assert job.state == JobState.DONE and job.files.count() == 2

    def test_the_progress_row_polls_while_active_and_stops_when_done(
        self, client, users, published, fake_build, django_capture_on_commit_callbacks
    ):
        fake_build()
        job = ReportJob.objects.create(
            kind="annual", snapshot=published[2024], requested_by=users.office, requested_at=timezone.now(),
            updated_at=timezone.now(), state=JobState.RUNNING, progress=42, step="绘制图表",
        )  # fmt: skip
        client.force_login(users.office)
        response = client.get(f"/plans/lucheng-2021-2025/reports/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
        row = response.content.decode()
        assert row.startswith(f'<tr id="job-{job.pk}"') and 'hx-trigger="every 1s"' in row
        assert "HX-Trigger" not in response
        assert 'value="42"' in row and "绘制图表" in row
        ReportJob.objects.filter(pk=job.pk).update(state=JobState.DONE, progress=100)
        response = client.get(f"/plans/lucheng-2021-2025/reports/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
        row = response.content.decode()
        assert "hx-trigger" not in row and str(JobState.DONE.label) in row
        assert response["HX-Trigger"] == "reportJobEnded"  # the page reloads its cards and table
        assert client.get(f"/plans/lucheng-2021-2025/reports/jobs/{job.pk}/").status_code == 302  # not htmx: the list


class TestFailures:
    def test_an_internal_error_reads_as_a_reason_and_the_traceback_goes_to_the_log(
        self, client, users, published, fake_build, caplog, django_capture_on_commit_callbacks
    ):
        fake_build(fail=RuntimeError("matplotlib exploded at /srv/secret/path.py"))
        client.force_login(users.office)
        with caplog.at_level(logging.ERROR, logger="childfirst.reports.tasks"):
            request_report(client, django_capture_on_commit_callbacks, "annual", published[2024])
        job = ReportJob.objects.get()
        assert job.state == JobState.FAILED and not job.files.exists()
        assert job.error == _(
            "The report could not be generated because of an internal error. Try again later; if it fails "
            "again, give the system administrator this job number: %(id)d."
        ) % {"id": job.pk}
        page = client.get("/plans/lucheng-2021-2025/reports/").content.decode()
        assert escape(job.error) in page
        assert "Traceback" not in page and "exploded" not in page and "secret" not in page
        assert "Traceback" in caplog.text and "matplotlib exploded" in caplog.text
        assert AuditEvent.objects.filter(action="reports.failed", object_id=str(job.pk)).exists()

    def test_a_report_the_documents_cannot_make_says_why(
        self, client, users, published, fake_build, django_capture_on_commit_callbacks
    ):
        fake_build(fail=FakeUnavailable("2024年没有可用于报告的数据。"))
        client.force_login(users.office)
        request_report(client, django_capture_on_commit_callbacks, "annual", published[2024])
        job = ReportJob.objects.get()
        assert (job.state, job.error) == (JobState.FAILED, "2024年没有可用于报告的数据。")
        # a failed job is not offered: the office can simply generate it again
        generate = _("Generate the %(report)s of %(year)s (version %(version)s)")
        page = client.get("/plans/lucheng-2021-2025/reports/").content.decode()
        assert escape(generate % {"report": KIND_IN_SENTENCE["annual"], "year": 2024, "version": 1}) in page

    def test_a_queue_that_is_down_fails_the_job_at_once(
        self, client, users, published, monkeypatch, caplog, django_capture_on_commit_callbacks
    ):
        def unreachable(job_id):
            raise ConnectionError("redis://queue.internal:6379 refused")

        monkeypatch.setattr(tasks, "generate_report", unreachable)
        client.force_login(users.office)
        response = request_report(client, django_capture_on_commit_callbacks, "annual", published[2024])
        job = ReportJob.objects.get()
        assert response.status_code == 302
        assert (job.state, job.error) == (JobState.FAILED, str(NOT_QUEUED))
        assert (
            "queue.internal" in caplog.text
            and "queue.internal" not in client.get("/plans/lucheng-2021-2025/reports/").content.decode()
        )

    def test_stale_jobs_are_shown_as_failed(self, client, users, published):
        now = timezone.now()
        silent = ReportJob.objects.create(
            kind="annual", snapshot=published[2022], requested_by=users.office, state=JobState.RUNNING,
            requested_at=now - datetime.timedelta(minutes=30), updated_at=now - datetime.timedelta(minutes=11),
        )  # fmt: skip
        waiting = ReportJob.objects.create(
            kind="annual", snapshot=published[2021], requested_by=users.office, state=JobState.QUEUED,
            requested_at=now - datetime.timedelta(minutes=61), updated_at=now - datetime.timedelta(minutes=61),
        )  # fmt: skip
        fresh = ReportJob.objects.create(
            kind="annual", snapshot=published[2023], requested_by=users.office, state=JobState.RUNNING,
            requested_at=now - datetime.timedelta(minutes=30), updated_at=now - datetime.timedelta(minutes=2),
        )  # fmt: skip
        client.force_login(users.office)
        page = client.get("/plans/lucheng-2021-2025/reports/").content.decode()
        silent.refresh_from_db(), waiting.refresh_from_db(), fresh.refresh_from_db()
        assert (silent.state, waiting.state, fresh.state) == (JobState.FAILED, JobState.FAILED, JobState.RUNNING)
        assert (silent.error, waiting.error) == (str(STALLED), str(NOT_TAKEN_UP))
        assert escape(silent.error) in page and escape(waiting.error) in page
        assert do_expire_stale_jobs() == 0

    def test_a_stale_job_is_not_taken_up_later(self, users, published, fake_build):
        fake_build()
        with transaction.atomic():
            job, _created = do_request_report(users.office, "annual", published[2024])
        ReportJob.objects.filter(pk=job.pk).update(requested_at=timezone.now() - datetime.timedelta(hours=2))
        assert do_expire_stale_jobs() == 1
        tasks.run_report_job(job.pk)
        job.refresh_from_db()
        assert job.state == JobState.FAILED and not job.files.exists()


@pytest.fixture
def done_job(users, published, fake_build) -> ReportJob:
    fake_build()
    job, _created = do_request_report(users.office, "annual", published[2024])
    tasks.run_report_job(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.DONE
    return job


class TestAccess:
    @pytest.mark.parametrize("role", ["leader", "evaluator"])
    def test_leaders_and_evaluators_download_but_do_not_generate(self, client, users, published, done_job, role):
        client.force_login(getattr(users, role))
        page = client.get("/plans/lucheng-2021-2025/reports/").content.decode()
        assert (
            "/plans/lucheng-2021-2025/reports/request/" not in page
            and f"/plans/lucheng-2021-2025/reports/jobs/{done_job.pk}/report.docx" in page
        )
        assert client.get(f"/plans/lucheng-2021-2025/reports/jobs/{done_job.pk}/report.pdf").status_code == 200
        assert AuditEvent.objects.filter(action="reports.download", actor=getattr(users, role)).count() == 1
        assert (
            client.post(
                "/plans/lucheng-2021-2025/reports/request/", {"kind": "annual", "snapshot": published[2023].pk}
            ).status_code
            == 403
        )
        assert ReportJob.objects.count() == 1

    @pytest.mark.parametrize("role", ["leader", "evaluator"])
    def test_leaders_and_evaluators_do_not_see_unfinished_jobs(self, client, users, published, role):
        failed = ReportJob.objects.create(
            kind="annual", snapshot=published[2024], requested_by=users.office, state=JobState.FAILED,
            requested_at=timezone.now(), updated_at=timezone.now(), error="出错了",
        )  # fmt: skip
        client.force_login(getattr(users, role))
        assert "出错了" not in client.get("/plans/lucheng-2021-2025/reports/").content.decode()
        assert (
            client.get(f"/plans/lucheng-2021-2025/reports/jobs/{failed.pk}/", HTTP_HX_REQUEST="true").status_code == 403
        )

    @pytest.mark.parametrize("role", ["reporter", "reviewer", "supervisor", "director"])
    def test_department_and_registry_roles_are_refused(self, client, users, published, done_job, role):
        client.force_login(getattr(users, role))
        for url in (
            "/plans/lucheng-2021-2025/reports/",
            f"/plans/lucheng-2021-2025/reports/jobs/{done_job.pk}/",
            f"/plans/lucheng-2021-2025/reports/jobs/{done_job.pk}/report.docx",
        ):
            assert client.get(url).status_code == 403, url
        assert (
            client.post(
                "/plans/lucheng-2021-2025/reports/request/", {"kind": "annual", "snapshot": published[2023].pk}
            ).status_code
            == 403
        )
        assert not AuditEvent.objects.filter(action="reports.download").exists()

    def test_another_districts_office_is_refused(self, client, users, published, done_job):
        other = Area.objects.create(code="330304", name="瓯海区", level="district")
        stranger = make_user("ouhai-office", Role.OFFICE, area=other.code)
        client.force_login(stranger)
        for url in (
            f"/plans/lucheng-2021-2025/reports/jobs/{done_job.pk}/",
            f"/plans/lucheng-2021-2025/reports/jobs/{done_job.pk}/report.docx",
        ):
            assert client.get(url, HTTP_HX_REQUEST="true").status_code == 403, url
        # Lucheng's plan is not the stranger's: its report pages are refused, nothing is queued.
        assert (
            client.post(
                "/plans/lucheng-2021-2025/reports/request/", {"kind": "annual", "snapshot": published[2023].pk}
            ).status_code
            == 403
        )
        assert client.get("/plans/lucheng-2021-2025/reports/").status_code == 403
        assert ReportJob.objects.filter(requested_by=stranger).count() == 0

    def test_anonymous_is_sent_to_login(self, client, done_job):
        for url in (
            "/plans/lucheng-2021-2025/reports/",
            f"/plans/lucheng-2021-2025/reports/jobs/{done_job.pk}/report.docx",
        ):
            assert client.get(url).url.startswith("/accounts/login/")

    def test_the_list_costs_the_same_queries_however_many_jobs(self, client, users, published, done_job):
        client.force_login(users.office)
        client.get("/plans/lucheng-2021-2025/reports/")
        with CaptureQueriesContext(connection) as one:
            client.get("/plans/lucheng-2021-2025/reports/")
        for year in (2021, 2022, 2023):
            job, _created = do_request_report(users.office, "annual", published[year])
            tasks.run_report_job(job.pk)
        with CaptureQueriesContext(connection) as four:
            client.get("/plans/lucheng-2021-2025/reports/")
        assert len(four) == len(one)
        assert ReportFile.objects.count() == 8
