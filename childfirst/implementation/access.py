"""Who may see and act on which object of section 四: one helper per object type, used by every view.
Refusals raise PermissionDenied (403); an object of another plan is a 404.

The rule (issue 15): a department sees its own implementation reports, the office (of the plan's own
area) all of them; leaders and evaluators read accepted reports; nobody else sees any."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import DEPARTMENT_ROLES, Role, User
from childfirst.collection.models import SubmissionState
from childfirst.plans.access import acts_on_plan, get_plan_for_user
from childfirst.plans.models import Department, Plan

from .models import ImplementationReport

# The roles that may open an implementation page at all; what each sees is narrowed below.
REPORT_ROLES = (Role.OFFICE, Role.DEPT_REPORTER, Role.DEPT_REVIEWER, Role.LEADER, Role.EVALUATOR)
READERS_OF_ACCEPTED = {Role.LEADER, Role.EVALUATOR}


def sees_report(user: User, report: ImplementationReport, plan: Plan) -> bool:
    """The one rule of who reads a department's implementation report."""
    if user.role == Role.OFFICE:
        return acts_on_plan(user, plan)
    if user.role in DEPARTMENT_ROLES:
        return user.department_id == report.department_id
    if user.role in READERS_OF_ACCEPTED:
        return report.state == SubmissionState.ACCEPTED
    return False


def is_office_of(user: User, plan: Plan) -> bool:
    return user.role == Role.OFFICE and acts_on_plan(user, plan)


@dataclass(frozen=True)
class ReportAccess:
    report: ImplementationReport
    can_edit: bool  # the department's reporters, while the report is editable and its round open
    can_review: bool  # the department's reviewers
    is_office: bool


def get_plan_for_reports(request: AuthenticatedHttpRequest, plan: str) -> Plan:
    """The plan of an implementation page, for a role that may see some implementation report."""
    if request.user.role not in REPORT_ROLES:
        raise PermissionDenied
    return get_plan_for_user(request, plan)


def get_report_for_user(request: AuthenticatedHttpRequest, plan: str | Plan, report_pk: int) -> ReportAccess:
    """The implementation report `report_pk` of the plan, with what the user may do with it."""
    the_plan = plan if isinstance(plan, Plan) else get_plan_for_reports(request, plan)
    if request.user.role not in REPORT_ROLES:
        raise PermissionDenied
    report = (
        ImplementationReport.objects.filter(pk=report_pk, round__plan=the_plan)
        .select_related("round", "department", "submitted_by", "reviewed_by", "accepted_by", "updated_by")
        .first()
    )
    if report is None:
        raise Http404
    report.round.plan = the_plan  # already read, with its area
    user = request.user
    if not sees_report(user, report, the_plan):
        raise PermissionDenied
    own = user.department_id == report.department_id and user.role in DEPARTMENT_ROLES
    return ReportAccess(
        report=report,
        can_edit=own and user.role == Role.DEPT_REPORTER and report_is_editable(report),
        can_review=own and user.role == Role.DEPT_REVIEWER,
        is_office=is_office_of(user, the_plan),
    )


def report_is_editable(report: ImplementationReport) -> bool:
    """A report is written while it is a draft or returned, and only while its round is open."""
    return report.state in (SubmissionState.DRAFT, SubmissionState.RETURNED) and report.round.is_open


SCORECARD_READERS = {Role.OFFICE, Role.LEADER, Role.EVALUATOR, *DEPARTMENT_ROLES}


def get_scorecard_for_user(request: AuthenticatedHttpRequest, plan: str) -> tuple[Plan, Department | None]:
    """The plan whose scorecard the user may read and whose rows: None for all (office, leader,
    evaluator), else the user's own department. Others, and a department of another area, are refused."""
    the_plan = get_plan_for_user(request, plan)
    user = request.user
    if user.role not in SCORECARD_READERS:
        raise PermissionDenied
    if user.role in DEPARTMENT_ROLES:
        if user.department is None or user.department.area_id != the_plan.area_id:
            raise PermissionDenied
        return the_plan, user.department
    return the_plan, None


def get_weights_plan_for_user(request: AuthenticatedHttpRequest, plan: str) -> Plan:
    """The plan whose scorecard weights the user may change: the office of the plan's own area."""
    the_plan = get_plan_for_user(request, plan)
    if request.user.role != Role.OFFICE or not acts_on_plan(request.user, the_plan):
        raise PermissionDenied
    return the_plan
