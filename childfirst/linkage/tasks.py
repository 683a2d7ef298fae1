"""The linkage worker's jobs (huey): importing a department list, comparing two lists, a linkage or
discovery run — each reporting progress on its row.

`childfirst serve` runs a huey consumer beside the web server that executes them; the tests (and
CHILDFIRST_TASKS_IMMEDIATE) run them inside the calling process. Each is one call to a plain function
(`importing.run_import`, `pair_jobs.run_pair_job`, `run.execute_run`) that can be called directly."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from huey.contrib.djhuey import db_task


@db_task()
def import_list(import_id: int) -> None:
    from .importing import run_import

    # Reasons are written on the import as text: in the district's language (the problems table is read
    # by the office, in Chinese).
    with translation.override(settings.LANGUAGE_CODE):
        run_import(import_id)


@db_task()
def pair_lists(job_id: int) -> None:
    from .pair_jobs import run_pair_job

    with translation.override(settings.LANGUAGE_CODE):
        run_pair_job(job_id)


@db_task()
def linkage_run(run_id: int) -> None:
    from .run import execute_run

    execute_run(run_id)
