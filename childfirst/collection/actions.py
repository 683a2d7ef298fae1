"""Every state change of data collection: one function each, checking permission, writing the
change, the value history and the audit row in one transaction.

Concurrency: each submission carries a version. A workflow action names the version its user
saw; if someone else acted in between, the action is refused with who did what and when, so
nothing is silently overwritten. Saving values does the same per value.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.audit import record
from childfirst.accounts.models import Role, User
from childfirst.plans.access import acts_on_plan
from childfirst.plans.models import Plan

from . import notices
from .bulk import insert_rows, update_rows
from .entries import Entry, Finding, RawCell, Rules, clean_cell
from .models import (
    EDITABLE_STATES,
    Channel,
    DataValue,
    ImportBatch,
    ReportingRound,
    RoundState,
    Submission,
    SubmissionState,
    ValueChange,
    take_step,
)
from .review import review_submission
from .rules import current_rules
from .scope import expected_for, reporting_departments


class CollectionError(Exception):
    """A request that cannot be carried out as asked; the message says why."""


class StaleSubmission(CollectionError):
    pass


class ValuesRejected(CollectionError):
    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__(_("%(count)d problem(s); nothing was saved.") % {"count": len(findings)})


class SubmissionBlocked(CollectionError):
    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__(
            _("The submission cannot be sent yet: %(count)d value(s) missing or unexplained.")
            % {"count": len(findings)}
        )


def _require(condition: bool, message: str | None = None) -> None:
    if not condition:
        raise PermissionDenied(message or _("Your role cannot do this."))


def _is_office(user: User | None, plan: Plan) -> bool:
    """The office of the plan's own area (None: the console). An office never acts on another district's
    plan, nor a city office on its districts' plans or a district office on the city's."""
    return user is None or (user.role == Role.OFFICE and acts_on_plan(user, plan))


def _of_department(user: User | None, submission: Submission, role: Role) -> bool:
    return user is None or (user.role == role and user.department_id == submission.department_id)


def _lock(submission: Submission, seen_version: int | None) -> Submission:
    """The submission, locked for this transaction; StaleSubmission if it moved on since seen."""
    current = Submission.objects.select_for_update().select_related("round__plan", "department").get(pk=submission.pk)
    if seen_version is not None and current.version != seen_version:
        raise StaleSubmission(
            _(
                "Someone else changed this submission after you opened it (it is now: %(state)s). "
                "Reload the page to see the current data, then try again."
            )
            % {"state": current.get_state_display()}
        )
    return current


# ----- rounds -----------------------------------------------------------------------------------


@transaction.atomic
def do_open_round(actor: User | None, plan: Plan, year: int, deadline: datetime.date) -> ReportingRound:
    _require(_is_office(actor, plan), _("Only the office opens reporting rounds."))
    if not plan.start_year - 10 <= year <= plan.end_year:
        raise CollectionError(_("%(year)s is outside the plan period.") % {"year": year})
    if ReportingRound.objects.filter(plan=plan, year=year).exists():
        raise CollectionError(_("There is already a round for %(year)s.") % {"year": year})
    departments = reporting_departments(plan, year)
    if not departments:
        raise CollectionError(_("No indicator is to be reported for %(year)s.") % {"year": year})
    reporting_round = ReportingRound.objects.create(
        plan=plan, year=year, deadline=deadline, opened_at=timezone.now(), opened_by=actor
    )
    Submission.objects.bulk_create(Submission(round=reporting_round, department=d) for d in departments)
    record("collection.open_round", actor=actor, obj=reporting_round, year=year, deadline=str(deadline))
    notices.tell_round_opened(reporting_round, departments)
    return reporting_round


@transaction.atomic
def do_close_round(actor: User | None, reporting_round: ReportingRound) -> ReportingRound:
    _require(_is_office(actor, reporting_round.plan), _("Only the office closes reporting rounds."))
    reporting_round = ReportingRound.objects.select_for_update().get(pk=reporting_round.pk)
    if reporting_round.state == RoundState.CLOSED:
        raise CollectionError(_("The round is already closed."))
    reporting_round.state, reporting_round.closed_at, reporting_round.closed_by = (
        RoundState.CLOSED,
        timezone.now(),
        actor,
    )
    reporting_round.save()
    open_states = dict(
        reporting_round.submissions.exclude(state=SubmissionState.ACCEPTED).values_list("department__code", "state")
    )
    record("collection.close_round", actor=actor, obj=reporting_round, not_accepted=open_states)
    return reporting_round


@transaction.atomic
def do_reopen_round(actor: User | None, reporting_round: ReportingRound, reason: str) -> ReportingRound:
    _require(_is_office(actor, reporting_round.plan), _("Only the office reopens reporting rounds."))
    if not reason.strip():
        raise CollectionError(_("Give a reason for reopening."))
    reporting_round = ReportingRound.objects.select_for_update().get(pk=reporting_round.pk)
    reporting_round.state, reporting_round.closed_at, reporting_round.closed_by = RoundState.OPEN, None, None
    reporting_round.save()
    record("collection.reopen_round", actor=actor, obj=reporting_round, reason=reason.strip())
    return reporting_round


@transaction.atomic
def do_send_reminders(actor: User | None, reporting_round: ReportingRound, today: datetime.date) -> int:
    """Mail the reporters of every department that has not submitted by the deadline."""
    _require(_is_office(actor, reporting_round.plan), _("Only the office sends reminders."))
    overdue = list(reporting_round.submissions.overdue(today).select_related("department"))
    reporters = User.objects.filter(
        role=Role.DEPT_REPORTER, department__in=[s.department for s in overdue], is_active=True
    ).exclude(email="")
    messages = []
    for user in reporters:
        assert user.department is not None  # department__in above
        subject = _("Reminder: %(year)s data for %(department)s is overdue") % {
            "year": reporting_round.year,
            "department": user.department.name,
        }
        body = _(
            "The deadline for the %(year)s round was %(deadline)s. Please enter and submit your department's "
            "indicators in ChildFirst."
        ) % {"year": reporting_round.year, "deadline": reporting_round.deadline}
        messages.append(EmailMessage(subject, body, to=[user.email]))
    sent = get_connection().send_messages(messages) if messages else 0
    record(
        "collection.remind",
        actor=actor,
        obj=reporting_round,
        departments=[s.department.code for s in overdue],
        emails=sent or 0,
    )
    return sent or 0


# ----- values -----------------------------------------------------------------------------------


@dataclass
class UploadedFile:
    name: str
    content: bytes


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notices: list[Finding] = field(default_factory=list)
    batch: ImportBatch | None = None
    rejected: list[Finding] = field(default_factory=list)  # keep_valid: the cells refused, each with why


VALUE_FIELDS = ("value", "numerator", "denominator", "missing_reason", "comment", "source_note")
NEW_VALUE_COLUMNS = ("round_id", "submission_id", "indicator_id", "area_id", *VALUE_FIELDS, "version", "updated_at",
                     "updated_by_id", "channel")  # fmt: skip
HISTORY_COLUMNS = ("data_value_id", "changed_at", "changed_by_id", "channel", "submission_state", "import_batch_id",
                   "old", "new")  # fmt: skip


def clean_cells(
    submission: Submission, cells: Sequence[RawCell], rules: Rules
) -> tuple[list[Entry], list[Finding], dict]:
    """Check every cell against what the submission expects; all findings, errors included."""
    expected = expected_for(submission.round.plan, submission.round.year, submission.department)
    infos = expected.infos()
    indicators = {i.code: i for i in expected.indicators}
    areas = {i.code: {a.code: a for a in expected.areas_for(i)} for i in expected.indicators}
    entries, findings, seen = [], [], set()
    for cell in cells:
        key = (cell.indicator, cell.area)
        if cell.indicator not in infos:
            findings.append(
                Finding("error", "not_expected", *key, cell.place("row"),
                        _("indicator %(code)s is not reported by this department in this round")
                        % {"code": cell.indicator})
            )  # fmt: skip
            continue
        if cell.area not in areas[cell.indicator]:
            findings.append(
                Finding("error", "not_expected", *key, cell.place("row"),
                        _("area %(area)s is not expected for %(code)s") % {"area": cell.area, "code": cell.indicator})
            )  # fmt: skip
            continue
        if key in seen:
            findings.append(Finding("error", "duplicate", *key, cell.place("row"), _("given twice")))
            continue
        seen.add(key)
        carried = expected.carried_for(indicators[cell.indicator], areas[cell.indicator][cell.area])
        if carried is not None:
            if _blank(cell):
                continue  # nothing typed over a value already reported: nothing to refuse
            message = _("already reported in 《%(plan)s》; it is not entered again") % {"plan": carried.plan_name}
            findings.append(Finding("error", "already_reported", *key, cell.place("row"), message))
            continue
        entry, cell_findings = clean_cell(cell, infos[cell.indicator], rules)
        findings.extend(cell_findings)
        if entry is not None:
            entries.append(entry)
    return entries, findings, {"indicators": indicators, "areas": areas}


def _blank(cell: RawCell) -> bool:
    numbers = (cell.value, cell.numerator, cell.denominator)
    texts = (cell.missing_reason, cell.comment, cell.source_note)
    return all(n is None or str(n).strip() == "" for n in numbers) and not any(t.strip() for t in texts)


def save_values(
    actor: User | None,
    submission: Submission,
    cells: Sequence[RawCell],
    *,
    channel: Channel,
    seen_versions: dict[tuple[str, str], int] | None = None,
    upload: UploadedFile | None = None,
    rules: Rules | None = None,
    require_versions: bool = False,
    keep_valid: bool = False,
) -> SaveResult:
    """Validate every cell; if all are valid, save them as a draft with their history. All or nothing:
    ValuesRejected lists every problem and nothing is written.

    With `keep_valid` (the entry page) a bad cell costs only itself: every valid cell is saved and
    the refused ones (errors, and values someone else changed meanwhile) come back in
    `SaveResult.rejected`, so that one typo never throws away the rows typed beside it.

    With `require_versions` (the API), a change to a value that exists needs the version it was
    read at in `seen_versions`: without it the cell is refused (rule version_required), so that a
    client cannot overwrite another reporter's newer value unseen."""
    _require(
        _of_department(actor, submission, Role.DEPT_REPORTER),
        _("Only the department's reporters enter its values."),
    )
    rules = rules or current_rules()
    entries, findings, catalogue = clean_cells(submission, cells, rules)
    errors = [f for f in findings if f.severity == "error"]
    if errors and not keep_valid:
        raise ValuesRejected(errors)
    notices = [f for f in findings if f.severity != "error"]
    with transaction.atomic():
        locked = _lock(submission, None)
        if not locked.is_editable:
            raise CollectionError(
                _("This submission is %(state)s and cannot be changed.") % {"state": locked.get_state_display()}
                if locked.round.is_open
                else _("The %(year)s round is closed.") % {"year": locked.round.year}
            )
        result = _write(
            actor,
            locked,
            entries,
            catalogue,
            channel,
            seen_versions or {},
            upload,
            notices,
            require_versions,
            keep_valid,
        )
    result.rejected = errors + result.rejected
    return result


def _write(
    actor,
    submission,
    entries,
    catalogue,
    channel,
    seen_versions,
    upload,
    notices,
    require_versions=False,
    keep_valid=False,
) -> SaveResult:
    now = timezone.now()
    indicators, areas = catalogue["indicators"], catalogue["areas"]
    existing = {(v.indicator_id, v.area_id): v for v in submission.values.filter(indicator__in=indicators.values())}
    # New values are kept as plain rows, not model instances: a bulk request creates tens of
    # thousands of them, and insert_rows sends rows straight to the database.
    history: list[tuple[int, dict[str, str | None] | None, dict[str, str | None]]]  # (value id, old, new)
    created, changed, history, conflicts = [], [], [], []
    result = SaveResult(notices=notices)
    actor_id = actor.pk if actor is not None else None
    for entry in entries:
        indicator, area = indicators[entry.indicator], areas[entry.indicator][entry.area]
        new = entry.as_record()
        current = existing.get((indicator.pk, area.pk))
        if current is None:
            if not entry.is_answered and not entry.comment and not entry.source_note:
                continue  # an empty cell that never held anything
            row = (submission.round_id, submission.pk, indicator.pk, area.pk, entry.value, entry.numerator,
                   entry.denominator, entry.missing_reason, entry.comment, entry.source_note, 1, now, actor_id,
                   channel)  # fmt: skip
            created.append((row, new))
            continue
        seen = seen_versions.get((entry.indicator, entry.area))
        old = _record_of(current)
        if old == new:
            result.unchanged += 1
            continue
        if seen is not None and seen != current.version:
            conflicts.append(
                Finding("error", "conflict", entry.indicator, entry.area, f"{entry.indicator}/{entry.area}",
                        _("changed by %(who)s at %(when)s after you opened it (now %(value)s); "
                          "reload to see it before changing it")
                        % {"who": current.updated_by or _("system"),
                           "when": timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M"),
                           "value": old["value"] or old["missing_reason"] or "—"})
            )  # fmt: skip
            continue
        if seen is None and require_versions:
            conflicts.append(
                Finding("error", "version_required", entry.indicator, entry.area, f"{entry.indicator}/{entry.area}",
                        _("this value exists already (version %(version)s): send the version you read to change it")
                        % {"version": current.version})
            )  # fmt: skip
            continue
        _apply(current, entry)
        current.version += 1
        current.updated_at, current.updated_by, current.channel = now, actor, channel
        changed.append(current)
        history.append((current.pk, old, new))
    if conflicts and not keep_valid:
        raise ValuesRejected(conflicts)
    result.rejected = conflicts
    batch = None
    if upload is not None or channel in (Channel.EXCEL, Channel.API):
        batch = ImportBatch.objects.create(
            submission=submission,
            channel=channel,
            created_at=now,
            created_by=actor,
            file_name=upload.name if upload else "",
            file_sha256=hashlib.sha256(upload.content).hexdigest() if upload else "",
            content=upload.content if upload else None,
            value_count=len(created) + len(changed),
            notices=[str(n) for n in notices],
        )
    new_ids = insert_rows(DataValue, NEW_VALUE_COLUMNS, [row for row, _new in created])
    history += [(new_id, None, new) for new_id, (_row, new) in zip(new_ids, created, strict=True)]
    update_rows(changed, [*VALUE_FIELDS, "version", "updated_at", "updated_by", "channel"])
    insert_rows(
        ValueChange,
        HISTORY_COLUMNS,
        [(value_id, now, actor_id, channel, submission.state, batch.pk if batch else None, old, new)
         for value_id, old, new in history],
    )  # fmt: skip
    result.created, result.updated, result.batch = len(created), len(changed), batch
    if created or changed:
        Submission.objects.filter(pk=submission.pk).update(version=F("version") + 1)
        submission.refresh_from_db(fields=["version"])
        record(
            "collection.save_values",
            actor=actor,
            obj=submission,
            channel=channel,
            created=len(created),
            updated=len(changed),
            batch=batch.pk if batch else None,
        )
    return result


def _apply(value: DataValue, entry: Entry) -> None:
    value.value, value.numerator, value.denominator = entry.value, entry.numerator, entry.denominator
    value.missing_reason, value.comment, value.source_note = entry.missing_reason, entry.comment, entry.source_note


def _record_of(value: DataValue) -> dict[str, str | None]:
    return Entry(
        indicator="",
        area="",
        value=value.value,
        numerator=value.numerator,
        denominator=value.denominator,
        missing_reason=value.missing_reason,
        comment=value.comment,
        source_note=value.source_note,
    ).as_record()


# ----- workflow ---------------------------------------------------------------------------------


def _transition(
    actor: User | None,
    submission: Submission,
    seen_version: int | None,
    *,
    allowed_from: set[SubmissionState],
    to: SubmissionState,
    action: str,
    **detail: Any,
) -> Submission:
    locked = _lock(submission, seen_version)
    if locked.state not in allowed_from:
        raise StaleSubmission(
            _("This submission is %(state)s; that step is not possible now.") % {"state": locked.get_state_display()}
        )
    if not locked.round.is_open and action != "collection.reopen":
        raise CollectionError(_("The %(year)s round is closed.") % {"year": locked.round.year})
    before = locked.state
    take_step(locked, to, actor, str(detail.get("reason", "")))
    locked.save()
    record(
        action,
        actor=actor,
        obj=locked,
        area_code=locked.round.plan.area.code,
        before=before,
        after=to,
        year=locked.round.year,
        department=locked.department.code,
        **detail,
    )
    return locked


@transaction.atomic
def do_submit(actor: User | None, submission: Submission, seen_version: int | None) -> Submission:
    _require(_of_department(actor, submission, Role.DEPT_REPORTER), _("Only the department's reporters submit."))
    locked = _lock(submission, seen_version)
    blocking = review_submission(locked).blocking
    if blocking:
        raise SubmissionBlocked(blocking)
    return _transition(
        actor, locked, None, allowed_from=set(EDITABLE_STATES), to=SubmissionState.SUBMITTED, action="collection.submit"
    )


@transaction.atomic
def do_approve(actor: User | None, submission: Submission, seen_version: int | None) -> Submission:
    _require(_of_department(actor, submission, Role.DEPT_REVIEWER), _("Only the department's reviewers approve."))
    approved = _transition(
        actor,
        submission,
        seen_version,
        allowed_from={SubmissionState.SUBMITTED},
        to=SubmissionState.APPROVED,
        action="collection.approve",
    )
    notices.tell_approved(approved)
    return approved


@transaction.atomic
def do_return(actor: User | None, submission: Submission, seen_version: int | None, reason: str) -> Submission:
    """The department's reviewer returns a submitted one; the office returns a submitted or approved one."""
    reviewer = _of_department(actor, submission, Role.DEPT_REVIEWER)
    _require(
        reviewer or _is_office(actor, submission.round.plan),
        _("Only the department's reviewers or the office return a submission."),
    )
    if not reason.strip():
        raise CollectionError(_("Give the reason for returning it, so the reporter knows what to fix."))
    allowed = {SubmissionState.SUBMITTED} | (
        {SubmissionState.APPROVED} if _is_office(actor, submission.round.plan) else set()
    )
    returned = _transition(
        actor,
        submission,
        seen_version,
        allowed_from=allowed,
        to=SubmissionState.RETURNED,
        action="collection.return",
        reason=reason.strip(),
    )
    notices.tell_returned(returned)
    return returned


@transaction.atomic
def do_accept(actor: User | None, submission: Submission, seen_version: int | None) -> Submission:
    _require(_is_office(actor, submission.round.plan), _("Only the office accepts data."))
    return _transition(
        actor,
        submission,
        seen_version,
        allowed_from={SubmissionState.APPROVED},
        to=SubmissionState.ACCEPTED,
        action="collection.accept",
    )


@transaction.atomic
def do_reopen(actor: User | None, submission: Submission, seen_version: int | None, reason: str) -> Submission:
    """Unlock accepted data for correction; only the office, always with a reason, always logged."""
    _require(_is_office(actor, submission.round.plan), _("Only the office reopens accepted data."))
    if not reason.strip():
        raise CollectionError(_("Give a reason for reopening."))
    reopened = _transition(
        actor,
        submission,
        seen_version,
        allowed_from={SubmissionState.ACCEPTED},
        to=SubmissionState.RETURNED,
        action="collection.reopen",
        reason=reason.strip(),
    )
    notices.tell_returned(reopened)
    return reopened


def do_drop_import_originals(
    actor: User | None, days: int, now: datetime.datetime, *, dry_run: bool = False
) -> list[tuple[int, int, int]]:
    """Drop the original files of imports whose round closed more than `days` days ago; the import's
    record (who, when, file name, SHA-256, values) stays. Returns (import id, round year, bytes)."""
    with transaction.atomic():
        expired = ImportBatch.objects.original_expired(days, now)
        dropped = [
            (pk, year, size or 0)
            for pk, year, size in expired.annotate(size=Length("content"))
            .order_by("pk")
            .values_list("pk", "submission__round__year", "size")
        ]
        if not dry_run and dropped:
            ImportBatch.objects.filter(pk__in=[pk for pk, _year, _size in dropped]).update(content=None)
            record(
                "collection.import_originals_dropped",
                actor=actor,
                days=days,
                imports=[pk for pk, _year, _size in dropped],
                bytes=sum(size for _pk, _year, size in dropped),
            )
    return dropped
