"""The linkage worker's jobs (huey): a linkage run or a discovery run, reporting progress on its
LinkageRun row. `childfirst serve` runs the consumer; tests run them in the calling process."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from .run import execute_run


@db_task()
def linkage_run(run_id: int) -> None:
    execute_run(run_id)
