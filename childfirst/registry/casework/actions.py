"""Every state change of the casework: one function each, checking permission, validating, writing
the change and its audit row in one transaction. Audit rows carry identifiers, codes and counts,
never names, ID numbers or free text (free text is where personal data hides).

`actor` None means the system (the escalation job, the demo loader).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.audit import record
from childfirst.accounts.models import User
from childfirst.areas.models import Area, Level
from childfirst.plans.models import Department

from . import mandatory
from .access import keeps_area, require_edit
from .actions import ChildData, do_create_child
from .casework_access import can_assess, can_review, is_department_user_of, is_supervisor_of, is_supervisor_of_street
from .crypto import decrypt
from .idnumber import parse_id_number
from .models import (
    AssessmentState,
    Assistance,
    AssistanceFollowUp,
    AssistanceState,
    Child,
    Concern,
    MandatoryReport,
    Referral,
    ReferralState,
    ReferralUpdate,
    ReportAction,
    ReportChannel,
    ReportedSex,
    ReporterKind,
    ReportState,
    ReportStep,
    RiskAssessment,
    Task,
    TaskKind,
    TaskState,
    Urgency,
    Visit,
    VisitKind,
)
from .risk import LEVELS, UnknownItems, current_checklist
from .visits import current_policy


class CaseworkError(Exception):
    """A request that cannot be carried out as asked; the message says why (and where)."""


def _require(condition: bool, message: str | None = None) -> None:
    if not condition:
        raise PermissionDenied(message or _("Your role cannot do this."))


def _text(value: str, field: str, *, required: bool = True, limit: int = 5000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise CaseworkError(_("%(field)s: this field is required.") % {"field": field})
    if len(value) > limit:
        raise CaseworkError(_("%(field)s: at most %(limit)s characters.") % {"field": field, "limit": limit})
    return value


def _past_date(day: datetime.date, field: str, *, not_before: datetime.date | None = None) -> datetime.date:
    if day > timezone.localdate():
        raise CaseworkError(_("%(field)s: the date is in the future.") % {"field": field})
    if not_before is not None and day < not_before:
        raise CaseworkError(
            _("%(field)s: the date is before %(date)s.") % {"field": field, "date": not_before.isoformat()}
        )
    return day


# ----- visits -----------------------------------------------------------------------------------


@transaction.atomic
def do_record_visit(
    actor: User,
    child: Child,
    *,
    visited_on: datetime.date,
    kind: str,
    findings: str,
    needs: str = "",
    next_steps: str = "",
    request: HttpRequest | None = None,
) -> Visit:
    """A visit by the child's community director or street supervisor."""
    require_edit(actor, child)
    if kind not in VisitKind.values:
        raise CaseworkError(_("Kind of visit: choose one of the listed kinds."))
    visit = Visit.objects.create(
        child=child,
        visited_on=_past_date(visited_on, _("Date of the visit"), not_before=child.birth_date),
        kind=kind,
        findings=_text(findings, _("Findings")),
        needs=_text(needs, _("Needs"), required=False),
        next_steps=_text(next_steps, _("Next steps"), required=False),
        visitor=actor,
    )
    record(
        "registry.visit",
        actor=actor,
        obj=visit,
        area_code=child.residence_area.code,
        request=request,
        child=child.pk,
        kind=kind,
        visited_on=visited_on.isoformat(),
    )
    return visit


# ----- risk assessments and tasks ---------------------------------------------------------------


def _raise_task(
    kind: str,
    street: Area,
    due_on: datetime.date,
    *,
    child: Child | None = None,
    assessment: RiskAssessment | None = None,
    report: MandatoryReport | None = None,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> Task | None:
    """A task in the street's inbox; None when the same task already exists (raised twice at once)."""
    try:
        with transaction.atomic():
            task = Task.objects.create(
                kind=kind, street=street, due_on=due_on, child=child, assessment=assessment, report=report
            )
    except IntegrityError:
        return None
    record(
        "registry.task_raise",
        actor=actor,
        obj=task,
        area_code=street.code,
        request=request,
        kind=kind,
        child=child.pk if child else None,
        report=report.pk if report else None,
        due_on=due_on.isoformat(),
    )
    return task


@transaction.atomic
def do_assess_risk(
    actor: User,
    child: Child,
    *,
    assessed_on: datetime.date,
    ticked: Iterable[str],
    raised_to: str = "",
    raise_reason: str = "",
    notes: str = "",
    request: HttpRequest | None = None,
) -> RiskAssessment:
    """Score the checklist and record the assessment, awaiting the supervisor's approval. A high
    level raises a task for the street supervisor at once: the review must not delay protection."""
    require_edit(actor, child)
    _require(can_assess(actor, child), _("Risk assessments are recorded by the community's child director."))
    checklist = current_checklist()
    if raised_to and raised_to not in LEVELS:
        raise CaseworkError(_("Raise the level to: choose low, medium or high."))
    if raised_to and not raise_reason.strip():
        raise CaseworkError(_("Reason for raising the level: give the reason for raising the level."))
    try:
        result = checklist.score(ticked, raised_to or None)
    except UnknownItems as exc:
        raise CaseworkError(str(exc)) from None
    assessment = RiskAssessment.objects.create(
        child=child,
        assessed_on=_past_date(assessed_on, _("Date of the assessment"), not_before=child.birth_date),
        checklist_version=checklist.version,
        ticked=result.ticked,
        score=result.score,
        computed_level=result.computed,
        level=result.level,
        raise_reason=_text(raise_reason, _("Reason for raising the level"), required=False)
        if result.was_raised
        else "",
        notes=_text(notes, _("Notes"), required=False),
        assessed_by=actor,
    )
    record(
        "registry.risk_assess",
        actor=actor,
        obj=assessment,
        area_code=child.residence_area.code,
        request=request,
        child=child.pk,
        score=result.score,
        level=result.level,
        computed_level=result.computed,
        items=result.ticked,
        checklist_version=checklist.version,
    )
    if result.level == "high":
        due = timezone.localdate() + datetime.timedelta(days=current_policy().tasks.high_risk_days)
        _raise_task(
            TaskKind.HIGH_RISK,
            child.residence_area.parent,
            due,
            child=child,
            assessment=assessment,
            actor=actor,
            request=request,
        )
    return assessment


@transaction.atomic
def do_review_assessment(
    actor: User, assessment: RiskAssessment, *, approve: bool, note: str = "", request: HttpRequest | None = None
) -> RiskAssessment:
    """The street supervisor approves the assessment, or returns it with a reason."""
    assessment = (
        RiskAssessment.objects.select_for_update().select_related("child__residence_area").get(pk=assessment.pk)
    )
    if assessment.state != AssessmentState.SUBMITTED:
        raise CaseworkError(
            _("This assessment was already reviewed (%(state)s).") % {"state": assessment.get_state_display()}
        )
    _require(assessment.assessed_by_id != actor.pk, _("An assessment is reviewed by someone other than its assessor."))
    _require(can_review(actor, assessment), _("Only the street's child supervisor reviews risk assessments."))
    if not approve and not note.strip():
        raise CaseworkError(_("Review note: say why the assessment is returned."))
    assessment.state = AssessmentState.APPROVED if approve else AssessmentState.RETURNED
    assessment.reviewed_by, assessment.reviewed_at = actor, timezone.now()
    assessment.review_note = _text(note, _("Review note"), required=not approve)
    assessment.save()
    record(
        "registry.risk_review",
        actor=actor,
        obj=assessment,
        area_code=assessment.child.residence_area.code,
        request=request,
        child=assessment.child_id,
        decision=assessment.state,
        level=assessment.level,
    )
    return assessment


@transaction.atomic
def do_close_task(actor: User, task: Task, *, note: str, request: HttpRequest | None = None) -> Task:
    task = Task.objects.select_for_update().select_related("street").get(pk=task.pk)
    _require(is_supervisor_of_street(actor, task.street), _("Only the street's child supervisor closes its tasks."))
    if task.state != TaskState.OPEN:
        raise CaseworkError(_("This task is already closed."))
    task.close_note = _text(note, _("Note on closing"))
    task.state, task.closed_by, task.closed_at = TaskState.CLOSED, actor, timezone.now()
    task.save()
    record("registry.task_close", actor=actor, obj=task, area_code=task.street.code, request=request, kind=task.kind)
    return task


# ----- one-to-one assistance --------------------------------------------------------------------


@transaction.atomic
def do_start_assistance(
    actor: User,
    child: Child,
    *,
    helper_name: str,
    helper_organisation: str = "",
    helper_contact: str = "",
    plan: str,
    start_date: datetime.date,
    request: HttpRequest | None = None,
) -> Assistance:
    require_edit(actor, child)
    assistance = Assistance.objects.create(
        child=child,
        helper_name=_text(helper_name, _("Helper"), limit=50),
        helper_organisation=_text(helper_organisation, _("Organisation"), required=False, limit=100),
        helper_contact=_text(helper_contact, _("Contact"), required=False, limit=50),
        plan=_text(plan, _("Assistance plan")),
        start_date=start_date,
        created_by=actor,
    )
    record(
        "registry.assistance_start",
        actor=actor,
        obj=assistance,
        area_code=child.residence_area.code,
        request=request,
        child=child.pk,
    )
    return assistance


def _lock_open_assistance(actor: User, assistance: Assistance) -> Assistance:
    assistance = Assistance.objects.select_for_update().select_related("child__residence_area").get(pk=assistance.pk)
    require_edit(actor, assistance.child)
    if assistance.state != AssistanceState.OPEN:
        raise CaseworkError(_("This assistance is closed."))
    return assistance


@transaction.atomic
def do_add_follow_up(
    actor: User, assistance: Assistance, *, date: datetime.date, note: str, request: HttpRequest | None = None
) -> AssistanceFollowUp:
    assistance = _lock_open_assistance(actor, assistance)
    follow_up = AssistanceFollowUp.objects.create(
        assistance=assistance,
        date=_past_date(date, _("Date"), not_before=assistance.start_date),
        note=_text(note, _("Note")),
        recorded_by=actor,
    )
    record(
        "registry.assistance_follow_up",
        actor=actor,
        obj=assistance,
        area_code=assistance.child.residence_area.code,
        request=request,
        child=assistance.child_id,
        follow_up=follow_up.pk,
    )
    return follow_up


@transaction.atomic
def do_close_assistance(
    actor: User, assistance: Assistance, *, closed_on: datetime.date, note: str, request: HttpRequest | None = None
) -> Assistance:
    assistance = _lock_open_assistance(actor, assistance)
    assistance.closed_on = _past_date(closed_on, _("Closed on"), not_before=assistance.start_date)
    assistance.close_note = _text(note, _("Result"))
    assistance.state, assistance.closed_by = AssistanceState.CLOSED, actor
    assistance.save()
    record(
        "registry.assistance_close",
        actor=actor,
        obj=assistance,
        area_code=assistance.child.residence_area.code,
        request=request,
        child=assistance.child_id,
    )
    return assistance


# ----- referrals --------------------------------------------------------------------------------


@transaction.atomic
def do_refer(
    actor: User, child: Child, *, department: Department, reason: str, request: HttpRequest | None = None
) -> Referral:
    """Refer the child to a member department of its district; one open referral per department."""
    require_edit(actor, child)
    if not department.area.contains(child.residence_area):
        raise CaseworkError(_("Department: choose a department of the child's district."))
    if Referral.objects.open().filter(child=child, department=department).exists():
        raise CaseworkError(_("Department: the child already has an open referral to this department."))
    referral = Referral.objects.create(
        child=child, department=department, reason=_text(reason, _("Reason")), opened_by=actor
    )
    record(
        "registry.referral_open",
        actor=actor,
        obj=referral,
        area_code=child.residence_area.code,
        request=request,
        child=child.pk,
        department=department.code,
    )
    return referral


def _lock_open_referral(referral: Referral) -> Referral:
    referral = (
        Referral.objects.select_for_update().select_related("child__residence_area", "department").get(pk=referral.pk)
    )
    if referral.state != ReferralState.OPEN:
        raise CaseworkError(_("This referral is closed."))
    return referral


@transaction.atomic
def do_update_referral(
    actor: User, referral: Referral, *, date: datetime.date, note: str, request: HttpRequest | None = None
) -> ReferralUpdate:
    """A progress note: by the department referred to, or by the file's keepers."""
    referral = _lock_open_referral(referral)
    _require(is_department_user_of(actor, referral) or keeps_area(actor, referral.child.residence_area))
    update = ReferralUpdate.objects.create(
        referral=referral,
        date=_past_date(date, _("Date"), not_before=timezone.localdate(referral.opened_at)),
        note=_text(note, _("Progress")),
        recorded_by=actor,
    )
    record(
        "registry.referral_progress",
        actor=actor,
        obj=referral,
        area_code=referral.child.residence_area.code,
        request=request,
        child=referral.child_id,
        department=referral.department.code,
    )
    return update


@transaction.atomic
def do_close_referral(actor: User, referral: Referral, *, outcome: str, request: HttpRequest | None = None) -> Referral:
    """Closed with its outcome by the department, or withdrawn by the street supervisor. The
    department stops seeing the child at once (visible_to follows open referrals)."""
    referral = _lock_open_referral(referral)
    _require(
        is_department_user_of(actor, referral) or is_supervisor_of(actor, referral.child.residence_area),
        _("A referral is closed by the department it was made to, or by the street's child supervisor."),
    )
    referral.outcome = _text(outcome, _("Outcome"))
    referral.state, referral.closed_by, referral.closed_at = ReferralState.CLOSED, actor, timezone.now()
    referral.save()
    record(
        "registry.referral_close",
        actor=actor,
        obj=referral,
        area_code=referral.child.residence_area.code,
        request=request,
        child=referral.child_id,
        department=referral.department.code,
    )
    return referral


# ----- mandatory reports ------------------------------------------------------------------------


@transaction.atomic
def do_file_mandatory_report(
    actor: User | None,
    *,
    reporter_institution: str,
    reporter_kind: str,
    reporter_name: str,
    reporter_phone: str,
    child_name: str,
    child_age: int | None,
    child_sex: str,
    child_id_number: str = "",
    community: Area,
    concerns: Iterable[str],
    description: str,
    urgency: str,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> MandatoryReport:
    """Store a report and route it to the supervisor of the community's street, with its triage
    deadline. `actor` None: the public intake page."""
    now = now or timezone.now()
    if community.level != Level.COMMUNITY or not community.is_valid_on(timezone.localdate(now)):
        raise CaseworkError(_("Community: choose the community or village where the child is."))
    concerns = list(dict.fromkeys(concerns))
    if not concerns or any(c not in Concern.values for c in concerns):
        raise CaseworkError(_("What happened: tick at least one of the listed kinds."))
    if urgency not in Urgency.values:
        raise CaseworkError(_("Urgency: choose one."))
    if reporter_kind not in ReporterKind.values or child_sex not in ReportedSex.values:
        raise CaseworkError(_("Choose one of the listed options."))
    if child_age is not None and not 0 <= child_age < 18:
        raise CaseworkError(_("Approximate age: a child is under 18."))
    id_fields: dict = {}
    if child_id_number.strip():
        try:
            number = parse_id_number(child_id_number).number
        except ValidationError as exc:  # its message names the position, never the number
            raise CaseworkError(_("ID number: %(reason)s") % {"reason": " ".join(exc.messages)}) from None
        id_fields = mandatory.report_id_fields(number)
    report = MandatoryReport.objects.create(
        receipt_number=mandatory.new_receipt_number(now),
        received_at=now,
        channel=ReportChannel.PUBLIC if actor is None else ReportChannel.SIGNED_IN,
        submitted_by=actor,
        reporter_institution=_text(reporter_institution, _("Reporting institution"), limit=100),
        reporter_kind=reporter_kind,
        reporter_name=_text(reporter_name, _("Reporter's name"), limit=50),
        reporter_phone=_text(reporter_phone, _("Reporter's phone"), limit=20),
        child_name=_text(child_name, _("Child's name"), limit=50),
        child_age=child_age,
        child_sex=child_sex,
        community=community,
        street=mandatory.street_of(community),
        concerns=concerns,
        description=_text(description, _("What happened"), limit=10000),
        urgency=urgency,
        triage_due_at=mandatory.triage_deadline(now, urgency == Urgency.URGENT),
        **id_fields,
    )
    record(
        "registry.report_file",
        actor=actor,
        obj=report,
        area_code=report.street.code,
        request=request,
        actor_name="" if actor else "public intake",
        channel=report.channel,
        urgency=urgency,
        concerns=concerns,
    )
    return report


def _lock_report(actor: User | None, report: MandatoryReport) -> MandatoryReport:
    report = MandatoryReport.objects.select_for_update().select_related("street", "community").get(pk=report.pk)
    if actor is not None:
        _require(
            is_supervisor_of_street(actor, report.street),
            _("Reports are handled by the child supervisor of the street they are routed to."),
        )
    if report.state == ReportState.CLOSED:
        raise CaseworkError(_("This report is closed."))
    return report


def _mark_triaged(actor: User, report: MandatoryReport) -> None:
    if report.triaged_at is None:
        report.triaged_at, report.triaged_by = timezone.now(), actor
    if report.state == ReportState.AWAITING:
        report.state = ReportState.IN_PROGRESS


@transaction.atomic
def do_link_report(
    actor: User, report: MandatoryReport, child: Child, *, request: HttpRequest | None = None
) -> MandatoryReport:
    """Link the report to a child file the supervisor keeps; this counts as triage."""
    report = _lock_report(actor, report)
    _require(keeps_area(actor, child.residence_area), _("Link only a file of your own street."))
    report.child = child
    _mark_triaged(actor, report)
    report.save()
    record(
        "registry.report_link",
        actor=actor,
        obj=report,
        area_code=report.street.code,
        request=request,
        child=child.pk,
        by_id_number=bool(report.child_id_hash and report.child_id_hash == child.id_hash),
    )
    return report


@transaction.atomic
def do_open_file_from_report(
    actor: User,
    report: MandatoryReport,
    data: ChildData,
    *,
    use_report_id: bool = False,
    request: HttpRequest | None = None,
) -> Child:
    """Open a new child file for the report's child (the core's do_create_child, with its checks
    and duplicate refusal) and link the report to it, in one transaction."""
    report = _lock_report(actor, report)
    if use_report_id and report.child_id_ciphertext:
        data.id_number = decrypt(report.child_id_nonce, report.child_id_ciphertext)
    child = do_create_child(actor, data, request=request)
    return do_link_report(actor, report, child, request=request).child


@transaction.atomic
def do_record_report_step(
    actor: User, report: MandatoryReport, *, actions: Iterable[str], note: str = "", request: HttpRequest | None = None
) -> ReportStep:
    """What was done (police informed, visit arranged …); the first step counts as triage."""
    report = _lock_report(actor, report)
    actions = list(dict.fromkeys(actions))
    if not actions or any(a not in ReportAction.values for a in actions):
        raise CaseworkError(_("Actions taken: tick at least one of the listed actions."))
    if ReportAction.OTHER in actions and not note.strip():
        raise CaseworkError(_("Note: say what was done."))
    step = ReportStep.objects.create(
        report=report, actions=actions, note=_text(note, _("Note"), required=False), recorded_by=actor
    )
    _mark_triaged(actor, report)
    report.save()
    record(
        "registry.report_step",
        actor=actor,
        obj=report,
        area_code=report.street.code,
        request=request,
        actions=actions,
    )
    return step


@transaction.atomic
def do_close_report(
    actor: User, report: MandatoryReport, *, outcome: str, request: HttpRequest | None = None
) -> MandatoryReport:
    report = _lock_report(actor, report)
    if report.triaged_at is None:
        raise CaseworkError(_("Record what was done before closing the report."))
    report.outcome = _text(outcome, _("Outcome"))
    report.state, report.closed_by, report.closed_at = ReportState.CLOSED, actor, timezone.now()
    report.save()
    record("registry.report_close", actor=actor, obj=report, area_code=report.street.code, request=request)
    return report


@transaction.atomic
def do_escalate_report(report: MandatoryReport, *, now: datetime.datetime | None = None) -> bool:
    """Mark an untriaged report past its deadline as escalated and raise a task for the street's
    supervisor. False when there is nothing to do (triaged meanwhile, or escalated already)."""
    now = now or timezone.now()
    report = MandatoryReport.objects.select_for_update().select_related("street").get(pk=report.pk)
    if report.escalated_at is not None or not report.is_past_deadline(now):
        return False
    report.escalated_at = now
    report.save(update_fields=["escalated_at"])
    record(
        "registry.report_escalate",
        obj=report,
        area_code=report.street.code,
        urgency=report.urgency,
        hours_late=round((now - report.triage_due_at).total_seconds() / 3600, 1),
    )
    due = timezone.localdate(now) + datetime.timedelta(days=current_policy().tasks.escalated_report_days)
    _raise_task(TaskKind.REPORT_ESCALATED, report.street, due, report=report, child=report.child)
    return True


def escalate_overdue_reports(now: datetime.datetime | None = None) -> int:
    """Escalate every report past its triage deadline; each in its own transaction, so that one
    failure does not hold back the rest. Returns how many were escalated. Run when the pages that
    show reports are viewed and by `childfirst registry escalate` (cron)."""
    now = now or timezone.now()
    pending = MandatoryReport.objects.past_deadline(now).filter(escalated_at__isnull=True)
    return sum(do_escalate_report(report, now=now) for report in pending)
