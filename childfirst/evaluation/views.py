"""Dashboards: plan overview, domain, indicator, street and department pages, each with its
chart data downloadable as CSV or XLSX."""

from __future__ import annotations

import datetime
import io
from collections import Counter
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role
from childfirst.areas.access import get_area_for_user
from childfirst.collection.models import RoundState, SubmissionState
from childfirst.plans.access import get_plan_for_user
from childfirst.plans.models import Department, Domain, Goal, Indicator, KeyProject, Measure, Plan
from childfirst.plans.succession import lineage_of
from childfirst.plans.targets import apply_targets, carried_target, revision_steps, target_line
from childfirst.spreadsheet import append_row, csv_writer

from .actions import ASSESSABLE, do_assess
from .city import describe as describe_city
from .dashboard import Board, board
from .diff import diff_snapshots
from .labels import STATUS_LABELS, STATUS_ORDER, account_label, channel_label
from .models import Assessment, Snapshot
from .publish_views import publish


def _year(request: HttpRequest, plan) -> int:
    """?year=, else the latest year whose round is closed, else the latest with accepted data."""
    raw = request.GET.get("year", "")
    if raw.isdigit() and plan.start_year - 10 <= int(raw) <= plan.end_year + 5:
        return int(raw)
    rounds = plan.rounds.filter(year__gte=plan.start_year)
    latest = rounds.filter(state=RoundState.CLOSED).aggregate(y=Max("year"))["y"]
    latest = latest or rounds.filter(submissions__state=SubmissionState.ACCEPTED).aggregate(y=Max("year"))["y"]
    # A plan in its first year (nothing closed or accepted yet) is looked at as of its open round.
    latest = latest or rounds.aggregate(y=Max("year"))["y"]
    return min(latest or plan.end_year, plan.end_year)


def _download(request: HttpRequest, name: str, header: list[str], rows: list[list]) -> HttpResponse | None:
    """The table as CSV or XLSX when ?format= asks for it; no text becomes a formula (spreadsheet.py)."""
    wanted = request.GET.get("format")
    if wanted == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        response.write("\ufeff")
        writer = csv_writer(response)
        writer.writerow(header)
        writer.writerows(rows)
        return response
    if wanted == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = name[:31]
        append_row(sheet, header)
        for row in rows:
            append_row(sheet, row)
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    return None


def _result_table(rows) -> tuple[list[str], list[list]]:
    header = [
        _("Code"),
        _("Indicator"),
        _("Area"),
        _("Target"),
        _("Latest value"),
        _("Year"),
        _("Projected"),
        _("Pace ratio"),
        _("Status"),
        _("Warnings"),
    ]
    body = [
        [
            r.indicator.code,
            r.indicator.name,
            r.area.name,
            r.indicator.target_display,
            r.result.latest_value,
            r.result.latest_year,
            r.result.projected,
            r.result.pace_ratio,
            str(STATUS_LABELS[r.result.status]),
            "；".join(w.message for w in r.result.warnings),
        ]
        for r in rows
    ]
    return header, body


def _context(request: AuthenticatedHttpRequest, code: str) -> tuple[Plan, int, Board]:
    """The plan named in the URL (404 unknown, 403 not the user's), the year asked for, its board."""
    plan = get_plan_for_user(request, code)
    year = _year(request, plan)
    return plan, year, board(plan, year)


def _status_chart(counts: list[tuple[Domain, Counter]]) -> dict:
    """Stacked bars of statuses per group, in the order worst first."""
    return {
        "categories": [str(group.display_name) for group, _c in counts],
        "series": [
            {"name": str(STATUS_LABELS[s]), "status": s, "data": [c[s] for _g, c in counts]} for s in STATUS_ORDER
        ],
    }


@role_required()
def overview(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    the_plan, year, the_board = _context(request, plan)
    district = the_board.district
    department = request.GET.get("department", "")
    if department:
        district = [
            r for r in district if any(x.department.code == department for x in r.indicator.responsibilities.all())
        ]
    header, body = _result_table(the_board.warnings_first(district))
    download = _download(request, f"warnings-{year}", header, body)
    if download:
        return download
    counts = the_board.counts_by_domain(district)
    totals = Counter(r.result.status for r in district)
    return render(
        request,
        "evaluation/overview.html",
        {
            "plan": the_plan,
            "year": year,
            "years": range(the_plan.start_year, the_plan.end_year + 1),
            "warnings": the_board.warnings_first(district),
            "counts": [(domain, [counter[s] for s in STATUS_ORDER]) for domain, counter in counts],
            "totals": [(s, STATUS_LABELS[s], totals[s]) for s in STATUS_ORDER],
            "chart": _status_chart(counts),
            "departments": Department.objects.filter(area=the_plan.area, responsibilities__order=0).distinct(),
            "department": department,
        },
    )


@role_required()
def domain_page(request: AuthenticatedHttpRequest, plan: str, code: str) -> HttpResponse:
    the_plan, year, the_board = _context(request, plan)
    domain = get_object_or_404(Domain, plan=the_plan, code=code)
    rows = sorted(
        (r for r in the_board.district if r.indicator.domain_id == domain.pk), key=lambda r: r.indicator.order
    )
    header, body = _result_table(rows)
    download = _download(request, f"{domain.code}-{year}", header, body)
    if download:
        return download
    return render(
        request,
        "evaluation/domain.html",
        {
            "plan": the_plan,
            "year": year,
            "domain": domain,
            "rows": rows,
            "domains": the_plan.domains.all(),
            "chart": _status_chart(the_board.counts_by_domain(rows)),
        },
    )


@role_required()
def indicator_page(request: AuthenticatedHttpRequest, plan: str, code: str) -> HttpResponse:
    the_plan, year, the_board = _context(request, plan)
    indicator = get_object_or_404(Indicator.objects.catalogue().prefetch_related("revisions"), plan=the_plan, code=code)
    rows = the_board.for_indicator(code)
    if not rows:
        raise Http404
    district = next(r for r in rows if r.area.pk == the_plan.area_id)
    apply_targets([indicator], {indicator.pk: carried_target(district.indicator)})  # the year's target
    streets = [r for r in rows if r.area.pk != the_plan.area_id]
    points = the_board.data.points
    years = list(
        range(min([the_plan.start_year, *(y for y in points.get((indicator.pk, the_plan.area.code), {}))]), year + 1)
    )
    district_points = points.get((indicator.pk, the_plan.area.code), {})
    provenance = [
        (r.area, y, points.get((indicator.pk, r.area.code), {}).get(y)) for r in [district, *streets] for y in years
    ]
    header = [_("Area"), _("Year"), _("Value"), _("Numerator"), _("Denominator"), _("Derived"), _("Source")]
    body = [
        [area.name, y, p.value, p.numerator, p.denominator, _("yes") if p.derived else _("no"), _provenance_text(p)]
        for area, y, p in provenance
        if p is not None
    ]
    download = _download(request, f"{indicator.code}-{year}", header, body)
    if download:
        return download
    lineage = lineage_of(indicator)
    chart_years = list(range(years[0], indicator.target_year + 1))
    chart = {
        "years": [str(y) for y in range(years[0], indicator.target_year + 1)],
        "values": [
            district_points[y].value if y in district_points and y <= year else None
            for y in range(years[0], indicator.target_year + 1)
        ],
        "target": float(indicator.target)
        if indicator.target is not None and indicator.comparator in (">=", "<=", "<", ">")
        else None,
        "targets": target_line(indicator, range(years[0], indicator.target_year + 1)),
        "projection": _projection_line(district, years[0], indicator.target_year),
        "streets": [r.area.display_name for r in streets],
        "street_values": [r.result.latest_value for r in streets],
        "district_value": district.result.latest_value,
        "plan_targets": lineage.target_lines(chart_years),  # one line per plan when the series spans plans
        "labels": {
            "value": _("District"),
            "projection": _("Projection"),
            "target": _("Target"),
            "district": _("District"),
        },
    }
    return render(
        request,
        "evaluation/indicator.html",
        {
            "plan": the_plan,
            "year": year,
            "indicator": indicator,
            "district": district,
            "streets": streets,
            "provenance": [row for row in provenance if row[2] is not None],
            "chart": chart,
            "status_label": STATUS_LABELS[district.result.status],
            "lineage": lineage,
            "lineage_links": [
                (i, reverse("evaluation:indicator", args=[i.plan.code, i.code])) for i in lineage.earlier
            ],
            "revisions": revision_steps(indicator),
        },
    )


def _provenance_text(point) -> str:
    source = point.source
    if point.derived and "derived_from_districts" in source:
        return describe_city(source)
    # A point an earlier plan's series lends (evaluation/data.py) says which plan it is from.
    of_plan = f"《{source['plan_name']}》 " if source.get("plan_name") else ""
    if point.derived:
        return of_plan + _("derived from %(n)s streets") % {"n": source.get("derived_from_streets")}
    return of_plan + _("%(department)s; entered by %(who)s via %(channel)s; accepted by %(accepted)s at %(when)s") % {
        "department": source.get("department"),
        "who": account_label(source.get("entered_by")),
        "channel": channel_label(source.get("channel")),
        "accepted": account_label(source.get("accepted_by")),
        "when": source.get("accepted_at"),
    }


def _projection_line(row, first_year: int, target_year: int) -> list[float | None]:
    """From the latest value straight to the projection at the target year (null elsewhere)."""
    result = row.result
    if result.latest_year is None or result.projected is None or result.latest_year >= target_year:
        return [None] * (target_year - first_year + 1)
    span = target_year - result.latest_year
    line: list[float | None] = []
    for y in range(first_year, target_year + 1):
        if y < result.latest_year:
            line.append(None)
        else:
            share = (y - result.latest_year) / span
            line.append(result.latest_value + share * (result.projected - result.latest_value))
    return line


@role_required()
def street_list(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    """The street scorecards' entry (the menu, and the annual report's pointer to them): the streets
    the user may see, each with its indicators by status; a user of one street goes straight to it."""
    the_plan, year, the_board = _context(request, plan)
    streets = [s for s in the_board.data.streets if request.user.can_see_area(s)]
    if len(streets) == 1:
        return redirect(f"{reverse('evaluation:street', args=[the_plan.code, streets[0].code])}?year={year}")
    rows = [(street, Counter(r.result.status for r in the_board.for_area(street.code))) for street in streets]
    return render(
        request,
        "evaluation/street_list.html",
        {
            "plan": the_plan,
            "year": year,
            "rows": [(street, [(s, counts.get(s, 0)) for s in STATUS_ORDER]) for street, counts in rows],
            "statuses": STATUS_ORDER,
        },
    )


@role_required()
def street_page(request: AuthenticatedHttpRequest, plan: str, code: str) -> HttpResponse:
    area = get_area_for_user(request, code)
    the_plan, year, the_board = _context(request, plan)
    if area.level != "street":
        raise Http404
    district = {r.indicator.code: r for r in the_board.district}
    rows = [(r, district.get(r.indicator.code)) for r in the_board.for_area(area.code)]
    header = [_("Code"), _("Indicator"), _("Street value"), _("District value"), _("Status"), _("Warnings")]
    body = [
        [
            r.indicator.code,
            r.indicator.name,
            r.result.latest_value,
            d.result.latest_value if d else None,
            str(STATUS_LABELS[r.result.status]),
            "；".join(w.message for w in r.result.warnings),
        ]
        for r, d in rows
    ]
    download = _download(request, f"{area.code}-{year}", header, body)
    if download:
        return download
    return render(
        request,
        "evaluation/street.html",
        {
            "plan": the_plan,
            "year": year,
            "area": area,
            "rows": rows,
            "streets": the_board.data.streets,
            "chart": {
                "indicators": [r.indicator.code for r, _d in rows],
                "street": [r.result.latest_value for r, _d in rows],
                "district": [d.result.latest_value if d else None for _r, d in rows],
                "labels": {"street": area.display_name, "district": _("District")},
            },
        },
    )


@role_required()
def department_page(request: AuthenticatedHttpRequest, plan: str, code: str) -> HttpResponse:
    the_plan, year, the_board = _context(request, plan)
    department = get_object_or_404(Department, area=the_plan.area, code=code)
    led = set(the_plan.indicators.led_by(department).values_list("code", flat=True))
    rows = [r for r in the_board.district if r.indicator.code in led]
    header, body = _result_table(rows)
    download = _download(request, f"{department.code}-{year}", header, body)
    if download:
        return download
    totals = Counter(r.result.status for r in rows)
    return render(
        request,
        "evaluation/department.html",
        {
            "plan": the_plan,
            "year": year,
            "department": department,
            "rows": rows,
            "totals": [(s, STATUS_LABELS[s], totals[s]) for s in STATUS_ORDER],
            "departments": Department.objects.filter(area=the_plan.area, responsibilities__order=0).distinct(),
        },
    )


@role_required()
def snapshots(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    """Published evaluations by year and version; the office publishes from here."""
    the_plan = get_plan_for_user(request, plan)
    if request.method == "POST":
        # A form from before the confirmation step: it goes through the step (and is refused there).
        if request.user.role != Role.OFFICE:
            raise PermissionDenied
        return publish(request, plan)
    published = Snapshot.objects.filter(plan=the_plan).select_related("published_by")
    return render(
        request,
        "evaluation/snapshots.html",
        {
            "plan": the_plan,
            "snapshots": published,
            "years": range(the_plan.start_year, the_plan.end_year + 1),
            "can_publish": request.user.role == Role.OFFICE,
        },
    )


@role_required()
def snapshot_diff(request: AuthenticatedHttpRequest, plan: str, year: int, version: int) -> HttpResponse:
    """What changed from the previous version to this one, figure by figure."""
    the_plan = get_plan_for_user(request, plan)
    new = get_object_or_404(Snapshot, plan=the_plan, year=year, version=version)
    old = Snapshot.objects.filter(plan=the_plan, year=year, version__lt=version).order_by("-version").first()
    changes = diff_snapshots(old, new) if old else []
    header = [_("Indicator"), _("Area"), _("What"), _("Before"), _("After")]
    download = _download(
        request,
        f"changes-{year}-v{version}",
        header,
        [[c.indicator, c.area, c.what, c.before, c.after] for c in changes],
    )
    if download:
        return download
    return render(
        request,
        "evaluation/snapshot_diff.html",
        {"plan": the_plan, "snapshot": new, "previous": old, "changes": changes},
    )


@role_required()
def assessments(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    """Qualitative goals, measures and key projects: the office's status, evidence and date per year."""
    the_plan, year, _the_board = _context(request, plan)
    is_office = request.user.role == Role.OFFICE
    if request.method == "POST":
        if not is_office:
            raise PermissionDenied
        kind, _sep, pk = request.POST.get("item", "").partition("-")
        target = {"goal": Goal, "measure": Measure, "key_project": KeyProject}.get(kind)
        item = None
        if target and pk.isdigit():
            in_plan = {"plan": the_plan} if target is KeyProject else {"domain__plan": the_plan}
            item = get_object_or_404(target, pk=pk, **in_plan)
        if item is None:
            raise Http404
        # The item goes to do_assess as goal=, measure= or key_project=, whichever `kind` names.
        item_kw: dict[str, Any] = {kind: item}
        try:
            day = datetime.date.fromisoformat(request.POST.get("assessed_on", ""))
            do_assess(
                request.user,
                the_plan,
                year=year,
                status=request.POST.get("status", ""),
                evidence=request.POST.get("evidence", ""),
                assessed_on=day,
                **item_kw,
            )
        except ValueError:
            messages.error(request, _("Give the date of the assessment, like 2025-01-15."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Assessment recorded."))
        return redirect(f"{request.path}?year={year}#{kind}-{pk}")
    latest: dict[str, Assessment] = {}
    for assessment in (
        Assessment.objects.filter(plan=the_plan, year=year).select_related("set_by").order_by("set_at", "id")
    ):
        if assessment.key_project_id:
            latest[f"key_project-{assessment.key_project_id}"] = assessment
        elif assessment.goal_id:
            latest[f"goal-{assessment.goal_id}"] = assessment
        else:
            latest[f"measure-{assessment.measure_id}"] = assessment
    domains = [
        (
            domain,
            [(f"goal-{g.pk}", g, latest.get(f"goal-{g.pk}")) for g in domain.goals.all()],
            [(f"measure-{m.pk}", m, latest.get(f"measure-{m.pk}")) for m in domain.measures.all()],
        )
        for domain in the_plan.domains.prefetch_related("goals", "measures")
    ]
    key_projects = [
        (f"key_project-{p.pk}", p, latest.get(f"key_project-{p.pk}"))
        for p in the_plan.key_projects.filter(retired_at__isnull=True).order_by("number")
    ]
    return render(
        request,
        "evaluation/assessments.html",
        {
            "plan": the_plan,
            "year": year,
            "years": range(the_plan.start_year, the_plan.end_year + 1),
            "domains": domains,
            "key_projects": key_projects,
            "is_office": is_office,
            "choices": [(s, STATUS_LABELS[s]) for s in ASSESSABLE],
        },
    )
