"""The office's account administration: list, create, edit role and scope, deactivate and
reactivate, reset a password. Each change is one action of actions.py, audited there."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from childfirst.confirm import Confirmation, confirm_response, is_confirmed

from .access import accounts_visible_to, get_account_for_user
from .actions import do_change_user_role, do_create_user, do_reset_password, do_set_active, generate_password
from .decorators import role_required
from .forms import AccountForm
from .http import AuthenticatedHttpRequest
from .models import Role, User

STATES = {"active": Q(is_active=True), "inactive": Q(is_active=False)}


def _locked_usernames() -> set[str]:
    return set(
        AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).values_list(
            "username", flat=True
        )
    )


@role_required(Role.OFFICE)
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The district's accounts, filtered by role, state and a name."""
    accounts = accounts_visible_to(request.user).select_related("department", "area").order_by("role", "username")
    role, state, query = request.GET.get("role", ""), request.GET.get("state", ""), request.GET.get("q", "").strip()
    if role in Role.values:
        accounts = accounts.filter(role=role)
    if state in STATES:
        accounts = accounts.filter(STATES[state])
    if query:
        accounts = accounts.filter(Q(username__icontains=query) | Q(first_name__icontains=query))
    return render(
        request,
        "accounts/user_list.html",
        {
            "users": accounts,
            "locked": _locked_usernames(),
            "roles": Role.choices,
            "role": role,
            "state": state,
            "q": query,
        },
    )


def _form_values(form: AccountForm) -> dict:
    data = form.cleaned_data
    return {
        "role": Role(data["role"]),
        "department": data.get("department"),
        "area": data.get("area"),
        "access_expires_at": form.expires_at(),
    }


@role_required(Role.OFFICE)
def user_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AccountForm(request.user.scope_area(), request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        password = data["password"] or generate_password(User(username=data["username"], first_name=data["full_name"]))
        try:
            account = do_create_user(
                request.user,
                username=data["username"],
                password=password,
                full_name=data["full_name"],
                phone=data["phone"],
                **_form_values(form),
            )
        except ValidationError as exc:
            form.attach(exc)
        else:
            messages.success(request, _("Account %(username)s created.") % {"username": account.username})
            if not data["password"]:
                return _show_password(request, account, password)
            return redirect("accounts:user_edit", pk=account.pk)
    return render(request, "accounts/user_form.html", {"form": form, "account": None})


def _show_password(request: AuthenticatedHttpRequest, account: User, password: str) -> HttpResponse:
    """The generated password, in this response only: it is not stored in clear anywhere."""
    response = render(request, "accounts/user_password.html", {"account": account, "password": password})
    response["Cache-Control"] = "no-store"
    return response


@role_required(Role.OFFICE)
def user_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = get_account_for_user(request, pk)
    form = AccountForm(request.user.scope_area(), request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        try:
            do_change_user_role(
                request.user,
                account,
                full_name=form.cleaned_data["full_name"],
                phone=form.cleaned_data["phone"],
                **_form_values(form),
            )
        except ValidationError as exc:
            form.attach(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not make this change."))
        else:
            messages.success(request, _("Account %(username)s saved.") % {"username": account.username})
            return redirect("accounts:user_edit", pk=account.pk)
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "account": account, "locked": account.username in _locked_usernames()},
    )


@role_required(Role.OFFICE)
@require_POST
def user_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Deactivate or reactivate; both can be undone from the same page, so no confirmation step."""
    account = get_account_for_user(request, pk)
    active = request.POST.get("active") == "1"
    try:
        do_set_active(request.user, account, active=active)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        if active:
            messages.success(request, _("Account %(username)s can sign in again.") % {"username": account.username})
        else:
            messages.success(
                request,
                _("Account %(username)s is deactivated: it can no longer sign in. Reactivate it below to undo.")
                % {"username": account.username},
            )
    return redirect("accounts:user_edit", pk=account.pk)


@role_required(Role.OFFICE)
def user_password_reset(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation step; POST (confirmed): a new generated password, shown once."""
    account = get_account_for_user(request, pk)
    if account.pk == request.user.pk:
        raise PermissionDenied
    step = Confirmation(
        title=_("Reset the password of %(username)s?") % {"username": account.username},
        action_url=reverse("accounts:user_password_reset", args=[account.pk]),
        cancel_url=reverse("accounts:user_edit", args=[account.pk]),
        confirm_label=_("Reset the password"),
        consequences=[
            _("The current password stops working at once; this cannot be undone."),
            _("A new password is generated and shown to you once: pass it on to the person in person or by phone."),
        ],
    )
    if not is_confirmed(request):
        return confirm_response(request, step)
    return _show_password(request, account, do_reset_password(request.user, account))
