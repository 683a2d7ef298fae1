"""The landing page and the health check."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.plans.access import user_can_see_plan
from childfirst.plans.models import Domain, Plan


@role_required()
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What the user's role can do, and the plan at a glance (counts per domain)."""
    plans = [p for p in Plan.objects.select_related("area") if user_can_see_plan(request.user, p)]
    plan = plans[0] if plans else None
    domains: Iterable[Domain] = []
    if plan is not None:
        domains = plan.domains.annotate(
            indicator_count=Count("indicators", filter=Q(indicators__retired_at__isnull=True))
        )
    return render(request, "web/home.html", {"plan": plan, "domains": domains, "other_plans": plans[1:]})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For a load balancer: the app answers and its database does. Public, says nothing else."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
