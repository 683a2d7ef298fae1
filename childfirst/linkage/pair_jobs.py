"""The office's comparison of two lists from the web (比对两份名单): the same linking as the stateless
`childfirst linkage pair LEFT RIGHT` command, run by the worker, its result a workbook to download.

Nothing is imported: the two files are kept encrypted only while the job runs, the result (record ids as
the files give them, match probability, decision) until `linkage purge` drops the job after
LINKAGE_PAIR_KEEP_DAYS."""

from __future__ import annotations

import importlib
import io
import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from childfirst.accounts.audit import record
from childfirst.accounts.models import Role, User
from childfirst.areas.models import Area
from childfirst.spreadsheet import append_row

from .importing import store, stored_content
from .models import JobState, PairJob, StoredFile
from .reading import FileRefused, check_size

logger = logging.getLogger(__name__)
SUFFIXES = (".csv", ".xlsx", ".txt")


@dataclass(frozen=True)
class Link:
    left_id: str
    right_id: str
    match_probability: float
    decision: str  # "match" | "review"


class PairRefused(Exception):
    """A file the linker cannot read (its message is for the user)."""


def link_files(left: Path, right: Path, id_column: str | None) -> list[Link]:
    """The links between two list files, by the function behind `childfirst linkage pair`, so the
    command and this page give the same answer."""
    # The engine (DuckDB and Splink), loaded by the worker only, never by the web tier's pages.
    pairing = importlib.import_module("childfirst.linkage.pairing")
    try:
        result = pairing.pair_files(left, right, id_column=id_column or None)
    except ValueError as error:  # reading, header and row errors carry a message for the user
        raise PairRefused(str(error)) from None
    return [Link(*row) for row in result.rows]


def _check_file(name: str, content: bytes) -> None:
    try:
        check_size(len(content))
    except FileRefused as error:
        raise ValidationError(str(error)) from None
    if not content:
        raise ValidationError(_("The file %(name)s is empty.") % {"name": name})


@transaction.atomic
def do_request_pair(
    actor: User,
    district: Area,
    left: tuple[str, bytes],
    right: tuple[str, bytes],
    id_column: str = "",
    *,
    request: HttpRequest | None = None,
) -> PairJob:
    if actor.role != Role.OFFICE or not actor.can_see_area(district):
        raise PermissionDenied(_("Only the office compares lists."))
    for name, content in (left, right):
        _check_file(name, content)
    job = PairJob.objects.create(
        district=district,
        created_by=actor,
        left_name=left[0][-200:],
        right_name=right[0][-200:],
        id_column=id_column[:100],
        step=_("Waiting for the worker"),
    )
    store(StoredFile.Purpose.LEFT, left[0], left[1], pair_job=job)
    store(StoredFile.Purpose.RIGHT, right[0], right[1], pair_job=job)
    record(
        "linkage.pair_requested",
        actor=actor,
        obj=job,
        area_code=district.code,
        request=request,
        left_bytes=len(left[1]),
        right_bytes=len(right[1]),
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from .tasks import pair_lists

    try:
        pair_lists(job_id)
    except Exception:
        logger.exception("pair job %s could not be queued", job_id)
        _fail(job_id, _("The comparison could not be handed to the worker's queue."))


@transaction.atomic
def _start(job_id: int) -> PairJob | None:
    job = PairJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.state != JobState.QUEUED:
        return None
    job.state = JobState.RUNNING
    job.started_at = timezone.now()
    job.step = _("Linking the two lists")
    job.progress = 10
    job.save(update_fields=["state", "started_at", "step", "progress"])
    return job


@transaction.atomic
def _fail(job_id: int, message: str) -> None:
    job = PairJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.state == JobState.DONE:
        return
    job.state = JobState.FAILED
    job.error = message
    job.step = ""
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "error", "step", "finished_at"])
    job.files.filter(purpose__in=[StoredFile.Purpose.LEFT, StoredFile.Purpose.RIGHT]).delete()
    record("linkage.pair_failed", obj=job, area_code=job.district.code)


def workbook(job: PairJob, links: list[Link]) -> bytes:
    """The result as a workbook: one row per link, every cell through childfirst/spreadsheet.py."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Links")[:31]
    append_row(sheet, [_("First list's id"), _("Second list's id"), _("Match probability"), _("Decision")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    decision = {"match": _("same child"), "review": _("to check")}
    for link in links:
        append_row(
            sheet,
            [link.left_id, link.right_id, round(link.match_probability, 4), decision.get(link.decision, link.decision)],
        )
    about = book.create_sheet(_("About")[:31])
    append_row(about, [_("First list"), job.left_name])
    append_row(about, [_("Second list"), job.right_name])
    append_row(about, [_("Compared at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    append_row(
        about,
        [
            _("Decision"),
            _("same child: linked with high probability; to check: possibly the same child, to be checked by a person"),
        ],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_pair_job(job_id: int) -> None:
    job = _start(job_id)
    if job is None:
        return
    started = time.monotonic()
    try:
        files = {f.purpose: f for f in job.files.all()}
        with tempfile.TemporaryDirectory(prefix="childfirst-pair-") as tmp:
            paths = []
            for purpose, name in ((StoredFile.Purpose.LEFT, job.left_name), (StoredFile.Purpose.RIGHT, job.right_name)):
                suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in SUFFIXES else ".csv"
                path = Path(tmp) / f"{purpose}{suffix}"
                path.write_bytes(stored_content(files[purpose]))
                path.chmod(0o600)
                paths.append(path)
            links = link_files(paths[0], paths[1], job.id_column)
        result = workbook(job, links)
    except PairRefused as error:
        _fail(job_id, str(error))
        return
    except Exception:
        logger.exception("pair job %s failed", job_id)
        _fail(
            job_id,
            _("The comparison failed because of an internal error. Give the system administrator this number: %(id)d.")
            % {"id": job_id},
        )
        return
    counts: dict[str, Any] = {
        "match": sum(1 for link in links if link.decision == "match"),
        "review": sum(1 for link in links if link.decision == "review"),
        "seconds": round(time.monotonic() - started, 1),
    }
    with transaction.atomic():
        job = PairJob.objects.select_for_update().get(pk=job_id)
        job.files.filter(purpose__in=[StoredFile.Purpose.LEFT, StoredFile.Purpose.RIGHT]).delete()
        store(StoredFile.Purpose.RESULT, "links.xlsx", result, pair_job=job)
        job.state = JobState.DONE
        job.progress = 100
        job.step = ""
        job.counts = counts
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "progress", "step", "counts", "finished_at"])
        record("linkage.paired", obj=job, area_code=job.district.code, **counts)


def result_file(job: PairJob) -> bytes | None:
    stored = job.files.filter(purpose=StoredFile.Purpose.RESULT).first()
    return stored_content(stored) if stored is not None else None
