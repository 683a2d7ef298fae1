"""Who may see which plan. Every plan view gets its plan through `get_plan_for_user`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Plan

if TYPE_CHECKING:
    # Only for the annotations: plans lie below accounts and read the user's scope through its methods.
    from childfirst.accounts.http import AuthenticatedHttpRequest
    from childfirst.accounts.models import User


def user_can_see_plan(user: User, plan: Plan) -> bool:
    """A plan is visible to users whose scope overlaps the plan's area (above or below it)."""
    if not user.role:
        return False
    scope = user.scope_area()
    if scope is None:
        return True
    return scope.contains(plan.area) or plan.area.contains(scope)


def visible_plan(user: User) -> Plan:
    """The newest plan the user can see; 404 when there is none."""
    for plan in Plan.objects.select_related("area"):
        if user_can_see_plan(user, plan):
            return plan
    raise Http404


def get_plan_for_user(request: AuthenticatedHttpRequest, code: str) -> Plan:
    plan = get_object_or_404(Plan.objects.select_related("area"), code=code)
    if not user_can_see_plan(request.user, plan):
        raise PermissionDenied
    return plan
