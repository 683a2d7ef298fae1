"""Casework pages: the director's work list, the supervisor's dashboard, a child's casework page,
and the forms for visits, risk assessments, tasks and one-to-one assistance.

Every page that shows a child's data writes the access log (through get_child_for_user for one
file, log_access for lists); every change goes through one do_* function.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role
from childfirst.linkage.coverage import coverage_of_street
from childfirst.linkage.task_views import review_summary, task_summary
from childfirst.registry.children.access import get_child_for_user, log_access, sees_referral_fields_only
from childfirst.registry.children.idnumber import clean_characters, looks_like_id, mask_id
from childfirst.registry.children.search import search_children
from childfirst.registry.mandatory import actions as mandatory_actions
from childfirst.registry.mandatory.intake import countdown
from childfirst.registry.models import AccessAction, Child, MandatoryReport, RegistryGrant, RiskAssessment, Task

from . import actions
from .access import can_assess, get_assessment_for_user, get_assistance_for_user, get_task_for_user
from .caseload import (
    assignment_for,
    attach_children,
    case_rows,
    due_for,
    load_by_community,
    open_referrals,
    risk_status,
)
from .forms import AssistanceCloseForm, AssistanceForm, CloseForm, NoteForm, ReviewForm, RiskAssessmentForm, VisitForm
from .risk import current_checklist, level_rank
from .visits import current_policy

KEEPERS = (Role.COMMUNITY_DIRECTOR, Role.STREET_SUPERVISOR)
# Rows per page of the work list: overdue children come first, so the first page is the work to do.
WORK_LIST_PAGE = 100


def _save_error(request: AuthenticatedHttpRequest, form, exc: Exception) -> None:
    """An action's refusal shown on the form, the input kept."""
    if isinstance(exc, ValidationError):
        for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, str(exc))


# ----- work lists -------------------------------------------------------------------------------


@sensitive_post_parameters()
@never_cache
@role_required(*KEEPERS)
def work_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The keeper's children, overdue visits first; filters by name/pinyin, community and overdue.
    The filters (and the page) are POSTed, as on the child list: a name or an ID number typed in
    the search must never be in a URL (browser history, server and proxy logs)."""
    user = request.user
    params = request.POST if request.method == "POST" else request.GET
    term = request.POST.get("q", "") if request.method == "POST" else ""  # never read from a URL
    community = params.get("community", "")
    children, note = search_children(user, term)
    if community:
        children = children.filter(residence_area__code=community)
    rows = case_rows(children)
    overdue_only = params.get("overdue") == "1"
    if overdue_only:
        rows = [row for row in rows if row.due.is_overdue]
    log_access(request, None, AccessAction.SEARCH, "casework work list", result_count=len(rows))
    page = Paginator(rows, WORK_LIST_PAGE).get_page(params.get("page"))
    attach_children(page.object_list)  # the page's children in one query; the others are not drawn
    if looks_like_id(term):
        term = mask_id(clean_characters(term))  # shown back masked, like every number on the page
    return render(
        request,
        "registry/casework/work_list.html",
        {
            "rows": rows,
            "page": page,
            "overdue_count": sum(row.due.is_overdue for row in rows),
            "q": term,
            "note": note,
            "community": community,
            "overdue_only": overdue_only,
            "communities": load_by_community([], user.area) if user.role == Role.STREET_SUPERVISOR else [],
            "today": timezone.localdate(),
            "verification": task_summary(user),
        },
    )


@never_cache
@role_required(Role.STREET_SUPERVISOR)
def supervision(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The supervisor's dashboard: tasks, overdue visits by community, reports awaiting triage with
    their deadlines, assessments awaiting approval, open referrals, and the office's requests and
    grants of access to the street's child files (so that the files' keepers know who may read them)."""
    mandatory_actions.escalate_overdue_reports()
    user = request.user
    street = user.area
    assert street is not None  # a street supervisor has a street (User.clean)
    now = timezone.now()
    children = Child.objects.visible_to(user)
    rows = case_rows(children)
    tasks = list(
        Task.objects.open().for_street(street).select_related("child__residence_area", "report").order_by("due_on")
    )
    reports = list(
        MandatoryReport.objects.for_street(street)
        .open()
        .select_related("community", "street")
        .order_by("triage_due_at")
    )
    for report in reports:
        report.countdown = countdown(report, now)
    pending = sorted(
        RiskAssessment.objects.awaiting_approval()
        .filter(child__in=children)
        .select_related("child__residence_area", "assessed_by"),
        key=lambda a: (-level_rank(a.level), a.recorded_at),  # the highest risk first, then the oldest
    )
    referrals = list(open_referrals(children))
    office_access = list(
        RegistryGrant.objects.open(now)
        .concerning(street)
        .select_related("user", "area", "requested_by", "decided_by")
        .order_by("state", "expires_at")
    )
    log_access(request, None, AccessAction.SEARCH, "supervisor dashboard", result_count=len(rows))
    return render(
        request,
        "registry/casework/supervision.html",
        {
            "street": street,
            "tasks": tasks,
            "loads": load_by_community(rows, street),
            "overdue_total": sum(row.due.is_overdue for row in rows),
            "children_total": len(rows),
            "reports": reports,
            "awaiting_triage": sum(r.state == "awaiting" for r in reports),
            "pending": pending,
            "referrals": referrals,
            "office_access": office_access,
            "today": timezone.localdate(),
            # The department lists (linkage): tasks, pairs to review and the street's coverage.
            "verification": task_summary(user),
            "reviews_pending": review_summary(user),
            "coverage": coverage_of_street(street),
        },
    )


# ----- a child's casework -----------------------------------------------------------------------


@never_cache
@role_required(*KEEPERS, Role.OFFICE)
def child_casework(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if sees_referral_fields_only(request.user):
        raise PermissionDenied
    child, can_edit = get_child_for_user(request, pk, purpose="casework")
    return render(
        request,
        "registry/casework/child.html",
        {
            "child": child,
            "can_edit": can_edit,
            "can_assess": can_assess(request.user, child),
            "assignment": assignment_for(child),
            "due": due_for(child),
            "risk": risk_status(child),
            "visits": child.visits.select_related("visitor"),
            "assessments": child.risk_assessments.select_related("assessed_by", "reviewed_by"),
            "assistance": child.assistance_plans.prefetch_related("follow_ups"),
            "referrals": child.referrals.select_related("department"),
            "reports": child.mandatory_reports.all() if request.user.role == Role.STREET_SUPERVISOR else [],
            "tasks": child.tasks.open() if request.user.role == Role.STREET_SUPERVISOR else [],
            "policy": current_policy(),
        },
    )


@never_cache
@role_required(*KEEPERS)
def visit_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child, can_edit = get_child_for_user(request, pk, purpose="record a visit")
    if not can_edit:
        raise PermissionDenied
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_record_visit(request.user, child, request=request, **form.cleaned_data)
        except (actions.CaseworkError, ValidationError) as exc:
            _save_error(request, form, exc)
        else:
            messages.success(request, _("The visit is recorded."))
            return redirect("registry:casework", pk=child.pk)
    return render(request, "registry/casework/visit_form.html", {"child": child, "form": form})


@never_cache
@role_required(*KEEPERS)
def risk_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child, _can_edit = get_child_for_user(request, pk, purpose="risk assessment")
    if not can_assess(request.user, child):
        raise PermissionDenied
    form = RiskAssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = actions.do_assess_risk(
                request.user,
                child,
                assessed_on=form.cleaned_data["assessed_on"],
                ticked=form.ticked(),
                raised_to=form.cleaned_data["raised_to"],
                raise_reason=form.cleaned_data["raise_reason"],
                notes=form.cleaned_data["notes"],
                request=request,
            )
        except (actions.CaseworkError, ValidationError) as exc:
            _save_error(request, form, exc)
        else:
            messages.success(
                request,
                _("The assessment is recorded (level: %(level)s) and awaits the street supervisor's approval.")
                % {"level": assessment.get_level_display()},
            )
            if assessment.tasks.exists():
                messages.warning(request, _("High risk: a task has been raised for the street's child supervisor."))
            return redirect("registry:risk", pk=assessment.pk)
    return render(
        request, "registry/casework/risk_form.html", {"child": child, "form": form, "checklist": current_checklist()}
    )


@never_cache
@role_required(*KEEPERS, Role.OFFICE)
def risk_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = get_assessment_for_user(request, pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not access.can_review:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.do_review_assessment(
                    request.user,
                    access.assessment,
                    approve=request.POST.get("decision") == "approve",
                    note=form.cleaned_data["note"],
                    request=request,
                )
            except actions.CaseworkError as exc:
                form.add_error("note", str(exc))
            else:
                messages.success(request, _("The review is recorded."))
                return redirect("registry:risk", pk=pk)
    checklist = current_checklist()
    ticked = set(access.assessment.ticked)
    return render(
        request,
        "registry/casework/risk_detail.html",
        {
            "access": access,
            "assessment": access.assessment,
            "child": access.child,
            "form": form,
            # Items as the checklist has them now; an item since removed is still listed by its code.
            "items": [(item, item.code in ticked) for item in checklist.items]
            + [(code, True) for code in access.assessment.ticked if checklist.item(code) is None],
            "version_differs": access.assessment.checklist_version != checklist.version,
        },
    )


@never_cache
@role_required(Role.STREET_SUPERVISOR)
@require_POST
def task_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = get_task_for_user(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            actions.do_close_task(request.user, task, note=form.cleaned_data["note"], request=request)
        except actions.CaseworkError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The task is closed."))
    else:
        messages.error(request, _("Note on closing: say what was done."))
    return redirect("registry:supervision")


# ----- one-to-one assistance --------------------------------------------------------------------


@never_cache
@role_required(*KEEPERS)
def assistance_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child, can_edit = get_child_for_user(request, pk, purpose="one-to-one assistance")
    if not can_edit:
        raise PermissionDenied
    form = AssistanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assistance = actions.do_start_assistance(request.user, child, request=request, **form.cleaned_data)
        except actions.CaseworkError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The assistance plan is recorded."))
            return redirect("registry:assistance", pk=assistance.pk)
    return render(request, "registry/casework/assistance_form.html", {"child": child, "form": form})


@never_cache
@role_required(*KEEPERS, Role.OFFICE)
def assistance_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The plan and its follow-ups; its keepers add follow-ups and close it here."""
    access = get_assistance_for_user(request, pk)
    follow_up_form = NoteForm(request.POST if request.POST.get("step") == "follow_up" else None)
    close_form = AssistanceCloseForm(request.POST if request.POST.get("step") == "close" else None)
    if request.method == "POST":
        if not access.can_edit:
            raise PermissionDenied
        form = follow_up_form if request.POST.get("step") == "follow_up" else close_form
        if form.is_valid():
            try:
                if form is follow_up_form:
                    actions.do_add_follow_up(request.user, access.assistance, request=request, **form.cleaned_data)
                else:
                    actions.do_close_assistance(request.user, access.assistance, request=request, **form.cleaned_data)
            except actions.CaseworkError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved."))
                return redirect("registry:assistance", pk=pk)
    return render(
        request,
        "registry/casework/assistance_detail.html",
        {
            "access": access,
            "assistance": access.assistance,
            "child": access.child,
            "follow_up_form": follow_up_form,
            "close_form": close_form,
        },
    )
