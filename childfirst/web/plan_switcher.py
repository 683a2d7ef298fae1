"""The plan switcher in the page header (a context processor) and the plans the shell works with.

A user who sees more than one plan (a plan and its successor, or a draft beside the plan in force)
gets a switcher: the current plan — the plan in the page's URL, which its view has just made the
user's current plan (`plans.access.get_plan_for_user`), else the one last opened — and a link to
each other plan. A link goes through `plan_views.switch_plan`, which makes that plan current and
opens the same section of it (`SECTIONS`). Plain links inside a <details> element: no JavaScript
needed, and the keyboard opens it like any disclosure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from childfirst.plans.access import current_plan, plans_for_user
from childfirst.plans.models import Plan, PlanStatus

if TYPE_CHECKING:
    from childfirst.accounts.models import User

# The URL namespace of the page the switcher is on → the section of the other plan it opens.
# Any other page opens the other plan's catalogue page.
SECTIONS = {
    "collection": "collection",
    "collection_excel": "collection",
    "evaluation": "evaluation",
    "reports": "reports",
}


# The header's plans are read for every page; a plan is loaded or changes status rarely, by a
# command, so they are kept per user this long (a new plan reaches the header within a minute; what
# a user may open is still checked by get_plan_for_user on every plan page).
SHELL_PLANS_SECONDS = 60


@dataclass(frozen=True)
class ShellPlans:
    plans: list[Plan]  # the plans the user sees, newest first
    current: Plan | None  # None only when the user sees no plan


def shell_plans(request: HttpRequest) -> ShellPlans:
    """The user's plans and current plan, read once per request (the navigation bar needs them too)."""
    cached = getattr(request, "_childfirst_shell_plans", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)  # None on a page rendered without the auth middleware
    signed_in = user is not None and user.is_authenticated and getattr(user, "role", "")
    plans = _user_plans(user) if signed_in else []  # type: ignore[arg-type]  # signed in: our User
    current: Plan | None = plans[0] if len(plans) == 1 else None
    if len(plans) > 1:
        try:
            current = current_plan(request, plans)
        except Http404:  # cannot happen with plans to see; kept so a header never fails a page
            current = None
    result = ShellPlans(plans, current)
    request._childfirst_shell_plans = result  # type: ignore[attr-defined]  # a per-request cache
    return result


def _user_plans(user: User) -> list[Plan]:
    """plans_for_user, kept SHELL_PLANS_SECONDS; the key holds what the answer depends on besides
    the plans (role and scope: internal ids, nothing personal), so a changed account asks again."""
    key = f"web:shell-plans:{user.pk}:{user.role}:{user.area_id}:{user.department_id}"
    plans: list[Plan] | None = cache.get(key)
    if plans is None:
        plans = plans_for_user(user)
        cache.set(key, plans, SHELL_PLANS_SECONDS)
    return plans


def plan_badges(plan: Plan) -> list[str]:
    """What the switcher says beside a plan that is not simply in force or ended."""
    badges = []
    if plan.status == PlanStatus.DRAFT:
        badges.append(_("draft plan"))
    if plan.is_synthetic:
        badges.append(_("Demonstration data"))
    return badges


def plan_switcher(request: HttpRequest) -> dict[str, Any]:
    """`plan_switcher` for the base template: None unless the user sees more than one plan."""
    shell = shell_plans(request)
    if len(shell.plans) < 2 or shell.current is None:
        return {"plan_switcher": None}
    match = getattr(request, "resolver_match", None)
    section = SECTIONS.get(match.namespace, "catalogue") if match is not None else "catalogue"
    query = urlencode({"to": section})
    others = [
        {"plan": plan, "badges": plan_badges(plan), "url": f"{reverse('plans:switch', args=[plan.code])}?{query}"}
        for plan in shell.plans
        if plan.pk != shell.current.pk
    ]
    return {
        "plan_switcher": {"current": shell.current, "badges": plan_badges(shell.current), "others": others},
    }
