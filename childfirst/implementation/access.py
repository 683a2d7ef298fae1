"""Who may see what of section 四 (issue 15): a department its own, the office all, leaders and
evaluators read; nobody else. One helper per object type; refusals raise PermissionDenied or 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import DEPARTMENT_ROLES, Role
from childfirst.plans.access import acts_on_plan, get_plan_for_user
from childfirst.plans.models import Department, Plan

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
