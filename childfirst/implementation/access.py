"""Who may see and act on which object of section 四: one helper per object type, used by every view.
Refusals raise PermissionDenied (403); an object of another plan is a 404.

The rule (issue 15): a department sees its own implementation reports and recommendations, a street
supervisor its street's recommendations and good practices, the office (of the plan's own area) all of
them; leaders and evaluators read accepted reports; nobody else sees any. Of a recommendation, an
addressee sees only its own follow-up (another department's answer is not its business)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import DEPARTMENT_ROLES, Role, User
from childfirst.collection.models import SubmissionState
from childfirst.plans.access import acts_on_plan, get_plan_for_user, user_can_see_plan
from childfirst.plans.models import Department, Plan

from .models import (
    Assignment,
    AssignmentState,
    GoodPractice,
    GoodPracticeQuerySet,
    ImplementationReport,
    PracticeState,
    Recommendation,
    RecommendationQuerySet,
)

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


# The roles that take part in recommendations and good practices (leaders, evaluators and community
# directors do not: 403 on every page of them).
FOLLOWUP_ROLES = frozenset({Role.OFFICE, Role.DEPT_REPORTER, Role.DEPT_REVIEWER, Role.STREET_SUPERVISOR})


def require_followup_role(user: User) -> None:
    if user.role not in FOLLOWUP_ROLES:
        raise PermissionDenied


def is_acting_office(user: User, plan: Plan) -> bool:
    """The office of the plan's own area: it issues, closes, returns, publishes (a city office reads)."""
    return user.role == Role.OFFICE and acts_on_plan(user, plan)


def get_followup_plan_for_user(request: AuthenticatedHttpRequest, plan: str | Plan) -> Plan:
    """The plan of a recommendations or practices page: the role first (403), then the plan (404/403).
    A Plan already read (the document download's) is checked, not read again."""
    require_followup_role(request.user)
    if isinstance(plan, Plan):
        if not user_can_see_plan(request.user, plan):
            raise PermissionDenied
        return plan
    return get_plan_for_user(request, plan)


def _addressee_of_plan(user: User, plan: Plan) -> bool:
    """A department of the plan's area, or a street inside it."""
    if user.role in DEPARTMENT_ROLES:
        return user.department is not None and user.department.area_id == plan.area_id
    if user.role == Role.STREET_SUPERVISOR:
        return user.area is not None and plan.area.contains(user.area)
    return False


def may_submit_practice(user: User, plan: Plan) -> bool:
    """Department reporters and reviewers, and street supervisors, of the plan's own area."""
    return _addressee_of_plan(user, plan)


def recommendations_visible_to(user: User, plan: Plan) -> RecommendationQuerySet:
    """The plan's recommendations the user may see: all for the office, else those addressed to the
    user's department or street."""
    recommendations = Recommendation.objects.of_plan(plan)
    if user.role == Role.OFFICE:
        return recommendations
    if user.role in DEPARTMENT_ROLES and user.department_id is not None:
        return recommendations.addressed_to_department(user.department_id)
    if user.role == Role.STREET_SUPERVISOR and user.area_id is not None:
        return recommendations.addressed_to_street(user.area_id)
    return recommendations.none()


def practices_visible_to(user: User, plan: Plan) -> GoodPracticeQuerySet:
    """The plan's good practices the user may see: all for the office, else its department's or street's."""
    practices = GoodPractice.objects.filter(plan=plan)
    return practices if user.role == Role.OFFICE else practices.of_user(user)


@dataclass(frozen=True)
class RecommendationAccess:
    recommendation: Recommendation
    assignments: list[Assignment]  # the addressees the user may see: all for the office, else its own
    is_office: bool  # may close and send back


def get_recommendation_for_user(request: AuthenticatedHttpRequest, plan: str | Plan, pk: int) -> RecommendationAccess:
    the_plan = get_followup_plan_for_user(request, plan)
    user = request.user
    recommendation = (
        Recommendation.objects.filter(plan=the_plan, pk=pk).select_related("indicator", "area", "issued_by").first()
    )
    if recommendation is None:
        raise Http404
    recommendation.plan = the_plan
    assignments = recommendation.assignments.select_related("department", "area", "closed_by")
    if user.role != Role.OFFICE:
        assignments = assignments.of_user(user)
    shown = list(assignments)
    if user.role != Role.OFFICE and not shown:
        raise PermissionDenied
    for assignment in shown:
        assignment.recommendation = recommendation
    return RecommendationAccess(recommendation, shown, is_acting_office(user, the_plan))


@dataclass(frozen=True)
class AssignmentAccess:
    assignment: Assignment
    can_respond: bool  # the addressee, while it awaits an answer (open or sent back)
    can_decide: bool  # the office, while an answer awaits it


def get_assignment_for_user(request: AuthenticatedHttpRequest, plan: str | Plan, pk: int) -> AssignmentAccess:
    """One addressee's follow-up: the office of the plan, or the addressee (its department's reporters
    and reviewers, its street's supervisor)."""
    the_plan = get_followup_plan_for_user(request, plan)
    user = request.user
    assignment = (
        Assignment.objects.filter(recommendation__plan=the_plan, pk=pk)
        .select_related("recommendation__indicator", "recommendation__area", "department", "area")
        .first()
    )
    if assignment is None:
        raise Http404
    assignment.recommendation.plan = the_plan
    own = Assignment.objects.filter(pk=assignment.pk).of_user(user).exists() if user.role != Role.OFFICE else False
    if user.role != Role.OFFICE and not own:
        raise PermissionDenied
    office = is_acting_office(user, the_plan)
    return AssignmentAccess(
        assignment=assignment,
        can_respond=own and assignment.can_be_answered,
        can_decide=office and assignment.state == AssignmentState.ANSWERED,
    )


@dataclass(frozen=True)
class PracticeAccess:
    practice: GoodPractice
    can_decide: bool  # the office: publish or decline a submitted one, withdraw a published one


def get_practice_for_user(request: AuthenticatedHttpRequest, plan: str | Plan, pk: int) -> PracticeAccess:
    """A good practice: the office of the plan, or the department or street that submitted it."""
    the_plan = get_followup_plan_for_user(request, plan)
    user = request.user
    practice = (
        practices_visible_to(user, the_plan)
        .filter(pk=pk)
        .select_related("department", "area", "submitted_by", "decided_by")
        .first()
    )
    if practice is None:
        if GoodPractice.objects.filter(plan=the_plan, pk=pk).exists():
            raise PermissionDenied
        raise Http404
    practice.plan = the_plan
    office = is_acting_office(user, the_plan)
    return PracticeAccess(practice, can_decide=office and practice.state != PracticeState.DECLINED)
