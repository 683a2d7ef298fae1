"""The Excel round trip on the web: download a department's template, upload it filled in."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role

from .access import DEPARTMENT_ROLES, OVERSIGHT_ROLES, get_submission_for_user
from .excel_import import ImportResult, Problem, check_size, import_workbook, max_upload_bytes
from .excel_template import build_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@role_required(*OVERSIGHT_ROLES, *DEPARTMENT_ROLES)
@require_http_methods(["GET", "HEAD"])
def template(request: AuthenticatedHttpRequest, plan: str, year: int, department: str) -> HttpResponse:
    """Everyone who may read the submission gets the same workbook; only reporters can upload it."""
    access = get_submission_for_user(request, plan, year, department)
    submission = access.submission
    response = HttpResponse(build_template(submission), content_type=XLSX)
    name = f"{submission.round.year}-{submission.department.code}-{submission.department.name}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "no-store"
    return response


@role_required(Role.DEPT_REPORTER)
@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedHttpRequest, plan: str, year: int, department: str) -> HttpResponse:
    # 403 for another department's reporter (the access helper's rule, as everywhere in collection).
    access = get_submission_for_user(request, plan, year, department)
    submission = access.submission
    result = _handle_upload(request, submission) if request.method == "POST" else None
    return render(
        request,
        "collection/excel_upload.html",
        {
            "submission": submission,
            "round": submission.round,
            "access": access,
            "result": result,
            "entry_url": reverse("collection:entry", args=[plan, year, submission.department.code]),
            "max_mb": max_upload_bytes() // (1024 * 1024),
        },
        status=422 if result is not None and not result.ok else 200,  # refused: nothing was saved
    )


def _handle_upload(request: AuthenticatedHttpRequest, submission) -> ImportResult:
    # Refuse an oversized body from its declared length, before Django parses (and stores) it.
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if problem := check_size(max(declared - 64 * 1024, 0)):  # allowance for the form's own parts
        return ImportResult(errors=[problem])
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return ImportResult(errors=[Problem(reason=_("Choose the filled-in template (.xlsx) to upload."))])
    # An uploaded file always has its size and name (the stubs allow None for other File objects).
    assert uploaded.size is not None and uploaded.name is not None
    if problem := check_size(uploaded.size):
        return ImportResult(errors=[problem])
    return import_workbook(uploaded.read(), user=request.user, file_name=uploaded.name, expect=submission)
