"""Report jobs: documents generated from a published snapshot, outside the request.

The documents are kept in the database, not on the web server's disk, so that any web instance
can serve any job's files (DESIGN, "Beyond one machine").
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from childfirst.evaluation.models import Snapshot


class Kind(models.TextChoices):
    ANNUAL = "annual", _("Annual monitoring report")
    MIDTERM = "midterm", _("Mid-term evaluation")
    FINAL = "final", _("Final evaluation")


# How a kind reads inside a sentence ("Generate the mid-term evaluation"): the documents' own words.
KIND_IN_SENTENCE = {
    Kind.ANNUAL: _("annual monitoring report"),
    Kind.MIDTERM: _("mid-term evaluation"),
    Kind.FINAL: _("final evaluation"),
}


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


def required_year(plan, kind: str) -> int | None:
    """The evaluation year a kind of report is written for: the mid-term evaluation in the plan's
    middle year (2023 for 2021–2025), the final one in its last year; an annual report in any year."""
    if kind == Kind.MIDTERM:
        return (plan.start_year + plan.end_year) // 2
    if kind == Kind.FINAL:
        return plan.end_year
    return None


class ReportJobQuerySet(models.QuerySet["ReportJob"]):
    def for_plan(self, plan) -> ReportJobQuerySet:
        """The plan's jobs, newest first, with what the list shows and the files' sizes (not their bytes)."""
        return (
            self.filter(snapshot__plan=plan)
            .select_related("snapshot", "requested_by")
            .prefetch_related(models.Prefetch("files", ReportFile.objects.without_content()))
            .order_by("-requested_at", "-id")
        )

    def newest_offered(self) -> dict[tuple[str, int], ReportJob]:
        """The newest job worth offering per (kind, snapshot id): a done one to download or one under
        way; a failed attempt is not offered (an earlier good one still is)."""
        newest: dict[tuple[str, int], ReportJob] = {}
        jobs = self.exclude(state=JobState.FAILED).only("pk", "kind", "snapshot_id", "state", "requested_at")
        for job in jobs.order_by("-requested_at", "-id"):
            newest.setdefault((job.kind, job.snapshot_id), job)
        return newest

    def stale(self, now: datetime.datetime) -> ReportJobQuerySet:
        """Jobs whose worker has evidently gone: generating with no progress for the timeout, or
        queued for so long that no worker is taking them."""
        silent = now - datetime.timedelta(minutes=settings.REPORT_JOB_TIMEOUT_MINUTES)
        waiting = now - datetime.timedelta(minutes=settings.REPORT_QUEUE_TIMEOUT_MINUTES)
        return self.filter(
            models.Q(state=JobState.RUNNING, updated_at__lt=silent)
            | models.Q(state=JobState.QUEUED, requested_at__lt=waiting)
        )


class ReportJob(models.Model):
    kind = models.CharField(_("report"), max_length=10, choices=Kind.choices)
    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.PROTECT, related_name="report_jobs", verbose_name=_("published evaluation")
    )
    state = models.CharField(_("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (percent)"), default=0)
    step = models.CharField(_("current step"), max_length=200, blank=True)
    # Shown to the user as written: a translated reason, never a traceback (that goes to the log).
    error = models.TextField(_("error"), blank=True)
    # The requester's language, so that the steps and errors the worker writes read in it.
    language = models.CharField(max_length=10, default="zh-hans")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The worker's heartbeat: every progress report moves it on.
    updated_at = models.DateTimeField(_("last progress at"))
    filename = models.CharField(_("file name"), max_length=200, blank=True)

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["state", "requested_at"], name="reportjob_state_requested")]
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")

    def __str__(self) -> str:
        return f"{self.kind} {self.snapshot_id} ({self.state})"

    @property
    def kind_in_sentence(self) -> str:
        return str(KIND_IN_SENTENCE[Kind(self.kind)])

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    def file(self, fmt: str) -> ReportFile | None:
        """The stored file of that format, from the prefetched list when there is one."""
        return next((f for f in self.files.all() if f.format == fmt), None)


class ReportFileQuerySet(models.QuerySet["ReportFile"]):
    def without_content(self) -> ReportFileQuerySet:
        """Everything but the bytes, for lists."""
        return self.defer("content")

    def beyond_generations(self, keep: int) -> ReportFileQuerySet:
        """Files of finished jobs older than the newest `keep` finished jobs of the same report (kind and
        published evaluation version). The newest finished job of each report, the one offered for
        download, is never among them (keep is at least 1)."""
        keep = max(keep, 1)
        seen: dict[tuple[str, int], int] = {}
        old = []
        jobs = ReportJob.objects.filter(state=JobState.DONE).order_by("kind", "snapshot_id", "-requested_at", "-id")
        for pk, kind, snapshot_id in jobs.values_list("pk", "kind", "snapshot_id"):
            seen[(kind, snapshot_id)] = seen.get((kind, snapshot_id), 0) + 1
            if seen[(kind, snapshot_id)] > keep:
                old.append(pk)
        return self.filter(job__in=old)


class ReportFile(models.Model):
    class Format(models.TextChoices):
        DOCX = "docx", "Word (.docx)"
        PDF = "pdf", "PDF"

    job = models.ForeignKey(ReportJob, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(max_length=4, choices=Format.choices)
    content = models.BinaryField()
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    objects = ReportFileQuerySet.as_manager()

    class Meta:
        ordering = ["job", "format"]
        constraints = [models.UniqueConstraint(fields=["job", "format"], name="one_report_file_per_format")]

    def __str__(self) -> str:
        return f"{self.job_id}.{self.format}"
