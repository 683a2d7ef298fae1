"""Every state change of the casework: one function each, checking permission, validating, writing
the change and its audit row in one transaction. Audit rows carry identifiers, codes and counts,
never names, ID numbers or free text (free text is where personal data hides).

`actor` None means the system (the escalation job, the demo loader).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.audit import record
from childfirst.accounts.models import User
from childfirst.areas.models import Area
from childfirst.registry import notices
from childfirst.registry.children.access import require_edit
from childfirst.registry.models import (
    AssessmentState,
    Assistance,
    AssistanceFollowUp,
    AssistanceState,
    Child,
    MandatoryReport,
    RiskAssessment,
    Task,
    TaskKind,
    TaskState,
    Visit,
    VisitKind,
)

from .access import can_assess, can_review, is_supervisor_of_street
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
    notices.tell_task_raised(task)
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
        street = child.residence_area.parent
        assert street is not None  # a community always lies in a street
        _raise_task(
            TaskKind.HIGH_RISK,
            street,
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
