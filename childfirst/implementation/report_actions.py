"""Every state change of a department's implementation report: one function each, checking permission,
writing the change and its audit row (ids and counts only) in one transaction, notifying like data
collection does.

The workflow is the data's (collection.SubmissionState): draft → submitted → approved by the
department's reviewer → accepted by the office; the reviewer returns a submitted report, the office a
submitted or approved one, always with a reason. A report is written only while it is a draft or
returned and its round is open. Each report carries a version: an action names the version its user
saw, and is refused if someone else acted in between."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.audit import record
from childfirst.accounts.models import Role, User
from childfirst.collection.models import ReportingRound, SubmissionState, take_step
from childfirst.notifications.models import Kind
from childfirst.notifications.notify import notify, office_of, users_of_departments
from childfirst.plans.access import acts_on_plan

from .documents import store_document
from .models import Document, ImplementationReport, ReportItem
from .reports import item_label, new_items, reporting_departments

EDITABLE = {SubmissionState.DRAFT, SubmissionState.RETURNED}
ITEM_FIELDS = ("work_done", "results", "funds_budgeted", "funds_spent", "problems", "next_year")


class ReportError(Exception):
    """A request that cannot be carried out as asked; the message says why."""


class StaleReport(ReportError):
    pass


class IncompleteReport(ReportError):
    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(
            _("The report cannot be submitted yet: “work done” is empty for %(count)d item(s): %(items)s.")
            % {"count": len(missing), "items": "; ".join(missing)}
        )


@dataclass
class ItemInput:
    """What was entered for one item (funds already parsed; None = left empty)."""

    work_done: str = ""
    results: str = ""
    funds_budgeted: Decimal | None = None
    funds_spent: Decimal | None = None
    problems: str = ""
    next_year: str = ""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _is_office(user: User | None, report: ImplementationReport) -> bool:
    return user is None or (user.role == Role.OFFICE and acts_on_plan(user, report.round.plan))


def _of_department(user: User | None, report: ImplementationReport, role: Role) -> bool:
    return user is None or (user.role == role and user.department_id == report.department_id)


def _lock(report: ImplementationReport, seen_version: int | None) -> ImplementationReport:
    current = (
        ImplementationReport.objects.select_for_update()
        .select_related("round__plan__area", "department")
        .get(pk=report.pk)
    )
    if seen_version is not None and current.version != seen_version:
        raise StaleReport(
            _(
                "Someone else changed this report after you opened it (it is now: %(state)s). "
                "Reload the page to see the current report, then try again."
            )
            % {"state": current.get_state_display()}
        )
    return current


def _require_editable(report: ImplementationReport) -> None:
    if not report.round.is_open:
        raise ReportError(_("The %(year)s round is closed.") % {"year": report.round.year})
    if report.state not in EDITABLE:
        raise ReportError(
            _("This report is %(state)s and can no longer be changed.") % {"state": report.get_state_display()}
        )


def _url(report: ImplementationReport) -> str:
    return reverse("implementation:report", args=[report.round.plan.code, report.pk])


def _title(report: ImplementationReport) -> str:
    return _("%(year)s · %(department)s · implementation report") % {
        "year": report.round.year,
        "department": report.department.name,
    }


def _audit(action: str, actor: User | None, report: ImplementationReport, **detail: Any) -> None:
    record(
        action,
        actor=actor,
        obj=report,
        area_code=report.round.plan.area.code,
        year=report.round.year,
        department=report.department.code,
        **detail,
    )


# ----- opening ----------------------------------------------------------------------------------


@transaction.atomic
def do_open_reports(actor: User | None, reporting_round: ReportingRound) -> int:
    """Create the round's implementation reports, one per department with measures or key projects to
    report on, each with its empty items; departments that already have one keep it. Returns how many
    were created."""
    plan = reporting_round.plan
    _require(
        actor is None or (actor.role == Role.OFFICE and acts_on_plan(actor, plan)),
        _("Only the office opens implementation reports."),
    )
    if not reporting_round.is_open:
        raise ReportError(_("The %(year)s round is closed.") % {"year": reporting_round.year})
    have = set(ImplementationReport.objects.filter(round=reporting_round).values_list("department_id", flat=True))
    created = ImplementationReport.objects.bulk_create(
        ImplementationReport(round=reporting_round, department=d)
        for d in reporting_departments(plan)
        if d.pk not in have
    )
    items: list[ReportItem] = []
    for report in created:
        report.round = reporting_round
        items += new_items(report, plan)
    ReportItem.objects.bulk_create(items)
    record(
        "implementation.open_reports",
        actor=actor,
        obj=reporting_round,
        area_code=plan.area.code,
        year=reporting_round.year,
        reports=len(created),
        items=len(items),
    )
    departments = {r.department_id: r for r in created}
    for reporter in users_of_departments(departments, Role.DEPT_REPORTER):
        report = departments[reporter.department_id]  # type: ignore[index]  # filtered on these ids
        notify([reporter], Kind.ROUND_OPENED, _title(report), _url(report))
    return len(created)


# ----- writing ----------------------------------------------------------------------------------


@transaction.atomic
def do_save_report(
    actor: User | None,
    report: ImplementationReport,
    seen_version: int | None,
    summary: str,
    items: dict[int, ItemInput],
    *,
    channel: str = "web",
) -> ImplementationReport:
    """Write the summary and the items (by item id; items not named stay as they are). Refused unless
    the user is one of the department's reporters and the report is editable."""
    _require(_of_department(actor, report, Role.DEPT_REPORTER), _("Only the department's reporters write its report."))
    locked = _lock(report, seen_version)
    _require_editable(locked)
    current = {i.pk: i for i in locked.items.all()}
    unknown = set(items) - set(current)
    if unknown:
        raise ReportError(_("The form names items that are not in this report; reload the page."))
    changed = []
    for pk, entry in items.items():
        item = current[pk]
        new = {name: getattr(entry, name) for name in ITEM_FIELDS}
        if any(getattr(item, name) != value for name, value in new.items()):
            for name, value in new.items():
                setattr(item, name, value)
            changed.append(item)
    ReportItem.objects.bulk_update(changed, list(ITEM_FIELDS))
    summary_changed = locked.summary != summary
    locked.summary = summary
    locked.version += 1
    locked.updated_at, locked.updated_by = timezone.now(), actor
    locked.save()
    _audit(
        "implementation.save_report",
        actor,
        locked,
        items_changed=len(changed),
        summary_changed=summary_changed,
        channel=channel,
    )
    return locked


@transaction.atomic
def do_import_word(
    actor: User,
    report: ImplementationReport,
    seen_version: int,
    summary: str,
    items: dict[int, ItemInput],
    upload: UploadedFile,
) -> ImplementationReport:
    """Save what a filled-in Word file holds (read by report_word.read_report_docx) and keep the file
    itself as a Document of the report: both or neither."""
    saved = do_save_report(actor, report, seen_version, summary, items, channel="word")
    document = store_document("report", saved, upload, actor)
    _audit("implementation.import_word", actor, saved, document=document.pk, size=document.size, sha256=document.sha256)
    return saved


@transaction.atomic
def do_attach_document(actor: User, report: ImplementationReport, upload: UploadedFile) -> Document:
    """Attach evidence to the report while it is editable (ValidationError if the file is refused)."""
    _require(_of_department(actor, report, Role.DEPT_REPORTER), _("Only the department's reporters attach evidence."))
    locked = _lock(report, None)
    _require_editable(locked)
    # The version stays: an attachment is no part of what the form or a downloaded Word file holds.
    document = store_document("report", locked, upload, actor)
    _audit("implementation.attach", actor, locked, document=document.pk, size=document.size, sha256=document.sha256)
    return document


@transaction.atomic
def do_remove_document(actor: User | None, report: ImplementationReport, document: Document) -> None:
    """Remove an attachment while the report is editable; its audit row keeps its hash."""
    _require(_of_department(actor, report, Role.DEPT_REPORTER), _("Only the department's reporters remove evidence."))
    locked = _lock(report, None)
    _require_editable(locked)
    if document.report_id != locked.pk:
        raise ReportError(_("That document is not attached to this report."))
    detail = {"document": document.pk, "size": document.size, "sha256": document.sha256}
    document.delete()
    _audit("implementation.remove_document", actor, locked, **detail)


# ----- the workflow -----------------------------------------------------------------------------


def _transition(
    actor: User | None,
    report: ImplementationReport,
    seen_version: int | None,
    *,
    allowed_from: set[SubmissionState],
    to: SubmissionState,
    action: str,
    reason: str = "",
) -> ImplementationReport:
    locked = _lock(report, seen_version)
    if locked.state not in allowed_from:
        raise StaleReport(
            _("This report is %(state)s; that step is not possible now.") % {"state": locked.get_state_display()}
        )
    if not locked.round.is_open:
        raise ReportError(_("The %(year)s round is closed.") % {"year": locked.round.year})
    before = locked.state
    take_step(locked, to, actor, reason)
    locked.save()
    # The reason is the office's or reviewer's own words about the work, kept on the report; the audit
    # row says that there was one (its length), as a reason may name people.
    _audit(action, actor, locked, before=before, after=to, **({"reason_chars": len(reason)} if reason else {}))
    return locked


@transaction.atomic
def do_submit_report(
    actor: User | None, report: ImplementationReport, seen_version: int | None
) -> ImplementationReport:
    """The department's reporter sends the report to the department's reviewer; every item must say
    what was done."""
    _require(_of_department(actor, report, Role.DEPT_REPORTER), _("Only the department's reporters submit."))
    locked = _lock(report, seen_version)
    _require_editable(locked)
    missing = [
        item_label(i) for i in locked.items.select_related("measure__domain", "key_project") if not i.work_done.strip()
    ]
    if missing:
        raise IncompleteReport(missing)
    # No notice: the reviewer finds it on the home page and the round's page, as with data.
    return _transition(
        actor, locked, None, allowed_from=EDITABLE, to=SubmissionState.SUBMITTED, action="implementation.submit"
    )


@transaction.atomic
def do_approve_report(
    actor: User | None, report: ImplementationReport, seen_version: int | None
) -> ImplementationReport:
    _require(_of_department(actor, report, Role.DEPT_REVIEWER), _("Only the department's reviewers approve."))
    approved = _transition(
        actor,
        report,
        seen_version,
        allowed_from={SubmissionState.SUBMITTED},
        to=SubmissionState.APPROVED,
        action="implementation.approve",
    )
    recipients = users_of_departments([approved.department_id], Role.DEPT_REPORTER) + office_of(
        approved.round.plan.area
    )
    notify(recipients, Kind.DATA_APPROVED, _title(approved), _url(approved))
    return approved


@transaction.atomic
def do_return_report(
    actor: User | None, report: ImplementationReport, seen_version: int | None, reason: str
) -> ImplementationReport:
    """The department's reviewer returns a submitted report; the office a submitted or approved one."""
    office = _is_office(actor, report)
    _require(
        office or _of_department(actor, report, Role.DEPT_REVIEWER),
        _("Only the department's reviewers or the office return a report."),
    )
    if not reason.strip():
        raise ReportError(_("Give the reason for returning it, so the reporter knows what to fix."))
    allowed = {SubmissionState.SUBMITTED} | ({SubmissionState.APPROVED} if office else set())
    returned = _transition(
        actor,
        report,
        seen_version,
        allowed_from=allowed,
        to=SubmissionState.RETURNED,
        action="implementation.return",
        reason=reason.strip(),
    )
    notify(
        users_of_departments([returned.department_id], Role.DEPT_REPORTER),
        Kind.DATA_RETURNED,
        _title(returned),
        _url(returned),
    )
    return returned


@transaction.atomic
def do_accept_report(
    actor: User | None, report: ImplementationReport, seen_version: int | None
) -> ImplementationReport:
    _require(_is_office(actor, report), _("Only the office accepts implementation reports."))
    return _transition(
        actor,
        report,
        seen_version,
        allowed_from={SubmissionState.APPROVED},
        to=SubmissionState.ACCEPTED,
        action="implementation.accept",
    )
