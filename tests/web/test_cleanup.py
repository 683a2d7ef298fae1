"""Retention of stored documents: `childfirst cleanup` keeps the newest generations of each report and
drops import originals some time after their round closed, and says what it removed."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from childfirst.accounts.models import AuditEvent
from childfirst.collection import actions as collection_actions
from childfirst.collection.actions import UploadedFile
from childfirst.collection.entries import RawCell
from childfirst.collection.models import Channel, ImportBatch
from childfirst.evaluation.models import Snapshot
from childfirst.reports.models import JobState, Kind, ReportFile, ReportJob


def generation(snapshot: Snapshot, kind: str, minutes_ago: int, state: str = JobState.DONE) -> ReportJob:
    when = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    job = ReportJob.objects.create(kind=kind, snapshot=snapshot, state=state, requested_at=when, updated_at=when)
    if state == JobState.DONE:
        for fmt in ("docx", "pdf"):
            ReportFile.objects.create(job=job, format=fmt, content=b"%" * 1000, size=1000, sha256="0" * 64)
    return job


def cleanup(*args: str) -> str:
    out = StringIO()
    call_command("cleanup", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
class TestReportRetention:
    def test_the_newest_generations_of_each_report_are_kept(self, plan, settings):
        settings.REPORT_KEEP_GENERATIONS = 2
        snapshot = Snapshot.objects.create(
            plan=plan, year=2024, version=1, method_version="1", published_at=timezone.now()
        )
        annual = [generation(snapshot, Kind.ANNUAL, minutes) for minutes in (50, 40, 30, 20, 10)]
        under_way = generation(snapshot, Kind.ANNUAL, 1, state=JobState.RUNNING)
        other_version = Snapshot.objects.create(
            plan=plan, year=2024, version=2, method_version="1", published_at=timezone.now()
        )
        only = generation(other_version, Kind.ANNUAL, 60)

        preview = cleanup("--dry-run")
        assert ReportFile.objects.count() == 12
        assert "6000" in preview and str(annual[0].pk) in preview

        removed = cleanup()
        kept = set(ReportFile.objects.values_list("job_id", flat=True))
        assert kept == {annual[3].pk, annual[4].pk, only.pk}
        assert ReportJob.objects.filter(pk__in=[j.pk for j in annual] + [under_way.pk]).count() == 6  # history stays
        # The report offered for download is still the newest finished one, with its files.
        assert ReportJob.objects.filter(snapshot=snapshot).newest_offered()[(Kind.ANNUAL, snapshot.pk)] == under_way
        assert annual[4].files.count() == 2
        assert "6000" in removed
        event = AuditEvent.objects.get(action="reports.files_pruned")
        assert event.detail["jobs"] == [annual[0].pk, annual[1].pk, annual[2].pk] and event.detail["bytes"] == 6000


@pytest.mark.django_db
class TestImportOriginals:
    def test_originals_are_dropped_only_long_after_the_round_closed(self, users, health, settings):
        settings.IMPORT_ORIGINAL_DAYS = 365
        collection_actions.save_values(
            users.reporter,
            health,
            [RawCell("HEA-01", "330302", value="2.1")],
            channel=Channel.EXCEL,
            upload=UploadedFile("卫健局2025.xlsx", b"PK\x03\x04" * 100),
        )
        batch = ImportBatch.objects.get(submission=health)
        cleanup()
        batch.refresh_from_db()
        assert batch.content is not None  # the round is open

        round_ = health.round
        collection_actions.do_close_round(users.office, round_)
        cleanup()
        batch.refresh_from_db()
        assert batch.content is not None  # closed today

        type(round_).objects.filter(pk=round_.pk).update(closed_at=timezone.now() - datetime.timedelta(days=400))
        assert str(batch.pk) in cleanup("--dry-run")
        batch.refresh_from_db()
        assert batch.content is not None
        output = cleanup()
        batch.refresh_from_db()
        assert batch.content is None and batch.file_sha256 and batch.file_name == "卫健局2025.xlsx"
        assert "400" in output
        assert AuditEvent.objects.get(action="collection.import_originals_dropped").detail["imports"] == [batch.pk]
