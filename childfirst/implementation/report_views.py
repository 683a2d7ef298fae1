"""Implementation report pages: the round's overview for a year (every department's report, its state,
completeness and timeliness), a report's page (the web form per item, attachments, the workflow's
buttons by role; a read view for the others), and the Word template's download and upload."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from childfirst.accounts.audit import record
from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import DEPARTMENT_ROLES, Role
from childfirst.collection.models import ReportingRound, SubmissionState
from childfirst.confirm import Confirmation, confirm_response, is_confirmed

from . import report_actions as actions
from .access import (
    READERS_OF_ACCEPTED,
    REPORT_ROLES,
    ReportAccess,
    get_plan_for_reports,
    get_report_for_user,
    is_office_of,
)
from .documents import EVIDENCE_KINDS, KIND_LABELS, max_bytes
from .models import Document, ImplementationReport
from .report_forms import ReportForm
from .report_word import WordRejected, read_report_docx, write_report_docx
from .reports import is_on_time, items_of, reporting_departments, round_rows


def _round(request: AuthenticatedHttpRequest, plan: str, year: int) -> ReportingRound:
    the_plan = get_plan_for_reports(request, plan)
    reporting_round = ReportingRound.objects.filter(plan=the_plan, year=year).first()
    if reporting_round is None:
        raise Http404
    reporting_round.plan = the_plan
    return reporting_round


@role_required(*REPORT_ROLES)
def round_page(request: AuthenticatedHttpRequest, plan: str, year: int) -> HttpResponse:
    """Every department's report of the year (the office); a department's own row; the accepted ones
    for leaders and evaluators."""
    reporting_round = _round(request, plan, year)
    user = request.user
    office = is_office_of(user, reporting_round.plan)
    if user.role == Role.OFFICE and not office:
        raise PermissionDenied  # an office of another area reads no department's report
    own = user.department_id if user.role in DEPARTMENT_ROLES else None
    rows = round_rows(reporting_round, own) if user.role in DEPARTMENT_ROLES else round_rows(reporting_round)
    if user.role in READERS_OF_ACCEPTED:
        rows = [r for r in rows if r.report.state == SubmissionState.ACCEPTED]
    states = [r.report.state for r in rows]
    figures = {
        "departments": len(rows),
        "submitted": sum(
            s in (SubmissionState.SUBMITTED, SubmissionState.APPROVED, SubmissionState.ACCEPTED) for s in states
        ),
        "accepted": states.count(SubmissionState.ACCEPTED),
        "complete": sum(r.complete for r in rows),
        "on_time": sum(r.on_time is True for r in rows),
        "late": sum(r.on_time is False for r in rows),
        "overdue": sum(r.overdue for r in rows),
    }
    return render(
        request,
        "implementation/round.html",
        {
            "round": reporting_round,
            "plan": reporting_round.plan,
            "rows": rows,
            "figures": figures,
            "is_office": office,
            # the office opens reports while some department with items to report on has none yet
            "can_open": office
            and reporting_round.is_open
            and len(rows) < len(reporting_departments(reporting_round.plan)),
            "other_years": ReportingRound.objects.filter(
                plan=reporting_round.plan, year__gte=reporting_round.plan.start_year
            ).exclude(pk=reporting_round.pk),
            "today": timezone.localdate(),
        },
    )


@role_required(*REPORT_ROLES)
def reports_index(request: AuthenticatedHttpRequest, plan: str) -> HttpResponse:
    """The navigation's entry: the newest year's implementation reports (the open round's, else the
    latest)."""
    the_plan = get_plan_for_reports(request, plan)
    rounds = ReportingRound.objects.filter(plan=the_plan, year__gte=the_plan.start_year)
    newest = rounds.filter(state="open").order_by("-year").first() or rounds.order_by("-year").first()
    if newest is None:
        return render(request, "implementation/no_rounds.html", {"plan": the_plan})
    return redirect("implementation:round", plan=plan, year=newest.year)


@role_required(Role.OFFICE)
@require_POST
def open_reports(request: AuthenticatedHttpRequest, plan: str, year: int) -> HttpResponse:
    """The office opens the year's implementation reports (one per department, with its items)."""
    reporting_round = _round(request, plan, year)
    try:
        created = actions.do_open_reports(request.user, reporting_round)
    except actions.ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(count)d implementation report(s) opened.") % {"count": created})
    return redirect("implementation:round", plan=plan, year=year)


def _page(
    request: AuthenticatedHttpRequest, access: ReportAccess, form: ReportForm | None, status: int = 200
) -> HttpResponse:
    report = access.report
    documents = list(report.documents.select_related("uploaded_by").defer("content"))
    items = items_of(report)
    return render(
        request,
        "implementation/report.html",
        {
            "access": access,
            "report": report,
            "round": report.round,
            "plan": report.round.plan,
            "form": form,
            "items": items,
            "documents": documents,
            "on_time": is_on_time(report),
            "accept_kinds": ", ".join(KIND_LABELS[k] for k in sorted(EVIDENCE_KINDS)),
            "max_mb": max_bytes() // 2**20,
            "problems": form.problems if form is not None else [],
            "funds": _fund_totals(items),
        },
        status=status,
    )


def _fund_totals(items: list[Any]) -> dict[str, Any]:
    budgeted = [i.funds_budgeted for i in items if i.funds_budgeted is not None]
    spent = [i.funds_spent for i in items if i.funds_spent is not None]
    return {"budgeted": sum(budgeted) if budgeted else None, "spent": sum(spent) if spent else None}


@role_required(*REPORT_ROLES)
def report_page(request: AuthenticatedHttpRequest, plan: str, pk: int) -> HttpResponse:
    """The report: a form for the department's reporters while editable, read-only for everyone else.
    A refused save comes back with everything as typed and each problem beside its field."""
    access = get_report_for_user(request, plan, pk)
    report = access.report
    if request.method != "POST":
        form = ReportForm(items_of(report), report.summary) if access.can_edit else None
        return _page(request, access, form)
    if not access.can_edit:
        raise PermissionDenied
    form = ReportForm(items_of(report), report.summary, request.POST)
    try:
        seen = int(request.POST.get("version", ""))
    except ValueError:
        seen = -1
    if not form.is_valid():
        messages.error(request, _("%(count)d problem(s); nothing was saved.") % {"count": len(form.problems)})
        return _page(request, access, form, status=422)
    try:
        actions.do_save_report(request.user, report, seen, form.cleaned_summary, form.cleaned)
    except actions.ReportError as exc:
        messages.error(request, str(exc))
        return _page(request, access, form, status=409 if isinstance(exc, actions.StaleReport) else 422)
    messages.success(request, _("Saved as draft."))
    return redirect("implementation:report", plan=plan, pk=pk)


# The steps take (user, report, seen version) and, for return, a reason. Lazy: the message is shown
# in the language of the request.
WORKFLOW: dict[str, tuple[Callable[..., Any], Promise]] = {
    "submit": (actions.do_submit_report, gettext_lazy("Submitted to your department's reviewer.")),
    "approve": (actions.do_approve_report, gettext_lazy("Approved; the office has been told.")),
    "return": (actions.do_return_report, gettext_lazy("Returned to the reporters with your reason.")),
    "accept": (actions.do_accept_report, gettext_lazy("Accepted. The report is now final.")),
}


def _accept_step(request: AuthenticatedHttpRequest, report: ImplementationReport) -> HttpResponse:
    """Accepting is final (nobody reopens an accepted report), so it asks first."""
    step = Confirmation(
        title=_("Accept %(department)s's %(year)s implementation report?")
        % {"department": report.department.display_name, "year": report.round.year},
        action_url=reverse("implementation:report_step", args=[report.round.plan.code, report.pk, "accept"]),
        cancel_url=reverse("implementation:report", args=[report.round.plan.code, report.pk]),
        confirm_label=_("Accept"),
        consequences=[
            _("The report becomes final: the department can no longer change it, and it cannot be returned."),
            _("Leaders and evaluators can read it, and it goes into the annual report's compilation."),
        ],
        hidden={"version": request.POST.get("version", "")},
    )
    return confirm_response(request, step)


@role_required(*REPORT_ROLES)
@require_POST
def report_step(request: AuthenticatedHttpRequest, plan: str, pk: int, step: str) -> HttpResponse:
    access = get_report_for_user(request, plan, pk)
    if step not in WORKFLOW:
        raise Http404
    if step == "accept" and not is_confirmed(request):
        if not access.is_office:
            raise PermissionDenied
        return _accept_step(request, access.report)
    action, done = WORKFLOW[step]
    try:
        seen = int(request.POST.get("version", ""))
    except ValueError:
        seen = -1  # a request without the version it acts on is treated as stale
    extra = {"reason": request.POST.get("reason", "")} if step == "return" else {}
    try:
        action(request.user, access.report, seen, **extra)
    except actions.IncompleteReport as exc:
        messages.error(request, str(exc))
    except actions.ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, str(done))
    return redirect("implementation:report", plan=plan, pk=pk)


@role_required(Role.DEPT_REPORTER)
@require_POST
def attach(request: AuthenticatedHttpRequest, plan: str, pk: int) -> HttpResponse:
    access = get_report_for_user(request, plan, pk)
    if not access.can_edit:
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
        return redirect("implementation:report", plan=plan, pk=pk)
    try:
        actions.do_attach_document(request.user, access.report, upload)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except actions.ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Attached: %(name)s") % {"name": upload.name})
    return redirect(reverse("implementation:report", args=[plan, pk]) + "#documents")


@role_required(Role.DEPT_REPORTER)
@require_POST
def remove_document(request: AuthenticatedHttpRequest, plan: str, pk: int, document: int) -> HttpResponse:
    """Removing an attachment cannot be undone (the file is gone), so it asks first."""
    access = get_report_for_user(request, plan, pk)
    if not access.can_edit:
        raise PermissionDenied
    the_document = get_object_or_404(Document.objects.defer("content"), pk=document, report=access.report)
    if not is_confirmed(request):
        return confirm_response(
            request,
            Confirmation(
                title=_("Remove %(name)s?") % {"name": the_document.name},
                action_url=reverse("implementation:remove_document", args=[plan, pk, the_document.pk]),
                cancel_url=reverse("implementation:report", args=[plan, pk]),
                confirm_label=_("Remove"),
                consequences=[_("The file is deleted from the report; upload it again if you need it back.")],
            ),
        )
    try:
        actions.do_remove_document(request.user, access.report, the_document)
    except actions.ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Removed: %(name)s") % {"name": the_document.name})
    return redirect(reverse("implementation:report", args=[plan, pk]) + "#documents")


@role_required(Role.OFFICE, Role.DEPT_REPORTER, Role.DEPT_REVIEWER)
def word_template(request: AuthenticatedHttpRequest, plan: str, pk: int) -> HttpResponse:
    """The report as a Word file to fill in (or to read, once sent)."""
    access = get_report_for_user(request, plan, pk)
    report = access.report
    response = HttpResponse(
        write_report_docx(report),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    name = f"implementation-{report.round.year}-{report.department.code}.docx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    record(
        "implementation.word_template",
        actor=request.user,
        obj=report,
        year=report.round.year,
        department=report.department.code,
    )
    return response


@role_required(Role.DEPT_REPORTER)
def word_upload(request: AuthenticatedHttpRequest, plan: str, pk: int) -> HttpResponse:
    """Upload the filled-in Word file: all or nothing, every problem named by item and field."""
    access = get_report_for_user(request, plan, pk)
    if not access.can_edit:
        raise PermissionDenied
    report = access.report
    context: dict[str, Any] = {"report": report, "round": report.round, "plan": report.round.plan, "problems": []}
    if request.method != "POST":
        return render(request, "implementation/word_upload.html", context)
    upload = request.FILES.get("file")
    status = 422
    if upload is None:
        context["error"] = _("Choose the filled-in Word file.")
    else:
        try:
            from .documents import DOCX, check_upload

            _type, content = check_upload(upload, kinds=frozenset({DOCX}))
            read = read_report_docx(report, content)
            actions.do_import_word(request.user, report, report.version, read.summary, read.items, upload)
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
        except WordRejected as exc:
            context["error"], context["problems"] = str(exc), exc.problems
        except actions.StaleReport as exc:
            context["error"], status = str(exc), 409
        except actions.ReportError as exc:
            context["error"] = str(exc)
        else:
            messages.success(request, _("The Word file was read and saved; it is kept among the report's documents."))
            return redirect("implementation:report", plan=plan, pk=pk)
    return render(request, "implementation/word_upload.html", context, status=status)
