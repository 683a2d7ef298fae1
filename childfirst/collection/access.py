"""Who may see and change which submission and data value. Every collection view and the API get
their round, submission and values through these helpers (the rule itself: `models.sees_department`
and the QuerySets' `visible_to`); refusals raise PermissionDenied (403).

A round is always reached through its plan (the plan code in the URL or the API's `plan`
parameter): a year of another plan is a 404, a plan the user cannot see a 403."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role, User
from childfirst.plans.access import get_plan_for_user, user_can_see_plan
from childfirst.plans.models import Plan

from .models import OVERSIGHT_ROLES, DataValue, DataValueQuerySet, ReportingRound, Submission, sees_department

DEPARTMENT_ROLES = {Role.DEPT_REPORTER, Role.DEPT_REVIEWER}


def require_collection_role(user: User) -> None:
    if user.role not in OVERSIGHT_ROLES | DEPARTMENT_ROLES:
        raise PermissionDenied


def get_round_for_user(request: AuthenticatedHttpRequest, plan: str | Plan, year: int) -> ReportingRound:
    """That year's round of the plan: a page's plan code (which becomes the user's current plan), or
    the API's plan (`api.plan_for`; an API request has no current plan to remember)."""
    require_collection_role(request.user)
    if isinstance(plan, Plan):
        if not user_can_see_plan(request.user, plan):
            raise PermissionDenied
        the_plan = plan
    else:
        the_plan = get_plan_for_user(request, plan)
    reporting_round = ReportingRound.objects.filter(plan=the_plan, year=year).first()
    if reporting_round is None:
        raise Http404
    reporting_round.plan = the_plan  # already read, with its area
    return reporting_round


@dataclass(frozen=True)
class SubmissionAccess:
    submission: Submission
    can_edit: bool  # may enter values (the department's reporters, while editable)
    can_review: bool  # may approve/return (the department's reviewers)
    is_office: bool


def get_submission_for_user(
    request: AuthenticatedHttpRequest, plan: str | Plan, year: int, department_code: str
) -> SubmissionAccess:
    """The department's submission in that year's round of the plan, with what the user may do with it."""
    reporting_round = get_round_for_user(request, plan, year)
    submission = (
        Submission.objects.filter(round=reporting_round, department__code=department_code)
        .select_related("department", "submitted_by", "reviewed_by", "accepted_by")
        .first()
    )
    if submission is None:
        raise Http404
    submission.round = reporting_round
    user = request.user
    if not sees_department(user, submission.department_id):
        raise PermissionDenied
    own = user.department_id == submission.department_id
    return SubmissionAccess(
        submission=submission,
        can_edit=own and user.role == Role.DEPT_REPORTER and submission.is_editable,
        can_review=own and user.role == Role.DEPT_REVIEWER,
        is_office=user.role == Role.OFFICE,
    )


def get_data_values_for_user(
    request: AuthenticatedHttpRequest, plan: str | Plan, year: int, department_code: str | None = None
) -> DataValueQuerySet:
    """That year's values of the plan that the user may see, of one department when `department_code`
    is given; a department user asking for another department's is refused."""
    reporting_round = get_round_for_user(request, plan, year)
    user = request.user
    # getattr: a department user without a department (User.clean forbids it) is refused as well.
    if department_code and user.role in DEPARTMENT_ROLES and department_code != getattr(user.department, "code", None):
        raise PermissionDenied(_("You can only see and change your own department's data."))
    values = DataValue.objects.filter(round=reporting_round).visible_to(user)
    if department_code:
        values = values.filter(submission__department__code=department_code)
    return values
