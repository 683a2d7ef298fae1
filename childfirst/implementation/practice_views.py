"""The pages of good practices (好做法好经验), under plans/<plan>/implementation/practices/: the list (the
office's every one, a department's or street's own), the submission form, one practice with its photos,
and the office's publish, decline and withdraw (each a confirmation step). The public sees published
ones on the portal (reports/portal_practices.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role
from childfirst.confirm import Confirmation, confirm_response, is_confirmed

from .access import (
    FOLLOWUP_ROLES,
    PracticeAccess,
    get_followup_plan_for_user,
    get_practice_for_user,
    may_submit_practice,
    practices_visible_to,
)
from .followup_forms import PracticeForm
from .models import GoodPractice, PracticeState
from .practice_actions import (
    PracticeError,
    do_decline_practice,
    do_publish_practice,
    do_submit_practice,
    do_withdraw_practice,
)


@role_required(*FOLLOWUP_ROLES)
def practices(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    the_plan = get_followup_plan_for_user(request, plan)
    state = request.GET.get("state", "")
    if state and state not in PracticeState.values:
        state = ""
        status = 400
        error = _("Unknown filter.")
    else:
        status, error = 200, ""
    found = practices_visible_to(request.user, the_plan).select_related("department", "area")
    if state:
        found = found.filter(state=state)
    context = {
        "plan": the_plan,
        "practices": list(found.prefetch_related("indicators")),
        "state": state,
        "states": PracticeState.choices,
        "may_submit": may_submit_practice(request.user, the_plan),
        "error": error,
    }
    return render(request, "implementation/practices.html", context, status=status)


@role_required(Role.DEPT_REPORTER, Role.DEPT_REVIEWER, Role.STREET_SUPERVISOR)
@require_http_methods(["GET", "POST"])
def practice_new(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    the_plan = get_followup_plan_for_user(request, plan)
    if not may_submit_practice(request.user, the_plan):
        raise PermissionDenied
    if request.method == "POST":
        form = PracticeForm(the_plan, request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                practice = do_submit_practice(
                    request.user,
                    the_plan,
                    year=data["year"],
                    title=data["title"],
                    text=data["text"],
                    indicators=list(data["indicators"]),
                    photos=data["photos"],
                    no_faces_confirmed=data["no_faces"],
                    request=request,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Good practice submitted to the office."))
                return redirect("implementation:practice", the_plan.code, practice.pk)
        status = 422
    else:
        form = PracticeForm(the_plan, initial={"year": timezone.localdate().year - 1})
        status = 200
    return render(request, "implementation/practice_form.html", {"plan": the_plan, "form": form}, status=status)


@role_required(*FOLLOWUP_ROLES)
def practice(request: AuthenticatedHttpRequest, plan: str, pk: int) -> HttpResponse:
    access = get_practice_for_user(request, plan, pk)
    the_practice = access.practice
    context = {
        "plan": the_practice.plan,
        "practice": the_practice,
        "indicators": list(the_practice.indicators.order_by("code")),
        "photos": list(the_practice.documents.defer("content")),
        "can_decide": access.can_decide,
    }
    return render(request, "implementation/practice.html", context)


def _decision(
    request: AuthenticatedHttpRequest,
    plan: str,
    pk: int,
    *,
    name: str,
    allowed: set[str],
    title: str,
    label: str,
    consequences: list[str],
    action: Callable[..., None],
    done: str,
) -> HttpResponse:
    access: PracticeAccess = get_practice_for_user(request, plan, pk)
    the_practice: GoodPractice = access.practice
    if not access.can_decide or the_practice.state not in allowed:
        raise PermissionDenied(_("Only the office decides on a good practice in this state."))
    back = reverse("implementation:practice", args=[plan, pk])
    if not is_confirmed(request):
        return confirm_response(
            request,
            Confirmation(
                title=title,
                action_url=reverse(name, args=[plan, pk]),
                cancel_url=back,
                confirm_label=label,
                consequences=consequences,
            ),
        )
    try:
        action(request.user, the_practice, request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except PracticeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(back)


@role_required(Role.OFFICE)
@require_POST
def practice_publish(request: AuthenticatedHttpRequest, plan: str, pk: int) -> HttpResponse:
    return _decision(
        request,
        plan,
        pk,
        name="implementation:practice_publish",
        allowed={PracticeState.SUBMITTED, PracticeState.WITHDRAWN},
        title=_("Publish this good practice on the open-data portal?"),
        label=_("Publish"),
        consequences=[
            _("Anyone can read it on the portal, with its related indicators and photos."),
            _("It can be withdrawn from the portal later, but copies already made cannot be recalled."),
        ],
        action=do_publish_practice,
        done=_("Published on the open-data portal."),
    )


@role_required(Role.OFFICE)
@require_POST
def practice_decline(request: AuthenticatedHttpRequest, plan: str, pk: int) -> HttpResponse:
    return _decision(
        request,
        plan,
        pk,
        name="implementation:practice_decline",
        allowed={PracticeState.SUBMITTED},
        title=_("Decline this good practice?"),
        label=_("Decline"),
        consequences=[_("It is not published; the submitter is told. It stays in the list as not selected.")],
        action=do_decline_practice,
        done=_("Good practice declined."),
    )


@role_required(Role.OFFICE)
@require_POST
def practice_withdraw(request: AuthenticatedHttpRequest, plan: str, pk: int) -> HttpResponse:
    return _decision(
        request,
        plan,
        pk,
        name="implementation:practice_withdraw",
        allowed={PracticeState.PUBLISHED},
        title=_("Withdraw this good practice from the portal?"),
        label=_("Withdraw"),
        consequences=[_("It disappears from the portal; it can be published again later.")],
        action=do_withdraw_practice,
        done=_("Withdrawn from the open-data portal."),
    )
