"""The landing page and the health check."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role
from childfirst.notifications.models import Notification
from childfirst.plans.access import current_plan, plans_for_user

from .home_collection import office_home, reporter_home, reviewer_home
from .home_followup import followup_home
from .home_implementation import implementation_home
from .home_plans import office_plan_work, oversight_plan_work
from .home_registry import director_home, office_registry_home, supervisor_home

# Each role's section of the home page (templates/web/home/).
SECTIONS = {
    Role.DEPT_REPORTER: "web/home/reporter.html",
    Role.DEPT_REVIEWER: "web/home/reviewer.html",
    Role.OFFICE: "web/home/office.html",
    Role.LEADER: "web/home/leader.html",
    Role.EVALUATOR: "web/home/leader.html",
    Role.COMMUNITY_DIRECTOR: "web/home/director.html",
    Role.STREET_SUPERVISOR: "web/home/supervisor.html",
}
# The roles whose work is the plan's indicators: the domains stay on their home page, below their work.
PLAN_AT_A_GLANCE = {Role.OFFICE, Role.LEADER, Role.EVALUATOR}
INBOX_SHOWN = 5


@role_required()
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's own work, by role (a reporter's due and returned data, a director's visits due …),
    the newest unread notifications, and for the monitoring roles the plan at a glance."""
    user = request.user
    plans = plans_for_user(user)
    # The plan at a glance is the user's current plan (the one last opened); the others are linked.
    plan = current_plan(request) if plans else None
    context: dict[str, Any] = {
        "plan": plan,
        "other_plans": [p for p in plans if p != plan],
        "several_plans": len(plans) > 1,
        "section": SECTIONS.get(Role(user.role)),
    }
    if user.role == Role.DEPT_REPORTER:
        context |= reporter_home(user)
    elif user.role == Role.DEPT_REVIEWER:
        context |= reviewer_home(user)
    elif user.role == Role.OFFICE:
        context |= office_home(user, plans) | office_registry_home(user)
        context["plan_work"] = office_plan_work(plans)
    elif user.role in (Role.LEADER, Role.EVALUATOR):
        context["plan_work"] = oversight_plan_work(plans)
    elif user.role == Role.COMMUNITY_DIRECTOR:
        context |= director_home(request)
    elif user.role == Role.STREET_SUPERVISOR:
        context |= supervisor_home(request)
    context["implementation_reports"] = implementation_home(user, plans)
    context |= followup_home(user, plans)  # recommendations (督办) and good practices; {} for other roles
    if plan is not None and user.role in PLAN_AT_A_GLANCE:
        context["domains"] = plan.domains.annotate(
            indicator_count=Count("indicators", filter=Q(indicators__retired_at__isnull=True))
        )
    context["inbox"] = list(Notification.objects.for_user(user).unread()[:INBOX_SHOWN])
    return render(request, "web/home.html", context)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For a load balancer: the app answers and its database does. Public, says nothing else."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
