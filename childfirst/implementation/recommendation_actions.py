"""Every state change of recommendations and their follow-up (对策建议与督办): one function each, checking
permission, making the change, writing the audit row and the notifications in one transaction.

An addressee (a department or a street) answers with the action taken and evidence; the office closes
its follow-up or sends it back with a reason (the answer is kept either way, so the history shows every
round). A recommendation closes when its last addressee is closed. Past the due date, an addressee not
closed is escalated once: `escalated_at` is set and the office and the addressee are told."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.audit import record
from childfirst.accounts.models import DEPARTMENT_ROLES, Role, User
from childfirst.areas.models import Area, Level
from childfirst.notifications.models import Kind
from childfirst.plans.access import acts_on_plan
from childfirst.plans.models import Department, Indicator, Plan

from . import followup_notices as notices
from .documents import EVIDENCE_KINDS, check_upload, store_document
from .models import (
    Assignment,
    AssignmentState,
    Recommendation,
    RecommendationSource,
    RecommendationState,
    Response,
    ResponseDecision,
)


class FollowupError(Exception):
    """A request that cannot be carried out as asked (the state moved on); the message says why."""


def _require_office(user: User | None, plan: Plan) -> None:
    """The office of the plan's own area (None: the console)."""
    if user is not None and not (user.role == Role.OFFICE and acts_on_plan(user, plan)):
        raise PermissionDenied(_("Only the office of the plan's district can do this."))


def is_addressee(user: User, assignment: Assignment) -> bool:
    """The addressed department's reporters and reviewers, or the addressed street's supervisor."""
    if assignment.department_id is not None:
        return user.role in DEPARTMENT_ROLES and user.department_id == assignment.department_id
    return user.role == Role.STREET_SUPERVISOR and user.area_id == assignment.area_id


def _locked(assignment: Assignment) -> Assignment:
    """The row again, locked for the transaction (PostgreSQL), so two decisions cannot cross."""
    fresh = Assignment.objects.select_for_update().get(pk=assignment.pk)
    fresh.recommendation = assignment.recommendation
    fresh.department = assignment.department
    fresh.area = assignment.area
    return fresh


@transaction.atomic
def do_issue_recommendation(
    actor: User,
    plan: Plan,
    *,
    year: int,
    title: str,
    text: str,
    source: str,
    due_date: datetime.date,
    departments: Sequence[Department] = (),
    streets: Sequence[Area] = (),
    indicator: Indicator | None = None,
    area: Area | None = None,
    request: HttpRequest | None = None,
    is_synthetic: bool = False,
) -> Recommendation:
    """Issue a recommendation to one or more departments and/or streets of the plan's area, arising from
    an indicator's warning, a lagging street, the evaluation or otherwise."""
    _require_office(actor, plan)
    errors: dict[str, str] = {}
    if not departments and not streets:
        errors["departments"] = _("Choose at least one department or street/town to address.")
    if any(d.area_id != plan.area_id for d in departments):
        errors["departments"] = _("Address only departments of the plan's district.")
    if any(s.level != Level.STREET or not plan.area.contains(s) for s in streets):
        errors["streets"] = _("Address only streets/towns of the plan's district.")
    if indicator is not None and indicator.plan_id != plan.pk:
        errors["indicator"] = _("The indicator is not one of this plan's.")
    if source == RecommendationSource.WARNING and indicator is None:
        errors["indicator"] = _("Name the indicator whose warning this arises from.")
    if source == RecommendationSource.STREET and area is None:
        errors["area"] = _("Name the street/town this arises from.")
    if area is not None and (area.level != Level.STREET or not plan.area.contains(area)):
        errors["area"] = _("Choose a street/town of the plan's district.")
    if source not in RecommendationSource.values:
        errors["source"] = _("Choose where the recommendation arises from.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    recommendation = Recommendation.objects.create(
        plan=plan,
        year=year,
        title=title,
        text=text,
        source=source,
        indicator=indicator,
        area=area,
        due_date=due_date,
        issued_at=now,
        issued_by=actor,
        is_synthetic=is_synthetic,
    )
    assignments = Assignment.objects.bulk_create(
        [Assignment(recommendation=recommendation, department=d) for d in departments]
        + [Assignment(recommendation=recommendation, area=s) for s in streets]
    )
    for assignment in assignments:
        assignment.recommendation = recommendation
    record(
        "implementation.recommendation_issued",
        actor=actor,
        obj=recommendation,
        area_code=plan.area.code,
        request=request,
        plan=plan.code,
        year=year,
        source=source,
        indicator=indicator.code if indicator else None,
        street=area.code if area else None,
        departments=[d.code for d in departments],
        streets=[s.code for s in streets],
        due_date=due_date.isoformat(),
    )
    notices.tell_issued(recommendation, assignments)
    return recommendation


@transaction.atomic
def do_respond(
    actor: User,
    assignment: Assignment,
    *,
    action_taken: str,
    evidence: Sequence[UploadedFile] = (),
    request: HttpRequest | None = None,
) -> Response:
    """The addressee's answer with its evidence (all files stored or none, with the answer)."""
    if not is_addressee(actor, assignment):
        raise PermissionDenied(_("Only the addressed department or street/town can answer."))
    assignment = _locked(assignment)
    if not assignment.can_be_answered:
        raise FollowupError(
            _("This follow-up is not awaiting an answer (it is %(state)s).") % {"state": assignment.get_state_display()}
        )
    if not action_taken.strip():
        raise ValidationError({"action_taken": _("Say what action was taken.")})
    for upload in evidence:
        check_upload(upload, kinds=EVIDENCE_KINDS)
    response = Response.objects.create(
        assignment=assignment, action_taken=action_taken, responded_at=timezone.now(), responded_by=actor
    )
    for upload in evidence:
        store_document("response", response, upload, actor)
    assignment.state = AssignmentState.ANSWERED
    assignment.save(update_fields=["state"])
    recommendation = assignment.recommendation
    record(
        "implementation.recommendation_answered",
        actor=actor,
        obj=assignment,
        area_code=recommendation.plan.area.code,
        request=request,
        recommendation=recommendation.pk,
        response=response.pk,
        documents=len(evidence),
    )
    notices.tell_answered(assignment)
    return response


def _pending_response(assignment: Assignment) -> Response:
    response = assignment.responses.filter(decision=ResponseDecision.PENDING).order_by("-responded_at", "-id").first()
    if assignment.state != AssignmentState.ANSWERED or response is None:
        raise FollowupError(_("No answer awaits the office's decision here."))
    return response


@transaction.atomic
def do_close_assignment(actor: User | None, assignment: Assignment, *, request: HttpRequest | None = None) -> None:
    """The office accepts the addressee's answer: its follow-up is closed, and the recommendation with
    it when it was the last one open."""
    recommendation = assignment.recommendation
    _require_office(actor, recommendation.plan)
    assignment = _locked(assignment)
    response = _pending_response(assignment)
    now = timezone.now()
    response.decision, response.decided_at, response.decided_by = ResponseDecision.ACCEPTED, now, actor
    response.save(update_fields=["decision", "decided_at", "decided_by"])
    assignment.state, assignment.closed_at, assignment.closed_by = AssignmentState.CLOSED, now, actor
    assignment.save(update_fields=["state", "closed_at", "closed_by"])
    closes = not recommendation.assignments.exclude(state=AssignmentState.CLOSED).exists()
    if closes:
        recommendation.state, recommendation.closed_at = RecommendationState.CLOSED, now
        recommendation.save(update_fields=["state", "closed_at"])
    record(
        "implementation.recommendation_closed" if closes else "implementation.assignment_closed",
        actor=actor,
        obj=assignment,
        area_code=recommendation.plan.area.code,
        request=request,
        recommendation=recommendation.pk,
        response=response.pk,
        on_time=assignment.closed_on_time,
    )
    notices.tell_decided(assignment, Kind.REC_CLOSED)


@transaction.atomic
def do_return(actor: User | None, assignment: Assignment, reason: str, *, request: HttpRequest | None = None) -> None:
    """The office sends the answer back with its reason; the answer stays in the history."""
    recommendation = assignment.recommendation
    _require_office(actor, recommendation.plan)
    if not reason.strip():
        raise ValidationError(_("Give the reason for sending it back."))
    assignment = _locked(assignment)
    response = _pending_response(assignment)
    response.decision, response.decided_at, response.decided_by = ResponseDecision.RETURNED, timezone.now(), actor
    response.decision_reason = reason.strip()
    response.save(update_fields=["decision", "decided_at", "decided_by", "decision_reason"])
    assignment.state = AssignmentState.RETURNED
    assignment.save(update_fields=["state"])
    record(
        "implementation.recommendation_returned",
        actor=actor,
        obj=assignment,
        area_code=recommendation.plan.area.code,
        request=request,
        recommendation=recommendation.pk,
        response=response.pk,
    )
    notices.tell_decided(assignment, Kind.REC_RETURNED)


@transaction.atomic
def do_escalate_overdue(today: datetime.date) -> int:
    """The daily job: every addressee past its due date and not closed is escalated once (escalated_at
    set; the office and the addressee told). Returns how many were escalated this time."""
    due = list(
        # of=self: PostgreSQL locks no row on the nullable side of the joins (department or street).
        Assignment.objects.select_for_update(of=("self",))
        .overdue(today)
        .filter(escalated_at__isnull=True)
        .select_related("recommendation__plan__area", "department", "area")
    )
    if not due:
        return 0
    now = timezone.now()
    Assignment.objects.filter(pk__in=[a.pk for a in due]).update(escalated_at=now)
    for assignment in due:
        assignment.escalated_at = now
        notices.tell_overdue(assignment)
    record("implementation.recommendations_escalated", assignments=[a.pk for a in due], count=len(due))
    return len(due)
