"""The office's pages for department lists: the sources with their current snapshot (counts only: nobody
browses a list), uploading a list with its progress, and comparing two lists."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from childfirst.accounts.audit import record
from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role
from childfirst.plans.models import Department

from .forms import ListUploadForm, PairForm
from .importing import district_of, do_request_import
from .models import JobState, ListImport, PairJob
from .pair_jobs import do_request_pair, result_file
from .sources import Source, sources

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORTS_SHOWN = 20


def get_import_for_user(request: AuthenticatedHttpRequest, pk: int) -> ListImport:
    """The import, if the user's office is its district's; 404 otherwise (as if it did not exist)."""
    return get_object_or_404(
        ListImport.objects.visible_to(request.user).select_related("district", "created_by"), pk=pk
    )


def get_pair_job_for_user(request: AuthenticatedHttpRequest, pk: int) -> PairJob:
    return get_object_or_404(PairJob.objects.visible_to(request.user), pk=pk)


@dataclass
class SourceRow:
    source: Source
    current: ListImport | None
    imports: int
    department: str


@role_required(Role.OFFICE)
def index(request: AuthenticatedHttpRequest, form: ListUploadForm | None = None) -> HttpResponse:
    visible = ListImport.objects.visible_to(request.user)
    counts = dict(visible.values_list("source").annotate(n=Count("id")).values_list("source", "n"))
    current: dict[str, ListImport] = {}
    for list_import in visible.done().order_by("-as_of", "-finished_at", "-id"):
        current.setdefault(list_import.source, list_import)
    district = district_of(request.user)
    departments = {d.code: d.display_name for d in Department.objects.filter(area=district)}
    rows = [
        SourceRow(source, current.get(key), counts.get(key, 0), departments.get(source.department, source.department))
        for key, source in sources().items()
    ]
    recent = list(visible.select_related("created_by")[:IMPORTS_SHOWN])
    for list_import in recent:
        known = sources().get(list_import.source)
        list_import.source_name = known.display_name if known else list_import.source  # type: ignore[attr-defined]  # for the template
    return render(
        request,
        "linkage/index.html",
        {"rows": rows, "recent": recent, "form": form or ListUploadForm()},
        status=422 if form is not None else 200,
    )


def _post_only(request: AuthenticatedHttpRequest) -> HttpResponse | None:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    return None


@role_required(Role.OFFICE)
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Queue the import of an uploaded list and show its progress."""
    if (refused := _post_only(request)) is not None:
        return refused
    form = ListUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return index(request, form)
    upload_file = form.cleaned_data["file"]
    try:
        list_import = do_request_import(
            request.user,
            form.cleaned_data["source"],
            form.cleaned_data["as_of"],
            upload_file.name or "",
            upload_file.read(),
            district=district_of(request.user),
            request=request,
        )
    except ValidationError as error:
        form.add_error("file", error)
        return index(request, form)
    return redirect("linkage:import", list_import.pk)


@role_required(Role.OFFICE)
def import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    list_import = get_import_for_user(request, pk)
    return render(
        request,
        "linkage/import.html",
        {"imp": list_import, "source": sources().get(list_import.source)},
    )


@role_required(Role.OFFICE)
def import_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The import's progress, which htmx polls while it runs; a full page load goes to the import's page."""
    list_import = get_import_for_user(request, pk)
    if not request.headers.get("HX-Request"):
        return redirect("linkage:import", list_import.pk)
    response = render(request, "linkage/_import_progress.html", {"imp": list_import})
    if list_import.state in (JobState.DONE, JobState.FAILED):
        response["HX-Refresh"] = "true"  # the page shows the result (or the problems) in full
    return response


# ----- comparing two lists ------------------------------------------------------------------------


@role_required(Role.OFFICE)
def pair(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PairForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        left, right = form.cleaned_data["left"], form.cleaned_data["right"]
        try:
            job = do_request_pair(
                request.user,
                district_of(request.user),
                (left.name or "", left.read()),
                (right.name or "", right.read()),
                form.cleaned_data["id_column"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("linkage:pair_job", job.pk)
    jobs = list(PairJob.objects.visible_to(request.user)[:10])
    status = 422 if request.method == "POST" else 200
    return render(request, "linkage/pair.html", {"form": form, "jobs": jobs}, status=status)


@role_required(Role.OFFICE)
def pair_job(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = get_pair_job_for_user(request, pk)
    if request.headers.get("HX-Request"):
        response = render(request, "linkage/_pair_progress.html", {"job": job})
        if not job.is_active:
            response["HX-Refresh"] = "true"
        return response
    return render(request, "linkage/pair_job.html", {"job": job})


@role_required(Role.OFFICE)
def pair_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = get_pair_job_for_user(request, pk)
    content = result_file(job) if job.state == JobState.DONE else None
    if content is None:
        raise Http404(_("The comparison has not finished, or its result has been deleted."))
    with transaction.atomic():
        record("linkage.pair_downloaded", actor=request.user, obj=job, area_code=job.district.code, request=request)
    response = HttpResponse(content, content_type=XLSX)
    name = _("comparison-%(id)d.xlsx") % {"id": job.pk}
    response["Content-Disposition"] = (
        f"attachment; filename=\"comparison-{job.pk}.xlsx\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    return response
