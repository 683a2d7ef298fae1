"""Downloading an attached document: allowed exactly to those who may see its owner (a report, a
response or a good practice), asked of the owner's own access helper."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.plans.access import get_plan_for_user

from . import access
from .documents import download_name
from .models import Document


def _owner_check(document: Document) -> tuple[Callable[..., Any] | None, int]:
    """The access helper that decides on the document's owner, and the id to give it."""
    if document.report_id is not None:
        return access.get_report_for_user, document.report_id
    if document.response_id is not None:
        assert document.response is not None
        return access.get_assignment_for_user, document.response.assignment_id
    if document.practice_id is not None:
        return access.get_practice_for_user, document.practice_id
    return None, 0


@role_required()
def document_download(request: AuthenticatedHttpRequest, plan: str, pk: int) -> HttpResponse:
    # Whoever may see the plan gets as far as the owner's helper, which decides (a street supervisor
    # sees its street's evidence and photos, though not the implementation reports).
    the_plan = get_plan_for_user(request, plan)
    document = get_object_or_404(Document.objects.select_related("response").defer("content"), pk=pk)
    check, owner_pk = _owner_check(document)
    if check is None:
        raise Http404
    check(request, the_plan, owner_pk)  # refuses (403/404) whoever may not see the owner
    content = Document.objects.filter(pk=pk).values_list("content", flat=True).get()
    response = HttpResponse(bytes(content), content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, download_name(document))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
