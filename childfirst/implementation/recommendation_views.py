"""The pages of recommendations and their follow-up (对策建议与督办), under
plans/<plan>/implementation/recommendations/: the list, one recommendation with every addressee's
answers and the office's decisions, the office's form to issue one (prefilled from where the problem
was seen: ?indicator=CODE or ?street=CODE), an addressee's answer, and the office's close or return
(each a confirmation step)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role
from childfirst.areas.models import Area, Level
from childfirst.confirm import Confirmation, confirm_response, is_confirmed, posted_reason, reason_missing
from childfirst.plans.models import Indicator

from .access import (
    FOLLOWUP_ROLES,
    AssignmentAccess,
    get_assignment_for_user,
    get_followup_plan_for_user,
    get_recommendation_for_user,
    is_acting_office,
    recommendations_visible_to,
)
from .followup_forms import RecommendationForm, ResponseForm
from .models import Assignment, AssignmentState, Document, RecommendationSource, RecommendationState, Response
from .recommendation_actions import FollowupError, do_close_assignment, do_issue_recommendation, do_respond, do_return

# ?state= of the list: what each shows.
STATES = ("open", "overdue", "closed", "all")


@role_required(*FOLLOWUP_ROLES)
def recommendations(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    """The office's every recommendation of the plan (filter by state or overdue); a department's or
    street's those addressed to it, each with its own follow-up only."""
    the_plan = get_followup_plan_for_user(request, plan)
    user = request.user
    state = request.GET.get("state", "open")
    if state not in STATES:
        return render(
            request,
            "implementation/recommendations.html",
            {"plan": the_plan, "rows": [], "state": "open", "states": STATES, "error": _("Unknown filter.")},
            status=400,
        )
    today = timezone.localdate()
    office = user.role == Role.OFFICE
    shown = Assignment.objects.select_related("department", "area")
    if not office:
        shown = shown.of_user(user)
    found = recommendations_visible_to(user, the_plan).select_related("indicator", "area")
    if state == "open":
        found = found.filter(state=RecommendationState.OPEN)
    elif state == "closed":
        found = found.filter(state=RecommendationState.CLOSED)
    elif state == "overdue":
        overdue = Assignment.objects.overdue(today)
        found = found.filter(pk__in=(overdue if office else overdue.of_user(user)).values("recommendation_id"))
    rows = list(found.prefetch_related(Prefetch("assignments", queryset=shown, to_attr="shown")))
    return render(
        request,
        "implementation/recommendations.html",
        {
            "plan": the_plan,
            "rows": rows,
            "today": today,
            "state": state,
            "states": STATES,
            "may_issue": is_acting_office(user, the_plan),
        },
    )


def _prefill(request: AuthenticatedHttpRequest, plan: Any) -> dict[str, Any]:
    """The form's start from the link it was opened by: an indicator's or a street's code (not personal).
    An unknown code is a 404, so a wrong link is noticed rather than silently dropped."""
    initial: dict[str, Any] = {"year": timezone.localdate().year - 1}
    year = request.GET.get("year", "")
    if year:
        if not year.isdigit() or not 2000 <= int(year) <= 2100:
            raise Http404(_("Unknown year."))
        initial["year"] = int(year)
    code = request.GET.get("indicator", "")
    if code:
        indicator = Indicator.objects.filter(plan=plan, code=code).first()
        if indicator is None:
            raise Http404(_("This plan has no indicator of that code."))
        initial |= {"indicator": indicator.code, "source": RecommendationSource.WARNING}
        initial["departments"] = [r.department_id for r in indicator.responsibilities.all()]
        initial["title"] = _("On indicator %(code)s %(name)s") % {
            "code": indicator.code,
            "name": indicator.display_name,
        }
    street = request.GET.get("street", "")
    if street:
        area = Area.objects.filter(code=street, level=Level.STREET).first()
        if area is None or not plan.area.contains(area):
            raise Http404(_("This plan's district has no street/town of that code."))
        initial |= {"area": area.code, "source": RecommendationSource.STREET, "streets": [area.pk]}
        initial.setdefault("title", _("On %(street)s") % {"street": area.display_name})
    return initial


@role_required(Role.OFFICE)
@require_http_methods(["GET", "POST"])
def recommendation_new(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    the_plan = get_followup_plan_for_user(request, plan)
    if not is_acting_office(request.user, the_plan):
        raise PermissionDenied
    if request.method == "POST":
        form = RecommendationForm(the_plan, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                recommendation = do_issue_recommendation(
                    request.user,
                    the_plan,
                    year=data["year"],
                    title=data["title"],
                    text=data["text"],
                    source=data["source"],
                    due_date=data["due_date"],
                    departments=list(data["departments"]),
                    streets=list(data["streets"]),
                    indicator=data["indicator"],
                    area=data["area"],
                    request=request,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Recommendation #%(number)d issued.") % {"number": recommendation.pk})
                return redirect("implementation:recommendation", the_plan.code, recommendation.pk)
        status = 422
    else:
        form = RecommendationForm(the_plan, initial=_prefill(request, the_plan))
        status = 200
    return render(request, "implementation/recommendation_form.html", {"plan": the_plan, "form": form}, status=status)


@role_required(*FOLLOWUP_ROLES)
def recommendation(request: AuthenticatedHttpRequest, plan: str, pk: int) -> HttpResponse:
    """One recommendation: what it asks, and per addressee (all for the office, else the user's own)
    every answer with its evidence and the office's decision on it."""
    access = get_recommendation_for_user(request, plan, pk)
    recommendation = access.recommendation
    responses = Response.objects.filter(assignment__in=access.assignments).select_related("responded_by", "decided_by")
    by_assignment: dict[int, list[Response]] = {}
    evidence = Prefetch("documents", queryset=Document.objects.defer("content"))
    for response in responses.prefetch_related(evidence):
        by_assignment.setdefault(response.assignment_id, []).append(response)
    user = request.user
    today = timezone.localdate()
    rows = [
        {
            "assignment": a,
            "responses": by_assignment.get(a.pk, []),
            "overdue": a.is_overdue(today),
            "can_respond": a.can_be_answered and user.role != Role.OFFICE,
            "can_decide": access.is_office and a.state == AssignmentState.ANSWERED,
        }
        for a in access.assignments
    ]
    return render(
        request,
        "implementation/recommendation.html",
        {"plan": recommendation.plan, "recommendation": recommendation, "rows": rows, "response_form": ResponseForm()},
    )


def _back(access: AssignmentAccess) -> str:
    recommendation = access.assignment.recommendation
    return reverse("implementation:recommendation", args=[recommendation.plan.code, recommendation.pk])


@role_required(Role.DEPT_REPORTER, Role.DEPT_REVIEWER, Role.STREET_SUPERVISOR)
@require_http_methods(["GET", "POST"])
def assignment_respond(request: AuthenticatedHttpRequest, plan: str, pk: int) -> HttpResponse:
    """The addressee's answer: the action taken and its evidence (all stored, or nothing)."""
    access = get_assignment_for_user(request, plan, pk)
    if not access.can_respond:
        raise PermissionDenied(_("This follow-up is not awaiting your answer."))
    assignment = access.assignment
    if request.method == "POST":
        form = ResponseForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                do_respond(
                    request.user,
                    assignment,
                    action_taken=form.cleaned_data["action_taken"],
                    evidence=form.cleaned_data["evidence"],
                    request=request,
                )
            except ValidationError as error:
                form.add_error(None, error)
            except FollowupError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your answer was sent to the office."))
                return redirect(_back(access))
        status = 422
    else:
        form = ResponseForm()
        status = 200
    context = {"plan": assignment.recommendation.plan, "assignment": assignment, "form": form}
    return render(request, "implementation/response_form.html", context, status=status)


@role_required(Role.OFFICE)
@require_POST
def assignment_close(request: AuthenticatedHttpRequest, plan: str, pk: int) -> HttpResponse:
    """The office accepts the answer and closes this addressee's follow-up (confirmed first)."""
    access = get_assignment_for_user(request, plan, pk)
    if not access.can_decide:
        raise PermissionDenied(_("No answer awaits your decision here."))
    assignment = access.assignment
    if not is_confirmed(request):
        return confirm_response(
            request,
            Confirmation(
                title=_("Close the follow-up of %(addressee)s?") % {"addressee": assignment},
                action_url=reverse("implementation:assignment_close", args=[plan, pk]),
                cancel_url=_back(access),
                confirm_label=_("Accept the answer and close"),
                consequences=[
                    _("The answer is accepted; the addressee is told and cannot answer again."),
                    _("The recommendation closes when every addressee's follow-up is closed."),
                ],
            ),
        )
    try:
        do_close_assignment(request.user, assignment, request=request)
    except FollowupError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Follow-up of %(addressee)s closed.") % {"addressee": assignment})
    return redirect(_back(access))


@role_required(Role.OFFICE)
@require_POST
def assignment_return(request: AuthenticatedHttpRequest, plan: str, pk: int) -> HttpResponse:
    """The office sends the answer back with a reason (confirmed, reason required); the answer is kept."""
    access = get_assignment_for_user(request, plan, pk)
    if not access.can_decide:
        raise PermissionDenied(_("No answer awaits your decision here."))
    assignment = access.assignment
    confirmation = Confirmation(
        title=_("Send the answer of %(addressee)s back?") % {"addressee": assignment},
        action_url=reverse("implementation:assignment_return", args=[plan, pk]),
        cancel_url=_back(access),
        confirm_label=_("Send back"),
        consequences=[_("The addressee is told and answers again; this answer stays in the history.")],
        reason_label=_("Why it is sent back"),
        reason_required=True,
    )
    if not is_confirmed(request) or reason_missing(request, confirmation):
        return confirm_response(request, confirmation)
    try:
        do_return(request.user, assignment, posted_reason(request), request=request)
    except FollowupError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The answer of %(addressee)s was sent back.") % {"addressee": assignment})
    return redirect(_back(access))
