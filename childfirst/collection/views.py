"""Collection pages: rounds, a round's completeness, a department's entry page with its workflow,
a value's history and the validation rules."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from childfirst.accounts.audit import record
from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role
from childfirst.plans.models import Indicator

from . import actions
from .access import (
    DEPARTMENT_ROLES,
    OVERSIGHT_ROLES,
    get_round_for_user,
    get_submission_for_user,
    require_collection_role,
    visible_plan,
)
from .completeness import round_completeness
from .entry_form import EntryForm
from .export import export_rows, write_csv
from .models import ReportingRound, ValidationRule, ValueChange
from .rules import DESCRIPTIONS, NAMES, describe_params

COLLECTION_ROLES = tuple(OVERSIGHT_ROLES | DEPARTMENT_ROLES)


@role_required(*COLLECTION_ROLES)
def round_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    plan = visible_plan(request.user)
    rounds = list(ReportingRound.objects.filter(plan=plan))
    progress = {r.pk: round_completeness(r) for r in rounds}
    rows = [(r, progress[r.pk]) for r in rounds]
    return render(
        request,
        "collection/round_list.html",
        {"plan": plan, "rows": rows, "can_open": request.user.role == Role.OFFICE, "today": timezone.localdate()},
    )


@role_required(Role.OFFICE)
@require_POST
def round_open(request: AuthenticatedHttpRequest) -> HttpResponse:
    plan = visible_plan(request.user)
    try:
        year = int(request.POST.get("year", ""))
        deadline = datetime.date.fromisoformat(request.POST.get("deadline", ""))
    except ValueError:
        messages.error(request, _("Give the year and a deadline like 2026-03-31."))
        return redirect("collection:rounds")
    try:
        actions.do_open_round(request.user, plan, year, deadline)
    except actions.CollectionError as exc:
        messages.error(request, str(exc))
        return redirect("collection:rounds")
    messages.success(request, _("The %(year)s round is open.") % {"year": year})
    return redirect("collection:round", year=year)


@role_required(*COLLECTION_ROLES)
def round_detail(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    reporting_round = get_round_for_user(request, year)
    completeness = round_completeness(reporting_round)
    return render(
        request,
        "collection/round_detail.html",
        {
            "round": reporting_round,
            "completeness": completeness,
            "is_office": request.user.role == Role.OFFICE,
            "own_department": request.user.department_id,
        },
    )


@role_required(Role.OFFICE)
@require_POST
def round_state(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    """Close, reopen or send reminders for a round (the office's buttons on the round page)."""
    reporting_round = get_round_for_user(request, year)
    step = request.POST.get("step")
    try:
        if step == "close":
            actions.do_close_round(request.user, reporting_round)
            messages.success(request, _("The round is closed."))
        elif step == "reopen":
            actions.do_reopen_round(request.user, reporting_round, request.POST.get("reason", ""))
            messages.success(request, _("The round is open again."))
        elif step == "remind":
            sent = actions.do_send_reminders(request.user, reporting_round, timezone.localdate())
            messages.success(request, _("%(count)d reminder(s) sent.") % {"count": sent})
        else:
            raise PermissionDenied
    except actions.CollectionError as exc:
        messages.error(request, str(exc))
    return redirect("collection:round", year=year)


@role_required(*COLLECTION_ROLES)
def entry(request: AuthenticatedHttpRequest, year: int, department: str) -> HttpResponse:
    """The department's values for the round: view for everyone allowed, edit for its reporters."""
    access = get_submission_for_user(request, year, department)
    submission = access.submission
    form = EntryForm(submission, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not access.can_edit:
            raise PermissionDenied
        try:
            result = actions.save_values(
                request.user,
                submission,
                form.cells(),
                channel=actions.Channel.WEB,
                seen_versions=form.seen_versions(),
            )
        except actions.ValuesRejected as exc:
            form.attach(exc.findings)
            messages.error(request, str(exc))
        except actions.CollectionError as exc:
            messages.error(request, str(exc))
        else:
            for notice in result.notices:
                messages.info(request, str(notice))
            messages.success(
                request,
                _("Saved as draft: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.")
                % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            )
            return redirect("collection:entry", year=year, department=department)
    review = actions.review_submission(submission)
    form.attach(review.warnings, review.explained)
    return render(
        request,
        "collection/entry.html",
        {
            "access": access,
            "submission": submission,
            "round": submission.round,
            "form": form,
            "review": review,
            "imports": submission.imports.select_related("created_by")[:5],
        },
        status=422 if request.method == "POST" else 200,
    )


# The actions take (user, submission, seen version) and, for return and reopen, a reason.
# Lazy: the message is shown in the language of the request, not of the import.
WORKFLOW: dict[str, tuple[Callable[..., Any], Promise]] = {
    "submit": (actions.do_submit, gettext_lazy("Submitted for review.")),
    "approve": (actions.do_approve, gettext_lazy("Approved; the office has been left to accept it.")),
    "return": (actions.do_return, gettext_lazy("Returned to the reporters with your reason.")),
    "accept": (actions.do_accept, gettext_lazy("Accepted. The values are now locked.")),
    "reopen": (actions.do_reopen, gettext_lazy("Reopened for correction; this is logged.")),
}


@role_required(*COLLECTION_ROLES)
@require_POST
def workflow(request: AuthenticatedHttpRequest, year: int, department: str, step: str) -> HttpResponse:
    access = get_submission_for_user(request, year, department)
    if step not in WORKFLOW:
        raise PermissionDenied
    action, done = WORKFLOW[step]
    try:
        seen = int(request.POST.get("version", ""))
    except ValueError:
        seen = -1  # a request without the version it acts on is treated as stale
    extra = {"reason": request.POST.get("reason", "")} if step in ("return", "reopen") else {}
    try:
        action(request.user, access.submission, seen, **extra)
    except actions.SubmissionBlocked as exc:
        messages.error(request, str(exc))
        for finding in exc.findings[:20]:
            messages.warning(request, str(finding))
    except actions.CollectionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, str(done))
    return redirect("collection:entry", year=year, department=department)


@role_required(*OVERSIGHT_ROLES)
def round_export(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    """The year's values as CSV (what `childfirst data export` writes), derived district totals included."""
    reporting_round = get_round_for_user(request, year)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="childfirst-{reporting_round.plan.code}-{year}.csv"'
    write_csv(export_rows(reporting_round.plan, year), response, labelled=True)
    record("collection.export_csv", actor=request.user, obj=reporting_round, year=year)
    return response


@role_required(*COLLECTION_ROLES)
def value_history(
    request: AuthenticatedHttpRequest, year: int, department: str, indicator: str, area: str
) -> HttpResponse:
    access = get_submission_for_user(request, year, department)
    the_indicator = get_object_or_404(Indicator, plan=access.submission.round.plan, code=indicator)
    value = access.submission.values.filter(indicator=the_indicator, area__code=area).select_related("area").first()
    changes = ValueChange.objects.filter(data_value=value).select_related("changed_by", "import_batch") if value else []
    return render(
        request,
        "collection/value_history.html",
        {"submission": access.submission, "indicator": the_indicator, "value": value, "changes": changes},
    )


@role_required(*COLLECTION_ROLES)
def rules(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_collection_role(request.user)
    rows = [
        (rule, NAMES.get(rule.code, rule.code), DESCRIPTIONS.get(rule.code, ""), describe_params(rule.params or {}))
        for rule in ValidationRule.objects.all()
    ]
    return render(request, "collection/rules.html", {"rows": rows})
