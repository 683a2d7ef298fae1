"""A child file's whole access log, for the people who keep the file: who looked, when, what they
did and why. Reading the log is itself a look at the file and is logged like one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from childfirst.accounts.http import AuthenticatedHttpRequest

from .access import get_child_for_user

PER_PAGE = 100


@never_cache
@login_required
def child_access_log(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child, can_edit = get_child_for_user(request, pk, purpose="查看访问日志")
    if not can_edit:
        # The log names who handled the file; it is for the director and supervisor who keep it.
        raise PermissionDenied
    entries = child.access_log.select_related("user").order_by("-created_at", "-pk")
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "registry/child_access_log.html", {"child": child, "page": page})
