"""Collection pages: rounds, a round's completeness, a department's entry page with its workflow,
a value's history and the validation rules."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from childfirst.accounts.audit import record
from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role
from childfirst.confirm import is_confirmed
from childfirst.plans.access import get_plan_for_user
from childfirst.plans.models import Indicator

from . import actions
from .access import (
    DEPARTMENT_ROLES,
    OVERSIGHT_ROLES,
    SubmissionAccess,
    get_round_for_user,
    get_submission_for_user,
    require_collection_role,
)
from .completeness import round_completeness
from .confirm_steps import close_round_step
from .entries import Finding, Rules
from .entry_form import EntryForm
from .export import export_rows, write_csv
from .models import ReportingRound, SubmissionState, ValidationRule, ValueChange
from .rules import DESCRIPTIONS, NAMES, current_rules, describe_params

COLLECTION_ROLES = tuple(OVERSIGHT_ROLES | DEPARTMENT_ROLES)


@role_required(*COLLECTION_ROLES)
def round_list(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    the_plan = get_plan_for_user(request, plan)
    rounds = list(ReportingRound.objects.filter(plan=the_plan))
    progress = {r.pk: round_completeness(r) for r in rounds}
    rows = [(r, progress[r.pk]) for r in rounds]
    return render(
        request,
        "collection/round_list.html",
        {"plan": the_plan, "rows": rows, "can_open": request.user.role == Role.OFFICE, "today": timezone.localdate()},
    )


@role_required(Role.OFFICE)
@require_POST
def round_open(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    the_plan = get_plan_for_user(request, plan)
    try:
        year = int(request.POST.get("year", ""))
        deadline = datetime.date.fromisoformat(request.POST.get("deadline", ""))
    except ValueError:
        messages.error(request, _("Give the year and a deadline like 2026-03-31."))
        return redirect("collection:rounds", plan=plan)
    try:
        actions.do_open_round(request.user, the_plan, year, deadline)
    except actions.CollectionError as exc:
        messages.error(request, str(exc))
        return redirect("collection:rounds", plan=plan)
    messages.success(request, _("The %(year)s round is open.") % {"year": year})
    return redirect("collection:round", plan=plan, year=year)


@role_required(*COLLECTION_ROLES)
def round_detail(request: AuthenticatedHttpRequest, plan: str, year: int) -> HttpResponse:
    reporting_round = get_round_for_user(request, plan, year)
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
def round_state(request: AuthenticatedHttpRequest, plan: str, year: int) -> HttpResponse:
    """Close, reopen or send reminders for a round (the office's buttons on the round page)."""
    reporting_round = get_round_for_user(request, plan, year)
    step = request.POST.get("step")
    try:
        if step == "close":
            if not is_confirmed(request):
                return close_round_step(request, reporting_round)
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
    return redirect("collection:round", plan=plan, year=year)


@role_required(*COLLECTION_ROLES)
def entry(request: AuthenticatedHttpRequest, plan: str, year: int, department: str) -> HttpResponse:
    """The department's values for the round: view for everyone allowed, edit for its reporters.

    Saving keeps every valid row and refuses only the bad ones, which come back as typed with their
    error beside the input; after a save the page returns to the domain and row the user was at."""
    access = get_submission_for_user(request, plan, year, department)
    submission = access.submission
    rules = current_rules()
    posted = request.POST if request.method == "POST" else None
    form = EntryForm(submission, posted, rules=rules)
    failed = False
    if posted is None:
        domain, at = request.GET.get("domain", ""), request.GET.get("open", "")
    else:
        if not access.can_edit:
            raise PermissionDenied
        # "go": a domain's tab pressed without JavaScript, which saves and then shows that domain.
        domain, at = posted.get("go") or posted.get("domain", ""), posted.get("at", "")
        refused_form = _save(request, form, rules)
        if refused_form is None:
            return redirect(_back_to(plan, year, department, domain, at))
        form, failed = refused_form, True
    domain = form.show(domain, _indicator_of(at))
    # The form has read what the round expects and the past values already: the review reuses them.
    review = actions.review_submission(submission, rules, expected=form.expected, history=form.history)
    form.attach(review.warnings, review.explained)
    blocking = [(finding, form.domain_of(finding.indicator)) for finding in review.blocking[:30]]
    return render(
        request,
        "collection/entry.html",
        {
            "access": access,
            "submission": submission,
            "round": submission.round,
            "form": form,
            "domain": domain,
            "failed": failed,
            "errors": form.errors(),
            "review": review,
            "blocking": blocking,
            "differences": form.prefill_differences() if _decides_next(access) else [],
            "imports": submission.imports.select_related("created_by")[:5],
        },
        status=422 if failed else 200,
    )


def _decides_next(access: SubmissionAccess) -> bool:
    """The reviewer of a submitted, or the office of an approved submission: the one who sees, before
    deciding, where its values differ from the children's platform."""
    state = access.submission.state
    return (access.can_review and state == SubmissionState.SUBMITTED) or (
        access.is_office and state == SubmissionState.APPROVED
    )


def _save(request: AuthenticatedHttpRequest, form: EntryForm, rules: Rules) -> EntryForm | None:
    """Save every valid row of the posted form; None when all were saved, else the page's form again
    with the refused rows as typed and their errors attached (the others as now stored)."""
    submission = form.submission
    try:
        result = actions.save_values(
            request.user,
            submission,
            form.cells(),
            channel=actions.Channel.WEB,
            seen_versions=form.seen_versions(),
            keep_valid=True,
        )
    except actions.CollectionError as exc:
        messages.error(request, str(exc))
        return form  # nothing saved: every row as typed
    for notice in result.notices:
        messages.info(request, str(notice))
    saved = _("Saved as draft: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.") % {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }
    if not result.rejected:
        messages.success(request, saved)
        return None
    messages.warning(request, saved)
    refused = {(f.indicator, f.area) for f in result.rejected}
    messages.error(
        request,
        ngettext(
            "%(count)d row was not saved: its value is kept as typed, with the problem beside it.",
            "%(count)d rows were not saved: their values are kept as typed, with the problem beside each.",
            len(refused),
        )
        % {"count": len(refused)},
    )
    submission.refresh_from_db()
    again = EntryForm(submission, form.data, typed_for=refused, rules=rules)
    # A row someone else changed meanwhile shows their version: saving it again replaces their
    # value knowingly (the message says what it is now); other refused rows keep the one seen.
    again.keep_versions(form.seen_versions(), {(f.indicator, f.area) for f in result.rejected if f.rule != "conflict"})
    again.attach([_as_typed_here(f) for f in result.rejected])
    return again


def _as_typed_here(finding: Finding) -> Finding:
    """A conflict on this page: the message says what the value is now, and that the typed one waits."""
    if finding.rule != "conflict":
        return finding
    kept = _("your value is still in the field: save again to replace theirs, or reload the page to drop yours")
    return replace(finding, message=f"{finding.message}; {kept}")


def _back_to(plan: str, year: int, department: str, domain: str, at: str) -> str:
    """The entry page at the domain, the indicator unfolded and the row the user saved from."""
    url = reverse("collection:entry", args=[plan, year, department])
    query = {"domain": domain} if domain else {}
    if at and all(ch.isalnum() or ch in "-_" for ch in at):  # an id from the page, never a free text
        query["open"] = at
        return f"{url}?{urlencode(query)}#{at}"
    return f"{url}?{urlencode(query)}" if query else url


def _indicator_of(at: str) -> str:
    """The indicator code of a place on the page: a row's id "r-<indicator>-<area>" or a code itself."""
    if at.startswith("r-"):
        return at[2:].rpartition("-")[0]
    return at


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
def workflow(request: AuthenticatedHttpRequest, plan: str, year: int, department: str, step: str) -> HttpResponse:
    access = get_submission_for_user(request, plan, year, department)
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
    return redirect("collection:entry", plan=plan, year=year, department=department)


@role_required(*OVERSIGHT_ROLES)
def round_export(request: AuthenticatedHttpRequest, plan: str, year: int) -> HttpResponse:
    """The year's values as CSV (what `childfirst data export` writes), derived district totals included."""
    reporting_round = get_round_for_user(request, plan, year)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="childfirst-{reporting_round.plan.code}-{year}.csv"'
    write_csv(export_rows(reporting_round.plan, year), response, labelled=True)
    record("collection.export_csv", actor=request.user, obj=reporting_round, year=year)
    return response


@role_required(*COLLECTION_ROLES)
def value_history(
    request: AuthenticatedHttpRequest, plan: str, year: int, department: str, indicator: str, area: str
) -> HttpResponse:
    access = get_submission_for_user(request, plan, year, department)
    the_indicator = get_object_or_404(Indicator, plan=access.submission.round.plan, code=indicator)
    value = access.submission.values.filter(indicator=the_indicator, area__code=area).select_related("area").first()
    changes = ValueChange.objects.filter(data_value=value).select_related("changed_by", "import_batch") if value else []
    return render(
        request,
        "collection/value_history.html",
        {"submission": access.submission, "indicator": the_indicator, "value": value, "changes": changes},
    )


@role_required(*COLLECTION_ROLES)
def rules(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    """The validation rules (the same for every plan; the page sits under a plan for its navigation)."""
    require_collection_role(request.user)
    the_plan = get_plan_for_user(request, plan)
    rows = [
        (rule, NAMES.get(rule.code, rule.code), DESCRIPTIONS.get(rule.code, ""), describe_params(rule.params or {}))
        for rule in ValidationRule.objects.all()
    ]
    return render(request, "collection/rules.html", {"rows": rows, "plan": the_plan})
