"""Mandatory report pages: the intake form (public and signed-in), its receipt, the supervisor's
list and triage page, and the office's list of escalated reports (metadata only).

The public intake is write-only: it shows no stored data, answers every valid report the same
way (a receipt number), is CSRF-protected like every form, and limits submissions per IP address.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from childfirst.accounts.audit import client_ip
from childfirst.accounts.decorators import role_required
from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.accounts.models import Role
from childfirst.confirm import is_confirmed
from childfirst.registry.casework.forms import CloseForm
from childfirst.registry.children.actions import ChildData, DuplicateChild, record_duplicate_refusal
from childfirst.registry.models import Child, MandatoryReport, ReportState, Urgency

from . import actions
from .access import get_report_for_user
from .confirm_steps import close_report_step
from .forms import MandatoryReportForm, NewFileForm, ReportLinkForm, ReportStepForm
from .intake import countdown, id_match, intake_attempt, name_suggestions

RECEIPT_SESSION_KEY = "registry_report_receipt"
# What the office sees of an escalated report: enough to chase the street, nothing about the child.
ESCALATED_FIELDS = (
    "receipt_number",
    "received_at",
    "urgency",
    "triage_due_at",
    "escalated_at",
    "triaged_at",
    "state",
    "street__code",
    "street__name",
)


@never_cache
def report_intake(request: HttpRequest) -> HttpResponse:
    """强制报告: open to anyone (teachers and doctors are not users). A signed-in user's report is
    recorded as theirs; an anonymous one is rate-limited per IP address."""
    user = request.user if request.user.is_authenticated and request.user.role else None
    initial = {}
    if user is not None:
        initial = {"reporter_name": user.get_full_name(), "reporter_institution": str(user.department or "")}
    form = MandatoryReportForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if user is None and not intake_attempt(client_ip(request)):
            # The form stays filled in: nothing typed is lost, and the page says what to do instead.
            form.add_error(
                None,
                _(
                    "Too many reports from this network in a short time. Please try again later; "
                    "if a child is in danger now, call 110."
                ),
            )
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                report = actions.do_file_mandatory_report(
                    user,
                    reporter_institution=data["reporter_institution"],
                    reporter_kind=data["reporter_kind"],
                    reporter_name=data["reporter_name"],
                    reporter_phone=data["reporter_phone"],
                    child_name=data["child_name"],
                    child_age=data["child_age"],
                    child_age_unit=data["child_age_unit"],
                    child_sex=data["child_sex"],
                    child_id_number=data["child_id_number"],
                    community=data["community"],
                    street=data["street"],
                    place=data["place"],
                    concerns=data["concerns"],
                    description=data["description"],
                    urgency=data["urgency"],
                    request=request,
                )
            except actions.CaseworkError as exc:
                form.add_error(None, str(exc))
            else:
                request.session[RECEIPT_SESSION_KEY] = {
                    "number": report.receipt_number,
                    "received_at": report.received_at.isoformat(),
                    "urgent": report.urgency == "urgent",
                    "hours": round((report.triage_due_at - report.received_at).total_seconds() / 3600),
                    "street": report.street.display_name,
                }
                return redirect("registry:report_receipt")
    return render(
        request, "registry/casework/report_form.html", {"form": form, "signed_in": user is not None}, status=status
    )


@never_cache
def report_receipt(request: HttpRequest) -> HttpResponse:
    """The receipt of the last report sent from this browser: its number and time, nothing else."""
    receipt = request.session.get(RECEIPT_SESSION_KEY)
    received_at = datetime.datetime.fromisoformat(receipt["received_at"]) if receipt else None
    context = {"receipt": receipt, "received_at": received_at, "hotline": settings.REPORT_HOTLINE}
    return render(request, "registry/casework/report_receipt.html", context)


@never_cache
@role_required(Role.STREET_SUPERVISOR, Role.OFFICE)
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The supervisor's reports, untriaged first by deadline; for the office, the escalated reports
    of the district with their metadata only."""
    actions.escalate_overdue_reports()
    now = timezone.now()
    user = request.user
    if user.role == Role.OFFICE:
        # Metadata only, as plain values: the office's page never loads a child's or a reporter's details.
        reports = list(
            MandatoryReport.objects.visible_to(user).order_by("state", "-escalated_at").values(*ESCALATED_FIELDS)
        )
        states, urgencies = dict(ReportState.choices), {Urgency.URGENT: _("urgent"), Urgency.NORMAL: _("not urgent")}
        for row in reports:
            row["state_label"], row["urgency_label"] = states[row["state"]], urgencies[row["urgency"]]
            row["hours_late"] = ((row["triaged_at"] or now) - row["triage_due_at"]).total_seconds() / 3600
        open_count = sum(r["state"] == ReportState.AWAITING for r in reports)
        return render(
            request,
            "registry/casework/report_escalated.html",
            {"reports": reports, "still_untriaged": open_count, "now": now},
        )
    reports = list(MandatoryReport.objects.visible_to(user).select_related("community", "street", "child"))
    for report in reports:
        report.countdown = countdown(report, now)
    # Untriaged by deadline, then those being handled by deadline, then the closed ones newest first.
    order = {ReportState.AWAITING: 0, ReportState.IN_PROGRESS: 1, ReportState.CLOSED: 2}
    reports.sort(key=lambda r: (order[r.state], (now - r.received_at) if r.is_closed else (r.triage_due_at - now)))
    return render(request, "registry/casework/report_list.html", {"reports": reports, "now": now})


def _report_page(request: AuthenticatedHttpRequest, report: MandatoryReport, **forms) -> HttpResponse:
    user = request.user
    match = id_match(report, user) if report.child_id is None else None
    suggestions = [] if report.child_id is not None or match else name_suggestions(report, user)
    context = {
        "report": report,
        "match": match,
        "suggestions": suggestions,
        "steps": report.steps.select_related("recorded_by"),
        "step_form": forms.get("step_form") or ReportStepForm(),
        "close_form": forms.get("close_form") or CloseForm(label=_("Outcome")),
        "new_file_form": forms.get("new_file_form") or NewFileForm(report=report, user=user),
        "countdown": countdown(report, timezone.now()),
    }
    return render(request, "registry/casework/report_detail.html", context)


@never_cache
@role_required(Role.STREET_SUPERVISOR)
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    actions.escalate_overdue_reports()
    return _report_page(request, get_report_for_user(request, pk))


@never_cache
@role_required(Role.STREET_SUPERVISOR)
@require_POST
def report_triage(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The triage steps, by `step`: link a file, open a new file, record actions, close."""
    report = get_report_for_user(request, pk)
    step = request.POST.get("step")
    try:
        if step == "link":
            form = ReportLinkForm(request.POST)
            if not form.is_valid():
                raise PermissionDenied
            child = Child.objects.visible_to(request.user).filter(pk=form.cleaned_data["child"]).first()
            if child is None:
                raise PermissionDenied
            actions.do_link_report(request.user, report, child, request=request)
            messages.success(request, _("The report is linked to the child's file."))
        elif step == "new_file":
            new_file_form = NewFileForm(request.POST, report=report, user=request.user)
            if not new_file_form.is_valid():
                return _report_page(request, report, new_file_form=new_file_form)
            data = new_file_form.cleaned_data
            try:
                actions.do_open_file_from_report(
                    request.user,
                    report,
                    ChildData(
                        name=data["name"],
                        sex=data["sex"],
                        birth_date=data["birth_date"],
                        birth_date_estimated=data["birth_date_estimated"],
                        residence_area=data["residence_area"],
                        address=data["address"],
                    ),
                    use_report_id=data.get("use_report_id", False),
                    request=request,
                )
            except (ValidationError, DuplicateChild) as exc:
                if isinstance(exc, DuplicateChild):
                    record_duplicate_refusal(request.user, exc, request=request)
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        new_file_form.add_error(field if field in new_file_form.fields else None, error)
                return _report_page(request, report, new_file_form=new_file_form)
            messages.success(request, _("A new file is opened and linked to the report."))
        elif step == "actions":
            step_form = ReportStepForm(request.POST)
            try:
                if not step_form.is_valid():
                    return _report_page(request, report, step_form=step_form)
                actions.do_record_report_step(request.user, report, request=request, **step_form.cleaned_data)
            except actions.CaseworkError as exc:
                step_form.add_error(None, str(exc))
                return _report_page(request, report, step_form=step_form)
            messages.success(request, _("The actions are recorded."))
        elif step == "close":
            close_form = CloseForm(request.POST, label=_("Outcome"))
            try:
                if not close_form.is_valid():
                    return _report_page(request, report, close_form=close_form)
                if not is_confirmed(request):
                    return close_report_step(request, report, close_form.cleaned_data["note"])
                actions.do_close_report(request.user, report, outcome=close_form.cleaned_data["note"], request=request)
            except actions.CaseworkError as exc:
                close_form.add_error(None, str(exc))
                return _report_page(request, report, close_form=close_form)
            messages.success(request, _("The report is closed."))
        else:
            raise PermissionDenied
    except actions.CaseworkError as exc:
        messages.error(request, str(exc))
    return redirect("registry:report", pk=pk)
