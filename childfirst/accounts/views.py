"""The user's own account page and the office's list of accounts."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .actions import do_set_password
from .decorators import role_required
from .models import AuditEvent, Role, User


@role_required()
def my_account(request: HttpRequest) -> HttpResponse:
    recent = AuditEvent.objects.filter(actor=request.user, action__startswith="auth.")[:10]
    return render(
        request,
        "accounts/my_account.html",
        {"account": request.user, "recent": recent, "idle_minutes": settings.SESSION_COOKIE_AGE // 60},
    )


@role_required(Role.OFFICE)
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.select_related("department", "area").order_by("role", "username")
    locked = set(
        AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).values_list(
            "username", flat=True
        )
    )
    return render(request, "accounts/user_list.html", {"users": users, "locked": locked})


@role_required()
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        do_set_password(request.user, request.user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        return redirect("accounts:password_done")
    return render(request, "accounts/password_change.html", {"form": form})


@role_required()
def password_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_done.html")
