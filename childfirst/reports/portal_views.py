"""The public open-data portal: published evaluations only, no login, nothing personal.

Every page is about one published snapshot of one plan (the newest version of the chosen year,
the newest year by default) and says which. Pages carry no CSRF token and no session, so they are
the same for every visitor of a language and may be cached; the language switch is a plain link
that sets the language cookie the rest of the site reads.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from childfirst.evaluation.key_projects import key_project_progress
from childfirst.evaluation.labels import STATUS_LABELS, STATUS_ORDER
from childfirst.evaluation.models import Snapshot
from childfirst.evaluation.published import earlier_plan_years, published_plans, published_snapshot, published_years
from childfirst.implementation.models import GoodPractice
from childfirst.plans.models import Comparator, Domain, Plan, Unit
from childfirst.plans.succession import lineage_of

from .opendata import BOM, IndicatorFigures, build_zip, publication

# Pages change only when the office publishes; a few minutes' staleness is harmless.
PAGE_MAX_AGE = 300
FILE_MAX_AGE = 3600


def public(max_age: int) -> Callable:
    """Cacheable by anyone when the visitor has no session (by the browser only otherwise), varying
    by the language cookie, with an ETag so that an unchanged page answers 304."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @require_safe
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            shared = settings.SESSION_COOKIE_NAME not in request.COOKIES
            patch_cache_control(response, **({"public": True} if shared else {"private": True}), max_age=max_age)
            patch_vary_headers(response, ["Cookie"])
            set_response_etag(response)
            # Never None when given a response: that response is returned when nothing else applies.
            return cast(HttpResponse, get_conditional_response(request, etag=response["ETag"], response=response))

        return wrapped

    return decorator


def _plan(code: str) -> Plan:
    return get_object_or_404(published_plans(), code=code)


def _snapshot(request: HttpRequest, plan: Plan) -> Snapshot:
    """The published evaluation asked for by ?year=, the newest one by default."""
    raw = request.GET.get("year", "")
    if raw and not raw.isdigit():
        raise Http404(_("Choose a year with a published evaluation."))
    snapshot = published_snapshot(plan, int(raw) if raw else None)
    if snapshot is None:
        raise Http404(_("Choose a year with a published evaluation."))
    return snapshot


def _context(request: HttpRequest, plan: Plan, snapshot: Snapshot, section: str, **extra: Any) -> dict[str, Any]:
    years = published_years(plan)
    return {
        "plan": plan,
        "snapshot": snapshot,
        "year": snapshot.year,
        "years": years,
        # The year goes into links only when it is not the default, so each page has one address.
        "year_query": "" if snapshot.year == years[0] else f"?year={snapshot.year}",
        "domains": list(plan.domains.all()),
        "section": section,
        **extra,
    }


def _series_chart(figures: IndicatorFigures) -> dict:
    indicator = figures.indicator
    numeric_target = indicator.target is not None and indicator.comparator in (">=", "<=", "<", ">")
    return {
        "years": [str(y) for y, _v in figures.district],
        "values": [v for _y, v in figures.district],
        "target": float(indicator.target) if numeric_target and indicator.target is not None else None,
        "labels": {"value": _("District"), "target": _("Target")},
    }


def _series_rows(snapshot: Snapshot, figures: IndicatorFigures) -> list[tuple[int, float, str]]:
    """The district's figures by year, each with the plan it belongs to (an earlier plan's, when the
    snapshot took it from that plan's series)."""
    borrowed = earlier_plan_years(snapshot, figures.indicator)
    return [(y, v, borrowed.get(y, snapshot.plan.display_name)) for y, v in figures.district]


@public(PAGE_MAX_AGE)
def index(request: HttpRequest) -> HttpResponse:
    """The plans with a published evaluation."""
    plans = [(plan, published_snapshot(plan)) for plan in published_plans()]
    return render(request, "portal/index.html", {"plans": plans})


@public(PAGE_MAX_AGE)
def plan_page(request: HttpRequest, plan: str) -> HttpResponse:
    """The plan at a glance: statuses by domain in the chosen published evaluation."""
    the_plan = _plan(plan)
    snapshot = _snapshot(request, the_plan)
    pub = publication(snapshot, values=False)
    context = _context(request, the_plan, snapshot, "plan")
    counts = pub.counts_by_domain(context["domains"])
    totals = pub.status_counts()
    context.update(
        {
            "statuses": [(s, STATUS_LABELS[s]) for s in STATUS_ORDER],
            "totals": [(s, STATUS_LABELS[s], totals[s]) for s in STATUS_ORDER],
            "indicator_total": len(pub.indicators),
            "counts": [(domain, row, sum(row)) for domain, row in counts],
            "chart": {
                "categories": [d.display_name for d, _row in counts],
                "series": [
                    {"name": str(STATUS_LABELS[s]), "status": s, "data": [row[i] for _d, row in counts]}
                    for i, s in enumerate(STATUS_ORDER)
                ],
            },
            "key_project_count": the_plan.key_projects.filter(retired_at__isnull=True).count(),
        }
    )
    return render(request, "portal/plan.html", context)


@public(PAGE_MAX_AGE)
def domain_page(request: HttpRequest, plan: str, domain: str) -> HttpResponse:
    """A domain's indicators, each with its district series as a chart and a table."""
    the_plan = _plan(plan)
    the_domain = get_object_or_404(Domain, plan=the_plan, code=domain)
    snapshot = _snapshot(request, the_plan)
    pub = publication(snapshot, codes=list(the_domain.indicators.values_list("code", flat=True)))
    figures = pub.for_domain(the_domain)
    totals = pub.status_counts()
    context = _context(request, the_plan, snapshot, "plan", domain=the_domain)
    context.update(
        {
            "rows": [(f, _series_chart(f)) for f in figures],
            "totals": [(s, STATUS_LABELS[s], totals[s]) for s in STATUS_ORDER if totals[s]],
        }
    )
    return render(request, "portal/domain.html", context)


@public(PAGE_MAX_AGE)
def indicator_page(request: HttpRequest, plan: str, code: str) -> HttpResponse:
    """One indicator: definition, target, the plan's sentence, its series and its streets."""
    the_plan = _plan(plan)
    snapshot = _snapshot(request, the_plan)
    figures = publication(snapshot, codes=[code]).by_code(code)
    if figures is None:
        raise Http404(_("This indicator is not in the published evaluation."))
    indicator = figures.indicator
    lineage = lineage_of(indicator)
    published = set(published_plans().values_list("pk", flat=True))
    series_chart = _series_chart(figures)
    series_chart["plan_targets"] = lineage.target_lines([int(y) for y in series_chart["years"]])
    street_years = sorted({y for series in figures.streets.values() for y, _v in series})
    street_table = [(area, [dict(series).get(y) for y in street_years]) for area, series in figures.streets.items()]
    latest = street_years[-1] if street_years else None
    context = _context(request, the_plan, snapshot, "plan", domain=indicator.domain)
    context.update(
        {
            "figures": figures,
            "indicator": indicator,
            "departments": indicator.departments(),
            "unit_label": Unit(indicator.unit).label,
            "comparator_label": Comparator(indicator.comparator).label,
            "series_chart": series_chart,
            "lineage": lineage,
            # The earlier plan's page when it is published too; else its name without a link.
            "lineage_links": [
                (i, reverse("portal:indicator", args=[i.plan.code, i.code]) if i.plan_id in published else "")
                for i in lineage.earlier
            ],
            "series_rows": _series_rows(snapshot, figures) if lineage.earlier else [],
            "street_years": street_years,
            "street_table": street_table,
            "street_latest_year": latest,
            # The good practices the office published beside this indicator (portal_practices.py).
            "practices": list(
                GoodPractice.objects.filter(plan=the_plan, indicators__code=indicator.code).published().only("title")
            ),
            "streets_chart": {
                "streets": [area.display_name for area, _row in street_table],
                "values": [row[-1] for _area, row in street_table],
                "district": dict(figures.district).get(latest) if latest else None,
                "labels": {"value": str(latest), "district": _("District")},
            },
        }
    )
    return render(request, "portal/indicator.html", context)


@public(PAGE_MAX_AGE)
def key_projects(request: HttpRequest, plan: str) -> HttpResponse:
    """The key projects with milestones and yearly progress, as the published evaluation shows them."""
    the_plan = _plan(plan)
    snapshot = _snapshot(request, the_plan)
    context = _context(request, the_plan, snapshot, "projects", projects=key_project_progress(the_plan, snapshot))
    return render(request, "portal/key_projects.html", context)


@public(PAGE_MAX_AGE)
def downloads(request: HttpRequest, plan: str) -> HttpResponse:
    """Every indicator's CSV and the one zip of everything, with the format explained."""
    the_plan = _plan(plan)
    snapshot = _snapshot(request, the_plan)
    context = _context(request, the_plan, snapshot, "data", figures=publication(snapshot, values=False).indicators)
    return render(request, "portal/downloads.html", context)


def _filename(plan: Plan, snapshot: Snapshot, stem: str, suffix: str) -> str:
    return f"{plan.code}_{stem}_{snapshot.year}v{snapshot.version}.{suffix}"


@public(FILE_MAX_AGE)
def indicator_csv(request: HttpRequest, plan: str, code: str) -> HttpResponse:
    """One indicator in Open SDG's data format (Year, 街镇, Value), UTF-8 with a byte-order mark (Excel)."""
    the_plan = _plan(plan)
    snapshot = _snapshot(request, the_plan)
    figures = publication(snapshot, codes=[code]).by_code(code)
    if figures is None:
        raise Http404(_("This indicator is not in the published evaluation."))
    response = HttpResponse((BOM + figures.csv_text()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(the_plan, snapshot, code, "csv")}"'
    return response


@public(FILE_MAX_AGE)
def download_all(request: HttpRequest, plan: str) -> HttpResponse:
    """All indicators' CSVs, their metadata (CSV and JSON) and a README, in one zip."""
    the_plan = _plan(plan)
    snapshot = _snapshot(request, the_plan)
    # A snapshot never changes, so its zip is built once per catalogue load and kept.
    key = f"portal-zip:{snapshot.pk}:{the_plan.loaded_at}".replace(" ", "_")
    content = cache.get_or_set(key, lambda: build_zip(publication(snapshot)), FILE_MAX_AGE)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{_filename(the_plan, snapshot, "opendata", "zip")}"'
    return response


@never_cache
@require_safe
def language(request: HttpRequest, code: str) -> HttpResponse:
    """Switch the language by a link (the rest of the site posts a form; the portal has no forms, so
    its pages stay free of tokens and cookies), then go back to the portal page."""
    if code not in {c for c, _name in settings.LANGUAGES}:
        raise Http404(_("Unknown language."))
    target = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and target.startswith("/open/")
    response = HttpResponseRedirect(target if safe else reverse("portal:index"))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
