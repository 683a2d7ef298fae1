"""Referral pages: refer a child to a department, the referral inbox (a department's, or the
keeper's open referrals), and one referral with its progress and closing.

A department's users see the child only while the referral is open, and only the fields the
referral needs (name, age, sex, community): never the ID number, guardians, address or categories.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import DEPARTMENT_ROLES, Role
from childfirst.registry.casework.caseload import open_referrals
from childfirst.registry.casework.forms import CloseForm, NoteForm
from childfirst.registry.children.access import get_child_for_user, log_access
from childfirst.registry.models import AccessAction, Child, Referral

from . import actions
from .access import get_referral_for_user
from .forms import ReferralForm

KEEPERS = (Role.COMMUNITY_DIRECTOR, Role.STREET_SUPERVISOR)


@never_cache
@role_required(*KEEPERS)
def referral_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child, can_edit = get_child_for_user(request, pk, purpose="referral")
    if not can_edit:
        raise PermissionDenied
    district = child.residence_area.ancestors()[0]
    form = ReferralForm(request.POST or None, district=district)
    if request.method == "POST" and form.is_valid():
        try:
            referral = actions.do_refer(request.user, child, request=request, **form.cleaned_data)
        except actions.CaseworkError as exc:
            form.add_error("department", str(exc))
        else:
            messages.success(
                request, _("The referral is sent to %(department)s.") % {"department": referral.department}
            )
            return redirect("registry:referral", pk=referral.pk)
    return render(request, "registry/casework/referral_form.html", {"child": child, "form": form})


@never_cache
@role_required(*KEEPERS, *DEPARTMENT_ROLES)
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A department: its open referrals with the needed fields, and its closed ones without the
    child. A keeper: the open referrals of the children they keep, oldest first."""
    user = request.user
    if user.role in DEPARTMENT_ROLES:
        open_rows = list(
            Referral.objects.visible_to(user)
            .open()
            .filter(child__in=Child.objects.visible_to(user))
            .select_related("child__residence_area__parent", "opened_by")
            .order_by("opened_at")
        )
        closed_rows = list(Referral.objects.visible_to(user).filter(state="closed").order_by("-closed_at")[:50])
    else:
        open_rows = list(open_referrals(Child.objects.visible_to(user)))
        closed_rows = []
    log_access(request, [r.child for r in open_rows], AccessAction.SEARCH, "referral list")
    return render(
        request,
        "registry/casework/referral_list.html",
        {"open_rows": open_rows, "closed_rows": closed_rows, "as_department": user.role in DEPARTMENT_ROLES},
    )


@never_cache
@role_required(*KEEPERS, *DEPARTMENT_ROLES, Role.OFFICE)
def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = get_referral_for_user(request, pk)
    step = request.POST.get("step")
    update_form = NoteForm(request.POST if step == "update" else None)
    close_form = CloseForm(request.POST if step == "close" else None, label=_("Outcome"))
    if request.method == "POST":
        form = update_form if step == "update" else close_form
        allowed = access.can_update if step == "update" else access.can_close
        if not allowed:
            raise PermissionDenied
        if form.is_valid():
            try:
                if step == "update":
                    actions.do_update_referral(request.user, access.referral, request=request, **form.cleaned_data)
                else:
                    actions.do_close_referral(
                        request.user, access.referral, outcome=form.cleaned_data["note"], request=request
                    )
            except actions.CaseworkError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved."))
                if step == "close" and access.as_department:
                    return redirect("registry:referrals")
                return redirect("registry:referral", pk=pk)
    return render(
        request,
        "registry/casework/referral_detail.html",
        {
            "access": access,
            "referral": access.referral,
            "child": access.child,
            "updates": access.referral.updates.select_related("recorded_by"),
            "update_form": update_form,
            "close_form": close_form,
        },
    )
