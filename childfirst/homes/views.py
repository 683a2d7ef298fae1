"""Pages of the children's homes: the district's streets with their coverage, a street's
communities with their homes, one home with its 五有 items and activities, the forms that change
them, and the coverage of plan key project 2's indicators year by year.

Every view gets its home through access.get_home_for_user and its community or street through the
helpers beside it; every change goes through one function of actions.py. A form that fails comes
back with what was typed and the reason, and changes nothing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role
from childfirst.areas.models import Level
from childfirst.confirm import is_confirmed
from childfirst.plans.access import current_plan, get_plan_for_user
from childfirst.plans.models import Indicator, Plan
from childfirst.registry.aggregates import read_mapping

from . import actions as actions
from .access import HomeAccess, get_community_for_user, get_home_for_user, get_street_for_user, user_district
from .confirm_steps import close_home_step
from .coverage import Coverage, coverage, street_rows, year_end
from .forms import ActivityForm, CloseForm, HomeForm, LinkForm, ReasonForm, ReopenForm, StandardItemForm, TypeForm
from .models import HOME_READERS, ActivityKind, HomeActivity, StandardCheck, StandardItem

READERS = tuple(HOME_READERS)
MANAGERS = (Role.OFFICE, Role.STREET_SUPERVISOR, Role.COMMUNITY_DIRECTOR)


def _year(request: AuthenticatedHttpRequest) -> int:
    """The year asked for (?year=), else the current one; never past the current year."""
    today = timezone.localdate()
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= today.year else today.year
    return year


def _day(year: int) -> datetime.date:
    """A year's figures are read on its last day, or today while it is still running."""
    return min(year_end(year), timezone.localdate())  # as aggregates.reading_day


def _failed(form: forms.Form, error: actions.HomeError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


# ----- lists ------------------------------------------------------------------------------------


@role_required(*READERS)
def homes_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The district's streets with their homes' coverage; supervisors and directors go straight to
    their own street."""
    scope = request.user.scope_area()
    if scope is not None and scope.level in (Level.STREET, Level.COMMUNITY):
        return redirect("registry:homes_street", code=scope.street_code)
    year = _year(request)
    district = user_district(request)
    result = coverage(district, _day(year))
    return render(
        request,
        "homes/overview.html",
        {
            "coverage": result,
            "year": year,
            "years": _years(),
            "district": district,
            "coverage_plan": _coverage_plan(request),
        },
    )


def _years() -> list[int]:
    return list(range(timezone.localdate().year, 2020, -1))


def _coverage_plan(request: AuthenticatedHttpRequest) -> str | None:
    """The plan whose indicator coverage these pages link to: the user's current plan (None without one)."""
    try:
        return current_plan(request).code
    except Http404:
        return None


@role_required(*READERS)
def street_homes(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """A street's communities and their homes; a director sees only its own community's line."""
    street = get_street_for_user(request, code)
    year = _year(request)
    day = _day(year)
    only = request.user.area if request.user.role == Role.COMMUNITY_DIRECTOR else None
    rows = street_rows(street, day, only=only)
    summary = coverage(street, day).streets[0]
    return render(
        request,
        "homes/street.html",
        {
            "street": street,
            "rows": rows,
            "summary": summary,
            "year": year,
            "years": _years(),
            "narrowed": only is not None,
            "can_create": request.user.role in MANAGERS,
            # Contact cards are printed by the community's director or the street's supervisor.
            "can_print": request.user.role in (Role.STREET_SUPERVISOR, Role.COMMUNITY_DIRECTOR),
            "standard_size": len(StandardItem.values),
            "back_to_district": (scope := request.user.scope_area()) is None
            or scope.level in (Level.CITY, Level.DISTRICT),
            "coverage_plan": _coverage_plan(request),
        },
    )


@dataclass(frozen=True)
class CoverageLine:
    """One indicator's row on the coverage page: its figure per year with numerator/denominator."""

    code: str
    indicator: Indicator | None
    hint: str
    cells: list[tuple[int, Decimal | int | None, int | None, int | None]]
    is_count: bool = False


# How each homes aggregate of the registry's data/aggregates.yaml shows on the coverage page: its
# hint and its cells (year, value, numerator, denominator). Which indicator an aggregate fills, and
# in which order the lines come, is read from that file for the plan shown.
COVERAGE_FIGURES: dict[str, tuple[Any, Any, bool]] = {
    "homes_basic_coverage": (
        gettext_lazy("communities whose home meets all five 五有 items ÷ communities"),
        lambda c: (c.basic_rate, c.meeting_standard, c.communities),
        False,
    ),
    "homes_demonstration_coverage": (
        gettext_lazy("communities with a demonstration home ÷ communities"),
        lambda c: (c.demonstration_rate, c.demonstration, c.communities),
        False,
    ),
    "homes_demonstration_count": (
        gettext_lazy("demonstration homes recognised at district level or above"),
        lambda c: (c.demonstration, None, None),
        True,
    ),
    "streets_with_demonstration_home": (
        gettext_lazy("streets with a demonstration home ÷ streets"),
        lambda c: (c.street_rate, c.streets_with_demonstration, len(c.streets)),
        False,
    ),
}


def coverage_codes(plan: Plan) -> list[tuple[str, str]]:
    """(indicator code, aggregate) of the plan's indicators that the homes fill, in the order of
    the mapping file."""
    mapping = read_mapping().plans.get(plan.code, {})
    return [(code, spec.aggregate) for code, spec in mapping.items() if spec.aggregate in COVERAGE_FIGURES]


def coverage_lines(
    codes: list[tuple[str, str]], indicators: dict[str, Indicator], series: list[tuple[int, Coverage]], district: bool
) -> list[CoverageLine]:
    lines = []
    for code, aggregate in codes:
        indicator = indicators.get(code)
        # A district-only figure (per_street: false in the plan) is not shown for a street.
        if not district and indicator is not None and not indicator.per_street:
            continue
        hint, cells, is_count = COVERAGE_FIGURES[aggregate]
        lines.append(CoverageLine(code, indicator, str(hint), [(y, *cells(c)) for y, c in series], is_count=is_count))
    return lines


@role_required(*READERS)
def homes_coverage_old_link(request: AuthenticatedHttpRequest) -> HttpResponse:
    """/registry/homes/coverage/ from before the page named its plan: on to the current plan's."""
    query = request.META.get("QUERY_STRING", "")
    url = reverse("homes:coverage", kwargs={"plan": current_plan(request).code})
    return redirect(url + (f"?{query}" if query else ""))


@role_required(*READERS)
def homes_coverage(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    """Plan key project 2's indicators from the homes, year by year, for the user's area (the
    district, or the supervisor's or director's street), with numerators and denominators."""
    the_plan = get_plan_for_user(request, plan)
    scope = request.user.scope_area()
    area = the_plan.area
    if scope is not None and scope.level not in (Level.CITY, Level.DISTRICT):
        street = scope.street()
        assert street is not None  # a street's or community's scope lies in a street
        area = street
    codes = coverage_codes(the_plan)
    indicators = {i.code: i for i in Indicator.objects.filter(plan=the_plan, code__in=[code for code, _a in codes])}
    series = [(y, coverage(area, _day(y))) for y in range(the_plan.start_year, timezone.localdate().year + 1)]
    return render(
        request,
        "homes/coverage.html",
        {
            "plan": the_plan,
            "area": area,
            "lines": coverage_lines(codes, indicators, series, area.level in (Level.CITY, Level.DISTRICT)),
            "series": series,
        },
    )


# ----- one home ---------------------------------------------------------------------------------


def _home_page(request: AuthenticatedHttpRequest, access: HomeAccess, status: int = 200, **bound: Any) -> HttpResponse:
    home = access.home
    year = _year(request)
    checks = {c.item: c for c in StandardCheck.objects.filter(home=home).select_related("recorded_by")}
    items: list[dict[str, Any]] = []
    for item in StandardItem:
        check = checks.get(item.value)
        form = bound.get(f"standard_{item.value}") or StandardItemForm(
            initial={"met_on": check.met_on, "evidence": check.evidence} if check else None,
            prefix=item.value,
        )
        items.append({"item": item, "check": check, "form": form})
    activities = list(
        HomeActivity.objects.filter(home=home, held_on__year=year).select_related("recorded_by").order_by("-held_on")
    )
    by_kind: dict[str, tuple[int, int]] = {}
    for activity in activities:
        count, children = by_kind.get(activity.kind, (0, 0))
        by_kind[activity.kind] = (count + 1, children + activity.attendance)
    totals = [(kind.label, *by_kind[kind.value]) for kind in ActivityKind if kind.value in by_kind]
    context = {
        "access": access,
        "home": home,
        "items": items,
        "items_met": sum(1 for i in items if i["check"] and i["check"].met_on <= timezone.localdate()),
        "activities": activities,
        "totals": totals,
        "attendance": sum(a.attendance for a in activities),
        "year": year,
        "years": _years(),
        "linked": list(home.linked_homes.select_related("community").order_by("community__code")),
        "type_form": bound.get("type_form")
        or TypeForm(initial={"home_type": home.home_type, "level": home.level, "recognised_on": home.recognised_on}),
        "link_form": bound.get("link_form") or LinkForm(home=home, initial={"led_by": home.led_by_id}),
        "close_form": bound.get("close_form") or CloseForm(),
        "reopen_form": bound.get("reopen_form") or ReopenForm(),
    }
    return render(request, "homes/home.html", context, status=status)


@role_required(*READERS)
def home_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _home_page(request, get_home_for_user(request, pk))


@role_required(*MANAGERS)
def home_create(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    community = get_community_for_user(request, code, manage=True)
    existing = getattr(community, "childrens_home", None)
    if existing is not None:
        messages.info(request, _("%(community)s already has a children's home.") % {"community": community.name})
        return redirect("registry:home", pk=existing.pk)
    form = HomeForm(request.POST or None, initial={"name": f"{community.name.split('（')[0]}儿童之家"})
    if request.method == "POST" and form.is_valid():
        try:
            home = actions.do_create_home(request.user, community, form.details())
        except actions.HomeError as exc:
            _failed(form, exc)
        else:
            messages.success(request, _("The children's home is recorded."))
            return redirect("registry:home", pk=home.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "homes/home_form.html", {"form": form, "community": community}, status=status)


@role_required(*MANAGERS)
def home_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = get_home_for_user(request, pk)
    if not access.can_edit:
        raise PermissionDenied
    home = access.home
    initial = {"name": home.name, "opened_on": home.opened_on, "address": home.address, "note": home.note}
    form = HomeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_home(request.user, home, form.details())
        except actions.HomeError as exc:
            _failed(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:home", pk=home.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "homes/home_form.html",
        {"form": form, "community": home.community, "home": home},
        status=status,
    )


@role_required(*MANAGERS)
@require_POST
def home_state(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Close or reopen a home (the buttons on its page)."""
    access = get_home_for_user(request, pk)
    if not access.can_edit:
        raise PermissionDenied
    step = request.POST.get("step")
    if step == "close":
        form = CloseForm(request.POST)
        if form.is_valid() and not is_confirmed(request):
            return close_home_step(request, access.home, form.cleaned_data["closed_on"], form.cleaned_data["reason"])
        if form.is_valid():
            try:
                actions.do_close_home(
                    request.user, access.home, form.cleaned_data["closed_on"], form.cleaned_data["reason"]
                )
            except actions.HomeError as exc:
                _failed(form, exc)
            else:
                messages.success(request, _("The home is closed."))
                return redirect("registry:home", pk=pk)
        return _home_page(request, get_home_for_user(request, pk), 422, close_form=form)
    if step == "reopen":
        reopen_form = ReopenForm(request.POST)
        if reopen_form.is_valid():
            try:
                actions.do_reopen_home(request.user, access.home, reopen_form.cleaned_data["reason"])
            except actions.HomeError as exc:
                _failed(reopen_form, exc)
            else:
                messages.success(request, _("The home is open again."))
                return redirect("registry:home", pk=pk)
        return _home_page(request, get_home_for_user(request, pk), 422, reopen_form=reopen_form)
    raise PermissionDenied


@role_required(Role.OFFICE)
@require_POST
def home_type(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = get_home_for_user(request, pk)
    if not access.can_recognise:
        raise PermissionDenied
    form = TypeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_set_home_type(request.user, access.home, data["home_type"], data["level"], data["recognised_on"])
        except actions.HomeError as exc:
            _failed(form, exc)
        else:
            messages.success(request, _("The type of the home is saved."))
            return redirect("registry:home", pk=pk)
    return _home_page(request, get_home_for_user(request, pk), 422, type_form=form)


@role_required(Role.OFFICE, Role.STREET_SUPERVISOR)
@require_POST
def home_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = get_home_for_user(request, pk)
    if not access.can_link:
        raise PermissionDenied
    form = LinkForm(request.POST, home=access.home)
    if form.is_valid():
        try:
            actions.do_link_home(request.user, access.home, form.cleaned_data["led_by"])
        except actions.HomeError as exc:
            _failed(form, exc)
        else:
            messages.success(request, _("The link is saved."))
            return redirect("registry:home", pk=pk)
    return _home_page(request, get_home_for_user(request, pk), 422, link_form=form)


@role_required(*MANAGERS)
@require_POST
def home_standard(request: AuthenticatedHttpRequest, pk: int, item: str) -> HttpResponse:
    """Record one 五有 item as in place (date and evidence), or as no longer in place."""
    access = get_home_for_user(request, pk)
    if not access.can_edit or item not in StandardItem.values:
        raise PermissionDenied
    if request.POST.get("step") == "remove":
        try:
            actions.do_set_standard_item(request.user, access.home, item, None)
        except actions.HomeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Recorded as no longer in place."))
        return redirect("registry:home", pk=pk)
    form = StandardItemForm(request.POST, prefix=item)
    if form.is_valid():
        try:
            actions.do_set_standard_item(
                request.user, access.home, item, form.cleaned_data["met_on"], form.cleaned_data["evidence"]
            )
        except actions.HomeError as exc:
            _failed(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:home", pk=pk)
    return _home_page(request, get_home_for_user(request, pk), 422, **{f"standard_{item}": form})


@role_required(*MANAGERS)
def activity_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = get_home_for_user(request, pk)
    if not access.can_edit:
        raise PermissionDenied
    form = ActivityForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_add_activity(request.user, access.home, form.details())
        except actions.HomeError as exc:
            _failed(form, exc)
        else:
            messages.success(request, _("The activity is recorded."))
            return redirect("registry:home", pk=pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "homes/activity_form.html", {"form": form, "home": access.home}, status=status)


@role_required(*MANAGERS)
@require_POST
def activity_delete(request: AuthenticatedHttpRequest, pk: int, activity: int) -> HttpResponse:
    access = get_home_for_user(request, pk)
    if not access.can_edit:
        raise PermissionDenied
    the_activity = get_object_or_404(HomeActivity, pk=activity, home=access.home)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for removing the activity."))
    else:
        actions.do_delete_activity(request.user, the_activity, form.cleaned_data["reason"])
        messages.success(request, _("The activity is removed."))
    return redirect("registry:home", pk=pk)
