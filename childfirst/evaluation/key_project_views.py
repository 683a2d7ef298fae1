"""The signed-in key projects pages (URL names `plans:key_projects`, `plans:key_project`): each project's
milestones, yearly progress and responsible units, as the published evaluation shows them with the
office's assessments as they stand now."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.plans.access import get_plan_for_user
from childfirst.plans.models import Indicator, KeyProject, Plan

from .key_projects import key_project_progress
from .published import published_snapshot, published_years


def _key_project_progress(request: HttpRequest, plan: Plan) -> dict:
    """The key projects' progress in the published evaluation of ?year= (the newest by default), with
    the office's assessments as they stand now; empty before anything is published."""
    years = published_years(plan)
    raw = request.GET.get("year", "")
    snapshot = published_snapshot(plan, int(raw) if raw.isdigit() and int(raw) in years else None)
    progress = key_project_progress(plan, snapshot, live_assessments=True) if snapshot else []
    return {"snapshot": snapshot, "years": years, "year": snapshot.year if snapshot else None, "progress": progress}


@role_required()
def key_project_list(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    """The key projects with their milestones, yearly progress and responsible units."""
    the_plan = get_plan_for_user(request, plan)
    context = _key_project_progress(request, the_plan)
    if not context["progress"]:
        context["projects"] = the_plan.key_projects.filter(retired_at__isnull=True).prefetch_related("departments")
    return render(request, "plans/key_project_list.html", {"plan": the_plan, **context})


@role_required()
def key_project_detail(request: AuthenticatedHttpRequest, plan: str, code: str) -> HttpResponse:
    the_plan = get_plan_for_user(request, plan)
    project = (
        KeyProject.objects.filter(plan=the_plan, code=code)
        .select_related("domain")
        .prefetch_related(
            "departments",
            Prefetch("milestones__indicator"),
            Prefetch("indicators", queryset=Indicator.objects.active().catalogue()),
        )
        .first()
    )
    if project is None:
        raise Http404
    context = _key_project_progress(request, the_plan)
    context["p"] = next((p for p in context.pop("progress") if p.code == project.code), None)
    return render(request, "plans/key_project_detail.html", {"plan": the_plan, "project": project, **context})
