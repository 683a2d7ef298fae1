"""The inbox: every signed-in role's notifications, newest first, marked read one by one or all."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest

from .access import get_notification_for_user
from .actions import do_mark_all_read, do_mark_read
from .models import Notification

PAGE_SIZE = 50


@never_cache
@role_required()
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications = Notification.objects.for_user(request.user)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread": notifications.unread().count()},
    )


@require_POST
@role_required()
def mark_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    do_mark_read(request.user, get_notification_for_user(request, pk))
    return redirect("notifications:inbox")


@require_POST
@role_required()
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    do_mark_all_read(request.user)
    return redirect("notifications:inbox")
