"""The departments' yearly assessment (目标考核) pages: the scorecard of a year, its Excel export, and
the office's weights file (download, upload, history). URL names `implementation:scorecard`,
`implementation:scorecard_export`, `implementation:scorecard_weights`, `implementation:weights_file`."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.plans.models import Plan

from .access import SCORECARD_READERS, get_scorecard_for_user, get_weights_plan_for_user
from .actions import do_upload_scorecard_weights
from .models import ScorecardWeights
from .scorecard_export import scorecard_workbook, source_text, weights_text
from .scorecard_forms import WeightsUploadForm
from .scorecard_inputs import gather, weights_in_force

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def default_year(plan: Plan) -> int:
    """The year a scorecard is usually about: the last one before the current year, within the plan."""
    return min(max(timezone.localdate().year - 1, plan.start_year), plan.end_year)


def _check_year(plan: Plan, year: int) -> None:
    if not plan.start_year <= year <= plan.end_year:
        raise Http404


@role_required(*SCORECARD_READERS)
@require_http_methods(["GET", "HEAD"])
def scorecard(request: AuthenticatedHttpRequest, plan: str, year: int) -> HttpResponse:
    """Each department's total and, opened, each part's inputs and computation; a department sees
    only its own row."""
    the_plan, own = get_scorecard_for_user(request, plan)
    _check_year(the_plan, year)
    gathered = gather(the_plan, year, departments=[own] if own is not None else None)
    return render(
        request,
        "implementation/scorecard.html",
        {
            "plan": the_plan,
            "year": year,
            "gathered": gathered,
            "own": own,
            "source": source_text(gathered),
            "weights_line": weights_text(gathered),
            "parts": gathered.weights.weights.parts,
            "years": range(the_plan.start_year, the_plan.end_year + 1),
            "can_set_weights": own is None and request.user.role == "office",
        },
    )


@role_required(*SCORECARD_READERS)
@require_http_methods(["GET", "HEAD"])
def scorecard_default(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    """The navigation's link: the scorecard of the year usually assessed (the last before this one)."""
    the_plan, _own = get_scorecard_for_user(request, plan)
    return redirect("implementation:scorecard", the_plan.code, default_year(the_plan))


@role_required(*SCORECARD_READERS)
@require_http_methods(["GET", "HEAD"])
def scorecard_export(request: AuthenticatedHttpRequest, plan: str, year: int) -> HttpResponse:
    """The scorecard as Excel (a department's own row only, as on the page)."""
    the_plan, own = get_scorecard_for_user(request, plan)
    _check_year(the_plan, year)
    gathered = gather(the_plan, year, departments=[own] if own is not None else None)
    response = HttpResponse(scorecard_workbook(gathered), content_type=XLSX)
    stem = f"{the_plan.code}-{year}-" + (own.code if own is not None else "all")
    response["Content-Disposition"] = content_disposition_header(True, f"{stem}-scorecard.xlsx")
    response["Cache-Control"] = "no-store"
    return response


@role_required(*SCORECARD_READERS)
@require_http_methods(["GET", "HEAD"])
def weights_file(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    """The weights file in force, to read or to edit and upload again."""
    the_plan, _own = get_scorecard_for_user(request, plan)
    in_force = weights_in_force(the_plan)
    response = HttpResponse(in_force.raw, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{the_plan.code}-scorecard.yaml")
    return response


@role_required(*SCORECARD_READERS)
@require_http_methods(["GET", "HEAD"])
def weights_version(request: AuthenticatedHttpRequest, plan: str, pk: int) -> HttpResponse:
    """An earlier upload, as it was (the office's history: to compare, or to put back in force)."""
    the_plan = get_weights_plan_for_user(request, plan)
    upload = get_object_or_404(ScorecardWeights, plan=the_plan, pk=pk)
    response = HttpResponse(upload.content.encode(), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{the_plan.code}-scorecard-{upload.pk}.yaml")
    return response


@role_required(*SCORECARD_READERS)
@require_http_methods(["GET", "HEAD", "POST"])
def weights(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    """The office's page: the weights in force, the earlier uploads, and the upload of a new file
    (checked whole; with any problem nothing changes and every problem is listed)."""
    the_plan = get_weights_plan_for_user(request, plan)
    form = WeightsUploadForm()
    if request.method == "POST":
        form = WeightsUploadForm(request.POST, request.FILES)
        if form.is_valid():
            name, raw = form.cleaned_data["file"]
            do_upload_scorecard_weights(request.user, the_plan, raw, name)
            messages.success(request, _("The new weights are in force."))
            return redirect("implementation:scorecard_weights", the_plan.code)
    in_force = weights_in_force(the_plan)
    return render(
        request,
        "implementation/scorecard_weights.html",
        {
            "plan": the_plan,
            "form": form,
            "in_force": in_force,
            "text": in_force.raw.decode("utf-8-sig"),
            "history": ScorecardWeights.objects.filter(plan=the_plan).select_related("uploaded_by"),
            "year": default_year(the_plan),
        },
        status=422 if form.errors else 200,
    )
