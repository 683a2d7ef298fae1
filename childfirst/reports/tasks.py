"""The report worker's task: build the documents of one job, reporting progress on the job's row.

`childfirst serve` runs a huey consumer beside the web server that executes it; the tests (and
CHILDFIRST_TASKS_IMMEDIATE) run it inside the calling process. `run_report_job` is the whole of
it and can be called directly."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from .actions import do_fail_job, do_finish_job, do_start_job, note_progress

logger = logging.getLogger(__name__)


def _internal_error(job_id: int) -> None:
    # The details are for whoever runs the system (the log); the user gets a plain reason.
    logger.exception("report job %s failed", job_id)
    do_fail_job(
        job_id,
        _(
            "The report could not be generated because of an internal error. Try again later; if it fails "
            "again, give the system administrator this job number: %(id)d."
        )
        % {"id": job_id},
    )


def run_report_job(job_id: int) -> None:
    job = do_start_job(job_id)
    if job is None:
        return
    with translation.override(job.language):
        try:
            # Imported here, not at the top: the web tier imports this module to queue jobs and has no
            # need of the document writers (python-docx, typst).
            from . import build
        except Exception:
            _internal_error(job.pk)
            return
        with tempfile.TemporaryDirectory(prefix="childfirst-report-") as tmp:
            try:
                note_progress(job.pk, 0, _("Starting"))
                docx, pdf = build.build_report(
                    job.kind, job.snapshot, Path(tmp), lambda percent, step: note_progress(job.pk, percent, step)
                )
                do_finish_job(job.pk, docx, pdf, build.report_filename(job.kind, job.snapshot))
            except build.ReportUnavailable as exc:
                do_fail_job(job.pk, str(exc))
            except Exception:
                _internal_error(job.pk)


@db_task()
def generate_report(job_id: int) -> None:
    run_report_job(job_id)
