"""A plan's target revisions (read-only; loaded with `childfirst plan revise FILE`)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.plans.access import get_plan_for_user
from childfirst.plans.models import TargetRevision
from childfirst.plans.targets import plan_revision_steps


@role_required()
def revision_list(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    the_plan = get_plan_for_user(request, plan)
    steps = plan_revision_steps(TargetRevision.objects.of_plan(the_plan))
    return render(request, "plans/revisions.html", {"plan": the_plan, "steps": steps})
