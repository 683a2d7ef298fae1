"""Every state change of a report job: requested (by the office), started, finished or failed (by
the worker), expired (when its worker has gone). One function each, atomic, audited."""

from __future__ import annotations

import datetime
import hashlib
import logging
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from childfirst.accounts.audit import record
from childfirst.accounts.models import Role, User
from childfirst.evaluation.models import Snapshot
from childfirst.plans.access import user_can_see_plan

from .models import KIND_IN_SENTENCE, JobState, Kind, ReportFile, ReportJob, required_year

logger = logging.getLogger(__name__)

STALLED = gettext_lazy(
    "Generation stopped: the report worker gave no sign of progress for too long. Generate the report again; "
    "if it fails again, ask the system administrator to check the report worker."
)
NOT_QUEUED = gettext_lazy(
    "The report could not be handed to the report worker's queue. Ask the system administrator to check the "
    "task queue, then generate the report again."
)
NOT_TAKEN_UP = gettext_lazy(
    "No report worker took up this request. Ask the system administrator to check that the report worker is "
    "running, then generate the report again."
)


def unavailable_reason(kind: str, snapshot: Snapshot) -> str | None:
    """Why this kind of report cannot be made from this snapshot, or None when it can."""
    if kind not in Kind.values:
        return _("Choose the kind of report.")
    year = required_year(snapshot.plan, kind)
    if year is not None and snapshot.year != year:
        return _("The %(report)s is written from the %(year)d evaluation, not from %(given)d.") % {
            "report": KIND_IN_SENTENCE[Kind(kind)],
            "year": year,
            "given": snapshot.year,
        }
    return None


@transaction.atomic
def do_request_report(
    actor: User,
    kind: str,
    snapshot: Snapshot,
    *,
    regenerate: bool = False,
    request: HttpRequest | None = None,
) -> tuple[ReportJob, bool]:
    """Queue the generation of `kind` from `snapshot`; the worker takes it up once this commits.

    A report already being generated is not queued twice, and one already generated is offered
    as it is unless `regenerate`: returns (job, created)."""
    if actor.role != Role.OFFICE or not user_can_see_plan(actor, snapshot.plan):
        raise PermissionDenied(_("Only the office generates reports."))
    reason = unavailable_reason(kind, snapshot)
    if reason:
        raise ValidationError(reason)
    # Holding the snapshot's row makes two clicks at once queue one job, not two.
    Snapshot.objects.select_for_update().filter(pk=snapshot.pk).first()
    earlier = ReportJob.objects.filter(kind=kind, snapshot=snapshot).exclude(state=JobState.FAILED).first()
    if earlier is not None and (earlier.is_active or not regenerate):
        return earlier, False
    now = timezone.now()
    job = ReportJob.objects.create(
        kind=kind,
        snapshot=snapshot,
        requested_by=actor,
        requested_at=now,
        updated_at=now,
        language=translation.get_language() or "zh-hans",
        step=_("Waiting for the report worker"),
    )
    record(
        "reports.request",
        actor=actor,
        obj=job,
        area_code=snapshot.plan.area.code,
        request=request,
        kind=kind,
        year=snapshot.year,
        version=snapshot.version,
        regenerate=regenerate,
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job, True


def _enqueue(job_id: int) -> None:
    """Hand the job to the worker's queue; if the queue itself is down, say so on the job at once
    rather than let it wait for the queue timeout."""
    from .tasks import generate_report

    try:
        generate_report(job_id)
    except Exception:
        logger.exception("report job %s could not be queued", job_id)
        do_fail_job(job_id, str(NOT_QUEUED))


@transaction.atomic
def do_start_job(job_id: int) -> ReportJob | None:
    """The worker takes up a queued job; None when there is nothing to do (gone, expired, taken)."""
    job = ReportJob.objects.select_for_update().select_related("snapshot__plan").filter(pk=job_id).first()
    if job is None or job.state != JobState.QUEUED:
        return None
    now = timezone.now()
    job.state = JobState.RUNNING
    job.started_at = job.updated_at = now
    job.save(update_fields=["state", "started_at", "updated_at"])
    return job


def note_progress(job_id: int, percent: int, step: str) -> None:
    """The worker's progress report; also its heartbeat. Not a change of state, so not audited."""
    ReportJob.objects.filter(pk=job_id, state=JobState.RUNNING).update(
        progress=max(0, min(100, int(percent))), step=str(step)[:200], updated_at=timezone.now()
    )


def _stored(job: ReportJob, fmt: str, path: Path) -> ReportFile:
    content = path.read_bytes()
    return ReportFile(
        job=job, format=fmt, content=content, size=len(content), sha256=hashlib.sha256(content).hexdigest()
    )


@transaction.atomic
def do_finish_job(job_id: int, docx: Path, pdf: Path, filename: str) -> ReportJob:
    """Keep the two documents with the job and mark it done. A job that was given up as stale
    while its worker was slow is still finished: the documents are good."""
    job = ReportJob.objects.select_for_update().select_related("snapshot__plan__area").get(pk=job_id)
    files = ReportFile.objects.bulk_create([_stored(job, "docx", docx), _stored(job, "pdf", pdf)])
    now = timezone.now()
    job.state = JobState.DONE
    job.progress = 100
    job.step = ""
    job.error = ""
    job.filename = filename[:200]
    job.finished_at = job.updated_at = now
    job.save(update_fields=["state", "progress", "step", "error", "filename", "finished_at", "updated_at"])
    hashes: dict[str, Any] = {f"{f.format}_sha256": f.sha256 for f in files}
    sizes: dict[str, Any] = {f"{f.format}_bytes": f.size for f in files}
    record(
        "reports.done",
        obj=job,
        area_code=job.snapshot.plan.area.code,
        kind=job.kind,
        year=job.snapshot.year,
        version=job.snapshot.version,
        **hashes,
        **sizes,
    )
    return job


@transaction.atomic
def do_fail_job(job_id: int, message: str) -> ReportJob | None:
    """Mark the job failed with a message for its user (never a traceback: that goes to the log)."""
    job = ReportJob.objects.select_for_update().select_related("snapshot__plan__area").filter(pk=job_id).first()
    if job is None or job.state == JobState.DONE:
        return job
    now = timezone.now()
    job.state = JobState.FAILED
    job.error = message
    job.finished_at = job.updated_at = now
    job.save(update_fields=["state", "error", "finished_at", "updated_at"])
    record("reports.failed", obj=job, area_code=job.snapshot.plan.area.code, kind=job.kind, step=job.step)
    return job


def do_expire_stale_jobs(now: datetime.datetime | None = None) -> int:
    """Jobs whose worker has gone (no progress for the timeout, or never taken up) are shown as
    failed rather than generating for ever. Returns how many."""
    now = now or timezone.now()
    # Pages call this on every view: a plain read first, so that they take no write lock (SQLite) when
    # there is nothing to do, which is nearly always.
    if not ReportJob.objects.stale(now).exists():
        return 0
    with transaction.atomic():
        stale = list(ReportJob.objects.stale(now).select_for_update().values_list("pk", "state", "language"))
        for pk, state, language in stale:
            with translation.override(language):
                do_fail_job(pk, str(STALLED if state == JobState.RUNNING else NOT_TAKEN_UP))
    return len(stale)


def do_prune_report_files(actor: User | None, keep: int, *, dry_run: bool = False) -> list[tuple[ReportJob, int]]:
    """Drop the files of report generations beyond the newest `keep` of each report (the job stays as
    history: who asked when); return the jobs concerned with the bytes freed."""
    with transaction.atomic():
        files = ReportFile.objects.beyond_generations(keep).without_content().select_related("job__snapshot")
        freed: dict[int, tuple[ReportJob, int]] = {}
        for report_file in files:
            job, size = freed.get(report_file.job_id, (report_file.job, 0))
            freed[report_file.job_id] = (job, size + report_file.size)
        if not dry_run and freed:
            ReportFile.objects.filter(job__in=list(freed)).delete()
            record(
                "reports.files_pruned",
                actor=actor,
                keep=keep,
                jobs=sorted(freed),
                bytes=sum(size for _job, size in freed.values()),
            )
    return sorted(freed.values(), key=lambda item: item[0].pk)
