"""The home page's sections for the children's workers: the community director's visits due,
verification tasks and open assistance; the street supervisor's mandatory reports with their
countdowns, assessments to approve, tasks and overdue visits by community.

Everything starts from the registry's and linkage's own scoping (`Child.objects.visible_to`,
`tasks_visible_to`, the street's reports), so nothing outside the user's area is listed or linked.
Listing children is written to the access log, as the work list is."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from childfirst.accounts.http import AuthenticatedHttpRequest
from childfirst.homes.models import ChildrensHome
from childfirst.linkage.access import tasks_visible_to
from childfirst.linkage.discovery import rules
from childfirst.linkage.models import TaskState
from childfirst.registry.casework.caseload import attach_children, case_rows, load_by_community
from childfirst.registry.children.access import log_access
from childfirst.registry.mandatory.actions import escalate_overdue_reports
from childfirst.registry.mandatory.intake import countdown
from childfirst.registry.models import (
    AccessAction,
    Assistance,
    AssistanceState,
    Child,
    MandatoryReport,
    RegistryGrant,
    RiskAssessment,
    Task,
)

# The home page lists the first few of each; the full lists are one link away.
SHOWN = 8
# A visit due within this many days is on the director's home page beside the overdue ones.
DUE_SOON_DAYS = 14


def _verification(request: AuthenticatedHttpRequest, today: datetime.date) -> dict[str, Any]:
    open_tasks = tasks_visible_to(request.user).filter(state=TaskState.OPEN)
    shown = list(open_tasks.select_related("community").order_by("deadline", "pk")[:SHOWN])
    catalogue = rules()
    for task in shown:
        rule = catalogue.rule(task.rule)
        task.title = rule.display_title if rule else task.rule  # type: ignore[attr-defined]  # for the template
        task.overdue = task.deadline < today  # type: ignore[attr-defined]  # for the template
    return {"tasks": shown, "open": open_tasks.count(), "overdue": open_tasks.filter(deadline__lt=today).count()}


def director_home(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    children = Child.objects.visible_to(user)
    rows = case_rows(children, today=today)
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    due = [row for row in rows if row.due.date <= soon]
    attach_children(due[:SHOWN])  # the children shown, in one query
    assistance = list(
        Assistance.objects.filter(child__in=children, state=AssistanceState.OPEN)
        .select_related("child")
        .only("pk", "start_date", "helper_name", "child__id", "child__name")
        .order_by("start_date")[:SHOWN]
    )
    log_access(
        request, None, AccessAction.SEARCH, "home page: visits due", result_count=len(due[:SHOWN]) + len(assistance)
    )
    return {
        "visits_due": due[:SHOWN],
        "visits_due_total": len(due),
        "overdue_total": sum(row.due.is_overdue for row in rows),
        "children_total": len(rows),
        "verification": _verification(request, today),
        "assistance": assistance,
        "homes": list(ChildrensHome.objects.visible_to(user).order_by("name")[:SHOWN]),
    }


def supervisor_home(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    escalate_overdue_reports()  # as the report pages do: a report past its deadline shows as escalated
    user = request.user
    street = user.area
    assert street is not None  # a street supervisor has a street (User.clean)
    now = timezone.now()
    today = timezone.localdate(now)
    reports = list(
        MandatoryReport.objects.for_street(street).open().select_related("community").order_by("triage_due_at")
    )
    for report in reports:
        report.countdown = countdown(report, now)  # for the template
    children = Child.objects.visible_to(user)
    rows = case_rows(children, today=today)
    loads = [load for load in load_by_community(rows, street) if load.overdue]
    approvals = (
        RiskAssessment.objects.awaiting_approval()
        .filter(child__in=children)
        .select_related("child")
        .only("pk", "level", "assessed_on", "recorded_at", "child__id", "child__name")
        .order_by("recorded_at")
    )
    approvals_shown = list(approvals[:SHOWN])
    log_access(request, None, AccessAction.SEARCH, "home page: approvals", result_count=len(approvals_shown))
    tasks = Task.objects.open().for_street(street).order_by("due_on", "pk")
    return {
        "reports": reports[:SHOWN],
        "reports_total": len(reports),
        "approvals": approvals_shown,
        "approvals_total": approvals.count(),
        "tasks": list(tasks[:SHOWN]),
        "tasks_total": tasks.count(),
        "tasks_overdue": tasks.filter(due_on__lt=today).count(),
        "loads": loads,
        "overdue_total": sum(load.overdue for load in loads),
        "today": today,
        "verification": _verification(request, today),
    }


def office_registry_home(user: Any) -> dict[str, Any]:
    """What waits for the office in the registry: requests of access to decide (by another office
    user than the one who asked or is named) and escalated reports still untriaged."""
    grants = (
        RegistryGrant.objects.awaiting_approval().visible_to(user).exclude(requested_by=user).exclude(user=user).count()
    )
    escalated = MandatoryReport.objects.visible_to(user).awaiting_triage().count()
    return {"grants_to_decide": grants, "escalated_untriaged": escalated}
