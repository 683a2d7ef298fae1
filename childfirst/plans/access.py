"""Who may see which plan, and which plan a signed-in user is working on.

Every plan page names its plan in the URL and gets it through `get_plan_for_user`, which also makes
it the user's current plan (kept in the session). Links without a plan (old bookmarks, the navigation
bar, commands' defaults) go to `current_plan`: the plan last opened if the user may still see it,
else the newest plan in force, else the newest one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from .models import Plan, PlanStatus

if TYPE_CHECKING:
    # Only for the annotations: plans lie below accounts and read the user's scope through its methods.
    from childfirst.accounts.http import AuthenticatedHttpRequest
    from childfirst.accounts.models import User

SESSION_KEY = "childfirst_plan"


def user_can_see_plan(user: User, plan: Plan) -> bool:
    """A plan is visible to users whose scope overlaps the plan's area (above or below it)."""
    if not user.role:
        return False
    scope = user.scope_area()
    if scope is None:
        return True
    return scope.contains(plan.area) or plan.area.contains(scope)


def acts_on_plan(user: User, plan: Plan) -> bool:
    """Whether the user's scope is the plan's own area (or unlimited): an office acts on (opens rounds,
    accepts, publishes) only such plans. Seeing is wider: a city office reads its districts' plans and
    a district's users the city's plan, but neither runs the other's."""
    scope = user.scope_area()
    return scope is None or scope.pk == plan.area_id


def plans_for_user(user: User) -> list[Plan]:
    """The plans the user may see, newest first (the model's ordering)."""
    return [plan for plan in Plan.objects.select_related("area") if user_can_see_plan(user, plan)]


def visible_plan(user: User, plans: list[Plan] | None = None) -> Plan:
    """The newest plan in force the user can see (else the newest draft or ended one), a plan of the
    user's own area first (a city's office sees its districts' plans, a district's users the city's);
    404 when none. `plans`: the user's plans (plans_for_user) when the caller has them already."""
    plans = plans_for_user(user) if plans is None else plans
    if not plans:
        raise Http404
    plans = [p for p in plans if acts_on_plan(user, p)] or plans
    return next((p for p in plans if p.status == PlanStatus.IN_FORCE), plans[0])


def current_plan(request: HttpRequest, plans: list[Plan] | None = None) -> Plan:
    """The plan the user last opened, if they may still see it; else `visible_plan`. `plans`: the
    user's plans (plans_for_user) when the caller has them already — then none is read again."""
    user: User = request.user  # type: ignore[assignment]  # callers are behind a login
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if chosen:
        if plans is not None:
            found = next((plan for plan in plans if plan.code == chosen), None)
        else:
            found = Plan.objects.select_related("area").filter(code=chosen).first()
            found = found if found is not None and user_can_see_plan(user, found) else None
        if found is not None:
            return found
    return visible_plan(user, plans)


def remember_plan(request: HttpRequest, plan: Plan) -> None:
    if hasattr(request, "session") and request.session.get(SESSION_KEY) != plan.code:
        request.session[SESSION_KEY] = plan.code


def get_plan_for_user(request: AuthenticatedHttpRequest, code: str) -> Plan:
    plan = get_object_or_404(Plan.objects.select_related("area"), code=code)
    if not user_can_see_plan(request.user, plan):
        raise PermissionDenied
    remember_plan(request, plan)
    return plan
