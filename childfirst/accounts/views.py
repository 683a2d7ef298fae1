"""The user's own account page and the office's lockout screen (account administration: admin_views.py)."""

from __future__ import annotations

import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from childfirst.confirm import Confirmation, confirm_response, is_confirmed

from .actions import do_set_password, do_unlock
from .decorators import role_required
from .http import AuthenticatedHttpRequest
from .models import ApiToken, AuditEvent, Role
from .tokens import TOKEN_ROLES, TokenError, do_create_token, do_revoke_token

SIGN_IN_EVENTS = {"auth.login": gettext_lazy("signed in"), "auth.logout": gettext_lazy("signed out")}


@role_required()
def my_account(request: AuthenticatedHttpRequest, new_secret: str = "", status: int = 200) -> HttpResponse:
    recent = list(AuditEvent.objects.filter(actor=request.user, action__startswith="auth.")[:10])
    for event in recent:
        event.action_label = SIGN_IN_EVENTS.get(event.action, event.action)  # type: ignore[attr-defined]  # display-only, for the template
    uses_api = request.user.role in TOKEN_ROLES
    return render(
        request,
        "accounts/my_account.html",
        {
            "account": request.user,
            "recent": recent,
            "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
            "uses_api": uses_api,
            "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at") if uses_api else [],
            "new_secret": new_secret,
        },
        status=status,
    )


@role_required(*TOKEN_ROLES)
@require_POST
def token_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Make a token and show its secret in this response only: it is never stored or sent again."""
    try:
        _token, secret = do_create_token(request.user, request.user, name=request.POST.get("name", ""))
    except TokenError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:me")
    return my_account(request, new_secret=secret)


@role_required(*TOKEN_ROLES)
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, prefix: str) -> HttpResponse:
    token = get_object_or_404(ApiToken, user=request.user, prefix=prefix)
    if not is_confirmed(request):
        return confirm_response(
            request,
            Confirmation(
                title=_("Revoke token %(prefix)s…?") % {"prefix": prefix},
                action_url=reverse("accounts:token_revoke", args=[prefix]),
                cancel_url=reverse("accounts:me"),
                confirm_label=_("Revoke the token"),
                consequences=[
                    _("Programs using this token are refused from now on; a revoked token cannot be restored."),
                    _("Make a new token if the program still needs access."),
                ],
            ),
        )
    try:
        do_revoke_token(request.user, token)
    except TokenError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Token %(prefix)s revoked.") % {"prefix": prefix})
    return redirect("accounts:me")


def _current_lockouts() -> QuerySet[AccessAttempt]:
    """Attempt records that lock their user name from their address now (within the cool-off)."""
    since = timezone.now() - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")


@role_required(Role.OFFICE)
def lockouts(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/lockouts.html",
        {"lockouts": _current_lockouts(), "minutes": round(settings.AXES_COOLOFF_TIME * 60)},
    )


@role_required(Role.OFFICE)
@require_POST
def unlock(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    attempt = get_object_or_404(AccessAttempt, pk=pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm the unlock."))
        return redirect("accounts:lockouts")
    do_unlock(request.user, attempt)
    messages.success(request, _("Account %(username)s unlocked.") % {"username": attempt.username})
    return redirect("accounts:lockouts")


@role_required()
def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        do_set_password(request.user, request.user, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        return redirect("accounts:password_done")
    return render(request, "accounts/password_change.html", {"form": form})


@role_required()
def password_done(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "accounts/password_done.html")
