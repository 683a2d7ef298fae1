"""The catalogue browser: plan → domains → goals, measures and indicators (URL namespace `plans`).

These pages live above accounts (they need the signed-in user's role and scope), not in the plans
app, which lies below accounts. The key projects' pages show evaluation results: `evaluation.key_project_views`."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.evaluation.series import district_series
from childfirst.plans.access import current_plan, get_plan_for_user, user_can_see_plan
from childfirst.plans.models import Comparator, Department, Domain, Indicator, Plan, TargetRevision, Unit
from childfirst.plans.succession import lineage_of
from childfirst.plans.targets import revision_steps


@role_required()
def plan_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    plans = [p for p in Plan.objects.select_related("area") if user_can_see_plan(request.user, p)]
    if len(plans) == 1:
        return redirect("plans:plan", plan=plans[0].code)
    return render(request, "plans/plan_list.html", {"plans": plans})


@role_required()
def old_link(request: AuthenticatedHttpRequest, section: str, rest: str = "") -> HttpResponse:
    """A link from before pages named their plan (/evaluation/…, /collection/…, /reports/…): on to
    the same page of the user's current plan, query string kept."""
    if request.method not in ("GET", "HEAD"):
        raise Http404
    try:
        plan = current_plan(request)
    except Http404:
        return render(request, "plans/plan_list.html", {"plans": []})
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"/plans/{plan.code}/{section}/{rest}" + (f"?{query}" if query else ""))


# Where the plan switcher's `to` goes in the chosen plan (see plan_switcher.SECTIONS).
SWITCH_TARGETS = {
    "collection": "collection:rounds",
    "evaluation": "evaluation:overview",
    "reports": "reports:index",
    "catalogue": "plans:plan",
}


@role_required()
@require_GET
def switch_plan(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    """Make `plan` the user's current plan and open the same section of it (?to=, see SWITCH_TARGETS;
    anything else opens its catalogue page)."""
    the_plan = get_plan_for_user(request, plan)  # 404 unknown, 403 not visible; remembers it
    target = SWITCH_TARGETS.get(request.GET.get("to", ""), "plans:plan")
    try:
        url = reverse(target, kwargs={"plan": the_plan.code})
    except NoReverseMatch:  # a section whose pages do not name their plan: its own page, now of this plan
        url = reverse(target)
    return redirect(url)


@role_required()
def indicators_default(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The indicator list of the user's current plan (an old link: the navigation names the plan)."""
    try:
        return redirect("plans:indicators", plan=current_plan(request).code)
    except Http404:
        return render(request, "plans/plan_list.html", {"plans": []})


@role_required()
def plan_detail(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    the_plan = get_plan_for_user(request, plan)
    active = Q(indicators__retired_at__isnull=True)
    domains = the_plan.domains.annotate(
        indicator_count=Count("indicators", filter=active, distinct=True),
        goal_count=Count("goals", distinct=True),
        measure_count=Count("measures", distinct=True),
    )
    key_projects = (
        the_plan.key_projects.filter(retired_at__isnull=True)
        .select_related("domain")
        .prefetch_related("departments")
        .annotate(indicator_count=Count("indicators", filter=Q(indicators__retired_at__isnull=True)))
    )
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": the_plan,
            "domains": domains,
            "key_projects": key_projects,
            "indicator_total": the_plan.indicators.active().count(),
            "revision_count": TargetRevision.objects.of_plan(the_plan).count(),
        },
    )


@role_required()
def domain_detail(request: AuthenticatedHttpRequest, plan: str, domain: str) -> HttpResponse:
    the_plan = get_plan_for_user(request, plan)
    the_domain = get_object_or_404(Domain.objects.prefetch_related("goals", "measures"), plan=the_plan, code=domain)
    indicators = the_domain.indicators.active().catalogue()
    return render(
        request,
        "plans/domain_detail.html",
        {
            "plan": the_plan,
            "domain": the_domain,
            "domains": the_plan.domains.all(),
            "indicators": indicators,
            "key_projects": the_domain.key_projects.filter(retired_at__isnull=True),
        },
    )


@role_required()
def indicator_list(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    """All indicators with filters; htmx requests get only the table back."""
    the_plan = get_plan_for_user(request, plan)
    indicators = the_plan.indicators.catalogue()
    filters = {
        "q": request.GET.get("q", "").strip(),
        "domain": request.GET.get("domain", ""),
        "department": request.GET.get("department", ""),
        "kind": request.GET.get("kind", ""),
        "status": request.GET.get("status", "active"),
    }
    retired = filters["status"] == "retired"
    indicators = indicators.filter(retired_at__isnull=not retired)
    if filters["q"]:
        q = filters["q"]
        indicators = indicators.filter(
            Q(name__icontains=q) | Q(name_en__icontains=q) | Q(code__icontains=q) | Q(source_text__icontains=q)
        )
    if filters["domain"]:
        indicators = indicators.filter(domain__code=filters["domain"])
    if filters["department"]:
        indicators = indicators.filter(responsibilities__department__code=filters["department"]).distinct()
    kinds = {
        "numeric": [Comparator.GE, Comparator.LE, Comparator.LT, Comparator.GT, Comparator.ANNUAL_DECREASE],
        "directional": [Comparator.UP, Comparator.DOWN, Comparator.YOY_INCREASE],
    }
    if filters["kind"] in kinds:
        indicators = indicators.filter(comparator__in=kinds[filters["kind"]])
    elif filters["kind"] == "key_project":
        indicators = indicators.filter(key_project__isnull=False)
    context = {
        "plan": the_plan,
        "indicators": indicators,
        "filters": filters,
        "domains": the_plan.domains.all(),
        "departments": Department.objects.filter(responsibilities__indicator__plan=the_plan).distinct(),
    }
    template = "plans/_indicator_table.html" if request.headers.get("HX-Request") else "plans/indicator_list.html"
    return render(request, template, context)


@role_required()
def indicator_detail(request: AuthenticatedHttpRequest, plan: str, code: str) -> HttpResponse:
    the_plan = get_plan_for_user(request, plan)
    indicator = get_object_or_404(
        Indicator.objects.catalogue().prefetch_related("measures", "milestones__key_project", "revisions"),
        plan=the_plan,
        code=code,
    )
    lineage = lineage_of(indicator)
    return render(
        request,
        "plans/indicator_detail.html",
        {
            "plan": the_plan,
            "indicator": indicator,
            "lineage": lineage,
            "lineage_links": [(i, reverse("plans:indicator", args=[i.plan.code, i.code])) for i in lineage.earlier],
            "series": district_series(indicator, lineage),
            "is_rate": indicator.is_rate,
            "unit_label": Unit(indicator.unit).label,
            "comparator_label": Comparator(indicator.comparator).label,
            "revisions": revision_steps(indicator),
        },
    )
